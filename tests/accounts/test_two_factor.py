"""Two-factor sign-in with an authenticator app: set up, verify after password, remove,
and places that require it."""

import re
from urllib.parse import quote

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from tests.conftest import PASSWORD, client_for

SETUP = reverse("accounts:two_factor_setup")
SECURITY = reverse("accounts:security")
VERIFY = reverse("accounts:verify")
REMOVE = reverse("accounts:two_factor_remove")
LOGIN = reverse("accounts:login")
CASELOAD = reverse("people:caseload")
STEP = 30


def code_for(device, shift=0):
    """The code the person's app would show now (shift in 30-second steps)."""
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=shift)
    return f"{value:0{device.digits}d}"


def confirmed_device_for(user):
    return TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)


def password_sign_in(email, **extra):
    client = Client()
    response = client.post(LOGIN, {"username": email, "password": PASSWORD, **extra})
    return client, response


@pytest.fixture
def clock():
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        yield traveller


# --- setting up --------------------------------------------------------------------------


def test_setup_shows_an_inline_svg_qr_code_and_the_key_as_text(world):
    client = client_for(world.catalyst_a)
    html = client.get(SETUP).content.decode()
    device = TOTPDevice.objects.get(user=world.catalyst_a)
    assert device.confirmed is False
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in html
    assert "<img" not in html.split('id="main-content"')[1]  # no image service sees the key
    key = re.search(r'<code id="setup-key">([A-Z2-7 ]+)</code>', html).group(1)
    assert len(key.replace(" ", "")) == 32
    assert 'autocomplete="one-time-code"' in html


def test_the_setup_page_keeps_the_same_key_when_reloaded(world):
    client = client_for(world.catalyst_a)
    client.get(SETUP)
    client.get(SETUP)
    assert TOTPDevice.objects.filter(user=world.catalyst_a).count() == 1


def test_a_correct_code_turns_two_factor_on_and_is_audited(world, clock):
    client = client_for(world.catalyst_a)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=world.catalyst_a)
    response = client.post(SETUP, {"code": code_for(device)})
    assert (response.status_code, response["Location"]) == (302, SECURITY)
    device.refresh_from_db()
    assert device.confirmed is True
    event = AuditEvent.objects.get(object_type="accounts.user")
    assert (event.action, event.purpose, event.object_id, event.detail) == (
        Action.UPDATE,
        Purpose.ADMIN,
        str(world.catalyst_a.pk),
        {"change": "two_factor_on"},
    )
    # The session that set it up counts as verified: work carries on.
    assert client.get(CASELOAD).status_code == 200
    assert "Two-factor sign-in is on" in client.get(SECURITY).content.decode()


