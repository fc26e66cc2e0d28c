"""Real area data for the demo place, so its area profile (/impact/area/) has something to
show: Oldham's English Indices of Deprivation 2025, and each of the demo's postcodes put in
its neighbourhood (LSOA 2021) and ward.

* The IoD 2025 rows of Oldham's 142 LSOAs (data/imd2025_lsoa21_oldham_E08000004.csv, MHCLG,
  OGL v3.0) are loaded with the area app's own importer: idempotent, rows replaced, never
  doubled. The file carries no population denominators (none are published openly in a form
  we hold), so the area's population shares stay unshown.
* The residents' postcodes are made up ("HV1 2AB": no such postcode area exists), so each one
  the postcode directory (directory.PostcodeLookup) does not know yet is given a point
  scattered round Oldham's centre, inside one of Oldham's LSOAs, as the directory's own
  synthetic postcodes are (demo.directory.synthetic_postcodes). Those are loaded here too
  (generate_directory loads the same ones later, seeded by the place, and keeps rows that
  exist), so the directory's postcodes carry codes as well.
* Every such postcode without codes gets its LSOA 2021 (point in polygon against Oldham's
  generalised LSOA boundaries, data/oldham_lsoa21_generalised.geojson.gz), its ward (the
  ward boundaries the demo's Neighbourhoods are made from, by their `area_code`, the code
  each Neighbourhood carries) and Oldham's local authority code, as ONS's postcode directory
  would give them.
* The residents are written in bulk (journeys), past the save that sets their codes
  (people.services._common.postcode_codes), so their `lsoa_code` and `ward_code` are set
  here afterwards from their postcode's lookup row, in two UPDATE statements.

Deterministic for a given seed (and a given postcode directory: rows already there are kept).
"""

import gzip
import json
import random
from functools import cache
from pathlib import Path

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Replace, Upper
from shapely import STRtree
from shapely.geometry import Point, shape

from commonweave.area.enums import Edition
from commonweave.area.imports import import_imd
from commonweave.directory.geo import postcode_key
from commonweave.directory.models import PostcodeLookup
from commonweave.people.models import Resident

from .directory import CENTRE, DEMO_WARDS, load_synthetic_postcodes, synthetic_postcodes

DATA = Path(__file__).resolve().parent / "data"
DEMO_LSOAS = DATA / "oldham_lsoa21_generalised.geojson.gz"
DEMO_IMD = DATA / "imd2025_lsoa21_oldham_E08000004.csv"
OLDHAM = "E08000004"
# The box the made-up postcodes are drawn from (as synthetic_postcodes draws them), and how
# many draws a postcode gets to land inside one of Oldham's LSOAs.
SPREAD = (0.05, 0.08)
TRIES = 100
BATCH = 2000


def _features(path: Path) -> list[dict]:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return json.loads(data)["features"]


class _Areas:
    """Polygons by code in a spatial index: the code of the first whose outline holds a
    point (lowest index first, so a point on a shared edge always gets the same one)."""

    def __init__(self, path: Path):
        features = [f for f in _features(path) if f.get("geometry")]
        self.codes = [str(f["properties"]["area_code"]) for f in features]
        self.shapes = [shape(f["geometry"]) for f in features]
        self.tree = STRtree(self.shapes)

    def code_at(self, lat: float, lon: float) -> str:
        hits = self.tree.query(Point(lon, lat), predicate="intersects")
        return self.codes[int(min(hits))] if len(hits) else ""


@cache
def _lsoas() -> _Areas:
    return _Areas(DEMO_LSOAS)


@cache
def _wards() -> _Areas:
    return _Areas(DEMO_WARDS)


@cache
def _ward_of_lsoa() -> dict[str, str]:
    """LSOA code -> the ward holding a point inside it: for a point that the generalised
    ward outlines miss (they and the LSOAs' are drawn apart)."""
    lsoas, wards = _lsoas(), _wards()
    found = {}
    for code, outline in zip(lsoas.codes, lsoas.shapes, strict=True):
        point = outline.representative_point()
        found[code] = wards.code_at(point.y, point.x)
    return found


