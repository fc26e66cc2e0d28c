"""The place's sign-in rule: a place admin requires (or stops requiring) two-factor
sign-in of everyone who works in the place."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.tenancy.services import OWN_TWO_FACTOR_FIRST, place_two_factor_set
from tests.conftest import assert_access, client_for

SETTINGS = reverse("tenancy:sign_in_settings")


def verified_client(user):
    """Signed in with password and authenticator, as after the verify step."""
    device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    client = client_for(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def test_only_place_admins_see_the_sign_in_rule(world):
    # the outsider administers Elsewhere, and sees that place's rule
    assert_access(world, "get", SETTINGS, {"manager_a": 200, "outsider": 200})
    for persona in ("catalyst_a", "worker_b", "catalyst_b", "analyst"):
        response = client_for(getattr(world, persona)).post(SETTINGS, {"required": "yes"})
        assert response.status_code == 404, persona
    world.place.refresh_from_db()
    assert world.place.require_two_factor is False


def test_the_people_page_links_to_it(world):
    html = client_for(world.manager_a).get(reverse("tenancy:members")).content.decode()
    assert SETTINGS in html


def test_an_admin_requires_two_factor_and_it_is_audited(world):
    client = verified_client(world.manager_a)
    html = client.get(SETTINGS).content.decode()
    assert "Two-factor sign-in is not required" in html
    assert 'value="no" checked' in html
    response = client.post(SETTINGS, {"required": "yes"})
    assert (response.status_code, response["Location"]) == (302, SETTINGS)
    world.place.refresh_from_db()
    assert world.place.require_two_factor is True
    event = AuditEvent.objects.get(object_type="tenancy.place")
    assert (event.action, event.purpose, event.object_id, event.detail) == (
        Action.UPDATE,
        Purpose.ADMIN,
        str(world.place.pk),
        {"change": "two_factor_required"},
    )
    html = client.get(SETTINGS).content.decode()
    assert "Two-factor sign-in is now required in this place" in html
    assert 'value="yes" checked' in html

    client.post(SETTINGS, {"required": "no"})
    world.place.refresh_from_db()
    assert world.place.require_two_factor is False
    changes = [e.detail["change"] for e in AuditEvent.objects.order_by("pk")]
    assert changes == ["two_factor_required", "two_factor_not_required"]


def test_saving_the_same_answer_writes_nothing(world):
    verified_client(world.manager_a).post(SETTINGS, {"required": "no"})
    assert not AuditEvent.objects.exists()


def test_nothing_chosen_is_a_400_with_the_message_next_to_the_field(world):
    response = client_for(world.manager_a).post(SETTINGS, {})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_required-error"' in html
    assert "Choose whether two-factor sign-in is required" in html
    assert "<title>Error:" in html


def test_a_made_up_answer_is_a_400(world):
    response = client_for(world.manager_a).post(SETTINGS, {"required": "maybe"})
    assert response.status_code == 400
    world.place.refresh_from_db()
    assert world.place.require_two_factor is False


def test_an_admin_without_an_authenticator_is_asked_to_set_one_up_first(world):
    client = client_for(world.manager_a)
    assert reverse("accounts:two_factor_setup") in client.get(SETTINGS).content.decode()
    response = client.post(SETTINGS, {"required": "yes"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_required-error"' in html
    assert "Turn on two-factor sign-in for your own account first" in html
    world.place.refresh_from_db()
    assert world.place.require_two_factor is False
    assert not AuditEvent.objects.exists()


def test_the_service_checks_the_role_itself(world):
    from django.core.exceptions import PermissionDenied, ValidationError

    with pytest.raises(PermissionDenied):
        place_two_factor_set(viewer=world.viewer(world.analyst), required=False)
    with pytest.raises(ValidationError) as refused:
        place_two_factor_set(viewer=world.viewer(world.manager_a), required=True)
    assert refused.value.messages == [str(OWN_TWO_FACTOR_FIRST)]
