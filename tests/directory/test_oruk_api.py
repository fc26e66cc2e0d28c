import json

import pytest

from commonweave.demo import directory as demo
from commonweave.demo.factories import PlaceFactory
from commonweave.directory.models import Location, Service

from .oruk_check import PROFILE, check_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    place = PlaceFactory(name="Oldham", slug="oldham")
    demo.generate_directory(place, services=37, locations=20)
    return place


def _filed_under(place, code):
    filed = Service.objects.filter(place=place, taxonomy_terms__code=code)
    return set(filed.values_list("name", flat=True))


def test_generated_directory_passes_the_validator_checks(client, place):
    problems, checked = check_feed(client, "/oruk/oldham/", per_page=5)
    assert problems == {}
    assert len(checked["services"]) == 10
    assert len(checked["taxonomy_terms"]) == 10
    assert checked["organizations"]


def test_root_names_version_profile_and_openapi(client, place):
    body = client.get("/oruk/oldham/").json()
    assert body["version"] == "HSDS-UK-3.0"
    assert body["openapi_url"] == "http://testserver/oruk/oldham/openapi.json"
    assert client.get("/oruk/oldham/openapi.json").json()["openapi"].startswith("3.")


def test_services_pages_walk_the_whole_directory_without_overlap(client, place):
    seen = []
    for number in range(1, 9):
        body = client.get("/oruk/oldham/services", {"page": number, "per_page": 5}).json()
        seen += [c["id"] for c in body["contents"]]
    assert len(seen) == 37 == len(set(seen))
    assert body["total_pages"] == 8 and body["last_page"] is True


def test_page_past_the_end_is_empty(client, place):
    body = client.get("/oruk/oldham/services", {"page": 99, "per_page": 5}).json()
    assert (body["empty"], body["size"], body["last_page"]) == (True, 0, False)


def test_bad_page_is_400_and_unknown_place_or_id_404_with_cors(client, place):
    assert client.get("/oruk/oldham/services", {"page": "x"}).status_code == 400
    for url in [
        "/oruk/nowhere/services",
        "/oruk/oldham/services/not-a-uuid",
        "/oruk/oldham/services/00000000-0000-4000-8000-000000000000",
    ]:
        response = client.get(url)
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"


def test_another_places_service_is_not_found(client, place):
    other = PlaceFactory(name="Elsewhere", slug="elsewhere")
    demo.generate_directory(other, services=3, seed=9)
    theirs = Service.objects.filter(place=other).first()
    assert client.get(f"/oruk/oldham/services/{theirs.id}").status_code == 404


def test_text_filter_finds_typos_and_plurals(client, place):
    body = client.get("/oruk/oldham/services", {"text": "alotments", "per_page": 50}).json()
    assert body["total_items"] >= 1
    assert all("llotment" in c["name"] for c in body["contents"])
    clubs = client.get("/oruk/oldham/services", {"text": "lunch clubs", "per_page": 50}).json()
    assert clubs["total_items"] >= 1
    names = [c["name"] for c in clubs["contents"]]
    # Lunch clubs by name first, then entries filed under "Food and lunch clubs".
    food = _filed_under(place, "food")
    assert "lunch club" in names[0].lower()
    assert all("lunch club" in n.lower() or n in food for n in names)


def test_taxonomy_term_filter(client, place):
    term = client.get("/oruk/oldham/taxonomy_terms", {"per_page": 50}).json()["contents"]
    food = next(t for t in term if t["name"] == "Food and lunch clubs")
    body = client.get("/oruk/oldham/services", {"taxonomy_term_id": food["id"], "per_page": 50})
    names = [c["name"] for c in body.json()["contents"]]
    assert names and sorted(names) == sorted(_filed_under(place, "food"))


def test_postcode_proximity_filter(client, place):
    loc = Location.objects.filter(place=place).exclude(postal_code="").first()
    body = client.get(
        "/oruk/oldham/services", {"postcode": loc.postal_code, "proximity": 1000, "per_page": 50}
    ).json()
    ids = {c["id"] for c in body["contents"]}
    assert {str(sal.service_id) for sal in loc.at_locations.all()} <= ids
    assert client.get("/oruk/oldham/services", {"postcode": "NOT A PC"}).status_code == 400


def test_age_filter_keeps_services_whose_range_overlaps(client, place):
    Service.objects.filter(place=place).update(minimum_age=None, maximum_age=None)
    s = Service.objects.filter(place=place).first()
    Service.objects.filter(pk=s.pk).update(minimum_age=65)
    young = client.get("/oruk/oldham/services", {"maximum_age": 30, "per_page": 200}).json()
    assert str(s.id) not in {c["id"] for c in young["contents"]}
    assert young["total_items"] == 36


def test_confidential_location_never_exposed(client, place):
    marker = "ZZ-REFUGE-ADDRESS-7731"
    loc = Location.objects.filter(place=place).first()
    loc.confidential, loc.address_1, loc.name, loc.area = True, marker, marker, "Oldham West"
    loc.save()
    service = loc.at_locations.first().service
    urls = [
        f"/oruk/oldham/services/{service.id}",
        "/oruk/oldham/service_at_locations?per_page=200",
        f"/oruk/oldham/service_at_locations/{loc.at_locations.first().id}",
        f"/oruk/oldham/organizations/{service.organization_id}"
        if service.organization_id
        else "/oruk/oldham/organizations",
    ]
    for url in urls:
        text = client.get(url).content.decode()
        assert marker not in text
        assert str(loc.latitude) not in text
    detail = client.get(f"/oruk/oldham/services/{service.id}").json()
    shown = detail["service_at_locations"][0]["location"]
    assert shown["name"] == "Oldham West" and "addresses" not in shown


def test_empty_optional_fields_are_omitted(client, place):
    s = Service.objects.filter(place=place, organization__isnull=True).first()
    body = client.get(f"/oruk/oldham/services/{s.id}").json()
    assert "organization_id" not in body and "url" not in body and "alert" not in body
    for value in body.values():
        assert value not in (None, "", [])


def test_example_records_are_valid_against_the_profile():
    from .oruk_check import schema_errors

    example = json.loads((PROFILE / "examples" / "service_full.json").read_text())
    assert schema_errors("service", example) == []


def test_day_and_time_filters_find_services_open_then(client, place):
    s = Service.objects.filter(place=place).first()
    s.schedules.all().delete()
    s.schedules.create(byday="SU", opens_at="06:00", closes_at="06:30")
    found = client.get(
        "/oruk/oldham/services",
        {"day": "Sunday", "start_time": "06:10", "end_time": "06:20", "per_page": 200},
    ).json()
    assert [c["id"] for c in found["contents"]] == [str(s.id)]
    assert client.get("/oruk/oldham/services", {"day": "Someday"}).status_code == 400
    assert client.get("/oruk/oldham/services", {"start_time": "25:00"}).status_code == 400
