"""People and roles: a place admin sees every organisation's members and changes roles."""

import json

import pytest
from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory, OrganisationFactory
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Membership
from commonweave.tenancy.services import LAST_ADMIN_ERROR
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

MEMBERS = reverse("tenancy:members")


def member_url(user):
    return reverse("tenancy:member", args=[user.pk])


def remove_url(membership):
    return reverse("tenancy:membership_remove", args=[membership.pk])


def no_email_in_audit():
    details = json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))
    return "@" not in details


# --- who can see ------------------------------------------------------------------------


def test_only_place_admins_see_people_and_roles(world):
    # The outsider is a place admin too, of their own place: they see that one.
    assert_access(world, "get", MEMBERS, {"manager_a": 200, "outsider": 200})


def test_a_member_page_is_only_for_admins_of_that_members_place(world):
    assert_access(world, "get", member_url(world.catalyst_b), {"manager_a": 200})


def test_someone_with_no_role_in_the_place_has_no_member_page(world):
    # The outsider exists, but not in Testford: the admin finds nothing there.
    response = client_for(world.manager_a).get(member_url(world.outsider))
    assert response.status_code == 404


def test_the_list_shows_every_organisation_with_members_and_roles(world):
    html = client_for(world.manager_a).get(MEMBERS).content.decode()
    assert "Testford Connect" in html and "Testford Council" in html
    for user in (world.catalyst_a, world.manager_a, world.worker_b, world.catalyst_b):
        assert user.email in html
    assert "Community coordinator, Place admin" in html
    assert "Elsewhere Connect" not in html
    assert world.outsider.email not in html


def test_the_list_makes_the_same_number_of_queries_however_many_members(world):
    client = client_for(world.manager_a)

    def make(count):
        for _ in range(count):
            organisation = OrganisationFactory(place=world.place)
            MembershipFactory(organisation=organisation, role=Role.CATALYST)
            MembershipFactory(organisation=world.org_b, role=Role.PARTNER_WORKER)

    def fetch():
        assert client.get(MEMBERS).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=0, large=10)


# --- adding a role -----------------------------------------------------------------------


def test_an_admin_gives_a_member_another_role(world):
    overview = reverse("insights:overview")
    partner = client_for(world.worker_b)
    assert partner.get(overview).status_code == 404
    client = client_for(world.manager_a)
    response = client.post(
        member_url(world.worker_b), {"organisation": world.org_b.pk, "role": Role.ANALYST}
    )
    assert (response.status_code, response["Location"]) == (302, member_url(world.worker_b))
    membership = Membership.objects.get(user=world.worker_b, role=Role.ANALYST)
    assert membership.organisation == world.org_b
    event = AuditEvent.objects.get(object_type="tenancy.membership")
    assert (event.action, event.purpose, event.object_id, event.actor_id) == (
        Action.CREATE,
        Purpose.ADMIN,
        str(membership.pk),
        world.manager_a.pk,
    )
    assert event.detail == {
        "user": world.worker_b.pk,
        "organisation": world.org_b.pk,
        "role": "analyst",
    }
    assert no_email_in_audit()
    # The new role works on their very next request.
    assert partner.get(overview).status_code == 200


