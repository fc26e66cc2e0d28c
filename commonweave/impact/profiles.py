"""Area profiles (issue 18, part 2): for the whole place or one ward, the residents the
partnership serves by the deprivation of their neighbourhood, beside the area's own
population, and a map of the place's wards (docs/impact.md, "Area profiles").

* Residents served are the place's residents that are records in their own right (not
  merged into another), placed in a neighbourhood (LSOA 2021) and ward by their postcode
  when it was saved (people.Resident.lsoa_code, ward_code). Their decile is joined from
  area.LsoaDeprivation (IoD 2025) now, never copied onto them. Every count of them goes
  through commonweave.insights.disclosure as a Cell carrying their record keys.
* The area's population share by decile is open data about no one (the edition's
  population denominators, where loaded): plain numbers.
* Everything is read with grouped queries: residents once, grouped by ward and
  neighbourhood (one row per pair, whatever the number of residents), the deciles of
  those neighbourhoods once, the area's neighbourhoods once.
"""

import math
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Sum
from django.http import Http404
from django.utils.translation import gettext as _

from commonweave.area.editions import EDITIONS
from commonweave.area.enums import Edition
from commonweave.area.models import LsoaDeprivation
from commonweave.directory.models import Neighbourhood, PostcodeLookup
from commonweave.insights.disclosure import (
    Cell,
    Published,
    PublishedTable,
    publish_count,
    publish_share,
    publish_table,
)
from commonweave.people.models import Resident
from commonweave.tenancy.viewer import Viewer

EDITION = Edition.IOD2025
NOT_PLACED = "not_placed"
MOST_DEPRIVED = frozenset({1, 2})  # the 20% most deprived neighbourhoods in England
WARD = "ward"

POSTCODE_SOURCE = (
    "Residents are placed in a neighbourhood and ward from their postcode. Source: Office "
    "for National Statistics licensed under the Open Government Licence v.3.0. Contains OS "
    "data © Crown copyright and database right 2025. Contains Royal Mail data © Royal Mail "
    "copyright and database right 2025."
)

# The map's shades, lightest (fewest in the most deprived 20%) to darkest: ColorBrewer
# "Blues", five classes (colour-blind safe, prints in grey).
SHADES = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
MAP_WIDTH = 600.0
MAP_MAX_HEIGHT = 600.0


def may_see_area_profile(viewer) -> bool:
    """Everyone who sees the place's published numbers (analysts, place admins,
    coordinators, catalysts): every count of people here is a published number."""
    return isinstance(viewer, Viewer) and viewer.can_see_aggregates


@dataclass(frozen=True)
class Source:
    """Where an indicator comes from: the edition, its attribution and its licence."""

    edition: str
    attribution: str
    licence: str
    url: str


@dataclass(frozen=True)
class DecileRow:
    key: str  # "1".."10", "q1".."q5", or NOT_PLACED
    label: str
    served: Published
    lsoas: int | None  # the area's neighbourhoods in the group (None for "not placed")
    population: int | None  # their population, where every one of them has it loaded
    share: float | None  # the population's share of the area's, in per cent (1 place)
    served_share: str = ""  # the group's share of residents placed in a decile, published


@dataclass(frozen=True)
class WardShade:
    code: str
    name: str
    path: str  # SVG path data in the map's box
    served: Published  # residents of the ward placed in a neighbourhood with a decile
    most_deprived: Published  # of them, living in the 20% most deprived
    share_label: str  # "40%" or "not enough people yet"
    share: int | None  # None: too few to show
    band: int | None  # index into SHADES, None: too few to show
    selected: bool

    @property
    def fill(self) -> str:
        return SHADES[self.band] if self.band is not None else "url(#cw-too-few)"


@dataclass(frozen=True)
class LegendBand:
    fill: str
    label: str


@dataclass(frozen=True)
class WardMap:
    width: int
    height: int
    wards: list[WardShade]
    legend: list[LegendBand]


