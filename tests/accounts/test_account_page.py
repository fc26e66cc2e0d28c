"""Your account: who you are, two-factor status, changing your password."""

import pytest
from django.test import Client
from django.urls import reverse

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory
from tests.conftest import PASSWORD, client_for

SECURITY = reverse("accounts:security")
PASSWORD_CHANGE = reverse("accounts:password_change")
NEW_PASSWORD = "a quiet walk by the canal"


@pytest.mark.parametrize("persona", ["catalyst_a", "manager_a", "worker_b", "analyst", "outsider"])
def test_every_signed_in_person_has_an_account_page(world, persona):
    response = client_for(world.personas[persona]).get(SECURITY)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Two-factor sign-in is off" in html
    assert f'href="{reverse("accounts:two_factor_setup")}"' in html
    assert f'href="{PASSWORD_CHANGE}"' in html


def test_account_pages_need_signing_in(db):
    for url in (SECURITY, PASSWORD_CHANGE, reverse("accounts:two_factor_setup")):
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_account_page_is_never_cached(world):
    response = client_for(world.catalyst_a).get(SECURITY)
    assert "no-store" in response["Cache-Control"]


def test_someone_in_one_place_is_not_offered_a_place_switch(world):
    html = client_for(world.catalyst_a).get(SECURITY).content.decode()
    assert reverse("tenancy:switch_place") not in html


def test_someone_in_two_places_is_offered_a_place_switch(world):
    org_c = world.outsider.memberships.first().organisation
    MembershipFactory(user=world.catalyst_a, organisation=org_c)
    html = client_for(world.catalyst_a).get(SECURITY).content.decode()
    assert reverse("tenancy:switch_place") in html


# --- changing the password ---------------------------------------------------------------


def change(client, old, new1, new2=None):
    return client.post(
        PASSWORD_CHANGE,
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_the_password_form_has_gov_uk_labels(world):
    html = client_for(world.catalyst_a).get(PASSWORD_CHANGE).content.decode()
    for label in ("Current password", "New password", "Confirm new password"):
        assert f">{label}</label>" in " ".join(html.split()).replace("> ", ">").replace(" <", "<")
    assert "at least 12 characters" in html


def test_changing_the_password_keeps_this_session_and_is_audited(world):
    client = client_for(world.catalyst_a)
    response = change(client, PASSWORD, NEW_PASSWORD)
    assert (response.status_code, response["Location"]) == (302, SECURITY)
    world.catalyst_a.refresh_from_db()
    assert world.catalyst_a.check_password(NEW_PASSWORD)
    assert client.get(SECURITY).status_code == 200
    event = AuditEvent.objects.get(object_type="accounts.user")
    assert event.detail == {"change": "password_changed"}
    assert event.actor_id == world.catalyst_a.pk


def test_changing_the_password_signs_out_other_sessions(world):
    other = Client()
    other.post(
        reverse("accounts:login"), {"username": world.catalyst_a.email, "password": PASSWORD}
    )
    assert other.get(SECURITY).status_code == 200
    change(client_for(world.catalyst_a), PASSWORD, NEW_PASSWORD)
    assert other.get(SECURITY).status_code == 302


def test_a_wrong_current_password_is_shown_next_to_it(world):
    response = change(client_for(world.catalyst_a), "not it at all", NEW_PASSWORD)
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_old_password">Your current password is not right. Enter it again.</a>' in (
        html
    )
    world.catalyst_a.refresh_from_db()
    assert world.catalyst_a.check_password(PASSWORD)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short pass", "This password is too short. It must contain at least 12 characters."),
        ("password1234", "This password is too common."),
    ],
)
def test_weak_new_passwords_are_refused(world, new, message):
    html = change(client_for(world.catalyst_a), PASSWORD, new).content.decode()
    assert f'<a href="#id_new_password1">{message}</a>' in html
    world.catalyst_a.refresh_from_db()
    assert world.catalyst_a.check_password(PASSWORD)


def test_a_long_passphrase_with_no_symbols_is_fine(world):
    client = client_for(world.catalyst_a)
    new = "the heron stands in the river every morning before the rain comes"
    assert change(client, PASSWORD, new).status_code == 302


def test_mismatched_new_passwords_are_refused(world):
    html = change(client_for(world.catalyst_a), PASSWORD, NEW_PASSWORD, "something else").content
    assert b"The new passwords do not match" in html
