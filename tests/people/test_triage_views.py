"""Triage: the queue with its clocks, one referral, assigning, first contact, and
comparing and merging possible duplicates."""

import re
from datetime import timedelta
from html import escape

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.people import services
from commonweave.people.enums import (
    ContactOutcome,
    FrontDoor,
    ReferralConsent,
    ReferralStatus,
    ReferrerKind,
    Stage,
    Urgency,
)
from commonweave.people.models import Referral, Resident
from commonweave.tenancy.viewer import public_viewer
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

TRIAGE = reverse("people:triage")
HOLDERS = {"catalyst_a": 200, "manager_a": 200}


def public_referral(world, *, urgency=Urgency.ROUTINE, received_at=None, **person):
    person.setdefault("full_name", "Mary Jones")
    return services.referral_create(
        viewer=public_viewer(world.place),
        front_door=FrontDoor.PUBLIC_WEB,
        person=services.PersonDetails(**person),
        referrer_kind=ReferrerKind.NEIGHBOUR,
        reason="She seems lonely since her husband died.",
        urgency=urgency,
        consent=ReferralConsent.AGREED,
        received_at=received_at,
    )


def url(name, referral, other=None):
    kwargs = {"public_id": referral.public_id}
    if other is not None:
        kwargs["other_id"] = other.public_id
    return reverse(f"people:{name}", kwargs=kwargs)


@pytest.fixture
def duplicate_pair(world):
    """An existing record at A and a new public referral with the same phone number."""
    existing = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Margaret Oduya",
        phone="07700 900461",
        postcode="TF1 2AB",
    )
    referral = public_referral(world, full_name="Peggy Oduya", phone="07700900461")
    return referral, existing


# --- who may see what ----------------------------------------------------------------------


def test_triage_queue_is_for_casework_roles_in_their_own_place(world):
    referral = public_referral(world, full_name="Winifred Pargeter", phone="07700 900001")
    results = assert_access(
        world,
        "get",
        TRIAGE,
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "outsider": 200},
    )
    assert results["worker_b"] == 404 and results["analyst"] == 404
    assert (
        escape(referral.resident.full_name)
        in client_for(world.catalyst_a).get(TRIAGE).content.decode()
    )
    for other in (world.catalyst_b, world.outsider):
        assert "Winifred Pargeter" not in client_for(other).get(TRIAGE).content.decode()


def test_triage_referral_is_for_the_holding_organisation_only(world):
    referral = public_referral(world, phone="07700 900002")
    assert_access(world, "get", url("triage_referral", referral), HOLDERS)


def test_compare_needs_full_access_to_both_records(world, duplicate_pair):
    referral, existing = duplicate_pair
    assert_access(world, "get", url("triage_compare", referral, existing), HOLDERS)


def test_compare_with_another_organisations_record_is_a_404(world):
    referral = public_referral(world, phone="07700 900003")
    elsewhere = ResidentFactory(organisation=world.org_b, phone="07700 900003")
    client = client_for(world.catalyst_a)
    assert client.get(url("triage_compare", referral, elsewhere)).status_code == 404
    assert client.post(url("triage_merge", referral, elsewhere)).status_code == 404
    assert client.get(url("triage_compare", referral, referral.resident)).status_code == 404
    assert Resident.objects.filter(merged_into__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("catalyst_a", 302),
        ("manager_a", 302),
        ("worker_b", 404),
        ("catalyst_b", 404),
        ("analyst", 404),
        ("outsider", 404),
        ("anonymous", 302),
    ],
)
def test_who_may_merge(world, duplicate_pair, persona, status):
    referral, existing = duplicate_pair
    response = client_for(world.personas[persona]).post(url("triage_merge", referral, existing))
    assert response.status_code == status
    merged = Resident.objects.filter(merged_into=existing).exists()
    assert merged is (persona in HOLDERS)
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", ["triage_assign", "triage_contact"])
def test_who_may_assign_and_record_contact(world, name):
    referral = public_referral(world, phone="07700 900004")
    data = {"catalyst": world.catalyst_a.pk, "outcome": ContactOutcome.NO_ANSWER}
    assert_access(
        world, "post", url(name, referral), {"catalyst_a": 302, "manager_a": 302}, data=data
    )


