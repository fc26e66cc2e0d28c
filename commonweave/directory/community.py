"""Community maps, as Oldham drew them in Greater Manchester's crisis learning: "the area I
consider my community", given anonymously by choosing neighbourhoods or drawing a shape,
and their published aggregate.

A drawn shape is checked here, on the server, whatever the page's script did: one closed
ring, a limited number of corners, no crossing edges, inside the place's area and no wider
than a town. It counts for each neighbourhood it mostly covers (or that holds its middle),
so drawn and chosen areas add up in the same table; the summary map shows, per cell of a
grid of about half a kilometre, how many drawn areas include it, under the disclosure rules.
"""

import json
import math
from collections import Counter

import numpy
import shapely
from django.core.exceptions import ValidationError
from django.db import transaction
from shapely.geometry import Polygon, shape

from commonweave.insights.disclosure import Cell, publish_count

from .models import CommunityArea, Neighbourhood

MAX_VERTICES = 200
MAX_INPUT_CHARS = 20_000
MAX_SPAN_DEG = 0.5  # about 55 km north-south: a community, not a county
PLACE_MARGIN_DEG = 0.1  # drawn areas may reach a little past the place's own neighbourhoods
UK_BOUNDS = (-8.7, 49.8, 1.8, 60.9)  # min lon, min lat, max lon, max lat
COORD_DIGITS = 5  # about a metre: no more precision than a drawing has
COVER_SHARE = 0.25  # a drawn area counts for a neighbourhood it covers a quarter of
CELL_LAT = 0.005  # grid cells of about 550 m
CELL_LON = 0.008


def place_bounds(place):
    """(min lon, min lat, max lon, max lat) a drawn area must fall within."""
    from django.db.models import Max, Min

    box = Neighbourhood.objects.filter(place=place).aggregate(
        a=Min("min_lon"), b=Min("min_lat"), c=Max("max_lon"), d=Max("max_lat")
    )
    if box["a"] is None:
        return UK_BOUNDS
    m = PLACE_MARGIN_DEG
    return (box["a"] - m, box["b"] - m, box["c"] + m, box["d"] + m)


def _number(value):
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError("The drawn area has a corner that is not on the map")
    return float(value)


def clean_drawn_area(raw, *, place) -> dict:
    """The drawn area as a GeoJSON Polygon, or ValidationError saying what is wrong with it."""
    if isinstance(raw, str):
        if len(raw) > MAX_INPUT_CHARS:
            raise ValidationError("The drawn area has too many corners")
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValidationError("The drawn area could not be read. Draw it again") from None
    if isinstance(raw, dict) and raw.get("type") == "Feature":
        raw = raw.get("geometry")
    if not isinstance(raw, dict) or raw.get("type") != "Polygon":
        raise ValidationError("Draw one area with at least three corners")
    rings = raw.get("coordinates")
    if not isinstance(rings, list) or len(rings) != 1 or not isinstance(rings[0], list):
        raise ValidationError("Draw one area, without holes")
    ring = []
    for point in rings[0]:
        if not isinstance(point, list | tuple) or len(point) < 2:
            raise ValidationError("The drawn area has a corner that is not on the map")
        lon, lat = _number(point[0]), _number(point[1])
        ring.append((round(lon, COORD_DIGITS), round(lat, COORD_DIGITS)))
    if len(ring) < 4 or ring[0] != ring[-1]:
        raise ValidationError("The drawn area is not closed: its last corner must meet its first")
    corners = ring[:-1]
    if len(corners) > MAX_VERTICES:
        raise ValidationError(f"The drawn area has more than {MAX_VERTICES} corners")
    if len(set(corners)) < 3:
        raise ValidationError("Draw one area with at least three corners")
    min_lon, min_lat, max_lon, max_lat = place_bounds(place)
    if not all(min_lon <= lon <= max_lon and min_lat <= lat <= max_lat for lon, lat in corners):
        raise ValidationError("The drawn area goes outside this place's map")
    polygon = Polygon(ring)
    if not polygon.is_valid or polygon.area <= 0:
        raise ValidationError("The drawn area's edges cross each other. Draw it again")
    x0, y0, x1, y1 = polygon.bounds
    if x1 - x0 > MAX_SPAN_DEG or y1 - y0 > MAX_SPAN_DEG:
        raise ValidationError("The drawn area is too big. Draw the area you think of as yours")
    return {"type": "Polygon", "coordinates": [[list(p) for p in ring]]}


