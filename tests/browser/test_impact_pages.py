"""Social value pages in real Chromium: the golden recipe made without JavaScript, the
library and the form (with its errors) on a 360-px phone with axe-core, and the receipt."""

import pytest

from commonweave.impact.models import SocialValue, ValueRecipe
from commonweave.impact.values import library_sync
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def library(db):
    library_sync(SocialValue)  # a transactional test starts from flushed tables


def fill_golden(form):
    form.get_by_label("Title").fill("Life satisfaction, Connect cohort 2025")
    form.get_by_label("Value", exact=True).select_option(
        SocialValue.objects.get(key="hmt-wellby-2021").public_id
    )
    form.get_by_label("Cohort", exact=True).fill("Connect cohort 2025")
    form.get_by_label("Life satisfaction (ONS, 0 to 10)").check()
    form.get_by_label("People in the cohort").fill("100")
    form.get_by_label("Mean change").fill("0.5")
    form.get_by_label("95% confidence interval: low end").fill("0.3")
    form.get_by_label("95% confidence interval: high end").fill("0.7")
    form.get_by_label("Where these numbers come from").fill("Cohort table, 1 December 2026")
    form.get_by_label("Deadweight (%)").fill("20")


def test_the_golden_recipe_without_javascript(no_js_page, world):
    sign_in(no_js_page, world.analyst.email)
    no_js_page.goto("/impact/recipes/new/")
    fill_golden(no_js_page.page)
    no_js_page.page.get_by_role("button", name="Work it out").click()
    no_js_page.page.wait_for_load_state()
    assert ValueRecipe.objects.get().central == 520000
    assert no_js_page.page.locator("#figure").inner_text().startswith("£520,000")


def test_the_pages_fit_a_360px_phone_and_are_accessible(phone_page, world):
    sign_in(phone_page, world.manager_a.email)
    phone_page.goto("/impact/values/")
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("value library at 360px")
    phone_page.goto("/impact/recipes/new/")
    phone_page.axe("recipe form at 360px")
    fill_golden(phone_page.page)
    phone_page.page.get_by_label("Another measure").check()
    phone_page.page.get_by_role("button", name="Work it out").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("recipe form with errors at 360px")
    assert not ValueRecipe.objects.exists()
    phone_page.page.get_by_label("Life satisfaction (ONS, 0 to 10)").check()
    phone_page.page.get_by_role("button", name="Work it out").click()
    phone_page.page.wait_for_load_state()
    assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360
    phone_page.axe("receipt at 360px")
