"""Postcodes, distances and neighbourhoods (WGS84 lat/lon throughout)."""

import math
import re
from enum import StrEnum

from django.db import models
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape

LOAD_POSTCODES = "load_postcodes"  # the kind of job that loads ONS's postcode directory
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
EARTH_RADIUS_M = 6_371_000


def normalise_postcode(raw: str) -> str:
    """'ol1 1aa' -> 'OL1 1AA'; returns '' when it is not a UK postcode."""
    compact = re.sub(r"\s+", "", (raw or "").upper())
    if not POSTCODE_RE.match(compact):
        return ""
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_key(raw: str) -> str:
    return normalise_postcode(raw).replace(" ", "")


def lookup_postcode(raw: str):
    """(latitude, longitude) for a UK postcode in the lookup table, or None."""
    from .models import PostcodeLookup

    key = postcode_key(raw)
    if not key:
        return None
    row = PostcodeLookup.objects.filter(postcode=key).values_list("latitude", "longitude").first()
    return tuple(row) if row else None


def postcode_area_codes(raw: str) -> tuple[str, str, str] | None:
    """(LSOA code, ward code, local authority code) of a postcode in the lookup table, or
    None: what area.postcodes asks when a resident's postcode is saved."""
    from .models import PostcodeLookup

    key = postcode_key(raw)
    if not key:
        return None
    return (
        PostcodeLookup.objects.filter(postcode=key)
        .values_list("lsoa_code", "ward_code", "lad_code")
        .first()
    )


class PostcodeStatus(StrEnum):
    """What we know about a postcode typed into a search in a place."""

    FOUND = "found"
    NOT_A_POSTCODE = "not_a_postcode"  # not the shape of a UK postcode
    NOT_IN_DATA = "not_in_data"  # postcode data is loaded for the place, but not this one
    NO_DATA = "no_data"  # no postcode data has been loaded for the place


def place_has_postcode_data(place) -> bool:
    """True when postcodes were loaded for the place (a finished load job), or when the
    lookup knows the postcode of any of its locations (data filled some other way)."""
    from commonweave.jobs.enums import JobStatus
    from commonweave.jobs.models import Job

    from .models import Location, PostcodeLookup

    if not PostcodeLookup.objects.exists():
        return False
    loads = Job.objects.filter(place=place, kind=LOAD_POSTCODES, status=JobStatus.DONE)
    if loads.filter(result__postcodes__gt=0).exists():
        return True
    codes = Location.objects.filter(place=place).exclude(postal_code="")
    keys = {postcode_key(pc) for pc in codes.values_list("postal_code", flat=True)[:500]}
    keys.discard("")
    return PostcodeLookup.objects.filter(postcode__in=keys).exists()


def postcode_status(place, raw: str) -> PostcodeStatus:
    if not postcode_key(raw):
        return PostcodeStatus.NOT_A_POSTCODE
    if lookup_postcode(raw) is not None:
        return PostcodeStatus.FOUND
    if place_has_postcode_data(place):
        return PostcodeStatus.NOT_IN_DATA
    return PostcodeStatus.NO_DATA


def postcode_problem(place, raw: str) -> tuple[PostcodeStatus, str]:
    """What we know of the postcode, and why a search cannot start from it in words
    ('' when it can)."""
    status = postcode_status(place, raw)
    if status == PostcodeStatus.NOT_A_POSTCODE:
        message = _("Enter a full UK postcode, like OL1 1AA")
    elif status == PostcodeStatus.NOT_IN_DATA:
        message = _(
            "%(postcode)s is not in the postcode data loaded for %(place)s. Check it, or "
            "search by words or category instead"
        ) % {"postcode": normalise_postcode(raw), "place": place.name}
    elif status == PostcodeStatus.NO_DATA:
        message = _(
            "Searching near a postcode is not available in %(place)s yet: no postcode data "
            "is loaded. Search by words or category instead"
        ) % {"place": place.name}
    else:
        message = ""
    return status, message


