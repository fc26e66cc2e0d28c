"""Directory pages in headless Chromium: axe-core clean, strict CSP holds with the Leaflet
map, fit a 360-px phone, and work without JavaScript."""

import re

import pytest

from commonweave.demo import directory as demo
from commonweave.directory.models import Location, Neighbourhood, Service, Suggestion
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def directory(world):
    demo.generate_directory(world.place, services=30, locations=12)
    return world.place


def _fits(page):
    width = page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"page is {width}px wide"


def test_public_search_on_a_phone_with_map_markers(phone_page, directory):
    phone_page.goto("/directory/testford/")
    phone_page.axe("directory search")
    _fits(phone_page)
    phone_page.page.get_by_label("What are you looking for?").fill("alotments")
    phone_page.page.get_by_role("button", name="Search").click()
    phone_page.page.wait_for_load_state()
    assert "Allotment" in phone_page.page.locator("main").inner_text()
    phone_page.page.wait_for_selector("#directory-map .leaflet-interactive")
    assert phone_page.page.locator("#directory-map .leaflet-interactive").count() >= 1
    phone_page.axe("directory results")
    _fits(phone_page)
    phone_page.screenshot("directory-search-phone")


def test_postcode_search_and_entry_page(page, directory):
    loc = Location.objects.filter(place=directory).first()
    page.goto(f"/directory/testford/?postcode={loc.postal_code}")
    page.axe("near a postcode")
    # Distances in words: "350 m away", "2.4 km away".
    assert re.search(r"\b\d[\d.,]* (m|km) away\b", page.page.locator("main").inner_text())
    page.page.locator(".cw-directory-result a").first.click()
    page.page.wait_for_load_state()
    page.axe("entry")


def test_search_works_without_javascript(no_js_page, directory):
    no_js_page.goto("/directory/testford/?q=lunch+club")
    text = no_js_page.page.locator("main").inner_text()
    assert "lunch club" in text.lower()
    assert no_js_page.page.locator("#directory-map").is_hidden()


def test_suggest_a_correction_with_an_error_then_review_it(page, world, directory):
    service = Service.objects.filter(place=directory).first()
    page.goto(f"/directory/testford/entries/{service.id}/suggest/")
    page.axe("suggest a correction")
    page.page.get_by_label("Name").fill("")
    page.page.get_by_role("button", name="Send suggestion").click()
    page.page.wait_for_load_state()
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.axe("suggest with an error")
    page.page.get_by_label("Name").fill("A better name")
    page.page.get_by_role("button", name="Send suggestion").click()
    page.page.wait_for_load_state()
    suggestion = Suggestion.objects.get()
    sign_in(page, world.manager_a.email)
    page.goto("/directory/testford/review/")
    page.axe("review list")
    page.goto(f"/directory/testford/review/{suggestion.public_id}/")
    page.axe("review side by side")
    page.page.get_by_label("Accept and update the entry").check()
    page.page.get_by_label("Reason").fill("Checked with the organiser")
    page.page.get_by_role("button", name="Record decision").click()
    page.page.wait_for_load_state()
    service.refresh_from_db()
    assert service.name == "A better name"


def test_connect_a_resident(page, world, resident_a, directory):
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/residents/{resident_a.public_id}/")
    page.page.get_by_role("link", name="Connect them to a group or service").click()
    page.page.wait_for_load_state()
    page.page.get_by_label("Search the directory").fill("walking")
    page.page.get_by_role("button", name="Search").click()
    page.page.wait_for_load_state()
    page.axe("connect")
    page.page.get_by_role("button", name="Connect").first.click()
    page.page.get_by_role("heading", name=re.compile(r"^Connect .+ to .+\?$")).wait_for()
    page.axe("connect: the question before saving")
    page.page.get_by_role("button", name="Yes, connect them").click()
    page.page.wait_for_load_state()
    page.axe("connected, follow-ups listed")
    assert "3 months" in page.page.locator("main").inner_text()


def test_coordinator_adds_an_entry_on_a_phone(phone_page, world, directory):
    sign_in(phone_page, world.manager_a.email)
    phone_page.goto("/directory/testford/new/")
    phone_page.axe("add an entry")
    _fits(phone_page)
    phone_page.page.get_by_role("button", name="Save").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.locator(".govuk-error-summary").is_visible()
    phone_page.axe("add an entry with errors")
    phone_page.page.get_by_label("Name", exact=True).fill("Stay and play")
    phone_page.page.get_by_label("Group or regular activity").check()
    phone_page.page.get_by_role("button", name="Save").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.locator("h1").inner_text() == "Stay and play"
    phone_page.axe("entry with history")
    _fits(phone_page)