@dataclass(frozen=True)
class AreaProfile:
    place_name: str
    ward: Neighbourhood | None
    wards: list[tuple[str, str]]  # (code, name) of the place's wards, for the choice
    threshold: int
    loaded: bool  # any IoD 2025 neighbourhood is loaded
    served: PublishedTable  # residents served by decile, with "not placed"
    deciles: list[DecileRow]
    quintiles: list[DecileRow]
    area_lsoas: int
    area_lsoas_with_population: int
    area_population: int | None
    lad_codes: list[str]
    map: WardMap
    imd_source: Source
    population_source: Source
    postcode_source: str = POSTCODE_SOURCE
    notes: list[str] = field(default_factory=list)

    @property
    def area_name(self) -> str:
        return self.ward.name if self.ward is not None else self.place_name


def _decile_labels() -> dict[str, str]:
    labels = {"1": _("1 (most deprived 10%)")}
    labels.update({str(d): str(d) for d in range(2, 10)})
    labels["10"] = _("10 (least deprived 10%)")
    labels[NOT_PLACED] = _("Not placed (no neighbourhood found, or its decile not loaded)")
    return labels


def _quintile_labels() -> dict[str, str]:
    return {
        "q1": _("Most deprived 20% (deciles 1 and 2)"),
        "q2": _("Deciles 3 and 4"),
        "q3": _("Deciles 5 and 6"),
        "q4": _("Deciles 7 and 8"),
        "q5": _("Least deprived 20% (deciles 9 and 10)"),
    }


def _source() -> Source:
    info = EDITIONS[EDITION]
    return Source(info.title, info.attribution, info.licence, info.source_url)


# --- residents served --------------------------------------------------------------------


def _served_by_ward_and_lsoa(place) -> list[tuple[str, str, int, int]]:
    """(ward code, LSOA code, residents, sum of their record keys) for the place's
    residents that are records in their own right: one row per pair."""
    return list(
        Resident.objects.filter(place=place)
        .active()
        .order_by()
        .values("ward_code", "lsoa_code")
        .annotate(n=Count("pk"), keys=Sum("record_key"))
        .values_list("ward_code", "lsoa_code", "n", "keys")
    )


def _deciles_of_residents_lsoas(place) -> dict[str, int]:
    """LSOA code -> IoD 2025 decile, for the neighbourhoods the place's residents live in
    (one query: the codes are a subquery, not a list)."""
    codes = Resident.objects.filter(place=place).exclude(lsoa_code="").values("lsoa_code")
    return dict(
        LsoaDeprivation.objects.filter(edition__edition=EDITION, lsoa_code__in=codes)
        .order_by()
        .values_list("lsoa_code", "imd_decile")
    )


# --- the area's own population ----------------------------------------------------------


def _area_rows(place, ward: Neighbourhood | None, ward_codes: list[str]):
    """The area's neighbourhoods in IoD 2025, grouped by decile, and the local authorities
    counted. A ward's neighbourhoods are those of the postcodes the postcode directory puts
    in it; the whole place's are every neighbourhood of the local authorities its wards are
    in. Both need the postcode directory with ward and LSOA codes."""
    postcodes = PostcodeLookup.objects.order_by()
    rows = LsoaDeprivation.objects.filter(edition__edition=EDITION).order_by()
    if ward is not None:
        lsoas = postcodes.filter(ward_code=ward.code).exclude(lsoa_code="").values("lsoa_code")
        rows = rows.filter(lsoa_code__in=lsoas)
        lads: list[str] = []
    else:
        lads = sorted(
            set(
                postcodes.filter(ward_code__in=ward_codes)
                .exclude(lad_code="")
                .values_list("lad_code", flat=True)
                .distinct()
            )
        )
        rows = rows.filter(lad_code__in=lads)
    grouped = (
        rows.values("imd_decile")
        .annotate(lsoas=Count("pk"), with_population=Count("population"), people=Sum("population"))
        .values_list("imd_decile", "lsoas", "with_population", "people")
    )
    return {decile: (lsoas, known, people or 0) for decile, lsoas, known, people in grouped}, lads


# --- the map -----------------------------------------------------------------------------


