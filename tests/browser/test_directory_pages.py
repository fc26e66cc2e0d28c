"""Directory pages in headless Chromium: axe-core clean, strict CSP holds with the Leaflet
map, fit a 360-px phone, and work without JavaScript."""

import pytest

from commonweave.directory import demo
from commonweave.directory.models import Location, Service, Suggestion
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
    phone_page.page.get_by_label("What are you looking for?").fill("bereavment")
    phone_page.page.get_by_role("button", name="Search").click()
    phone_page.page.wait_for_load_state()
    assert "Bereavement support group" in phone_page.page.locator("main").inner_text()
    phone_page.page.wait_for_selector("#directory-map .leaflet-interactive")
    assert phone_page.page.locator("#directory-map .leaflet-interactive").count() >= 1
    phone_page.axe("directory results")
    _fits(phone_page)
    phone_page.screenshot("directory-search-phone")


def test_postcode_search_and_entry_page(page, directory):
    loc = Location.objects.filter(place=directory).first()
    page.goto(f"/directory/testford/?postcode={loc.postal_code}")
    page.axe("near a postcode")
    assert "metres away" in page.page.locator("main").inner_text()
    page.page.locator(".cw-directory-result a").first.click()
    page.page.wait_for_load_state()
    page.axe("entry")


def test_search_works_without_javascript(no_js_page, directory):
    no_js_page.goto("/directory/testford/?q=lunch+club")
    text = no_js_page.page.locator("main").inner_text()
    assert "Lunch club" in text
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
    page.goto("/directory/review/")
    page.axe("review list")
    page.goto(f"/directory/review/{suggestion.public_id}/")
    page.axe("review side by side")
    page.page.get_by_label("Accept and update the entry").check()
    page.page.get_by_label("Reason").fill("Checked with the organiser")
    page.page.get_by_role("button", name="Record decision").click()
    page.page.wait_for_load_state()
    service.refresh_from_db()
    assert service.name == "A better name"


def test_connect_a_resident(page, world, resident_a, directory):
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/directory/connect/{resident_a.public_id}/?q=walking")
    page.axe("connect")
    page.page.get_by_role("button", name="Connect").first.click()
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