def test_community_map_page_on_a_phone(phone_page, world):
    from pathlib import Path

    from commonweave.directory import neighbourhoods

    wards = Path(__file__).parents[1] / "directory" / "data" / "oldham_ward2023_generalised.geojson"
    neighbourhoods.import_boundaries(world.place, wards, kind="ward")
    phone_page.goto("/directory/testford/community/")
    phone_page.axe("community map")
    _fits(phone_page)
    phone_page.page.get_by_role("button", name="Send").click()
    phone_page.page.wait_for_load_state()
    phone_page.axe("community map with an error")
    phone_page.page.get_by_label("Coldhurst").check()
    phone_page.page.get_by_role("button", name="Send").click()
    phone_page.page.wait_for_load_state()
    assert "Thank you" in phone_page.page.locator("h1").inner_text()


def _wards(place):
    from pathlib import Path

    from commonweave.directory import neighbourhoods

    wards = Path(__file__).parents[1] / "directory" / "data" / "oldham_ward2023_generalised.geojson"
    neighbourhoods.import_boundaries(place, wards, kind="ward")


def test_draw_your_community_on_the_map(page, world):
    from commonweave.directory.models import CommunityArea

    _wards(world.place)
    page.goto("/directory/testford/community/")
    page.page.wait_for_selector("#community-map path")  # the ward outlines
    page.axe("community map with drawing")
    box = page.page.locator("#community-map").bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx, dy in [(-60, -40), (60, -40), (60, 40), (-60, 40), (0, 0)]:
        page.page.mouse.click(cx + dx, cy + dy)
    assert "5 points" in page.page.locator("#draw-status").inner_text()
    page.page.get_by_role("button", name="Undo last point").click()
    assert "4 points" in page.page.locator("#draw-status").inner_text()
    page.page.get_by_role("button", name="Send").click()
    page.page.wait_for_load_state()
    assert "Thank you" in page.page.locator("h1").inner_text()
    area = CommunityArea.objects.get()
    ring = area.geometry["coordinates"][0]
    assert len(ring) == 5 and ring[0] == ring[-1]
    assert area.neighbourhoods.exists()  # the drawing counts for the ward it covers


def test_community_page_without_javascript_hides_the_map(no_js_page, world):
    _wards(world.place)
    no_js_page.goto("/directory/testford/community/")
    assert no_js_page.page.locator("#id_drawn").is_hidden()
    no_js_page.page.get_by_label("Coldhurst").check()
    no_js_page.page.get_by_role("button", name="Send").click()
    no_js_page.page.wait_for_load_state()
    assert "Thank you" in no_js_page.page.locator("h1").inner_text()


def test_import_page_shows_the_progress_bar_then_the_report(page, world, tmp_path):
    import io
    import json

    from commonweave.directory.enums import ImportState
    from commonweave.directory.models import DirectoryImport
    from commonweave.jobs.services import job_create, job_run
    from tests.directory.test_import_export import messy_feed

    sign_in(page, world.manager_a.email)
    page.goto("/directory/testford/import/")
    page.axe("import form")
    page.page.get_by_role("button", name="Continue").click()
    page.page.wait_for_load_state()
    assert page.page.locator(".govuk-error-summary").is_visible()
    page.axe("import form with an error")
    # A job waiting for the worker: the page polls and the bar fills when it has run.
    imp = DirectoryImport.objects.create(
        public_id="queuedimport",
        place=world.place,
        started_by=world.manager_a,
        source="oruk_json",
        file_name="council.json",
        payload=json.dumps(messy_feed()).encode(),
        state=ImportState.QUEUED,
        job=job_create(place=world.place, kind="directory_import", started_by=world.manager_a),
    )
    page.goto(f"/directory/testford/import/{imp.public_id}/")
    assert "Waiting for a worker to start it" in page.page.locator("main").inner_text()
    page.axe("import waiting")
    job_run(imp.job, stream=io.StringIO())
    page.page.wait_for_selector("text=100% complete")
    assert page.page.locator("progress").get_attribute("value") == "100"
    assert "Records not imported" in page.page.locator("main").inner_text()
    page.axe("import report")


