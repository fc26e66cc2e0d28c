"""Invitations: a place admin invites by email; the link lets a new or existing person join.

Only a hash of the link's secret is stored. Unknown, expired, withdrawn and used links all
show the same page.
"""

import json
import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweave.accounts.models import User
from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.tenancy.enums import Role
from commonweave.tenancy.middleware import SESSION_KEY
from commonweave.tenancy.models import Invitation, Membership, hash_secret
from commonweave.tenancy.viewer import viewer_for_user
from tests.conftest import PASSWORD, assert_access, client_for

INVITE = reverse("tenancy:invite")
MEMBERS = reverse("tenancy:members")
NEW_EMAIL = "sam.new@example.org"
NEW_PASSWORD = "kettle on by the allotment gate"
LINK = re.compile(r"http://testserver(/place/invitations/([A-Za-z0-9_-]+)/)")


def invite(world, email=NEW_EMAIL, organisation=None, role=Role.CATALYST, as_user=None):
    client = client_for(as_user or world.manager_a)
    return client.post(
        INVITE,
        {"email": email, "organisation": (organisation or world.org_b).pk, "role": role},
    )


def sent_link():
    """The accept address from the last invitation email, and its raw secret."""
    path, token = LINK.search(mail.outbox[-1].body).groups()
    return path, token


def invalid(response):
    return response.status_code == 404 and "This invitation link cannot be used" in (
        response.content.decode()
    )


# --- sending -----------------------------------------------------------------------------


def test_only_place_admins_can_open_the_invite_page(world):
    assert_access(world, "get", INVITE, {"manager_a": 200, "outsider": 200})


def test_an_invitation_is_emailed_and_only_a_hash_of_its_secret_is_kept(world):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        response = invite(world, email="Sam.New@Example.org")
    assert (response.status_code, response["Location"]) == (302, MEMBERS)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [NEW_EMAIL]
    assert "Testford Council in the Testford partnership" in message.body
    assert "as connection catalyst" in message.body
    path, token = sent_link()
    invitation = Invitation.objects.get()
    assert invitation.token_hash == hash_secret(token) != token
    assert token not in json.dumps(list(Invitation.objects.values()), default=str)
    assert (invitation.email, invitation.role, invitation.organisation) == (
        NEW_EMAIL,
        Role.CATALYST,
        world.org_b,
    )
    assert invitation.expires_at == start + timedelta(days=7)
    assert invitation.invited_by == world.manager_a


def test_sending_an_invitation_is_audited_without_the_email_address(world):
    invite(world)
    event = AuditEvent.objects.get()
    invitation = Invitation.objects.get()
    assert (event.action, event.purpose, event.object_type, event.object_id) == (
        Action.CREATE,
        Purpose.ADMIN,
        "tenancy.invitation",
        str(invitation.pk),
    )
    assert event.detail == {"organisation": world.org_b.pk, "role": "catalyst"}
    assert "@" not in json.dumps(event.detail)


def test_the_open_invitation_is_listed_for_the_admin(world):
    invite(world)
    html = client_for(world.manager_a).get(MEMBERS).content.decode()
    assert NEW_EMAIL in html
    assert "Withdraw" in html


def test_a_bad_email_is_shown_next_to_the_field_and_what_was_typed_is_kept(world):
    response = invite(world, email="sam at example")
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_email">Enter an email address in the correct format' in html
    assert 'value="sam at example"' in html
    assert f'<option value="{world.org_b.pk}" selected>' in html
    assert not Invitation.objects.exists()
    assert mail.outbox == []


def test_inviting_someone_to_a_role_they_already_have_is_refused(world):
    response = invite(world, email="worker.b@example.org", role=Role.PARTNER_WORKER)
    assert "They are already partner worker at Testford Council" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_admin_cannot_invite_into_another_place(world):
    elsewhere = world.outsider.memberships.first().organisation
    response = invite(world, organisation=elsewhere)
    assert '<a href="#id_organisation">Choose an organisation</a>' in response.content.decode()
    assert not Invitation.objects.exists()


def test_a_new_invitation_to_the_same_person_replaces_the_old_link(world):
    invite(world)
    old_path, _ = sent_link()
    invite(world, role=Role.PARTNER_WORKER)
    new_path, _ = sent_link()
    assert invalid(Client().get(old_path))
    assert Client().get(new_path).status_code == 200


# --- withdrawing -------------------------------------------------------------------------


def test_a_withdrawn_invitation_link_stops_working(world):
    invite(world)
    path, _ = sent_link()
    invitation = Invitation.objects.get()
    revoke = reverse("tenancy:invitation_revoke", args=[invitation.pk])
    response = client_for(world.manager_a).post(revoke)
    assert response["Location"] == MEMBERS
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert invalid(Client().get(path))
    event = AuditEvent.objects.filter(object_type="tenancy.invitation").latest("pk")
    assert (event.action, event.detail) == (Action.UPDATE, {"change": "revoked"})


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "catalyst_b", "analyst", "outsider"])
def test_no_one_else_can_withdraw_an_invitation(world, persona):
    invite(world)
    invitation = Invitation.objects.get()
    revoke = reverse("tenancy:invitation_revoke", args=[invitation.pk])
    assert client_for(world.personas[persona]).post(revoke).status_code == 404
    invitation.refresh_from_db()
    assert invitation.revoked_at is None


# --- accepting as someone new ------------------------------------------------------------


