"""The caseload that runs a catalyst's day, in real Chromium: waiting first contacts with
their clocks at 360 px with no sideways scroll, "Assign to me" without JavaScript, the
"Shared with us" list on a phone, and one font stack on the resident's timeline."""

import re
from datetime import timedelta

from django.utils import timezone

from commonweave.demo.factories import (
    ConversationFactory,
    ReferralFactory,
    ResidentFactory,
)
from commonweave.people import services
from commonweave.people.enums import ConsentMethod, ConsentPurpose, Urgency

from .conftest import sign_in

# Every text on a page in a font other than our stack: a fallback to the browser's serif.
OFF_STACK_TEXT = """() => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    if (!node.textContent.trim()) continue;
    const family = getComputedStyle(node.parentElement).fontFamily;
    if (!family.startsWith('system-ui')) {
      out.push(node.textContent.trim().slice(0, 40) + ': ' + family);
    }
  }
  return out;
}"""

# Each element whose box reaches past the right edge of the screen.
WIDER_THAN_SCREEN = """() => [...document.querySelectorAll('main *')]
  .filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(el => el.tagName + '.' + el.className)"""


def _day(world):
    overdue = ReferralFactory(
        resident__organisation=world.org_a,
        resident__full_name="Bartholomew Featherstonehaugh-Wolstenholme",
        received_at=timezone.now() - timedelta(hours=30),
    )
    urgent = ReferralFactory(
        resident__organisation=world.org_a,
        resident__full_name="Edna Clough",
        urgency=Urgency.URGENT,
        referring_organisation=world.org_b,
    )
    mine = ReferralFactory(
        resident__organisation=world.org_a,
        resident__catalyst=world.catalyst_a,
        resident__full_name="Mavis Ollerenshaw",
        assigned_to=world.catalyst_a,
    )
    ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Gwendolyn Abercrombie-Fitzwilliam",
        next_action="Go with her to the Tuesday lunch club at the community centre",
        next_action_due=timezone.localdate() - timedelta(days=2),
    )
    return overdue, urgent, mine


def test_the_caseload_fits_a_360px_phone_and_leads_with_overdue_contacts(phone_page, world):
    overdue, urgent, mine = _day(world)
    sign_in(phone_page, world.catalyst_a.email)
    phone_page.goto("/caseload/")
    page = phone_page.page
    page.get_by_role("heading", name="First contacts waiting").wait_for()
    titles = page.locator(".govuk-summary-card__title").all_inner_texts()
    assert titles[:3] == [
        overdue.resident.full_name,
        urgent.resident.full_name,
        mine.resident.full_name,
    ]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.evaluate(WIDER_THAN_SCREEN) == []
    phone_page.axe("caseload at 360px")


def test_assign_to_me_works_without_javascript(no_js_page, world):
    overdue, _, _ = _day(world)
    sign_in(no_js_page, world.catalyst_a.email)
    no_js_page.goto("/caseload/")
    page = no_js_page.page
    take = page.get_by_role(
        "button", name=re.compile(f"^Assign to me\\W+{overdue.resident.full_name}$")
    )
    take.click()
    page.get_by_text("Assigned to you.").wait_for()
    overdue.refresh_from_db()
    assert overdue.assigned_to == world.catalyst_a
    assert take.count() == 0
    # (axe needs script, so the page after assigning is checked in the test above's way
    # only with JavaScript on: see test_the_caseload_after_assigning_is_accessible.)


def test_the_caseload_after_assigning_is_accessible(page, world):
    overdue, _, _ = _day(world)
    sign_in(page, world.catalyst_a.email)
    page.goto("/caseload/")
    name = re.compile(f"^Assign to me\\W+{overdue.resident.full_name}$")
    page.page.get_by_role("button", name=name).click()
    page.page.get_by_text("Assigned to you.").wait_for()
    page.axe("caseload after assigning")


def test_shared_with_us_fits_a_phone(phone_page, world):
    for name in ("Edna Clough", "Bartholomew Featherstonehaugh-Wolstenholme"):
        resident = ResidentFactory(organisation=world.org_a, full_name=name)
        services.consent_record(
            viewer=world.viewer(world.catalyst_a),
            resident=resident,
            purpose=ConsentPurpose.SHARE,
            given=True,
            method=ConsentMethod.VERBAL,
            wording="May we share your record with the council?",
            organisation=world.org_b,
        )
    sign_in(phone_page, world.worker_b.email)
    phone_page.goto("/shared-with-us/")
    page = phone_page.page
    page.get_by_role("heading", name="Shared with us").wait_for()
    assert page.locator(".govuk-summary-card__title").count() == 2
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("shared with us at 360px")
    page.get_by_role("link", name="Edna Clough").click()
    page.get_by_role("heading", name="Edna Clough").wait_for()


def test_the_timeline_uses_the_sites_font_stack(page, world):
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    ReferralFactory(resident=resident)
    ConversationFactory(resident=resident, notes="Talked about the choir", next_action="Ring")
    sign_in(page, world.catalyst_a.email)
    page.goto(f"/residents/{resident.public_id}/")
    page.page.get_by_role("heading", name="Timeline").wait_for()
    assert page.page.evaluate(OFF_STACK_TEXT) == []
    family = page.page.evaluate(
        "getComputedStyle(document.querySelector('.cw-timeline')).fontFamily"
    )
    assert family.startswith("system-ui")


def test_the_send_link_page_offers_what_they_have_and_says_where_it_went(
    phone_page, world, settings
):
    from commonweave.wellbeing import services as wellbeing
    from commonweave.wellbeing.senders import MemorySender

    settings.WELLBEING_SENDER = "commonweave.wellbeing.senders.MemorySender"
    MemorySender.outbox = []
    resident = ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, phone="07700 900123", email=""
    )
    checkin = wellbeing.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident)
    sign_in(phone_page, world.catalyst_a.email)
    phone_page.goto(f"/wellbeing/checkins/{checkin.public_id}/send-link/")
    page = phone_page.page
    assert page.get_by_role("radio").count() == 1
    phone_page.axe("send link, one channel")
    page.get_by_label("Text message to 07••• ••• 123").check()
    page.get_by_role("button", name="Send link").click()
    page.get_by_role("heading", name="Check-in link sent").wait_for()
    assert "Sent by text message to 07••• ••• 123" in page.locator("main").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("link sent")
    MemorySender.outbox = []