def neighbourhoods_covered(place, geometry) -> list[int]:
    """The place's neighbourhoods a drawn area counts for: those it covers a quarter of,
    and the one holding its middle."""
    drawn = shape(geometry)
    x0, y0, x1, y1 = drawn.bounds
    middle = drawn.representative_point()
    found = []
    candidates = Neighbourhood.objects.filter(
        place=place, min_lon__lte=x1, max_lon__gte=x0, min_lat__lte=y1, max_lat__gte=y0
    )
    for hood in candidates:
        area = shape(hood.geometry)
        if not area.is_valid:
            area = shapely.make_valid(area)
        if area.area <= 0:
            continue
        if area.covers(middle) or drawn.intersection(area).area >= COVER_SHARE * area.area:
            found.append(hood.pk)
    return found


@transaction.atomic
def community_area_add(*, place, neighbourhood_ids=(), activities="", geometry=None):
    """Record, anonymously, the area someone considers their community.

    `geometry` is a drawn area already checked by clean_drawn_area. Side effects: one
    CommunityArea with its neighbourhoods (chosen, plus those the drawing counts for).
    """
    area = CommunityArea.objects.create(place=place, activities=activities, geometry=geometry)
    ids = {int(pk) for pk in neighbourhood_ids}
    if geometry is not None:
        ids |= set(neighbourhoods_covered(place, geometry))
    area.neighbourhoods.set(Neighbourhood.objects.filter(place=place, pk__in=ids))
    return area


def community_map(place):
    """How many people include each neighbourhood, published under the disclosure rules."""
    from django.db.models import Count, Sum

    rows = (
        Neighbourhood.objects.filter(place=place)
        .annotate(people=Count("community_areas"), keys=Sum("community_areas__record_key"))
        .order_by("-people", "name")
        .values_list("pk", "name", "people", "keys")
    )
    threshold = place.suppression_threshold
    return [
        {"id": pk, "name": name, "people": publish_count(Cell(n, keys or 0), threshold=threshold)}
        for pk, name, n, keys in rows
    ]


def drawn_total(place):
    """How many people drew their own area (published)."""
    from django.db.models import Count, Sum

    drawn = CommunityArea.objects.filter(place=place, geometry__isnull=False)
    totals = drawn.aggregate(n=Count("pk"), keys=Sum("record_key"))
    cell = Cell(totals["n"], totals["keys"] or 0)
    return publish_count(cell, threshold=place.suppression_threshold)


def community_grid(place) -> dict:
    """A GeoJSON FeatureCollection of grid cells and how many drawn areas include each.

    Cells with fewer people than the place's threshold are left out altogether; the others
    carry the published (rounded) count.
    """
    counts, keys = Counter(), Counter()
    drawn = CommunityArea.objects.filter(place=place, geometry__isnull=False)
    for geometry, record_key in drawn.values_list("geometry", "record_key").iterator():
        polygon = shape(geometry)
        x0, y0, x1, y1 = polygon.bounds
        rows = numpy.arange(math.floor(y0 / CELL_LAT), math.floor(y1 / CELL_LAT) + 1)
        cols = numpy.arange(math.floor(x0 / CELL_LON), math.floor(x1 / CELL_LON) + 1)
        grid_cols, grid_rows = numpy.meshgrid(cols, rows)
        inside = shapely.contains_xy(
            polygon, (grid_cols + 0.5) * CELL_LON, (grid_rows + 0.5) * CELL_LAT
        )
        cells = list(zip(grid_rows[inside].tolist(), grid_cols[inside].tolist(), strict=True))
        counts.update(cells)
        keys.update(dict.fromkeys(cells, record_key))
    threshold = place.suppression_threshold
    features = []
    for (row, col), n in sorted(counts.items()):
        published = publish_count(Cell(n, keys[(row, col)]), threshold=threshold)
        if published.suppressed:
            continue
        south, west = row * CELL_LAT, col * CELL_LON
        north, east = south + CELL_LAT, west + CELL_LON
        box = [[west, south], [east, south], [east, north], [west, north], [west, south]]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[round(x, 6), round(y, 6)] for x, y in box]],
                },
                "properties": {"people": published.value, "label": published.label},
            }
        )
    return {"type": "FeatureCollection", "features": features}