def _rings(geometry) -> list[list]:
    if not isinstance(geometry, dict):
        return []
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def _projector(wards: list[dict]):
    """lon/lat -> x/y in the map's box: an equirectangular projection with longitude
    scaled by the cosine of the middle latitude (so a ward is not stretched east-west)."""
    min_lon = min(w["min_lon"] for w in wards)
    max_lon = max(w["max_lon"] for w in wards)
    min_lat = min(w["min_lat"] for w in wards)
    max_lat = max(w["max_lat"] for w in wards)
    k = math.cos(math.radians((min_lat + max_lat) / 2))
    span_x = max((max_lon - min_lon) * k, 1e-9)
    span_y = max(max_lat - min_lat, 1e-9)
    scale = min(MAP_WIDTH / span_x, MAP_MAX_HEIGHT / span_y)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return round((lon - min_lon) * k * scale, 1), round((max_lat - lat) * scale, 1)

    return project, math.ceil(span_x * scale), math.ceil(span_y * scale)


def _path(geometry, project) -> str:
    parts = []
    for ring in _rings(geometry):
        points: list[tuple[float, float]] = []
        for position in ring:
            point = project(float(position[0]), float(position[1]))
            if not points or points[-1] != point:
                points.append(point)
        if len(points) >= 3:
            parts.append("M" + "L".join(f"{x:g},{y:g}" for x, y in points) + "Z")
    return "".join(parts)