def test_refer_then_the_partner_accepts(page, phone_page, world, resident_a, directory):
    service = Service.objects.filter(place=directory).first()
    Service.objects.filter(pk=service.pk).update(
        takes_referrals=True, status="active", referral_organisation=world.org_b, referral_places=2
    )
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/residents/{resident_a.public_id}/")
    page.page.get_by_role("link", name="Connect them to a group or service").click()
    page.page.wait_for_load_state()
    page.page.get_by_label("Search the directory").fill(service.name)
    page.page.get_by_role("button", name="Search").click()
    page.page.wait_for_load_state()
    page.page.get_by_role("link", name=f"Send a referral to {service.name}").first.click()
    page.page.wait_for_load_state()
    page.axe("referral form")
    page.page.get_by_label("Why would this service help them?").fill("She loves to garden")
    page.page.get_by_role("button", name="Send referral").click()
    page.page.wait_for_load_state()
    assert page.page.locator(".govuk-error-summary").is_visible()  # no consent yet
    page.axe("referral form with an error")
    page.page.get_by_label("They agreed to their record being shared").check()
    page.page.get_by_label("Said so in conversation").check()
    page.page.get_by_role("button", name="Send referral").click()
    page.page.wait_for_load_state()
    assert "Waiting for an answer" in page.page.locator("main").inner_text()
    page.axe("connect page with a referral")

    sign_in(phone_page, world.worker_b.email)
    phone_page.goto("/directory/testford/referrals/")
    phone_page.axe("referrals received")
    _fits(phone_page)
    phone_page.page.get_by_role("link", name=resident_a.display_name).click()
    phone_page.page.wait_for_load_state()
    phone_page.axe("referral received")
    _fits(phone_page)
    phone_page.page.get_by_label("Accept the referral").check()
    phone_page.page.get_by_role("button", name="Send answer").click()
    phone_page.page.wait_for_load_state()
    assert "Answer recorded" in phone_page.page.locator("main").inner_text()


def test_without_a_tile_server_the_map_shows_the_neighbourhoods_by_name(page, directory, settings):
    """No tile server configured: the place's own neighbourhoods, with their names, are the
    map's base layer (not a grey box), and the entry's marker sits on it. Axe clean."""
    settings.DIRECTORY_TILE_URL = ""
    service = Service.objects.filter(
        place=directory, at_locations__location__latitude__isnull=False
    )
    service = service.exclude(at_locations__location__confidential=True).first()
    loc = service.at_locations.first().location
    west, south = loc.longitude - 0.01, loc.latitude - 0.01
    ring = [[west, south], [west + 0.02, south], [west + 0.02, south + 0.02], [west, south + 0.02]]
    Neighbourhood.objects.create(
        place=directory,
        name="Werneth",
        kind="ward",
        geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
        min_lon=west,
        min_lat=south,
        max_lon=west + 0.02,
        max_lat=south + 0.02,
    )
    page.goto(f"/directory/testford/entries/{service.id}/")
    page.page.wait_for_selector("#directory-map .cw-area-label")
    assert page.page.locator("#directory-map .cw-area-label").inner_text() == "Werneth"
    assert page.page.locator("#directory-map .leaflet-tile").count() == 0
    page.axe("entry with the neighbourhood base map")
    page.screenshot("directory-entry-outline-map")
    # The search page's map fetches its points and the same base layer.
    page.goto("/directory/testford/")
    page.page.wait_for_selector("#directory-map .cw-area-label")
    assert page.page.locator("#directory-map .leaflet-interactive").count() >= 1
    assert page.page.locator("#directory-map .leaflet-tile").count() == 0
    page.axe("search with the neighbourhood base map")


def test_a_service_page_shows_how_to_get_in_touch_and_times_in_words(phone_page, world):
    """What a resident acts on: a phone number to tap, an email, a website, and opening
    times in words (never "WE,SA 09:00"), with languages by name; on a 360-px phone."""
    import datetime

    from commonweave.directory.models import Contact, Schedule

    service = Service.objects.create(
        place=world.place,
        name="Hartley Vale Knit and Natter",
        description="Bring your knitting, or learn.",
        url="https://knit.example.org/",
        email="hello@knit.example.org",
        languages=["en", "ur"],
        status="active",
    )
    Contact.objects.create(service=service, name="Pat", phone="0161 496 0123")
    Schedule.objects.create(
        service=service,
        byday="WE,SA",
        opens_at=datetime.time(9),
        closes_at=datetime.time(11),
    )
    phone_page.goto(f"/directory/testford/entries/{service.id}/")
    main = phone_page.page.locator("main")
    text = main.inner_text()
    assert "Wednesdays and Saturdays, 9am to 11am" in text
    assert "WE,SA" not in text and "09:00" not in text
    assert "English" in text and "Urdu" in text
    assert main.get_by_role("link", name="0161 496 0123").get_attribute("href") == (
        "tel:01614960123"
    )
    assert main.get_by_role("link", name="hello@knit.example.org").count() == 1
    assert main.locator('a[href="https://knit.example.org/"]').count() == 1
    _fits(phone_page)
    phone_page.axe("service page with contact details")
    phone_page.screenshot("directory-entry-contacts-phone")
