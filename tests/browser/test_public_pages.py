import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_home_page_is_accessible_and_has_no_csp_errors(page, world):
    response = page.goto("/")
    assert response.status == 200
    assert page.page.get_by_role("heading", level=1).inner_text() != ""
    page.axe()


def test_home_page_fits_a_360px_phone(phone_page, world):
    phone_page.goto("/")
    width = phone_page.page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    phone_page.axe("at 360px")
    phone_page.screenshot("home-360")