def _band(share: int) -> int:
    return min(share // 20, len(SHADES) - 1)


def _legend(threshold: int) -> list[LegendBand]:
    last = len(SHADES) - 1
    bands = [
        LegendBand(
            shade,
            _("%(low)s%% to %(high)s%%")
            % {"low": 20 * i, "high": 100 if i == last else 20 * i + 19},
        )
        for i, shade in enumerate(SHADES)
    ]
    bands.append(
        LegendBand(
            "url(#cw-too-few)",
            _("Too few to show (fewer than %(threshold)s residents)") % {"threshold": threshold},
        )
    )
    return bands


def _ward_map(wards, cells, threshold: int, selected: str) -> WardMap:
    """Each ward shaded by the share of its residents (placed in a neighbourhood with a
    decile) who live in the 20% most deprived, from the published counts only."""
    legend = _legend(threshold)
    drawable = [w for w in wards if _rings(w["geometry"])]
    if not drawable:
        return WardMap(0, 0, [], legend)
    project, width, height = _projector(drawable)
    shades = []
    for ward in drawable:
        whole, part = cells.get(ward["code"], (Cell(0, 0), Cell(0, 0)))
        label = publish_share(part, whole, threshold=threshold)
        share = int(label[:-1]) if label.endswith("%") else None
        shades.append(
            WardShade(
                code=ward["code"],
                name=ward["name"],
                path=_path(ward["geometry"], project),
                served=publish_count(whole, threshold=threshold),
                most_deprived=publish_count(part, threshold=threshold),
                share_label=label,
                share=share,
                band=_band(share) if share is not None else None,
                selected=ward["code"] == selected,
            )
        )
    return WardMap(width, height, shades, legend)


# --- the profile -------------------------------------------------------------------------


def _quintile_of(cells: dict[str, Published], first: int) -> Published:
    """Two deciles' published counts added up (never their exact counts), as a table's
    total is: what is suppressed stays out and says so."""
    parts = [cells[str(first)], cells[str(first + 1)]]
    shown = sum(part.value or 0 for part in parts)
    hidden = any(part.suppressed for part in parts)
    return Published(shown, f"{shown:,}" + (_(" (plus suppressed groups)") if hidden else ""))


def area_profile(viewer: Viewer, ward_code: str | None = None) -> AreaProfile:
    """The area profile of the viewer's place, or of one of its wards (a Neighbourhood of
    kind "ward", by its code; an unknown code is a 404). The viewer must see aggregates
    (`may_see_area_profile`); views check it first and answer 404 too.

    Queries: the wards, the residents grouped by ward and neighbourhood, their
    neighbourhoods' deciles, whether the edition is loaded, the local authorities, the
    area's neighbourhoods grouped by decile. None grows with the number of residents."""
    if not may_see_area_profile(viewer):
        raise Http404
    place = viewer.place
    threshold = place.suppression_threshold
    wards = list(
        Neighbourhood.objects.filter(place=place, kind=WARD)
        .exclude(code="")
        .order_by("name")
        .values("pk", "code", "name", "geometry", "min_lon", "min_lat", "max_lon", "max_lat")
    )
    selected = None
    if ward_code:
        chosen = next((w for w in wards if w["code"] == ward_code), None)
        if chosen is None:
            raise Http404
        selected = Neighbourhood.objects.get(pk=chosen["pk"])

    deciles_of = _deciles_of_residents_lsoas(place)
    loaded = LsoaDeprivation.objects.filter(edition__edition=EDITION).exists()

    by_decile: dict[str, Cell] = {key: Cell(0, 0) for key in _decile_labels()}
    by_ward: dict[str, tuple[Cell, Cell]] = defaultdict(lambda: (Cell(0, 0), Cell(0, 0)))
    for ward, lsoa, n, keys in _served_by_ward_and_lsoa(place):
        cell = Cell(n, keys or 0)
        decile = deciles_of.get(lsoa) if lsoa else None
        if decile is not None:
            whole, part = by_ward[ward]
            by_ward[ward] = (whole + cell, part + cell if decile in MOST_DEPRIVED else part)
        if selected is not None and ward != selected.code:
            continue
        by_decile[str(decile) if decile is not None else NOT_PLACED] += cell
    served = publish_table(by_decile, _decile_labels(), threshold=threshold)
    published = {row.key: row.count for row in served.rows}

    area, lads = _area_rows(place, selected, [w["code"] for w in wards])
    area_lsoas = sum(lsoas for lsoas, _known, _people in area.values())
    with_population = sum(known for _lsoas, known, _people in area.values())
    # Shares only over a complete denominator: every neighbourhood of the area has one.
    complete = area_lsoas > 0 and with_population == area_lsoas
    total = sum(people for _lsoas, _known, people in area.values()) if complete else None

    # Residents placed in a neighbourhood with a decile: the whole each group's share of
    # residents served is of, worked out from published counts only (publish_share).
    placed = sum((by_decile[str(d)] for d in range(1, 11)), Cell(0, 0))

    def area_row(key: str, label: str, deciles: range, count: Published) -> DecileRow:
        lsoas = sum(area.get(d, (0, 0, 0))[0] for d in deciles)
        people = sum(area.get(d, (0, 0, 0))[2] for d in deciles) if complete else None
        share = round(100 * people / total, 1) if people is not None and total else None
        part = sum((by_decile[str(d)] for d in deciles), Cell(0, 0))
        served_share = publish_share(part, placed, threshold=threshold)
        return DecileRow(key, label, count, lsoas, people, share, served_share)

    labels = _decile_labels()
    decile_rows = [area_row(str(d), labels[str(d)], range(d, d + 1), published[str(d)])
                   for d in range(1, 11)]  # fmt: skip
    decile_rows.append(
        DecileRow(NOT_PLACED, labels[NOT_PLACED], published[NOT_PLACED], None, None, None)
    )
    quintile_rows = [
        area_row(key, label, range(2 * i + 1, 2 * i + 3), _quintile_of(published, 2 * i + 1))
        for i, (key, label) in enumerate(_quintile_labels().items())
    ]

    notes = []
    if not loaded:
        notes.append(
            _(
                "The Indices of Deprivation 2025 are not loaded yet, so no resident can be "
                "placed in a decile. A place admin can load them (see the area data guide)."
            )
        )
    if area_lsoas == 0:
        notes.append(
            _(
                "The area's own neighbourhoods are not known: this needs the Indices of "
                "Deprivation 2025 and the postcode directory with ward and neighbourhood "
                "codes for the place's local authorities."
            )
        )
    elif not complete:
        notes.append(
            _(
                "Population figures are loaded for %(known)s of the area's %(all)s "
                "neighbourhoods, so the population share is not shown. Load the edition's "
                "population denominators (File 7) to see it."
            )
            % {"known": with_population, "all": area_lsoas}
        )

    return AreaProfile(
        place_name=place.name,
        ward=selected,
        wards=[(w["code"], w["name"]) for w in wards],
        threshold=threshold,
        loaded=loaded,
        served=served,
        deciles=decile_rows,
        quintiles=quintile_rows,
        area_lsoas=area_lsoas,
        area_lsoas_with_population=with_population,
        area_population=total,
        lad_codes=lads,
        map=_ward_map(wards, by_ward, threshold, selected.code if selected else ""),
        imd_source=_source(),
        population_source=_source(),
        notes=notes,
    )