def accept_as_new(client, path, **overrides):
    data = {"name": "Sam Newton", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    data.update(overrides)
    return client.post(path, data)


def test_a_new_person_sets_their_name_and_password_and_starts_work(world):
    invite(world)
    path, _ = sent_link()
    client = Client()
    page = client.get(path).content.decode()
    assert "Join Testford Council" in page
    assert NEW_EMAIL in page
    response = accept_as_new(client, path)
    assert (response.status_code, response["Location"]) == (302, reverse("web:home"))
    user = User.objects.get(email=NEW_EMAIL)
    assert user.name == "Sam Newton"
    assert user.check_password(NEW_PASSWORD)
    assert list(user.memberships.values_list("organisation", "role")) == [
        (world.org_b.pk, "catalyst")
    ]
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session[SESSION_KEY] == world.place.pk
    assert client.get(reverse("people:caseload")).status_code == 200
    invitation = Invitation.objects.get()
    assert invitation.accepted_at is not None
    event = AuditEvent.objects.filter(object_type="tenancy.membership").get()
    assert (event.action, event.purpose, event.actor_id) == (Action.CREATE, Purpose.ADMIN, user.pk)
    assert "@" not in json.dumps(event.detail)


def test_the_link_works_only_once(world):
    invite(world)
    path, _ = sent_link()
    accept_as_new(Client(), path)
    assert invalid(Client().get(path))
    assert invalid(accept_as_new(Client(), path, name="Someone Else"))
    assert User.objects.filter(email=NEW_EMAIL).count() == 1


@pytest.mark.parametrize(
    ("field", "overrides", "message"),
    [
        ("password1", {"password1": "short one", "password2": "short one"}, "too short"),
        ("password1", {"password1": "password1234", "password2": "password1234"}, "too common"),
        ("password1", {"password1": "sam newton 1", "password2": "sam newton 1"}, "too similar"),
        ("password2", {"password2": "not the same thing"}, "The passwords do not match"),
        ("name", {"name": "  "}, "Enter your full name"),
    ],
)
def test_bad_details_are_shown_next_to_the_field_and_nothing_is_created(
    world, field, overrides, message
):
    invite(world)
    path, _ = sent_link()
    response = accept_as_new(Client(), path, **overrides)
    html = response.content.decode()
    assert response.status_code == 400
    assert re.search(rf'<a href="#id_{field}">[^<]*{message}', html)
    if field != "name":
        assert 'value="Sam Newton"' in html
    assert NEW_PASSWORD not in html
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert Invitation.objects.get().accepted_at is None


def test_an_expired_link_cannot_be_used(world):
    invite(world)
    path, _ = sent_link()
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        assert invalid(Client().get(path))
        assert invalid(accept_as_new(Client(), path))
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_a_link_just_before_it_expires_still_works(world):
    invite(world)
    path, _ = sent_link()
    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        assert accept_as_new(Client(), path).status_code == 302


def test_unknown_expired_withdrawn_and_used_links_look_the_same(world):
    unknown = Client().get(reverse("tenancy:invitation", args=["x" * 43]))
    invite(world)
    path, _ = sent_link()
    accept_as_new(Client(), path)
    used = Client().get(path)

    def main(response):
        return re.search(r"<main.*</main>", response.content.decode(), re.S).group(0)

    assert unknown.status_code == used.status_code == 404
    assert main(unknown) == main(used)
    assert NEW_EMAIL not in used.content.decode()


# --- accepting with an existing account --------------------------------------------------


def test_a_signed_in_person_with_that_email_just_accepts(world):
    invite(world, email="catalyst.a@example.org", role=Role.ANALYST)
    path, _ = sent_link()
    client = client_for(world.catalyst_a)
    assert "Accept invitation" in client.get(path).content.decode()
    response = client.post(path)
    assert response["Location"] == reverse("web:home")
    assert Membership.objects.filter(
        user=world.catalyst_a, organisation=world.org_b, role=Role.ANALYST
    ).exists()
    assert User.objects.filter(email="catalyst.a@example.org").count() == 1


def test_an_existing_person_who_is_not_signed_in_is_asked_to_sign_in(world):
    invite(world, email="catalyst.a@example.org", role=Role.ANALYST)
    path, _ = sent_link()
    client = Client()
    html = client.get(path).content.decode()
    assert "Sign in to accept your invitation" in html
    assert f'href="{reverse("accounts:login")}?next={path}"' in html
    # Posting a new password cannot take over the existing account.
    accept_as_new(client, path)
    world.catalyst_a.refresh_from_db()
    assert world.catalyst_a.check_password(PASSWORD)
    assert Invitation.objects.get().accepted_at is None


def test_someone_signed_in_as_a_different_person_cannot_accept(world):
    invite(world)
    path, _ = sent_link()
    client = client_for(world.catalyst_a)
    assert "This invitation is for a different account" in client.get(path).content.decode()
    client.post(path)
    assert Invitation.objects.get().accepted_at is None
    assert not Membership.objects.filter(user=world.catalyst_a, organisation=world.org_b).exists()


def test_joining_a_second_place_keeps_the_first(world):
    invite(world, email=world.outsider.email, role=Role.ANALYST)
    path, _ = sent_link()
    client_for(world.outsider).post(path)
    assert world.outsider.memberships.count() == 3
    assert viewer_for_user(world.outsider, world.place).has_role(Role.ANALYST)
    assert viewer_for_user(world.outsider, world.other_place).is_place_admin


def test_the_accept_page_is_never_cached(world):
    invite(world)
    path, _ = sent_link()
    assert "no-store" in Client().get(path)["Cache-Control"]
