"""Deactivating a member's account (or, for someone who also works in another place,
removing them from this place): sessions end, tokens they issued stop, all audited."""

import json

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory, UserFactory
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import ApiToken, Invitation, Membership
from commonweave.tenancy.services import NOT_YOURSELF, member_deactivate
from commonweave.tenancy.tokens import authenticate_api_token, issue_api_token
from tests.conftest import PASSWORD, assert_access, client_for

CASELOAD = reverse("people:caseload")
MEMBERS = reverse("tenancy:members")
YES = {"confirm": "yes"}


def deactivate_url(user):
    return reverse("tenancy:member_deactivate", args=[user.pk])


def member_url(user):
    return reverse("tenancy:member", args=[user.pk])


def sessions_of(user):
    return [s for s in Session.objects.all() if s.get_decoded().get(SESSION_KEY) == str(user.pk)]


@pytest.fixture
def second_admin(world):
    """A place admin at organisation B who works only in Testford and issued a token."""
    user = MembershipFactory(
        organisation=world.org_b, role=Role.PLACE_ADMIN, user__email="admin.b@example.org"
    ).user
    MembershipFactory(organisation=world.org_b, role=Role.CATALYST, user=user)
    return user


# --- who can --------------------------------------------------------------------------------


def test_only_the_places_admins_reach_the_deactivate_page(world):
    assert_access(world, "get", deactivate_url(world.catalyst_b), {"manager_a": 200})
    for persona in ("catalyst_a", "worker_b", "catalyst_b", "analyst", "outsider"):
        user = getattr(world, persona)
        response = client_for(user).post(deactivate_url(world.catalyst_b), YES)
        assert response.status_code == 404, persona
    world.catalyst_b.refresh_from_db()
    assert world.catalyst_b.is_active


def test_someone_from_another_place_has_no_deactivate_page(world):
    assert client_for(world.manager_a).get(deactivate_url(world.outsider)).status_code == 404


def test_the_member_page_offers_it_but_not_for_yourself(world):
    client = client_for(world.manager_a)
    assert (
        deactivate_url(world.catalyst_b)
        in client.get(member_url(world.catalyst_b)).content.decode()
    )
    assert (
        deactivate_url(world.manager_a)
        not in client.get(member_url(world.manager_a)).content.decode()
    )


def test_you_cannot_deactivate_yourself(world):
    client = client_for(world.manager_a)
    page = client.get(deactivate_url(world.manager_a)).content.decode()
    assert "You cannot deactivate your own account" in page
    assert '<form method="post" novalidate>' not in page
    response = client.post(deactivate_url(world.manager_a), YES)
    assert response.status_code == 400
    assert 'id="id_confirm-error"' in response.content.decode()
    assert str(NOT_YOURSELF) in response.content.decode()
    world.manager_a.refresh_from_db()
    assert world.manager_a.is_active
    with pytest.raises(Exception, match="your own account"):
        member_deactivate(viewer=world.viewer(world.manager_a), user=world.manager_a)


# --- the question -------------------------------------------------------------------------


def test_pressing_continue_with_nothing_chosen_changes_nothing(world):
    response = client_for(world.manager_a).post(deactivate_url(world.catalyst_b), {})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_confirm-error"' in html and "Choose yes or no" in html
    world.catalyst_b.refresh_from_db()
    assert world.catalyst_b.is_active
    assert not AuditEvent.objects.exists()


def test_no_goes_back_to_the_member(world):
    response = client_for(world.manager_a).post(deactivate_url(world.catalyst_b), {"confirm": "no"})
    assert response["Location"] == member_url(world.catalyst_b)
    world.catalyst_b.refresh_from_db()
    assert world.catalyst_b.is_active


# --- deactivating ---------------------------------------------------------------------------