def codes_at(lat: float, lon: float) -> tuple[str, str]:
    """(LSOA 2021 code, ward code) of a point in Oldham; blank where it is outside."""
    lsoa = _lsoas().code_at(lat, lon)
    if not lsoa:
        return "", ""
    return lsoa, _wards().code_at(lat, lon) or _ward_of_lsoa().get(lsoa, "")


def _point_in_oldham(rng: random.Random) -> tuple[float, float]:
    """A point scattered round Oldham's centre that falls in one of its LSOAs."""
    for _ in range(TRIES):
        lat = round(CENTRE[0] + rng.uniform(-SPREAD[0], SPREAD[0]), 6)
        lon = round(CENTRE[1] + rng.uniform(-SPREAD[1], SPREAD[1]), 6)
        if _lsoas().code_at(lat, lon):
            return lat, lon
    return CENTRE


def _residents_postcodes(place) -> list[str]:
    raw = Resident.objects.filter(place=place).exclude(postcode="").values_list("postcode")
    return sorted({key for (value,) in raw.distinct() if (key := postcode_key(value))})


def _add_missing(keys: list[str], rng: random.Random) -> int:
    """A lookup row, at a point in Oldham, for each postcode the directory does not know."""
    known: set[str] = set()
    for start in range(0, len(keys), BATCH):
        known.update(
            PostcodeLookup.objects.filter(postcode__in=keys[start : start + BATCH]).values_list(
                "postcode", flat=True
            )
        )
    rows = []
    for key in keys:
        if key in known:
            continue
        lat, lon = _point_in_oldham(rng)
        rows.append(PostcodeLookup(postcode=key, latitude=lat, longitude=lon))
    PostcodeLookup.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    return len(rows)


def _place_postcodes(keys: list[str]) -> int:
    """LSOA, ward and local authority codes for the given postcodes that have none."""
    changed = []
    for start in range(0, len(keys), BATCH):
        for row in PostcodeLookup.objects.filter(
            postcode__in=keys[start : start + BATCH], lsoa_code=""
        ).only("postcode", "latitude", "longitude", "ward_code", "lad_code"):
            lsoa, ward = codes_at(row.latitude, row.longitude)
            if not lsoa:
                continue
            row.lsoa_code, row.ward_code = lsoa, row.ward_code or ward
            row.lad_code = row.lad_code or OLDHAM
            changed.append(row)
    PostcodeLookup.objects.bulk_update(
        changed, ["lsoa_code", "ward_code", "lad_code"], batch_size=BATCH
    )
    return len(changed)


def _set_residents_codes(place) -> int:
    """Each resident's LSOA and ward from their postcode's lookup row (blank if none)."""
    lookup = PostcodeLookup.objects.filter(
        postcode=Replace(Upper(OuterRef("postcode")), Value(" "), Value(""))
    )

    def code(name: str):
        return Coalesce(Subquery(lookup.values(name)[:1]), Value(""))

    residents = Resident.objects.filter(place=place).exclude(postcode="")
    residents.update(lsoa_code=code("lsoa_code"), ward_code=code("ward_code"))
    return residents.exclude(lsoa_code="").count()


def place_demo_areas(place, *, seed: int = 1) -> dict[str, int]:
    """Load Oldham's IoD 2025 and put the demo's postcodes and residents in their
    neighbourhood and ward. Returns counts. Idempotent.

    Side effects: upserts LsoaDeprivation rows (IoD 2025, Oldham); creates PostcodeLookup
    rows for the directory's synthetic postcodes and the residents' made-up ones it lacks,
    and fills in blank LSOA, ward and local authority codes of those rows; sets the place's
    residents' `lsoa_code` and `ward_code`. No audit events (generating is nobody reading).
    """
    report = import_imd(DEMO_IMD, edition=Edition.IOD2025, lads=[OLDHAM])
    load_synthetic_postcodes(seed=place.pk)  # the directory's, as generate_directory loads
    directory = sorted(pc.replace(" ", "") for pc, _lat, _lon in synthetic_postcodes(seed=place.pk))
    residents = _residents_postcodes(place)
    added = _add_missing(residents, random.Random(f"{seed}:areas"))
    placed = _place_postcodes(sorted(set(directory) | set(residents)))
    return {
        "neighbourhoods": report.imported,
        "postcodes added": added,
        "postcodes placed": placed,
        "residents placed": _set_residents_codes(place),
    }