def test_a_wrong_code_is_shown_next_to_the_field_and_nothing_is_turned_on(world):
    client = client_for(world.catalyst_a)
    client.get(SETUP)
    response = client.post(SETUP, {"code": "000000"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_code-error"' in html
    assert "The code is not right" in html
    assert 'value="000000"' in html
    assert not TOTPDevice.objects.filter(user=world.catalyst_a, confirmed=True).exists()


def test_a_code_that_is_not_six_digits_is_refused_before_checking(world):
    client = client_for(world.catalyst_a)
    client.get(SETUP)
    html = client.post(SETUP, {"code": "12ab"}).content.decode()
    assert "Enter the 6-digit code from your authenticator app" in html
    assert TOTPDevice.objects.get(user=world.catalyst_a).throttling_failure_count == 0


def test_someone_with_two_factor_on_is_sent_back_from_setup(world):
    confirmed_device_for(world.catalyst_a)
    client = client_for(world.catalyst_a)
    client.get(VERIFY)  # not verified yet: setup must not let them replace the device
    assert client.get(SETUP)["Location"].startswith(VERIFY)


# --- the verify step ---------------------------------------------------------------------


def test_after_the_password_someone_with_an_authenticator_must_enter_a_code(world, clock):
    device = confirmed_device_for(world.catalyst_a)
    client, response = password_sign_in("catalyst.a@example.org", next=CASELOAD)
    assert response["Location"] == f"{VERIFY}?next={quote(CASELOAD, safe='')}"
    # Every staff page sends them to the verify step until they pass it.
    blocked = client.get(CASELOAD)
    assert blocked.status_code == 302
    assert blocked["Location"] == f"{VERIFY}?next={quote(CASELOAD, safe='')}"
    assert client.get(reverse("tenancy:members")).status_code == 302
    assert client.get(SECURITY)["Location"].startswith(VERIFY)

    response = client.post(VERIFY, {"code": code_for(device), "next": CASELOAD})
    assert (response.status_code, response["Location"]) == (302, CASELOAD)
    assert client.get(CASELOAD).status_code == 200


def test_the_api_refuses_a_session_that_has_not_finished_two_factor(world):
    confirmed_device_for(world.catalyst_a)
    client, _ = password_sign_in("catalyst.a@example.org")
    response = client.get("/api/triage")
    assert response.status_code == 401
    assert response.json() == {"detail": "Two-factor sign-in is not finished"}


def test_verify_rejects_a_wrong_code_and_then_slows_down_guessing(world, clock):
    device = confirmed_device_for(world.catalyst_a)
    client, _ = password_sign_in("catalyst.a@example.org")
    wrong = client.post(VERIFY, {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    # Straight away, even the right code must wait: each failure doubles the pause.
    slowed = client.post(VERIFY, {"code": code_for(device)})
    assert "Too many wrong codes. Wait 1 second" in slowed.content.decode()
    assert client.get(CASELOAD).status_code == 302
    clock.shift(2)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    assert client.get(CASELOAD).status_code == 200


def test_a_code_cannot_be_used_twice(world, clock):
    device = confirmed_device_for(world.catalyst_a)
    code = code_for(device)
    first, _ = password_sign_in("catalyst.a@example.org")
    assert first.post(VERIFY, {"code": code}).status_code == 302
    second, _ = password_sign_in("catalyst.a@example.org")
    replay = second.post(VERIFY, {"code": code})
    assert "The code is not right" in replay.content.decode()


def test_verify_only_returns_to_addresses_on_this_site(world, clock):
    device = confirmed_device_for(world.catalyst_a)
    client, _ = password_sign_in("catalyst.a@example.org")
    response = client.post(VERIFY, {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("web:home")


def test_signing_out_is_allowed_before_verifying(world):
    confirmed_device_for(world.catalyst_a)
    client, _ = password_sign_in("catalyst.a@example.org")
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") is None


def test_the_verify_page_needs_a_signed_in_person(db):
    response = Client().get(VERIFY)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


# --- turning it off ----------------------------------------------------------------------


def verified_client(user, device):
    client, _ = password_sign_in(user.email)
    assert client.post(VERIFY, {"code": code_for(device)}).status_code == 302
    return client


def test_turning_two_factor_off_needs_a_current_code(world, clock):
    device = confirmed_device_for(world.catalyst_a)
    client = verified_client(world.catalyst_a, device)
    clock.shift(STEP)
    wrong = client.post(REMOVE, {"code": "000000"})
    assert "The code is not right" in wrong.content.decode()
    assert TOTPDevice.objects.filter(user=world.catalyst_a).exists()

    clock.shift(STEP)
    response = client.post(REMOVE, {"code": code_for(device)})
    assert (response.status_code, response["Location"]) == (302, SECURITY)
    assert not TOTPDevice.objects.filter(user=world.catalyst_a).exists()
    event = AuditEvent.objects.filter(object_type="accounts.user").latest("pk")
    assert event.detail == {"change": "two_factor_off"}
    # Next sign-in needs only the password.
    client2, response = password_sign_in("catalyst.a@example.org")
    assert response["Location"] == reverse("web:home")


def test_removing_needs_a_post(world):
    assert client_for(world.catalyst_a).get(REMOVE).status_code == 405


# --- places that require two-factor ------------------------------------------------------


@pytest.fixture
def strict_place(world):
    world.place.require_two_factor = True
    world.place.save(update_fields=["require_two_factor"])
    return world.place


def test_staff_without_an_authenticator_are_sent_to_set_one_up(world, strict_place, clock):
    client = client_for(world.catalyst_a)
    for url in (CASELOAD, reverse("people:triage"), reverse("web:home")):
        response = client.get(url)
        assert (response.status_code, response["Location"]) == (302, SETUP), url
    # Their account pages stay open so they can do it.
    assert client.get(SECURITY).status_code == 200
    assert "requires two-factor sign-in" in client.get(SETUP).content.decode()

    device = TOTPDevice.objects.get(user=world.catalyst_a)
    client.post(SETUP, {"code": code_for(device)})
    assert client.get(CASELOAD).status_code == 200


def test_the_requirement_applies_only_in_the_place_that_sets_it(world, strict_place):
    # The outsider works in another place, which does not require it.
    assert client_for(world.outsider).get(CASELOAD).status_code == 200


def test_signing_out_stays_open_without_an_authenticator(world, strict_place):
    client = client_for(world.catalyst_a)
    assert client.post(reverse("accounts:logout")).status_code == 302


def test_in_a_strict_place_someone_with_an_authenticator_still_verifies_first(
    world, strict_place, clock
):
    device = confirmed_device_for(world.catalyst_a)
    client, _ = password_sign_in("catalyst.a@example.org")
    assert client.get(CASELOAD)["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(CASELOAD).status_code == 200


def test_when_an_admin_requires_it_staff_without_an_authenticator_set_one_up_first(world, clock):
    """The place admin's screen turns the rule on; from the very next request, staff of
    the place who can reach residents' records (and everyone else with a role there) are
    sent to set up an authenticator before any other page or API call."""
    admin_device = confirmed_device_for(world.manager_a)
    admin = verified_client(world.manager_a, admin_device)
    catalyst = client_for(world.catalyst_a)
    resident_page = reverse("people:triage")
    assert catalyst.get(resident_page).status_code == 200

    response = admin.post(reverse("tenancy:sign_in_settings"), {"required": "yes"})
    assert response.status_code == 302

    for url in (resident_page, CASELOAD, reverse("network:index"), reverse("learning:home")):
        response = catalyst.get(url)
        assert (response.status_code, response["Location"]) == (302, SETUP), url
    refused = catalyst.get("/api/triage")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "Two-factor sign-in must be set up"}
    # the analyst and the partner worker too: the rule is for everyone in the place
    for user in (world.analyst, world.worker_b):
        assert client_for(user).get(reverse("web:home"))["Location"] == SETUP
    # the admin, verified, carries on
    assert admin.get(reverse("tenancy:members")).status_code == 200

    catalyst.get(SETUP)
    device = TOTPDevice.objects.get(user=world.catalyst_a)
    catalyst.post(SETUP, {"code": code_for(device)})
    assert catalyst.get(resident_page).status_code == 200

    # turned off again: no one is sent anywhere
    admin.post(reverse("tenancy:sign_in_settings"), {"required": "no"})
    assert client_for(world.worker_b).get(reverse("people:my_referrals")).status_code == 200
