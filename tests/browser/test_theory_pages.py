"""The theory of change pages in Chromium: the edit form without JavaScript on a 360-px
phone (errors beside the fields, nothing saved until it is right), and every page axe-clean."""

import pytest

from commonweave.impact.models import TheoryVersion
from tests.browser.conftest import _new_page, sign_in
from tests.impact.test_theory import save


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_theory_form_without_javascript_and_at_360px(browser, live_server, world):
    context, phone = _new_page(
        browser, live_server, viewport={"width": 360, "height": 740}, is_mobile=True,
        has_touch=True, java_script_enabled=False,
    )  # fmt: skip
    try:
        sign_in(phone, world.manager_a.email)
        phone.goto("/impact/theory/edit/")
        phone.screenshot("theory-edit-360")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
        form = phone.page
        form.get_by_label("Our shared analysis of the area").fill("Poverty in the east ward.")
        form.locator("#id_outcome_1_title").fill("Families feel less alone")
        form.locator("#id_outcome_1_indicator_1_name").fill("Connections made")
        form.locator("#id_outcome_1_indicator_1_source").select_option("connections_made")
        form.locator("#id_outcome_1_indicator_2_name").fill("No source chosen")
        form.get_by_role("button", name="Save this version").click()
        form.wait_for_load_state()
        assert TheoryVersion.objects.count() == 0
        assert form.locator("#id_outcome_1_indicator_2_source-error").is_visible()
        phone.screenshot("theory-edit-errors-360")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
        form.locator("#id_outcome_1_indicator_2_source").select_option("people_engaged")
        form.locator("#id_activity_1_title").fill("Connection catalysts")
        form.locator("#id_activity_1_outcomes").fill("1")
        form.get_by_role("button", name="Save this version").click()
        form.wait_for_load_state()
        assert TheoryVersion.objects.get().number == 1
        assert "Outcome 1: Families feel less alone" in form.content()
        phone.screenshot("theory-360")
        assert phone.page.evaluate("document.documentElement.scrollWidth") <= 360
        phone.assert_clean()
    finally:
        context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_theory_pages_are_accessible(browser, live_server, world):
    save(world)
    context, page = _new_page(browser, live_server, viewport={"width": 360, "height": 740})
    try:
        sign_in(page, world.manager_a.email)
        for path in ("/impact/theory/", "/impact/theory/history/", "/impact/theory/edit/"):
            page.goto(path)
            page.axe(path)
        page.page.get_by_role("button", name="Save this version").click()  # no change note
        page.page.wait_for_load_state()
        page.axe("the edit form with an error")
        page.assert_clean()
    finally:
        context.close()