def test_a_role_they_already_hold_is_refused_next_to_the_field(world):
    response = client_for(world.manager_a).post(
        member_url(world.catalyst_b), {"organisation": world.org_b.pk, "role": Role.CATALYST}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert '<a href="#id_role">They are already connection catalyst at Testford Council</a>' in html
    assert Membership.objects.filter(user=world.catalyst_b).count() == 1
    assert not AuditEvent.objects.exists()


def test_an_organisation_from_another_place_cannot_be_chosen(world):
    elsewhere = world.outsider.memberships.first().organisation
    response = client_for(world.manager_a).post(
        member_url(world.catalyst_b), {"organisation": elsewhere.pk, "role": Role.CATALYST}
    )
    assert '<a href="#id_organisation">Choose an organisation</a>' in response.content.decode()
    assert not Membership.objects.filter(user=world.catalyst_b, organisation=elsewhere).exists()


def test_adding_a_role_with_nothing_chosen_says_what_is_missing(world):
    html = client_for(world.manager_a).post(member_url(world.catalyst_b), {}).content.decode()
    assert '<a href="#id_organisation">Choose an organisation</a>' in html
    assert '<a href="#id_role">Choose a role</a>' in html


# --- removing a role ---------------------------------------------------------------------


def test_an_admin_removes_a_role_and_access_ends_at_once(world):
    catalyst = client_for(world.catalyst_a)
    assert catalyst.get(reverse("people:caseload")).status_code == 200
    membership = Membership.objects.get(user=world.catalyst_a)
    response = client_for(world.manager_a).post(remove_url(membership))
    assert (response.status_code, response["Location"]) == (302, MEMBERS)
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert catalyst.get(reverse("people:caseload")).status_code == 404
    event = AuditEvent.objects.get(object_type="tenancy.membership")
    assert (event.action, event.purpose, event.object_id) == (
        Action.UPDATE,
        Purpose.ADMIN,
        str(membership.pk),
    )
    assert event.detail == {
        "change": "role_removed",
        "user": world.catalyst_a.pk,
        "organisation": world.org_a.pk,
        "role": "catalyst",
    }
    assert no_email_in_audit()


def test_removing_one_of_several_roles_returns_to_the_member(world):
    membership = Membership.objects.get(user=world.manager_a, role=Role.COORDINATOR)
    response = client_for(world.manager_a).post(remove_url(membership))
    assert response["Location"] == member_url(world.manager_a)


def test_the_last_place_admin_cannot_be_removed(world):
    admin_role = Membership.objects.get(user=world.manager_a, role=Role.PLACE_ADMIN)
    response = client_for(world.manager_a).post(remove_url(admin_role))
    html = response.content.decode()
    assert response.status_code == 400
    assert f'<a href="#roles">{LAST_ADMIN_ERROR}</a>' in html
    assert Membership.objects.filter(pk=admin_role.pk).exists()
    assert not AuditEvent.objects.exists()


def test_with_a_second_admin_the_first_can_step_down(world):
    MembershipFactory(user=world.catalyst_b, organisation=world.org_b, role=Role.PLACE_ADMIN)
    admin_role = Membership.objects.get(user=world.manager_a, role=Role.PLACE_ADMIN)
    client = client_for(world.manager_a)
    response = client.post(remove_url(admin_role))
    # No longer an admin: back to their own work, and the admin pages are gone.
    assert response["Location"] == reverse("web:home")
    assert client.get(MEMBERS).status_code == 404


def test_an_admin_in_another_organisation_of_the_same_person_does_not_count_twice(world):
    second = MembershipFactory(user=world.manager_a, organisation=world.org_b, role="place_admin")
    first = Membership.objects.get(
        user=world.manager_a, organisation=world.org_a, role="place_admin"
    )
    client = client_for(world.manager_a)
    assert client.post(remove_url(first)).status_code == 302
    assert LAST_ADMIN_ERROR in client.post(remove_url(second)).content.decode()


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "catalyst_b", "analyst", "outsider"])
def test_no_one_else_can_remove_a_role(world, persona):
    membership = Membership.objects.get(user=world.worker_b)
    response = client_for(world.personas[persona]).post(remove_url(membership))
    assert response.status_code == 404
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_removing_a_role_needs_a_post(world):
    membership = Membership.objects.get(user=world.worker_b)
    assert client_for(world.manager_a).get(remove_url(membership)).status_code == 405


def test_anonymous_cannot_remove_a_role(world):
    membership = Membership.objects.get(user=world.worker_b)
    response = client_for(None).post(remove_url(membership))
    assert response.status_code == 302
    assert Membership.objects.filter(pk=membership.pk).exists()
