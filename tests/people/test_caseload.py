"""A catalyst's day on the caseload: the first contacts waiting (theirs and those no one has
taken in their organisation) with their clocks, overdue first, and "Assign to me"."""

from datetime import timedelta
from html import escape

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.people.enums import Urgency
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db

CASELOAD = reverse("people:caseload")


def waiting(world, *, organisation=None, assigned_to=None, hours_ago=0, urgency=Urgency.ROUTINE):
    received = timezone.now() - timedelta(hours=hours_ago)
    return ReferralFactory(
        resident__organisation=organisation or world.org_a,
        resident__catalyst=assigned_to,
        assigned_to=assigned_to,
        urgency=urgency,
        received_at=received,
    )


def take_url(referral):
    return reverse("people:triage_assign_to_me", kwargs={"public_id": referral.public_id})


def name_of(referral):
    return escape(referral.resident.display_name)


def test_the_caseload_shows_first_contacts_assigned_to_me_and_unassigned_ones_overdue_first(
    world,
):
    mine = waiting(world, assigned_to=world.catalyst_a, hours_ago=1)
    unassigned_overdue = waiting(world, hours_ago=30)
    urgent_unassigned = waiting(world, urgency=Urgency.URGENT, hours_ago=1)
    someone_elses = waiting(world, assigned_to=world.manager_a)
    other_org = waiting(world, organisation=world.org_b)

    page = client_for(world.catalyst_a).get(CASELOAD).content.decode()

    assert "No first contacts are waiting" not in page
    positions = [page.index(name_of(r)) for r in (unassigned_overdue, urgent_unassigned, mine)]
    assert positions == sorted(positions)  # overdue, then due in 2 hours, then in 23
    assert "Overdue by 6 hours" in page
    assert name_of(someone_elses) not in page
    assert name_of(other_org) not in page
    # Only the unassigned ones can be taken, each by a button of its own.
    assert page.count('name="next" value="caseload"') == 2
    assert take_url(unassigned_overdue) in page and take_url(urgent_unassigned) in page
    assert take_url(mine) not in page


def test_the_caseload_names_the_waiting_residents_in_its_audited_list(world):
    mine = waiting(world, assigned_to=world.catalyst_a)
    unassigned = waiting(world)
    client_for(world.catalyst_a).get(CASELOAD)
    event = AuditEvent.objects.get(action=Action.LIST)
    assert sorted(event.detail["residents"]) == sorted(
        [mine.resident.public_id, unassigned.resident.public_id]
    )


def test_an_empty_day_says_so(world):
    page = client_for(world.catalyst_a).get(CASELOAD).content.decode()
    assert "No first contacts are waiting for you or for anyone in your organisation." in page


def test_the_caseload_has_no_wide_table(world, resident_a):
    waiting(world)
    page = client_for(world.catalyst_a).get(CASELOAD).content.decode()
    assert "<table" not in page
    assert page.count('class="govuk-summary-card__title"') == 2


def test_assign_to_me_takes_the_referral_and_is_audited(world):
    referral = waiting(world, hours_ago=30)
    client = client_for(world.catalyst_a)
    response = client.post(take_url(referral), {"next": "caseload"})
    assert (response.status_code, response.url) == (302, CASELOAD)
    referral.refresh_from_db()
    referral.resident.refresh_from_db()
    assert (referral.assigned_to, referral.resident.catalyst) == (
        world.catalyst_a,
        world.catalyst_a,
    )
    event = AuditEvent.objects.get(action=Action.UPDATE, object_id=referral.public_id)
    assert (event.purpose, event.detail["assigned_to"]) == (Purpose.TRIAGE, world.catalyst_a.pk)
    page = client.get(CASELOAD).content.decode()
    assert "Assigned to you." in page
    assert take_url(referral) not in page  # now theirs: nothing left to take


def test_assign_to_me_can_return_to_the_queue(world):
    referral = waiting(world)
    response = client_for(world.catalyst_a).post(take_url(referral), {"next": "triage"})
    assert response.url == reverse("people:triage")
    # Anything else goes back to the caseload: never an address from the form.
    other = waiting(world)
    response = client_for(world.catalyst_a).post(take_url(other), {"next": "https://evil"})
    assert response.url == CASELOAD


def test_assign_to_me_is_a_404_for_another_organisations_referral(world):
    theirs = waiting(world, organisation=world.org_b)
    response = client_for(world.catalyst_a).post(take_url(theirs))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.assigned_to is None
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_assign_to_me_permission_matrix(world):
    referral = waiting(world)
    # The holding organisation's caseworkers may take it; every other persona finds nothing.
    assert_access(world, "post", take_url(referral), {"catalyst_a": 302, "manager_a": 302})


def test_assign_to_me_is_a_post_only(world):
    referral = waiting(world)
    assert client_for(world.catalyst_a).get(take_url(referral)).status_code == 405


def test_assign_to_me_leaves_a_referral_someone_else_took_with_them(world):
    referral = waiting(world, assigned_to=world.manager_a)
    client = client_for(world.catalyst_a)
    response = client.post(take_url(referral), follow=True)
    referral.refresh_from_db()
    assert referral.assigned_to == world.manager_a
    assert "Someone else took this referral first" in response.content.decode()
    assert not AuditEvent.objects.filter(action=Action.UPDATE).exists()


def test_a_coordinator_sees_a_catalysts_day_without_taking_for_them(world):
    theirs = waiting(world, assigned_to=world.catalyst_a)
    unassigned = waiting(world)
    page = (
        client_for(world.manager_a)
        .get(CASELOAD, {"catalyst": world.catalyst_a.pk})
        .content.decode()
    )
    assert name_of(theirs) in page and name_of(unassigned) in page
    assert take_url(unassigned) not in page  # "Assign to me" is for one's own day


def test_the_caseload_reads_in_the_same_queries_at_two_sizes(world):
    def make(count):
        for index in range(count):
            waiting(world, assigned_to=world.catalyst_a if index % 2 else None)
            ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)

    client = client_for(world.catalyst_a)

    def fetch():
        assert client.get(CASELOAD).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=2, large=6)