def geocode_missing(place) -> int:
    """Give coordinates to the place's locations that have a known postcode and none yet
    (each then falls into its neighbourhood). Returns how many were filled. Idempotent.

    Side effects: updates Location latitude, longitude, neighbourhood and updated_at.
    """
    from .models import Location, PostcodeLookup

    missing = (
        Location.objects.filter(place=place, country="GB")
        .exclude(postal_code="")
        .filter(models.Q(latitude__isnull=True) | models.Q(longitude__isnull=True))
        .only("pk", "postal_code", "latitude", "longitude", "neighbourhood")
        .order_by("pk")
    )
    filled, batch_size = 0, 500
    now = timezone.now()
    last_pk = None
    while True:
        page = missing.filter(pk__gt=last_pk) if last_pk is not None else missing
        locations = list(page[:batch_size])
        if not locations:
            return filled
        last_pk = locations[-1].pk
        keys = {postcode_key(loc.postal_code) for loc in locations}
        found = {
            key: (lat, lon)
            for key, lat, lon in PostcodeLookup.objects.filter(postcode__in=keys).values_list(
                "postcode", "latitude", "longitude"
            )
        }
        changed = []
        for loc in locations:
            point = found.get(postcode_key(loc.postal_code))
            if point is None:
                continue
            loc.latitude, loc.longitude = point
            loc.neighbourhood = neighbourhood_for(place, *point)
            loc.updated_at = now
            changed.append(loc)
        Location.objects.bulk_update(
            changed, ["latitude", "longitude", "neighbourhood", "updated_at"]
        )
        filled += len(changed)


def format_distance(metres) -> str:
    """A distance in words: "350 m" (to the nearest 10 m under 1 km), "2.4 km" (one
    decimal from 1 to 10 km), "12 km" (whole kilometres beyond). The one place a distance
    is put into words."""
    if metres is None:
        return ""
    tens = math.floor(metres / 10 + 0.5) * 10
    if tens < 10:
        return _("less than 10 m")
    if tens < 1000:
        return _("%(n)s m") % {"n": tens}
    tenths = math.floor(metres / 100 + 0.5) / 10
    if tenths < 10:
        return _("%(n)s km") % {"n": number_format(tenths, 1)}
    km = math.floor(metres / 1000 + 0.5)
    return _("%(n)s km") % {"n": number_format(km, 0, force_grouping=True)}


def distance_m(lat1, lon1, lat2, lon2) -> float:
    """The great-circle (haversine) distance in metres between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(lat, lon, radius_m):
    """(min_lat, max_lat, min_lon, max_lon) enclosing a circle: a cheap index-friendly prefilter."""
    dlat = math.degrees(radius_m / EARTH_RADIUS_M)
    dlon = math.degrees(radius_m / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 0.01)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


def geometry_bounds(geometry: dict):
    """(min_lon, min_lat, max_lon, max_lat) of a GeoJSON geometry; ValueError if it is not one."""
    geom = shape(geometry)
    if geom.is_empty or geom.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError("Not a polygon")
    return geom.bounds


def neighbourhood_for(place, lat, lon):
    """The smallest of the place's neighbourhoods containing the point, or None."""
    from .models import Neighbourhood

    if lat is None or lon is None:
        return None
    # Most places have no neighbourhoods yet: ask once per Place instance (e.g. per import).
    if getattr(place, "_has_neighbourhoods", None) is None:
        place._has_neighbourhoods = Neighbourhood.objects.filter(place=place).exists()
    if not place._has_neighbourhoods:
        return None
    candidates = Neighbourhood.objects.filter(
        place=place, min_lat__lte=lat, max_lat__gte=lat, min_lon__lte=lon, max_lon__gte=lon
    )
    point = Point(lon, lat)
    found = [n for n in candidates if shape(n.geometry).covers(point)]
    found.sort(key=lambda n: shape(n.geometry).area)
    return found[0] if found else None
