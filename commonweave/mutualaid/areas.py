"""How near two areas are: the same neighbourhood, else the distance between the centres
of their bounding boxes (the directory keeps each neighbourhood's box)."""

import math

EARTH_KM = 6371.0


def centres(place) -> dict[int, tuple[float, float]]:
    """{neighbourhood id: (lat, lon)} for a place's neighbourhoods."""
    from commonweave.directory.models import Neighbourhood

    rows = Neighbourhood.objects.filter(place=place).values_list(
        "pk", "min_lat", "max_lat", "min_lon", "max_lon"
    )
    return {pk: ((s + n) / 2, (w + e) / 2) for pk, s, n, w, e in rows}


def km(a: tuple[float, float] | None, b: tuple[float, float] | None) -> float:
    """Great-circle distance; unknown areas are infinitely far."""
    if a is None or b is None:
        return math.inf
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_KM * math.asin(math.sqrt(h))