def test_a_viewer_with_no_role_anywhere_finds_no_triage(world, duplicate_pair):
    from commonweave.demo.factories import UserFactory

    referral, existing = duplicate_pair
    client = client_for(UserFactory(email="nobody@example.org"))
    targets = (TRIAGE, url("triage_referral", referral), url("triage_compare", referral, existing))
    for target in targets:
        assert client.get(target).status_code == 404


# --- the queue and its clocks ----------------------------------------------------------------


def test_urgent_referral_is_due_in_three_hours_in_the_queue(world):
    start = timezone.now().replace(microsecond=0)
    with time_machine.travel(start, tick=False):
        public_referral(world, urgency=Urgency.URGENT, phone="07700 900005")
        html = client_for(world.catalyst_a).get(TRIAGE).content.decode()
    assert "Due in 3 hours" in html
    assert '<strong class="govuk-tag govuk-tag--orange">Urgent</strong>' in html
    assert "cw-row--overdue" not in html
    with time_machine.travel(start + timedelta(hours=3, minutes=1), tick=False):
        later = client_for(world.catalyst_a).get(TRIAGE).content.decode()
    assert "Overdue by 1 minute" in later


def test_overdue_referral_stands_out_in_words_and_comes_first(world):
    now = timezone.now()
    public_referral(world, full_name="Fresh Urgent", urgency=Urgency.URGENT, phone="07700 900006")
    public_referral(
        world, full_name="Long Waiting", received_at=now - timedelta(hours=26), phone="07700 900007"
    )
    html = client_for(world.catalyst_a).get(TRIAGE).content.decode()
    assert html.index("Long Waiting") < html.index("Fresh Urgent")
    assert '<tr class="govuk-table__row cw-row--overdue">' in html
    assert '<strong class="govuk-tag govuk-tag--red">Overdue</strong>' in html
    assert "Overdue by 2 hours" in html
    assert html.count("cw-row--overdue") == 1


def test_queue_shows_front_door_assignment_and_possible_duplicates(world, duplicate_pair):
    referral, _ = duplicate_pair
    html = client_for(world.catalyst_a).get(TRIAGE).content.decode()
    assert "Public web form" in html
    assert "Not assigned" in html
    assert "Possible duplicate" in html


def test_queue_filters_assigned_to_me_and_not_assigned(world):
    mine = public_referral(world, full_name="Assigned Mine", phone="07700 900008")
    public_referral(world, full_name="Nobody Yet", phone="07700 900009")
    services.referral_assign(
        viewer=world.viewer(world.manager_a), referral=mine, catalyst=world.catalyst_a
    )
    client = client_for(world.catalyst_a)
    only_mine = client.get(TRIAGE + "?show=mine").content.decode()
    unassigned = client.get(TRIAGE + "?show=unassigned").content.decode()
    assert "Assigned Mine" in only_mine and "Nobody Yet" not in only_mine
    assert "Nobody Yet" in unassigned and "Assigned Mine" not in unassigned
    assert escape(world.catalyst_a.name) in client.get(TRIAGE).content.decode()


def test_htmx_refresh_renders_only_the_queue(world):
    public_referral(world, full_name="Refresh Me", phone="07700 900010")
    response = client_for(world.catalyst_a).get(TRIAGE, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="triage-queue"')
    assert 'hx-trigger="every 60s"' in html and "Refresh Me" in html
    assert "<html" not in html


def test_full_page_polls_the_queue_every_minute(world):
    html = client_for(world.catalyst_a).get(TRIAGE + "?show=mine").content.decode()
    assert 'hx-get="/triage/?show=mine" hx-trigger="every 60s"' in html


def test_triage_page_view_writes_exactly_one_audit_event(world):
    referrals = [public_referral(world, phone=f"07700 90010{i}") for i in range(3)]
    before = AuditEvent.objects.count()
    client_for(world.catalyst_a).get(TRIAGE)
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose) for e in events] == [(Action.LIST, Purpose.TRIAGE)]
    assert sorted(events[0].detail["residents"]) == sorted(r.resident.public_id for r in referrals)


