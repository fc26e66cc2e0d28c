"""A service page a resident can act on: how to get in touch (phone, email and website as
links), opening times and languages in words, not codes."""

import datetime

import pytest

from commonweave.demo import directory as demo
from commonweave.directory.models import (
    Contact,
    Neighbourhood,
    Schedule,
    Service,
    ServiceAtLocation,
)
from commonweave.directory.words import days_in_words, language_names, schedule_in_words

pytestmark = pytest.mark.django_db
T = datetime.time


def _schedule(byday, opens, closes, description=""):
    return Schedule(byday=byday, opens_at=opens, closes_at=closes, description=description)


@pytest.mark.parametrize(
    ("byday", "opens", "closes", "words"),
    [
        ("WE,SA", T(9), T(11), "Wednesdays and Saturdays, 9am to 11am"),
        ("MO,TU,WE,TH,FR", T(9, 30), T(17), "Monday to Friday, 9:30am to 5pm"),
        ("SU,MO,TU,WE,TH,FR,SA", T(12), T(14), "Every day, 12 noon to 2pm"),
        ("TH", T(18, 15), None, "Thursdays, from 6:15pm"),
        ("1MO,TU", T(0), T(1), "Mondays and Tuesdays, 12am to 1am"),
    ],
)  # fmt: skip
def test_opening_times_read_as_a_sentence(byday, opens, closes, words):
    assert schedule_in_words(_schedule(byday, opens, closes)) == words


def test_a_schedule_described_in_words_keeps_its_own_words():
    described = _schedule("WE", datetime.time(9), datetime.time(11), "Term time only")
    assert schedule_in_words(described) == "Term time only"
    assert days_in_words("XX,??") == ""


def test_languages_by_name_and_unknown_codes_as_given():
    assert language_names(["en", "ur", "so", "cy", "xyz"]) == "English, Urdu, Somali, Welsh, xyz"


def test_the_service_page_has_links_to_get_in_touch_and_times_in_words(client, world):
    demo.generate_directory(world.place, services=3, locations=2)
    service = Service.objects.filter(place=world.place).first()
    Service.objects.filter(pk=service.pk).update(
        url="https://lunch.example.org", email="hello@lunch.example.org", languages=["en", "ur"]
    )
    service.schedules.all().delete()
    Schedule.objects.create(
        service=service, byday="WE,SA", opens_at=datetime.time(9), closes_at=datetime.time(11)
    )
    Contact.objects.create(service=service, name="Asha", phone="0161 555 0101")
    html = client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    assert 'href="tel:01615550101"' in html and "0161 555 0101" in html
    assert 'href="mailto:hello@lunch.example.org"' in html
    assert 'href="https://lunch.example.org"' in html
    assert "Wednesdays and Saturdays, 9am to 11am" in html and "WE,SA" not in html
    assert "English, Urdu" in html


def _ward(place, name, west, south):
    ring = [[west, south], [west + 0.01, south], [west + 0.01, south + 0.01], [west, south + 0.01]]
    return Neighbourhood.objects.create(
        place=place,
        name=name,
        kind="ward",
        geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        min_lon=west,
        min_lat=south,
        max_lon=west + 0.01,
        max_lat=south + 0.01,
    )


def test_without_a_tile_server_the_map_is_drawn_from_the_neighbourhoods(client, world, settings):
    settings.DIRECTORY_TILE_URL = ""
    demo.generate_directory(world.place, services=3, locations=2)
    _ward(world.place, "St Mary's", -2.12, 53.54)
    service = Service.objects.filter(place=world.place).first()
    html = client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    assert 'id="directory-map-outlines"' in html and "St Mary" in html
    # The search page's map fetches its points and base layer with the same query.
    found = client.get("/directory/testford/map-points.json", {"q": "club"}).json()
    assert [f["properties"]["name"] for f in found["outlines"]["features"]] == ["St Mary's"]
    settings.DIRECTORY_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    html = client.get(f"/directory/testford/entries/{service.id}/").content.decode()
    assert 'id="directory-map-outlines"' not in html
    assert client.get("/directory/testford/map-points.json").json()["outlines"] is None


def test_the_search_map_shows_every_result_not_only_the_page(client, world):
    demo.generate_directory(world.place, services=40, locations=12)
    html = client.get("/directory/testford/").content.decode()
    # The page names where its map's points are; they are not in the page itself.
    assert 'data-points-url="/directory/testford/map-points.json?"' in html
    assert 'id="directory-map-points"' not in html
    points = client.get("/directory/testford/map-points.json").json()["points"]
    placed = {
        p.service_id
        for p in ServiceAtLocation.objects.filter(
            place=world.place, location__confidential=False, location__latitude__isnull=False
        )
    }
    assert len({p["url"] for p in points}) == len(placed) > 20  # more than one page of results


def test_the_search_map_holds_the_results_of_the_search_best_first(client, world):
    demo.generate_directory(world.place, services=40, locations=12)
    page = client.get("/directory/testford/", {"q": "walking"})
    found = [str(s.id) for s in page.context["entries"]]
    points = client.get("/directory/testford/map-points.json", {"q": "walking"}).json()["points"]
    mapped = list(dict.fromkeys(p["url"].split("/")[-2] for p in points))
    assert found and set(mapped) <= set(found)
    assert mapped == [i for i in found if i in mapped]  # in the list's order
