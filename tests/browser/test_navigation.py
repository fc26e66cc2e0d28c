"""The service navigation in real headless Chromium at 360 px: the menu toggle opens and
closes the list, the current page is marked, nothing scrolls sideways, axe finds nothing;
without JavaScript the list simply shows."""

import pytest

from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_menu_toggle_at_360px(phone_page, world):
    sign_in(phone_page, world.catalyst_a.email)
    phone_page.goto("/caseload/")
    page = phone_page.page
    toggle = page.locator(".govuk-service-navigation__toggle")
    items = page.locator("#navigation")
    assert toggle.is_visible()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not items.is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("service navigation closed, 360px")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    assert items.is_visible()
    current = page.locator('#navigation a[aria-current="page"]')
    assert current.count() == 1
    assert current.inner_text().strip() == "Caseload"
    assert page.get_by_role("link", name="Learning").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("service navigation open, 360px")
    phone_page.screenshot("navigation-360-open")

    toggle.click()
    assert not items.is_visible()


def test_navigation_on_a_wide_screen_is_axe_clean(page, world):
    sign_in(page, world.manager_a.email)
    page.goto("/learning/")
    assert not page.page.locator(".govuk-service-navigation__toggle").is_visible()
    assert (
        page.page.locator('#navigation a[aria-current="page"]').inner_text().strip() == "Learning"
    )
    page.axe("service navigation, desktop")


def test_without_javascript_the_list_shows(no_js_page, world):
    sign_in(no_js_page, world.worker_b.email)
    no_js_page.goto("/referrals/")
    assert no_js_page.page.locator("#navigation").is_visible()
    assert not no_js_page.page.locator(".govuk-service-navigation__toggle").is_visible()


def test_home_page_search_box_reaches_the_directory(page, world):
    page.goto("/")
    page.axe("home page with the directory search")
    page.page.get_by_label("Your area").select_option("testford")
    page.page.get_by_label("What are you looking for?").fill("lunch")
    page.page.get_by_role("button", name="Search").click()
    page.page.wait_for_load_state()
    assert page.page.url.startswith(page.base_url + "/directory/testford/")
    assert "q=lunch" in page.page.url
    page.axe("directory search from the home page")