def test_queue_is_paginated_fifty_to_a_page(world):
    for index in range(51):
        ReferralFactory(resident__organisation=world.org_a, resident__phone=f"0770091{index:04d}")
    client = client_for(world.catalyst_a)
    referral_link = re.compile(r'href="/triage/[^/"]+/"')
    first = client.get(TRIAGE).content.decode()
    assert len(referral_link.findall(first)) == 50
    assert 'href="?page=2"' in first
    second = client.get(TRIAGE + "?show=all&page=2").content.decode()
    assert len(referral_link.findall(second)) == 1


@pytest.mark.parametrize("sizes", [(3, 30)])
def test_triage_query_count_does_not_grow_with_the_queue(world, sizes):
    client = client_for(world.catalyst_a)

    def fetch():
        assert client.get(TRIAGE).status_code == 200

    def add(count):
        for _ in range(count):
            # Every other referral is assigned and has a duplicate: rows with all joins.
            referral = ReferralFactory(
                resident__organisation=world.org_a, referring_organisation=world.org_b
            )
            if Referral.objects.count() % 2:
                referral.assigned_to = world.catalyst_a
                referral.save(update_fields=["assigned_to"])
                ResidentFactory(organisation=world.org_a, phone=referral.resident.phone)

    small, large = sizes
    assert_same_queries_at_two_sizes(add, fetch, small=small, large=large)


# --- one referral: reading, assigning, first contact -----------------------------------------


def test_triage_referral_shows_their_words_and_details_and_audits_one_view(world):
    referral = public_referral(
        world,
        full_name="Harold Finch",
        phone="07700 900011",
        contact_when="After 10am",
        address="4 Mill Lane\nTestford",
    )
    before = AuditEvent.objects.count()
    html = client_for(world.catalyst_a).get(url("triage_referral", referral)).content.decode()
    assert "She seems lonely since her husband died." in html
    assert "After 10am" in html and "07700 900011" in html and "4 Mill Lane" in html
    assert "Due in 23 hours" in html or "Due in 24 hours" in html
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose, e.resident_id) for e in events] == [
        (Action.VIEW, Purpose.TRIAGE, referral.resident.public_id)
    ]


def test_assigning_a_catalyst_redirects_with_a_message(world):
    referral = public_referral(world, phone="07700 900012")
    client = client_for(world.manager_a)
    page = client.get(url("triage_referral", referral)).content.decode()
    assert f'<option value="{world.catalyst_a.pk}">' in page
    assert f'<option value="{world.catalyst_b.pk}">' not in page  # B's people can't take it
    response = client.post(
        url("triage_assign", referral), {"catalyst": world.catalyst_a.pk}, follow=True
    )
    assert response.redirect_chain == [(url("triage_referral", referral), 302)]
    assert f"Assigned to {escape(world.catalyst_a.name)}." in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to == world.catalyst_a
    assert referral.resident.catalyst == world.catalyst_a


def test_assigning_someone_from_another_organisation_is_refused(world):
    referral = public_referral(world, phone="07700 900013")
    response = client_for(world.manager_a).post(
        url("triage_assign", referral), {"catalyst": world.catalyst_b.pk}
    )
    assert response.status_code == 400
    assert 'id="id_catalyst-error"' in response.content.decode()
    referral.refresh_from_db()
    assert referral.assigned_to is None


