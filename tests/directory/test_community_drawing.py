"""Free-hand community maps: residents draw "the area I consider my community";
the server checks the shape; drawn areas add up in the coordinator's community summary."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from commonweave.directory import community, neighbourhoods
from commonweave.directory.models import CommunityArea, Neighbourhood

pytestmark = pytest.mark.django_db
WARDS = Path(__file__).parent / "data" / "oldham_ward2023_generalised.geojson"
PAGE = "/directory/testford/community/"
SUMMARY = "/directory/testford/community/summary/"


def square(lat=53.5433, lon=-2.1182, half=0.003, closed=True):
    """A small square around Oldham civic centre (in Coldhurst ward), as GeoJSON."""
    ring = [
        [lon - half, lat - half],
        [lon + half, lat - half],
        [lon + half, lat + half],
        [lon - half, lat + half],
    ]
    if closed:
        ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
def wards(world):
    neighbourhoods.import_boundaries(world.place, WARDS, kind="ward")
    return world.place


def test_a_drawn_square_is_accepted_and_rounded(wards):
    drawn = square()
    drawn["coordinates"][0][0] = [-2.121200001, 53.540300004]
    drawn["coordinates"][0][-1] = [-2.121200001, 53.540300004]
    clean = community.clean_drawn_area(json.dumps(drawn), place=wards)
    assert clean["type"] == "Polygon"
    assert clean["coordinates"][0][0] == [-2.1212, 53.5403]
    assert clean["coordinates"][0][0] == clean["coordinates"][0][-1]


def _bowtie():
    return {
        "type": "Polygon",
        "coordinates": [
            [[-2.12, 53.54], [-2.11, 53.55], [-2.11, 53.54], [-2.12, 53.55], [-2.12, 53.54]]
        ],
    }


def _many_corners(n):
    import math

    ring = [
        [
            -2.1182 + 0.01 * math.cos(2 * math.pi * i / n),
            53.5433 + 0.01 * math.sin(2 * math.pi * i / n),
        ]
        for i in range(n)
    ]
    return {"type": "Polygon", "coordinates": [[*ring, ring[0]]]}


@pytest.mark.parametrize(
    ("drawn", "message"),
    [
        ("{not json", "The drawn area could not be read"),
        ({"type": "Point", "coordinates": [-2.1, 53.5]}, "Draw one area with at least three"),
        (square(closed=False), "The drawn area is not closed"),
        (
            {"type": "Polygon", "coordinates": [square()["coordinates"][0]] * 2},
            "Draw one area, without holes",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[-2.1, 53.5], [-2.1, 53.5], [-2.1, 53.5], [-2.1, 53.5]]],
            },
            "Draw one area with at least three corners",
        ),
        (_bowtie(), "edges cross each other"),
        (square(lat=51.5, lon=-0.12), "goes outside this place"),  # London, far from Oldham
        (
            {
                "type": "Polygon",
                "coordinates": [[["a", 53.5], [-2.1, 53.6], [-2.0, 53.5], ["a", 53.5]]],
            },
            "a corner that is not on the map",
        ),
        (
            {
                "type": "Polygon",
                "coordinates": [[[True, 53.5], [-2.1, 53.6], [-2.0, 53.5], [True, 53.5]]],
            },
            "a corner that is not on the map",
        ),
        (_many_corners(community.MAX_VERTICES + 1), f"more than {community.MAX_VERTICES} corners"),
    ],
)
def test_bad_drawings_are_refused_with_a_reason(wards, drawn, message):
    raw = drawn if isinstance(drawn, str) else json.dumps(drawn)
    with pytest.raises(ValidationError, match=message):
        community.clean_drawn_area(raw, place=wards)


def test_a_drawing_wider_than_a_town_is_refused(world):
    # A place without neighbourhoods yet bounds drawings by the UK alone.
    assert community.place_bounds(world.place) == community.UK_BOUNDS
    community.clean_drawn_area(square(half=0.2), place=world.place)
    with pytest.raises(ValidationError, match="too big"):
        community.clean_drawn_area(square(half=0.3), place=world.place)


def test_at_the_vertex_limit_a_drawing_is_still_accepted(wards):
    clean = community.clean_drawn_area(_many_corners(community.MAX_VERTICES), place=wards)
    assert len(clean["coordinates"][0]) == community.MAX_VERTICES + 1


def test_drawing_alone_is_enough_and_counts_for_the_ward_it_covers(wards, client):
    response = client.post(PAGE, {"drawn": json.dumps(square()), "activities": "Park run"})
    assert "Thank you" in response.content.decode()
    area = CommunityArea.objects.get()
    assert area.geometry["type"] == "Polygon"
    assert [n.name for n in area.neighbourhoods.all()] == ["Coldhurst"]


def test_a_bad_drawing_is_shown_next_to_the_map_and_nothing_is_saved(wards, client):
    chosen = Neighbourhood.objects.get(place=wards, name="Coldhurst")
    response = client.post(
        PAGE, {"drawn": json.dumps(_bowtie()), "neighbourhoods": [chosen.pk], "activities": "Bingo"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_drawn"' in html and "edges cross each other" in html
    assert "Bingo" in html  # what was typed is kept
    assert CommunityArea.objects.count() == 0


def test_without_drawing_or_choosing_the_form_asks_for_one(wards, client):
    response = client.post(PAGE, {"activities": "Bingo"})
    assert "Choose at least one area, or draw yours on the map" in response.content.decode()
    assert CommunityArea.objects.count() == 0


def test_the_page_offers_the_map_only_as_an_enhancement(wards, client):
    html = client.get(PAGE).content.decode()
    assert 'id="id_drawn"' in html and "hidden>" in html.split('id="id_drawn"')[1][:200]
    assert 'type="checkbox"' in html  # choosing areas works without JavaScript
    assert "community-draw.mjs" in html and "<script>" not in html
    marker = '<script id="community-outlines" type="application/json">'
    outlines = json.loads(html.split(marker)[1].split("</script>")[0])
    assert len(outlines["features"]) == Neighbourhood.objects.filter(place=wards).count()


def test_drawn_areas_aggregate_to_the_summary_under_the_disclosure_rules(
    world, wards, client, login
):
    for _ in range(9):
        client.post(PAGE, {"drawn": json.dumps(square())})
    for _ in range(3):
        client.post(PAGE, {"drawn": json.dumps(square(lat=53.56, lon=-2.08))})
    summary = login(world.analyst).get(SUMMARY)
    rows = {r["name"]: str(r["people"]) for r in summary.context["rows"]}
    assert rows["Coldhurst"] == "10"  # 9 drawings, rounded to 5
    assert str(summary.context["drawn_total"]) in {"10", "15"}  # 12: moved by up to 2, rounded
    cells = summary.context["grid"]["features"]
    # Only cells inside at least 8 drawings are published; the 3 elsewhere are not.
    assert cells and {c["properties"]["people"] for c in cells} == {10}
    assert all(
        53.5433 - 0.01 < c["geometry"]["coordinates"][0][0][1] < 53.5433 + 0.01 for c in cells
    )
    assert "community-grid" in summary.content.decode()


def test_few_drawings_publish_no_cells(world, wards, client, login):
    for _ in range(3):
        client.post(PAGE, {"drawn": json.dumps(square())})
    summary = login(world.analyst).get(SUMMARY)
    assert summary.context["grid"]["features"] == []
    assert str(summary.context["drawn_total"]) == "fewer than 8"
    assert "Not enough people have drawn their area yet" in summary.content.decode()
