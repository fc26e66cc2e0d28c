"""The front door and triage in a real browser: a neighbour refers someone, a catalyst
picks it up. Every page visited is checked with axe-core, on a desktop, on a 360-px phone
and with JavaScript switched off."""

import re

import pytest

from commonweave.people.enums import ReferralStatus
from commonweave.people.models import Referral, Resident

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def fill_neighbour_referral(page):
    page.get_by_label("Someone else").check()
    page.get_by_label("Which area do they live in?").select_option(label="Testford")
    page.get_by_label("Their full name").fill("Edna Brightwater")
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("Why, in your own words").fill(
        "Edna has not been out since her husband died and says the days are long."
    )
    page.get_by_label("They don't know yet").check()
    page.get_by_label("Who are you to them? (optional)").select_option(label="Neighbour")
    page.get_by_label("Your name (optional)").fill("Sam Next Door")
    page.get_by_label("Your phone number or email (optional)").fill("sam@example.org")


def test_a_neighbour_refers_someone_and_mistakes_are_explained(page, world):
    page.goto("/refer/")
    page.axe("empty form")

    page.page.get_by_role("button", name="Send referral").click()
    summary = page.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Select who this is for" in summary.inner_text()
    assert page.page.title().startswith("Error:")
    page.axe("with errors")

    fill_neighbour_referral(page.page)
    page.page.get_by_label("Email address (optional)").fill("not-an-email")
    page.page.get_by_role("button", name="Send referral").click()
    # The mistake is named next to the field and nothing typed is lost.
    assert "Enter an email address like name@example.com" in summary.inner_text()
    assert page.page.get_by_label("Their full name").input_value() == "Edna Brightwater"
    assert Referral.objects.count() == 0

    page.page.get_by_label("Email address (optional)").fill("")
    page.page.get_by_role("button", name="Send referral").click()
    page.page.get_by_role("heading", name="Referral sent").wait_for()
    assert "within 24 hours" in page.page.locator("main").inner_text()
    # Nothing personal travels in the address bar.
    assert "Edna" not in page.page.url and "0770" not in page.page.url
    page.axe("thanks")

    referral = Referral.objects.get()
    assert referral.front_door == "public_web"
    assert referral.resident.full_name == "Edna Brightwater"


def test_the_public_form_works_without_javascript(no_js_page, world):
    no_js_page.goto("/refer/")
    fill_neighbour_referral(no_js_page.page)
    no_js_page.page.get_by_role("button", name="Send referral").click()
    no_js_page.page.get_by_role("heading", name="Referral sent").wait_for()
    assert Referral.objects.count() == 1


def test_the_public_form_fits_a_360px_phone(phone_page, world):
    phone_page.goto("/refer/")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("at 360px")
    fill_neighbour_referral(phone_page.page)
    phone_page.page.get_by_role("button", name="Send referral").click()
    phone_page.page.get_by_role("heading", name="Referral sent").wait_for()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.screenshot("refer-thanks-360")


def test_a_catalyst_triages_a_referral_and_records_first_contact(page, world):
    from commonweave.demo.factories import ReferralFactory

    referral = ReferralFactory(
        resident__organisation=world.org_a, resident__full_name="Walter Quill", urgency="urgent"
    )
    sign_in(page, world.catalyst_a.email)
    page.goto("/triage/")
    page.axe("triage queue")
    queue = page.page.locator("table")
    assert "Walter Quill" in queue.inner_text()
    assert "Urgent" in queue.inner_text()

    page.page.get_by_role("link", name="Walter Quill").click()
    assert referral.public_id in page.page.url
    assert "Walter" not in page.page.url
    page.axe("one referral")

    page.page.get_by_label("Who will make first contact?").select_option(
        label=str(world.catalyst_a)
    )
    page.page.get_by_role("button", name=re.compile("^Assign")).click()
    page.page.wait_for_load_state()
    page.axe("after assigning")
    referral.refresh_from_db()
    assert referral.assigned_to == world.catalyst_a

    page.page.get_by_label("Spoke to them - they want support").check()
    page.page.get_by_role("button", name="Record contact").click()
    page.page.wait_for_load_state()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.CONTACTED
    assert Resident.objects.get(pk=referral.resident_id).stage == "contacted"
    page.axe("after first contact")
