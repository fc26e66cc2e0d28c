from pathlib import Path

import pytest
from django.core.management import call_command

from commonweave.demo import directory as demo
from commonweave.demo.factories import PlaceFactory
from commonweave.directory import geo, neighbourhoods, postcodes
from commonweave.directory.models import Location, Neighbourhood, PostcodeLookup, Service
from commonweave.directory.services import location_save

pytestmark = pytest.mark.django_db
WARDS = Path(__file__).parent / "data" / "oldham_ward2023_generalised.geojson"


@pytest.fixture
def place():
    return PlaceFactory(name="Oldham", slug="oldham")


def test_ward_boundaries_import_idempotently_and_locations_fall_into_them(place):
    demo.generate_directory(place, services=20, locations=10)
    report = neighbourhoods.import_boundaries(place, WARDS, kind="ward")
    assert (report.created, report.errors) == (20, [])
    again = neighbourhoods.import_boundaries(place, WARDS, kind="ward")
    assert (again.created, again.updated) == (0, 20)
    assert Neighbourhood.objects.filter(place=place).count() == 20
    # Oldham civic centre is in Coldhurst ward.
    assert geo.neighbourhood_for(place, 53.5433, -2.1182).name == "Coldhurst"
    assert geo.neighbourhood_for(place, 51.5, -0.12) is None  # London
    placed = Location.objects.filter(place=place, neighbourhood__isnull=False).count()
    assert placed == report.locations_placed > 0


def test_new_location_is_placed_and_search_filters_by_neighbourhood(client, place):
    neighbourhoods.import_boundaries(place, WARDS, kind="ward")
    loc = location_save(
        viewer=None,
        place=place,
        data={"name": "Civic centre", "latitude": 53.5433, "longitude": -2.1182},
    )
    assert loc.neighbourhood.name == "Coldhurst"
    demo.generate_directory(place, services=5, locations=3)
    s = Service.objects.filter(place=place).first()
    s.at_locations.create(place=place, location=loc)
    response = client.get("/directory/oldham/", {"neighbourhood": loc.neighbourhood.pk})
    assert s in response.context["entries"]
    assert all(
        any(sal.location.neighbourhood_id == loc.neighbourhood_id for sal in e.at_locations.all())
        for e in response.context["entries"]
    )


def test_bad_features_are_reported(place):
    data = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"area_name": "Nowhere"},
                "geometry": {"type": "Point", "coordinates": [0, 0]},
            },
            {"type": "Feature", "properties": {"area_code": "X1"}, "geometry": None},
        ],
    }
    report = neighbourhoods.import_boundaries(place, data, kind="ward")
    assert [e[2] for e in report.errors] == ["geometry is not a polygon"] * 2


def test_postcode_file_in_ons_layout_loads_and_is_used_by_search(place, tmp_path, client):
    rows = demo.synthetic_postcodes(50, seed=7)
    path = tmp_path / "onspd.csv"
    demo.write_postcode_csv(path, rows + [("ZZ99 9ZZ", 99.999999, 0.0)])
    assert postcodes.load_postcodes(path).loaded == 50
    assert postcodes.load_postcodes(path).loaded == 50  # idempotent
    assert PostcodeLookup.objects.count() == 50
    pc, lat, lon = rows[0]
    assert geo.lookup_postcode(pc.lower().replace(" ", "")) == (lat, lon)


def test_command_loads_postcodes_and_boundaries(place, tmp_path, capsys):
    path = tmp_path / "onspd.csv"
    demo.write_postcode_csv(path, demo.synthetic_postcodes(30, seed=8))
    call_command("import_directory", "oldham", postcodes=str(path), boundaries=str(WARDS))
    out = capsys.readouterr().out
    assert "30 postcodes loaded" in out and "20 neighbourhoods created" in out


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ol1 1aa", "OL1 1AA"),
        ("M1  1AE", "M1 1AE"),
        ("SW1A1AA", "SW1A 1AA"),
        ("OL1", ""),
        ("12345", ""),
        ("", ""),
    ],
)
def test_postcode_normalising(raw, expected):
    assert geo.normalise_postcode(raw) == expected


def test_community_map_is_anonymous_and_published_with_disclosure_rules(world, login):
    from commonweave.directory.models import CommunityArea
    from tests.conftest import assert_access

    client = login(None)
    assert client.get("/directory/testford/community/").status_code == 404  # no areas yet
    neighbourhoods.import_boundaries(world.place, WARDS, kind="ward")
    chosen = list(Neighbourhood.objects.filter(place=world.place).order_by("name")[:2])
    page = client.get("/directory/testford/community/")
    assert page.status_code == 200 and chosen[0].name in page.content.decode()
    empty = client.post("/directory/testford/community/", {"activities": "Bingo"})
    assert "Choose at least one area" in empty.content.decode()
    for _ in range(9):
        client.post(
            "/directory/testford/community/",
            {"neighbourhoods": [chosen[0].pk, chosen[1].pk], "activities": "Park run"},
        )
    for _ in range(3):
        client.post("/directory/testford/community/", {"neighbourhoods": [chosen[1].pk]})
    assert CommunityArea.objects.filter(place=world.place).count() == 12
    summary = "/directory/testford/community/summary/"
    assert_access(
        world,
        "get",
        summary,
        {"catalyst_a": 200, "manager_a": 200, "analyst": 200, "catalyst_b": 200},
    )
    rows = {r["name"]: str(r["people"]) for r in login(world.analyst).get(summary).context["rows"]}
    # 12 people: perturbed by at most 2 (cell key), then rounded to 5
    assert rows[chosen[1].name] in {"10", "15"}
    assert rows[chosen[0].name] == "10"  # 9: never below 8, at most 11, so always 10
    assert rows[Neighbourhood.objects.exclude(pk__in=[c.pk for c in chosen]).first().name] == "0"


def test_generate_directory_command_is_idempotent(place, capsys):
    call_command("generate_directory", "oldham", services=12)
    call_command("generate_directory", "oldham", services=12)
    assert Service.objects.filter(place=place).count() == 12
    assert "nothing done" in capsys.readouterr().out
