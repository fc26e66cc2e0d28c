"""The overview and the audit pages in real headless Chromium: axe-core finds nothing,
the strict Content Security Policy holds (no inline styles for the bars), and they fit a
360-px phone."""

import pytest
from django.urls import reverse

from commonweave.demo.factories import ResidentFactory
from commonweave.people.access import resident_open
from commonweave.people.enums import Stage
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def some_numbers(world):
    for _ in range(23):
        ResidentFactory(organisation=world.org_a, stage=Stage.ENGAGED)
    for _ in range(3):
        ResidentFactory(organisation=world.org_a, stage=Stage.CONNECTING)
    resident = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    resident_open(world.viewer(world.catalyst_a), resident.public_id)
    return resident


def test_overview_is_accessible_with_bars_and_no_csp_errors(page, world, some_numbers):
    sign_in(page, world.analyst.email)
    response = page.goto(reverse("insights:overview"))
    assert response.status == 200
    assert page.page.locator("#table-stage meter").count() == 5  # none for the suppressed row
    page.axe("overview")
    page.screenshot("overview")


def test_overview_fits_a_360px_phone(phone_page, world, some_numbers):
    sign_in(phone_page, world.analyst.email)
    phone_page.goto(reverse("insights:overview"))
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("overview at 360px")
    phone_page.screenshot("overview-360")


def test_audit_log_search_and_resident_log_are_accessible(page, world, some_numbers):
    sign_in(page, world.manager_a.email)
    page.goto(reverse("audit:log"))
    page.axe("audit log")
    page.page.get_by_text("Search the log").click()
    page.page.get_by_label("What was done").select_option("view")
    page.page.get_by_role("button", name="Search").click()
    page.page.wait_for_load_state()
    assert "action=view" in page.page.url
    assert page.page.locator("#audit-events tbody tr").count() == 1
    page.page.get_by_role("button", name="Check the log is intact").click()
    page.page.wait_for_load_state()
    assert "Intact" in page.page.locator("#chain-status").inner_text()
    page.axe("audit log, searched and checked")
    page.screenshot("audit-log")
    page.goto(reverse("people:resident_log", kwargs={"public_id": some_numbers.public_id}))
    page.axe("who has seen this record")


def test_audit_log_with_an_error_is_accessible(page, world, some_numbers):
    sign_in(page, world.manager_a.email)
    page.goto(reverse("audit:log") + "?date_from_day=31&date_from_month=2&date_from_year=2025")
    assert "Enter a real date" in page.page.locator(".govuk-error-summary").inner_text()
    page.axe("audit log with an error")


def test_audit_log_fits_a_360px_phone(phone_page, world, some_numbers):
    sign_in(phone_page, world.manager_a.email)
    phone_page.goto(reverse("audit:log"))
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("audit log at 360px")