def test_deactivating_signs_them_out_and_stops_their_tokens_at_once(world, second_admin):
    theirs = client_for(second_admin)
    issued = theirs.post(
        reverse("tenancy:tokens"),
        {"organisation": world.org_b.pk, "name": "Council system", "role": Role.PARTNER_WORKER},
    )
    raw = issued.context["issued"]["raw"]
    api = Client(headers={"Authorization": f"Bearer {raw}"})
    assert api.get("/api/triage").status_code != 401
    assert theirs.get(reverse("people:triage")).status_code == 200
    other_session = client_for(second_admin)  # signed in on another device too
    assert len(sessions_of(second_admin)) == 2
    # someone else's token stays live
    others_token, others_raw = issue_api_token(
        organisation=world.org_b, name="Other", role=Role.PARTNER_WORKER, created_by=world.manager_a
    )

    client = client_for(world.manager_a)
    page = client.get(deactivate_url(second_admin)).content.decode()
    assert "Council system" in page  # the admin is told which tokens will stop
    response = client.post(deactivate_url(second_admin), YES)
    assert (response.status_code, response["Location"]) == (302, member_url(second_admin))

    second_admin.refresh_from_db()
    assert second_admin.is_active is False
    assert sessions_of(second_admin) == []
    for session in (theirs, other_session):
        signed_out = session.get(reverse("people:triage"))
        assert signed_out.status_code == 302
        assert signed_out["Location"].startswith(reverse("accounts:login"))
    assert api.get("/api/triage").status_code == 401
    assert authenticate_api_token(others_raw) == others_token
    # and they cannot sign in again
    login = Client().post(
        reverse("accounts:login"), {"username": second_admin.email, "password": PASSWORD}
    )
    assert login.status_code == 400

    event = AuditEvent.objects.get(object_type="accounts.user")
    token = ApiToken.objects.get(created_by=second_admin)
    assert (event.action, event.purpose, event.object_id, event.detail) == (
        Action.UPDATE,
        Purpose.ADMIN,
        str(second_admin.pk),
        {"change": "deactivated", "sessions_ended": 2, "tokens_revoked": [token.prefix]},
    )
    revoked = AuditEvent.objects.get(object_type="tenancy.apitoken", detail__change="revoked")
    assert revoked.detail == {
        "change": "revoked",
        "prefix": token.prefix,
        "reason": "issuer_deactivated",
    }
    assert "@" not in json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_a_deactivated_account_is_marked_and_keeps_its_roles_listed(world):
    client = client_for(world.manager_a)
    client.post(deactivate_url(world.catalyst_b), YES)
    assert Membership.objects.filter(user=world.catalyst_b).exists()
    assert "Deactivated" in client.get(MEMBERS).content.decode()
    page = client.get(member_url(world.catalyst_b)).content.decode()
    assert "This account is deactivated" in page
    assert deactivate_url(world.catalyst_b) not in page
    # the question is not asked twice
    assert client.get(deactivate_url(world.catalyst_b))["Location"] == member_url(world.catalyst_b)


def test_deactivating_withdraws_their_open_invitations_here(world):
    client_for(world.manager_a).post(
        reverse("tenancy:invite"),
        {"email": world.catalyst_b.email, "organisation": world.org_a.pk, "role": Role.ANALYST},
    )
    client_for(world.manager_a).post(deactivate_url(world.catalyst_b), YES)
    assert Invitation.objects.get(email=world.catalyst_b.email).revoked_at is not None


def test_a_deactivated_admin_no_longer_counts_as_a_place_admin(world, second_admin):
    client = client_for(world.manager_a)
    client.post(deactivate_url(second_admin), YES)
    own_admin_role = Membership.objects.get(user=world.manager_a, role=Role.PLACE_ADMIN)
    response = client.post(reverse("tenancy:membership_remove", args=[own_admin_role.pk]))
    assert response.status_code == 400  # the deactivated one cannot sign in to manage it


# --- someone who also works in another place --------------------------------------------------


def test_someone_who_also_works_elsewhere_is_removed_from_this_place_only(world):
    MembershipFactory(organisation=world.other_place.organisations.get(), user=world.catalyst_b)
    token, raw = issue_api_token(
        organisation=world.org_b,
        name="Theirs",
        role=Role.PARTNER_WORKER,
        created_by=world.catalyst_b,
    )
    theirs = client_for(world.catalyst_b)
    assert theirs.get(CASELOAD).status_code == 200

    client = client_for(world.manager_a)
    page = client.get(member_url(world.catalyst_b)).content.decode()
    assert "Remove from this place" in page
    question = client.get(deactivate_url(world.catalyst_b)).content.decode()
    assert "They also work in another place" in question
    response = client.post(deactivate_url(world.catalyst_b), YES)
    assert (response.status_code, response["Location"]) == (302, MEMBERS)

    world.catalyst_b.refresh_from_db()
    assert world.catalyst_b.is_active  # their account stays for their other place
    assert not Membership.objects.filter(user=world.catalyst_b, organisation__place=world.place)
    assert Membership.objects.filter(user=world.catalyst_b).exists()
    assert world.viewer(world.catalyst_b) is None
    assert authenticate_api_token(raw) is None
    # still signed in, now working in their other place only
    assert theirs.get(CASELOAD).status_code == 200
    assert client.get(member_url(world.catalyst_b)).status_code == 404
    events = AuditEvent.objects.filter(object_type="tenancy.membership")
    assert [e.detail["change"] for e in events] == ["role_removed"]
    assert not AuditEvent.objects.filter(object_type="accounts.user").exists()


def test_an_operator_of_the_whole_instance_is_only_removed_from_the_place(world):
    operator = UserFactory(is_superuser=True, is_staff=True)
    MembershipFactory(organisation=world.org_b, role=Role.ANALYST, user=operator)
    response = client_for(world.manager_a).post(deactivate_url(operator), YES)
    assert response["Location"] == MEMBERS
    operator.refresh_from_db()
    assert operator.is_active
    assert not Membership.objects.filter(user=operator).exists()
