"""A catalyst's day with a resident, in real Chromium: caseload, the record, a conversation,
a goal and graduation; every page checked with axe-core, and the record on a phone."""

import re

from commonweave.demo.factories import ConversationFactory, GoalFactory, ResidentFactory
from commonweave.people.models import Resident

from .conftest import sign_in


def test_from_caseload_to_graduation(page, world):
    resident = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Mavis Ollerenshaw",
        next_action="Ring about the choir",
    )
    sign_in(page, world.catalyst_a.email)
    page.goto("/caseload/")
    page.axe("caseload")
    page.page.get_by_role("link", name="Mavis Ollerenshaw").click()
    page.page.get_by_role("heading", name="Mavis Ollerenshaw").wait_for()
    assert resident.public_id in page.page.url and "Mavis" not in page.page.url
    page.axe("resident page")

    page.page.get_by_role("button", name="Add a conversation").click()
    page.page.get_by_label("In person").check()
    page.page.get_by_label("What you talked about").fill("She'd like to try the choir.")
    page.page.get_by_label("Next action (optional)").fill("Go with her on Thursday")
    page.page.get_by_role("button", name="Save conversation").click()
    page.page.get_by_text("Conversation saved.").wait_for()
    page.axe("after a conversation")

    page.page.get_by_role("button", name="Add a goal").click()
    page.page.get_by_label("Their goal, in their own words").fill("Sing with other people")
    page.page.get_by_role("button", name="Save goal").click()
    page.page.get_by_text("Goal saved.").wait_for()
    page.page.get_by_label("Progress", exact=True).select_option(label="Done")
    page.page.get_by_role("button", name=re.compile("^Save progress")).click()
    page.page.get_by_text("Progress saved.").wait_for()

    page.page.get_by_role("link", name="Graduate").click()
    page.axe("graduation form")
    page.page.get_by_role("button", name="Record graduation").click()
    page.page.get_by_text("Write, in their own words, why they feel ready").first.wait_for()
    page.axe("graduation form with an error")
    page.page.get_by_label("In their own words, why they feel ready").fill(
        "I go every week now and I've made friends."
    )
    page.page.get_by_role("button", name="Record graduation").click()
    page.page.get_by_text("Graduation recorded.").wait_for()
    resident.refresh_from_db()
    assert resident.stage == "graduated"
    assert resident.goals.get().progress == 100
    # The conversation keeps what was planned; the finished journey has nothing next.
    assert resident.conversations.get().next_action == "Go with her on Thursday"
    assert resident.next_action == ""


def test_the_resident_page_fits_a_360px_phone(phone_page, world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    GoalFactory(resident=resident)
    ConversationFactory(resident=resident, notes="A long note " * 40)
    sign_in(phone_page, world.catalyst_a.email)
    phone_page.goto(f"/residents/{resident.public_id}/")
    phone_page.page.get_by_role("heading", name=resident.display_name).wait_for()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("resident page at 360px")


def test_editing_works_without_javascript_and_shows_a_conflict(no_js_page, world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    sign_in(no_js_page, world.catalyst_a.email)
    no_js_page.goto(f"/residents/{resident.public_id}/edit/")
    no_js_page.page.get_by_label("Their strengths (optional)").fill("Brilliant baker")
    # Someone else saves first.
    Resident.objects.filter(pk=resident.pk).update(strengths="Fixes bikes", version=2)
    no_js_page.page.get_by_role("button", name="Save changes").click()
    no_js_page.page.get_by_role("heading", name="Someone else changed this record").wait_for()
    assert no_js_page.page.get_by_label("Their strengths (optional)").input_value() == (
        "Brilliant baker"
    )
    no_js_page.page.get_by_role("button", name="Save changes").click()
    no_js_page.page.get_by_text("Their details are saved.").wait_for()
    resident.refresh_from_db()
    assert resident.strengths == "Brilliant baker"
