"""The front door and triage in a real browser: a neighbour refers someone, a catalyst
picks it up. Every page visited is checked with axe-core, on a desktop, on a 360-px phone
and with JavaScript switched off."""

import re

import pytest

from commonweave.people.enums import ReferralStatus
from commonweave.people.models import Referral, Resident

from .conftest import sign_in

pytestmark = pytest.mark.django_db(transaction=True)


SOMEONE_ELSE = "if you are referring someone else"


def axe(checked, context):
    """axe-core as on every page (the conditional reveal's aria-expanded is handled there:
    tests/browser/conftest.py)."""
    checked.axe(context)


def fill_neighbour_referral(page):
    page.get_by_label("Someone else", exact=True).check()
    page.get_by_label(f"Your name, {SOMEONE_ELSE}").fill("Sam Next Door")
    page.get_by_label(f"Your phone number or email, {SOMEONE_ELSE}").fill("sam@example.org")
    page.get_by_label(f"Who are you to them, {SOMEONE_ELSE}?").select_option(label="Neighbour")
    page.get_by_label("They don't know yet").check()
    page.get_by_label("Which area do they live in?").select_option(label="Testford")
    page.get_by_label("Their full name").fill("Edna Brightwater")
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("Why, in your own words").fill(
        "Edna has not been out since her husband died and says the days are long."
    )


def assert_nothing_personal_in_the_address(page):
    url = page.url
    for personal in ("Edna", "Brightwater", "900123", "07700", "Sam", "sam%40", "Neighbour"):
        assert personal.lower() not in url.lower(), url


def check_and_send(checked_page, scan=True):
    """On the check-your-answers page: everything is listed, nothing is stored yet. (axe
    runs through the page's JavaScript, so it is not run with JavaScript switched off.)"""
    page = checked_page.page
    page.get_by_role("heading", name="Check your answers before sending the referral").wait_for()
    assert_nothing_personal_in_the_address(page)
    answers = page.locator(".govuk-summary-list").inner_text()
    for shown in ("Brightwater", "07700 900123", "Sam Next Door", "Neighbour"):
        assert shown in answers
    assert Referral.objects.count() == 0
    if scan:
        axe(checked_page, "check your answers")
    page.get_by_role("button", name="Send referral").click()
    page.get_by_role("heading", name="Referral sent").wait_for()
    assert_nothing_personal_in_the_address(page)


def test_a_neighbour_refers_someone_and_mistakes_are_explained(page, world):
    page.goto("/refer/")
    # With JavaScript, the questions for someone referring another person are revealed
    # only under "Someone else".
    assert not page.page.get_by_label(f"Your name, {SOMEONE_ELSE}").is_visible()
    axe(page, "empty form")

    page.page.get_by_role("button", name="Continue").click()
    summary = page.page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Select who this is for" in summary.inner_text()
    assert page.page.title().startswith("Error:")
    axe(page, "with errors")

    fill_neighbour_referral(page.page)
    assert page.page.get_by_label(f"Your name, {SOMEONE_ELSE}").is_visible()
    page.page.get_by_label("Email address (optional)").fill("not-an-email")
    page.page.get_by_label("Phone number (optional)").fill("4960123")
    page.page.get_by_role("button", name="Continue").click()
    # The mistakes are named next to the fields and nothing typed is lost.
    assert "Enter an email address like name@example.com" in summary.inner_text()
    assert "Enter a UK phone number" in page.page.locator("#id_phone-error").inner_text()
    assert page.page.get_by_label("Their full name").input_value() == "Edna Brightwater"
    assert page.page.get_by_label(f"Your name, {SOMEONE_ELSE}").is_visible()
    axe(page, "with phone and email errors")
    assert Referral.objects.count() == 0

    page.page.get_by_label("Email address (optional)").fill("")
    page.page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.page.get_by_role("button", name="Continue").click()
    page.page.get_by_role(
        "heading", name="Check your answers before sending the referral"
    ).wait_for()
    # Change the name: back to the form with everything kept, then on to the check page.
    page.page.get_by_role("link", name="Change full name").click()
    assert page.page.get_by_label("Their full name").input_value() == "Edna Brightwater"
    assert page.page.get_by_label(f"Your name, {SOMEONE_ELSE}").input_value() == "Sam Next Door"
    page.page.get_by_label("Their full name").fill("Edna May Brightwater")
    page.page.get_by_role("button", name="Continue").click()
    check_and_send(page)
    main = page.page.locator("main").inner_text()
    assert "within 24 hours" in main
    referral = Referral.objects.get()
    assert referral.reference in main
    axe(page, "thanks")

    assert referral.front_door == "public_web"
    assert referral.resident.full_name == "Edna May Brightwater"


def test_the_public_form_works_without_javascript(no_js_page, world):
    no_js_page.goto("/refer/")
    # Without JavaScript the questions for someone referring another person show, and
    # their labels say when they are needed.
    assert no_js_page.page.get_by_label(f"Your name, {SOMEONE_ELSE}").is_visible()
    fill_neighbour_referral(no_js_page.page)
    no_js_page.page.get_by_role("button", name="Continue").click()
    check_and_send(no_js_page, scan=False)
    assert Referral.objects.count() == 1


def test_the_public_form_fits_a_360px_phone(phone_page, world):
    phone_page.goto("/refer/")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    axe(phone_page, "at 360px")
    fill_neighbour_referral(phone_page.page)
    phone_page.page.get_by_role("button", name="Continue").click()
    phone_page.page.get_by_role(
        "heading", name="Check your answers before sending the referral"
    ).wait_for()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    check_and_send(phone_page)
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    assert Referral.objects.get().reference in phone_page.page.locator("main").inner_text()
    axe(phone_page, "thanks at 360px")
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
