"""Sign-in and account pages in real headless Chromium: axe-core finds nothing, the strict
Content Security Policy holds (the QR code is inline SVG), and they fit a 360-px phone."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.accounts.test_two_factor import code_for
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sign_in_errors_are_accessible_and_keep_the_email(page, world):
    page.goto(reverse("accounts:login"))
    page.axe("sign in")
    page.page.get_by_label("Email").fill("catalyst.a@example.org")
    page.page.get_by_label("Password").fill("not the password")
    page.page.get_by_role("button", name="Sign in").click()
    page.page.wait_for_load_state()
    summary = page.page.locator(".govuk-error-summary")
    assert "Enter the email address and password for your account" in summary.inner_text()
    assert page.page.get_by_label("Email").input_value() == "catalyst.a@example.org"
    assert page.page.get_by_label("Password").input_value() == ""
    page.axe("sign in with an error")


def test_the_lockout_page_is_accessible(page, world):
    for _ in range(5):
        sign_in(page, "catalyst.a@example.org", "wrong password")
    assert page.page.locator("h1").inner_text() == "Signing in is paused"
    page.axe("locked out")


def test_setting_up_and_using_an_authenticator_in_a_browser(page, world):
    sign_in(page, world.catalyst_a.email)
    page.goto(reverse("accounts:security"))
    page.axe("your account")
    page.page.get_by_role("button", name="Set up an authenticator app").click()
    page.page.wait_for_load_state()
    qr = page.page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.bounding_box()["width"] >= 150
    page.axe("set up an authenticator app")
    page.screenshot("two-factor-setup")
    page.page.get_by_label("Code from your authenticator app").fill("000000")
    page.page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.page.wait_for_load_state()
    assert "The code is not right" in page.page.locator(".govuk-error-summary").inner_text()
    page.axe("set up with a wrong code")
    device = TOTPDevice.objects.get(user=world.catalyst_a)
    page.page.wait_for_timeout(1100)  # the pause after a wrong code
    page.page.get_by_label("Code from your authenticator app").fill(code_for(device))
    page.page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.page.wait_for_load_state()
    assert "Two-factor sign-in is on" in page.page.locator("main").inner_text()
    page.axe("two-factor on")


def test_the_verify_page_is_accessible(page, world):
    TOTPDevice.objects.create(user=world.catalyst_a, name="Authenticator app", confirmed=True)
    sign_in(page, world.catalyst_a.email)
    assert page.page.url.split("?")[0].endswith(reverse("accounts:verify"))
    page.axe("verify")


def test_account_pages_fit_a_360px_phone(phone_page, world):
    sign_in(phone_page, world.catalyst_a.email)
    for name in ("accounts:two_factor_setup", "accounts:password_change", "accounts:security"):
        phone_page.goto(reverse(name))
        assert phone_page.page.evaluate("document.documentElement.scrollWidth") <= 360, name
        phone_page.axe(f"{name} at 360px")
