"""Postcodes, distances and neighbourhoods (WGS84 lat/lon throughout)."""

import math
import re

from shapely.geometry import Point, shape

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


def distance_m(lat1, lon1, lat2, lon2) -> float:
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
