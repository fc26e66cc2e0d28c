"""A small good thing asked for from the resident's page in real Chromium: without
JavaScript, and on a 360-px phone with axe-core (issue 17's must-show); then decided and
paid by a coordinator, axe on each page."""

import pytest

from commonweave.demo.factories import MembershipFactory, ResidentFactory
from commonweave.grants import services
from commonweave.grants.enums import AwardStatus
from commonweave.grants.models import Award
from commonweave.tenancy.enums import Role
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def resident(world):
    MembershipFactory(organisation=world.org_a, role=Role.COORDINATOR)
    services.fund_create(
        viewer=world.viewer(world.manager_a),
        name="Small good things",
        pot="1000",
        approval_threshold="100",
    )
    return ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)


def ask(checked, resident):
    checked.goto(f"/residents/{resident.public_id}/")
    checked.page.get_by_role("link", name="Ask for a small good thing").click()
    checked.page.wait_for_load_state()
    form = checked.page
    form.get_by_label("What is it?").fill("A photo ID card")
    form.get_by_label("Why does it matter to them?").fill("To open a bank account")
    form.get_by_label("How much?").fill("£15")
    form.get_by_label("What kind of thing is it?").select_option("GTIP170")
    form.get_by_role("button", name="Ask for it").click()
    form.wait_for_load_state()


def test_a_catalyst_asks_without_javascript(no_js_page, world, resident):
    sign_in(no_js_page, world.catalyst_a.email)
    ask(no_js_page, resident)
    award = Award.objects.get()
    assert (award.title, str(award.amount_requested)) == ("A photo ID card", "15.00")
    assert no_js_page.page.get_by_role("heading", level=1).inner_text() == "A photo ID card"


def test_the_request_fits_a_360px_phone_and_is_accessible_with_its_errors(
    phone_page, world, resident
):
    sign_in(phone_page, world.catalyst_a.email)
    phone_page.goto(f"/money/residents/{resident.public_id}/ask/")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("ask at 360px")
    phone_page.page.get_by_label("How much?").fill("fifteen")
    phone_page.page.get_by_role("button", name="Ask for it").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("ask with errors at 360px")
    assert not Award.objects.exists()


def test_a_coordinator_decides_and_pays(page, world, resident):
    sign_in(page, world.catalyst_a.email)
    ask(page, resident)
    page.axe("award as the catalyst")
    award = Award.objects.get()
    page.page.context.clear_cookies()
    sign_in(page, world.manager_a.email)
    page.goto("/money/")
    page.axe("funds")
    page.page.get_by_role("link", name="Small good things").click()
    page.axe("fund")
    page.page.get_by_role("link", name="A photo ID card").click()
    page.axe("award to decide")
    page.page.get_by_label("Approve").check()
    page.page.get_by_role("button", name="Record my decision").click()
    page.page.wait_for_load_state()
    page.axe("award to pay")
    page.page.get_by_label("Amount paid").fill("15")
    page.page.get_by_role("button", name="Record the payment").click()
    page.page.wait_for_load_state()
    award.refresh_from_db()
    assert award.status == AwardStatus.APPROVED
    assert "£15.00" in page.page.content()