def test_recording_first_contact_stops_the_clock(world):
    referral = public_referral(world, phone="07700 900014")
    response = client_for(world.catalyst_a).post(
        url("triage_contact", referral),
        {"outcome": ContactOutcome.SPOKE, "note": "Would like the lunch club"},
        follow=True,
    )
    assert "First contact recorded. The clock has stopped." in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.resident.stage) == (
        ReferralStatus.CONTACTED,
        Stage.CONTACTED,
    )
    assert "Mary Jones" not in client_for(world.catalyst_a).get(TRIAGE).content.decode()


def test_an_unanswered_call_keeps_the_clock_running(world):
    referral = public_referral(world, phone="07700 900015")
    response = client_for(world.catalyst_a).post(
        url("triage_contact", referral), {"outcome": ContactOutcome.NO_ANSWER}, follow=True
    )
    assert "Attempt recorded. The clock is still running." in response.content.decode()
    referral.refresh_from_db()
    assert (referral.status, referral.first_contact_at) == (ReferralStatus.NEW, None)


def test_contact_without_an_outcome_shows_the_error_and_changes_nothing(world):
    referral = public_referral(world, phone="07700 900016")
    response = client_for(world.catalyst_a).post(url("triage_contact", referral), {"note": "Tried"})
    html = response.content.decode()
    assert 'id="id_outcome-error"' in html and "Tried</textarea>" in html
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.NEW
    assert referral.resident.conversations.count() == 0


def test_posting_forms_only_accepts_post(world):
    referral = public_referral(world, phone="07700 900017")
    client = client_for(world.catalyst_a)
    assert client.get(url("triage_assign", referral)).status_code == 405
    assert client.get(url("triage_contact", referral)).status_code == 405


# --- duplicates: compare and merge -------------------------------------------------------------


def test_triage_referral_lists_possible_duplicates_with_a_compare_link(world, duplicate_pair):
    referral, existing = duplicate_pair
    html = client_for(world.catalyst_a).get(url("triage_referral", referral)).content.decode()
    assert "Possible duplicates" in html
    assert f'href="{url("triage_compare", referral, existing)}"' in html


def test_compare_marks_differences_in_words_and_never_merges_on_get(world, duplicate_pair):
    referral, existing = duplicate_pair
    client = client_for(world.catalyst_a)
    before = AuditEvent.objects.count()
    html = client.get(url("triage_compare", referral, existing)).content.decode()
    assert "Margaret Oduya" in html and "Peggy Oduya" in html
    assert html.count(">Different</strong>") >= 2  # name, stage, postcode, ...
    rows = html.split('<th scope="row" class="govuk-table__header">')[1:]
    phone_row = next(row for row in rows if row.startswith("Phone"))
    assert "Different" not in phone_row  # the same number, written differently
    assert "Merge into the existing record" in html
    assert "They are different people" in html
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert {(e.action, e.resident_id) for e in events} == {
        (Action.VIEW, referral.resident.public_id),
        (Action.VIEW, existing.public_id),
    }
    assert client.get(url("triage_merge", referral, existing)).status_code == 405
    assert Resident.objects.filter(merged_into__isnull=False).count() == 0


def test_merge_by_post_moves_the_referral_and_the_duplicate_leaves_the_queue(world, duplicate_pair):
    referral, existing = duplicate_pair
    duplicate = referral.resident
    client = client_for(world.catalyst_a)
    queue = client.get(TRIAGE).content.decode()
    assert "Peggy Oduya" in queue and "Possible duplicate" in queue
    response = client.post(url("triage_merge", referral, existing), follow=True)
    assert response.redirect_chain == [(url("triage_referral", referral), 302)]
    assert "Merged into the existing record." in response.content.decode()
    duplicate.refresh_from_db()
    referral.refresh_from_db()
    assert (duplicate.merged_into, referral.resident) == (existing, existing)
    queue = client.get(TRIAGE).content.decode()
    assert "Peggy Oduya" not in queue and "Possible duplicate" not in queue
    assert "Margaret Oduya" in queue  # the referral still waits, now on the existing record
    # The tombstone cannot be compared or merged again.
    assert client.get(url("triage_compare", referral, duplicate)).status_code == 404
