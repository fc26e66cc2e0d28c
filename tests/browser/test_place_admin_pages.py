"""Place administration pages in real headless Chromium: axe-core finds nothing, the
strict Content Security Policy holds, and the tables fit a 360-px phone."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import authenticate_api_token, issue_api_token
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_people_and_roles_pages_are_accessible(page, world):
    issue_api_token(organisation=world.org_b, name="Council system", role=Role.PARTNER_WORKER)
    sign_in(page, world.manager_a.email)
    page.goto(reverse("tenancy:members"))
    page.axe("people and roles")
    page.page.get_by_role("link", name=f"Change roles for {world.catalyst_b.name}").click()
    page.page.wait_for_load_state()
    page.axe("a member's roles")
    page.page.get_by_role("button", name="Add role").click()
    page.page.wait_for_load_state()
    assert "Choose an organisation" in page.page.locator(".govuk-error-summary").inner_text()
    page.axe("a member's roles with errors")
    page.page.get_by_label("Organisation").select_option(label="Testford Connect")
    page.page.get_by_label("Analyst").check()
    page.page.get_by_role("button", name="Add role").click()
    page.page.wait_for_load_state()
    assert "is now analyst at Testford Connect" in page.page.locator("main").inner_text()
    page.axe("role added")


def test_the_last_admin_error_is_accessible(page, world):
    sign_in(page, world.manager_a.email)
    page.goto(reverse("tenancy:member", args=[world.manager_a.pk]))
    page.page.get_by_role("button", name="Remove place admin at Testford Connect").click()
    page.page.wait_for_load_state()
    assert "last place admin" in page.page.locator(".govuk-error-summary").inner_text()
    page.axe("last admin error")


def test_inviting_and_joining_are_accessible(page, world):
    sign_in(page, world.manager_a.email)
    page.goto(reverse("tenancy:invite"))
    page.axe("invite")
    page.page.get_by_role("button", name="Send invitation").click()
    page.page.wait_for_load_state()
    page.axe("invite with errors")
    page.page.get_by_label("Email address").fill("sam.new@example.org")
    page.page.get_by_label("Organisation").select_option(label="Testford Council")
    page.page.get_by_label("Partner worker").check()
    page.page.get_by_role("button", name="Send invitation").click()
    page.page.wait_for_load_state()
    assert "sam.new@example.org" in page.page.locator("main").inner_text()
    link = re.search(r"https?://\S+/place/invitations/\S+/", mail.outbox[-1].body).group(0)
    path = "/" + link.split("/", 3)[3]
    page.page.context.clear_cookies()
    page.goto(path)
    page.axe("join: new account")
    page.page.get_by_label("Your full name").fill("Sam Newton")
    page.page.get_by_label("Create a password").fill("short")
    page.page.get_by_label("Confirm password").fill("short")
    page.page.get_by_role("button", name="Create account and join").click()
    page.page.wait_for_load_state()
    assert "too short" in page.page.locator(".govuk-error-summary").inner_text()
    assert page.page.get_by_label("Your full name").input_value() == "Sam Newton"
    page.axe("join with errors")


def test_an_unusable_invitation_page_is_accessible(page, world):
    page.goto(reverse("tenancy:invitation", args=["x" * 43]))
    assert page.page.locator("h1").inner_text() == "This invitation link cannot be used"
    page.axe("invitation cannot be used")


def test_tokens_page_is_accessible_with_a_new_token(page, world):
    sign_in(page, world.manager_a.email)
    page.goto(reverse("tenancy:tokens"))
    page.axe("tokens")
    page.page.get_by_label("Organisation the token acts for").select_option(
        label="Testford Council"
    )
    page.page.get_by_label("What will use this token?").fill("Council referral system")
    page.page.get_by_label("Partner worker").check()
    page.page.get_by_role("button", name="Create token").click()
    page.page.wait_for_load_state()
    raw = page.page.locator("#new-token").inner_text()
    assert raw.startswith("cw_")
    page.axe("tokens with a new token")
    assert authenticate_api_token(raw).name == "Council referral system"


def test_organisation_and_switch_pages_are_accessible(page, world):
    elsewhere = world.outsider.memberships.first().organisation
    MembershipFactory(user=world.manager_a, organisation=elsewhere, role=Role.ANALYST)
    sign_in(page, world.manager_a.email)
    page.goto(reverse("tenancy:organisation_add"))
    page.axe("add an organisation")
    page.goto(reverse("tenancy:switch_place"))
    page.axe("switch place")
    page.page.get_by_label("Elsewhere").check()
    page.page.get_by_role("button", name="Continue").click()
    page.page.wait_for_load_state()
    assert page.page.locator(".cw-header__place").inner_text() == "Elsewhere"


@pytest.mark.parametrize("name", ["tenancy:members", "tenancy:tokens", "tenancy:invite"])
def test_admin_pages_fit_a_360px_phone(phone_page, world, name):
    issue_api_token(organisation=world.org_b, name="Council system", role=Role.PARTNER_WORKER)
    sign_in(phone_page, world.manager_a.email)
    phone_page.goto(reverse(name))
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe(f"{name} at 360px")
