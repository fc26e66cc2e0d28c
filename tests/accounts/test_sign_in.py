"""Signing in: the form, its errors, and login throttling (django-axes)."""

import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

LOGIN = reverse("accounts:login")


def sign_in(client, email, password, **extra):
    return client.post(LOGIN, {"username": email, "password": password, **extra})


def signed_in_user_id(client):
    return client.session.get("_auth_user_id")


def test_sign_in_page_has_email_and_password_and_a_sign_in_button(db):
    html = Client().get(LOGIN).content.decode()
    assert re.search(r'<label class="govuk-label" for="id_username">\s*Email\s*</label>', html)
    assert re.search(r'<label class="govuk-label" for="id_password">\s*Password\s*</label>', html)
    assert re.search(r'<button type="submit" class="govuk-button"[^>]*>Sign in</button>', html)
    assert 'class="govuk-input"' in html


def test_signing_in_with_the_right_password_goes_to_the_start_page(world):
    client = Client()
    response = sign_in(client, "catalyst.a@example.org", PASSWORD)
    assert (response.status_code, response["Location"]) == (302, reverse("web:home"))
    assert signed_in_user_id(client) == str(world.catalyst_a.pk)


def test_email_is_matched_whatever_its_case_or_spacing(world):
    client = Client()
    response = sign_in(client, "  Catalyst.A@Example.ORG ", PASSWORD)
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(world.catalyst_a.pk)


def test_sign_in_follows_a_safe_next_address(world):
    client = Client()
    response = sign_in(client, "catalyst.a@example.org", PASSWORD, next="/caseload/")
    assert response["Location"] == "/caseload/"


def test_sign_in_ignores_a_next_address_on_another_site(world):
    client = Client()
    response = sign_in(client, "catalyst.a@example.org", PASSWORD, next="https://evil.example/")
    assert response["Location"] == reverse("web:home")


def test_wrong_password_shows_the_error_next_to_email_and_keeps_what_was_typed(world):
    response = sign_in(Client(), "catalyst.a@example.org", "not the password")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<div class="govuk-error-summary"' in html
    assert '<a href="#id_username">Enter the email address and password for your account</a>' in (
        html
    )
    assert 'id="id_username-error"' in html
    assert 'value="catalyst.a@example.org"' in html
    assert "not the password" not in html  # a password is never sent back
    assert "<title>Error: Sign in - Commonweave</title>" in html


def test_an_unknown_email_gets_exactly_the_same_words_as_a_wrong_password(world):
    wrong = sign_in(Client(), "catalyst.a@example.org", "not the password").content.decode()
    unknown = sign_in(Client(), "nobody@example.org", "not the password").content.decode()

    def errors(html):
        return re.findall(r'class="govuk-error-message">(.*?)</p>', html, re.S)

    assert errors(wrong) == errors(unknown) != []


def test_empty_fields_are_named_next_to_each_field(db):
    html = sign_in(Client(), "", "").content.decode()
    assert '<a href="#id_username">Enter your email address</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html


def test_a_deactivated_account_cannot_sign_in(world):
    world.catalyst_a.is_active = False
    world.catalyst_a.save(update_fields=["is_active"])
    client = Client()
    response = sign_in(client, "catalyst.a@example.org", PASSWORD)
    assert response.status_code == 400
    assert "Enter the email address and password for your account" in response.content.decode()
    assert signed_in_user_id(client) is None


# --- throttling --------------------------------------------------------------------------


def test_five_failed_attempts_lock_the_email_and_address_pair(world):
    client = Client()
    with time_machine.travel(timezone.now(), tick=False):
        statuses = [
            sign_in(client, "catalyst.a@example.org", "wrong").status_code for _ in range(5)
        ]
        assert statuses == [400, 400, 400, 400, 429]

        refused = sign_in(client, "catalyst.a@example.org", PASSWORD)
        html = refused.content.decode()
        assert refused.status_code == 429
        assert signed_in_user_id(client) is None
        assert '<h1 class="govuk-heading-l">Signing in is paused</h1>' in html
        assert "There were 5 unsuccessful attempts" in html
        assert "(in 15 minutes)" in html
        expected_time = timezone.localtime() + timedelta(minutes=15)
        assert f"try again after {expected_time:%-I:%M} " in html
        assert "catalyst.a@example.org" not in html


def test_the_lock_is_per_email_so_other_people_can_still_sign_in(world):
    client = Client()
    for _ in range(5):
        sign_in(client, "catalyst.a@example.org", "wrong")
    other = Client()
    assert sign_in(other, "analyst@example.org", PASSWORD).status_code == 302


def test_the_lock_page_does_not_reveal_whether_an_account_exists(world):
    start = timezone.now()
    pages = []
    for email in ("catalyst.a@example.org", "nobody@example.org"):
        with time_machine.travel(start, tick=False):
            client = Client()
            for _ in range(4):
                sign_in(client, email, "wrong")
            response = sign_in(client, email, "wrong")
            pages.append((response.status_code, response.content.decode()))
    assert pages[0][0] == pages[1][0] == 429

    def without_token(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

    assert without_token(pages[0][1]) == without_token(pages[1][1])


def test_after_the_pause_the_right_password_works_again(world):
    start = timezone.now()
    client = Client()
    with time_machine.travel(start, tick=False):
        for _ in range(5):
            sign_in(client, "catalyst.a@example.org", "wrong")
        assert sign_in(client, "catalyst.a@example.org", PASSWORD).status_code == 429
    with time_machine.travel(start + timedelta(minutes=16), tick=False):
        assert sign_in(client, "catalyst.a@example.org", PASSWORD).status_code == 302
        assert signed_in_user_id(client) == str(world.catalyst_a.pk)


def test_a_successful_sign_in_resets_the_count(world):
    client = Client()
    for _ in range(4):
        sign_in(client, "catalyst.a@example.org", "wrong")
    assert sign_in(client, "catalyst.a@example.org", PASSWORD).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        assert sign_in(client, "catalyst.a@example.org", "wrong").status_code == 400
