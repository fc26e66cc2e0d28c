"""The API front door (POST /api/referrals), following referrals, and triage."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from commonweave.audit.enums import Action
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ReferralFactory, ResidentFactory
from commonweave.people.enums import FrontDoor, ReferralStatus, Stage, Urgency
from commonweave.people.models import ConsentEvent, Conversation, Referral, Resident
from commonweave.tenancy.enums import Role
from tests.api.conftest import session_client
from tests.queries import assert_same_queries_at_two_sizes

NOT_FOUND = {"detail": "Not found"}


def referral_body(**changes):
    body = {
        "full_name": "Mary Jones",
        "date_of_birth": "1948-03-27",
        "phone": "07700 900123",
        "contact_method": "phone",
        "contact_when": "Mornings",
        "referrer_kind": "gp",
        "reason": "Since her husband died she has not been out much.",
        "urgency": "routine",
        "consent": "agreed",
        "referrer_name": "Dr Patel",
        "referrer_contact": "surgery@example.org",
    }
    body.update(changes)
    return {k: v for k, v in body.items() if v is not None}


def stored():
    return (
        Resident.objects.count(),
        Referral.objects.count(),
        ConsentEvent.objects.count(),
        AuditEvent.objects.count(),
    )


def test_partner_referral_is_made_by_the_token_organisation(world, api_as):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        response = api_as(world.org_b).post("/api/referrals", referral_body())
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"public_id", "due_at", "status", "urgency", "received_at"}
    assert body["status"] == ReferralStatus.NEW
    referral = Referral.objects.get(public_id=body["public_id"])
    assert referral.front_door == FrontDoor.API
    assert referral.referring_organisation == world.org_b
    # A partner worker's organisation does no casework: the lead organisation holds it.
    assert referral.resident.organisation == world.org_a
    assert referral.due_at == now + timedelta(hours=24)
    assert referral.resident.full_name == "Mary Jones"


def test_urgent_referral_is_due_in_three_hours(world, api_as):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        response = api_as(world.org_b).post("/api/referrals", referral_body(urgency="urgent"))
    referral = Referral.objects.get(public_id=response.json()["public_id"])
    assert (referral.urgency, referral.due_at) == (Urgency.URGENT, now + timedelta(hours=3))


def test_a_caseworking_organisation_holds_its_own_referral(world, api_as):
    response = api_as(world.org_b, Role.CATALYST).post("/api/referrals", referral_body())
    referral = Referral.objects.get(public_id=response.json()["public_id"])
    assert referral.resident.organisation == world.org_b


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"full_name": "   "}, "full_name"),
        ({"full_name": None}, "full_name"),
        ({"full_name": "x" * 151}, "full_name"),
        ({"date_of_birth": "27/03/1948"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"email": "not-an-email"}, "email"),
        ({"contact_method": "pigeon"}, "contact_method"),
        ({"referrer_kind": "stranger"}, "referrer_kind"),
        ({"reason": ""}, "reason"),
        ({"urgency": "whenever"}, "urgency"),
        ({"consent": "maybe"}, "consent"),
        ({"consent": None}, "consent"),
        ({"phone": "", "contact_method": "phone", "email": "m@example.org"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"contact_method": "email"}, "email"),
        ({"contact_method": "visit"}, "address"),
        ({"postcode": "THIS IS FAR TOO LONG"}, "postcode"),
        ({"favourite_colour": "blue"}, "favourite_colour"),
    ],
)
def test_malformed_referral_is_400_naming_the_field_and_creates_nothing(
    world, api_as, changes, field
):
    before = stored()
    response = api_as(world.org_b).post("/api/referrals", referral_body(**changes))
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in [error["field"] for error in errors]
    assert all(error["message"] for error in errors)
    assert stored() == before


def test_bad_input_is_never_echoed_back(world, api_as):
    response = api_as(world.org_b).post(
        "/api/referrals", referral_body(email="mary.jones.secret@@example", urgency="<script>")
    )
    assert response.status_code == 400
    assert b"mary.jones.secret" not in response.content
    assert b"<script>" not in response.content


def test_a_body_that_is_not_json_is_400(world, api_as):
    client = api_as(world.org_b)
    before = stored()
    response = client.client.post("/api/referrals", data="{nope", content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"errors": [{"field": "body", "message": "Send a valid JSON body"}]}
    assert stored() == before


def test_partner_follows_only_its_own_organisations_referrals(world, api_as):
    partner = api_as(world.org_b)
    made = partner.post("/api/referrals", referral_body()).json()["public_id"]
    ReferralFactory(resident__organisation=world.org_a, referring_organisation=world.org_a)
    response = partner.get("/api/referrals")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)
    (item,) = body["items"]
    assert item["public_id"] == made
    assert item["status_label"] == "Waiting for first contact"
    assert item["first_contact_at"] is None
    # The referral as they sent it and where it has got to; never the journey or the
    # holding organisation's notes (the field policy's referrer level, as on the page).
    body_sent = referral_body()
    assert item["reason"] == body_sent["reason"]
    assert item["person"]["full_name"] == body_sent["full_name"]
    assert not {"stage", "conversations", "first_contact_note", "phone"} & set(item)


def test_referral_detail_shows_first_contact_time_but_no_notes(world, api_as, issue_token):
    partner = api_as(world.org_b)
    public_id = partner.post("/api/referrals", referral_body()).json()["public_id"]
    holder = api_as(world.org_a, Role.CATALYST)
    holder.post(f"/api/triage/{public_id}/contact", {"outcome": "spoke", "note": "Loves bowls"})
    response = partner.get(f"/api/referrals/{public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == ReferralStatus.CONTACTED
    assert body["first_contact_at"] is not None
    assert body["status_label"] == "Contacted"
    assert b"Loves bowls" not in response.content


def test_another_organisations_referral_is_the_same_404_as_a_missing_one(world, api_as):
    referral = ReferralFactory(resident__organisation=world.org_a)
    partner = api_as(world.org_b)
    forbidden = partner.get(f"/api/referrals/{referral.public_id}")
    missing = partner.get("/api/referrals/zzzzzzzzzzzz")
    assert (forbidden.status_code, forbidden.content) == (404, missing.content)
    assert forbidden.json() == NOT_FOUND


def test_an_analyst_token_follows_no_referrals(world, api_as):
    api_as(world.org_a, Role.ANALYST).post("/api/referrals", referral_body())
    ReferralFactory(resident__organisation=world.org_a, referring_organisation=world.org_a)
    assert api_as(world.org_a, Role.ANALYST).get("/api/referrals").json()["items"] == []


# --- triage ------------------------------------------------------------------------------


def test_triage_queue_shows_clock_and_overdue_flag(world, api_as):
    now = timezone.now()
    late = ReferralFactory(
        resident__organisation=world.org_a,
        received_at=now - timedelta(hours=30),
        urgency=Urgency.ROUTINE,
    )
    soon = ReferralFactory(
        resident__organisation=world.org_a, received_at=now, urgency=Urgency.URGENT
    )
    ReferralFactory(resident__organisation=world.org_b)  # held elsewhere
    response = api_as(world.org_a, Role.CATALYST).get("/api/triage")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [i["public_id"] for i in items] == [late.public_id, soon.public_id]
    assert [i["overdue"] for i in items] == [True, False]
    assert [i["urgency"] for i in items] == ["routine", "urgent"]
    assert items[0]["clock"] == "Overdue by 6 hours"


def test_triage_is_for_caseworkers_only(world, api_as):
    ReferralFactory(resident__organisation=world.org_a)
    for role in (Role.PARTNER_WORKER, Role.ANALYST, Role.PLACE_ADMIN):
        response = api_as(world.org_a, role).get("/api/triage")
        assert (role, response.status_code, response.json()) == (role, 404, NOT_FOUND)


def test_triage_list_writes_one_list_event(world, api_as):
    for _ in range(3):
        ReferralFactory(resident__organisation=world.org_a)
    before = AuditEvent.objects.count()
    api_as(world.org_a, Role.CATALYST).get("/api/triage")
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [Action.LIST]
    assert len(events[0].detail["residents"]) == 3


@pytest.mark.parametrize("by", ["catalyst_email", "catalyst_id"])
def test_assign_to_a_catalyst_by_email_or_id(world, api_as, by):
    referral = ReferralFactory(resident__organisation=world.org_a)
    value = world.catalyst_a.email.upper() if by == "catalyst_email" else world.catalyst_a.pk
    response = api_as(world.org_a, Role.COORDINATOR).post(
        f"/api/triage/{referral.public_id}/assign", {by: value}
    )
    assert response.status_code == 200
    assert response.json()["assigned_to"]["id"] == world.catalyst_a.pk
    referral.refresh_from_db()
    assert referral.assigned_to == world.catalyst_a
    assert referral.resident.catalyst == world.catalyst_a


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"catalyst_email": "catalyst.b@example.org"}, "catalyst_email"),  # another org's
        ({"catalyst_email": "nobody@example.org"}, "catalyst_email"),
        ({"catalyst_id": 999999}, "catalyst_id"),
        ({"catalyst_id": "abc"}, "catalyst_id"),
        ({}, "catalyst_email"),
        ({"catalyst_email": "catalyst.a@example.org", "catalyst_id": 1}, "catalyst_email"),
        ({"catalyst": "catalyst.a@example.org"}, "catalyst"),
    ],
)
def test_assign_bad_catalyst_is_400_and_nothing_changes(world, api_as, body, field):
    referral = ReferralFactory(resident__organisation=world.org_a)
    before = stored()
    response = api_as(world.org_a, Role.COORDINATOR).post(
        f"/api/triage/{referral.public_id}/assign", body
    )
    assert response.status_code == 400
    assert field in [e["field"] for e in response.json()["errors"]]
    referral.refresh_from_db()
    assert referral.assigned_to is None
    assert stored() == before


def test_first_contact_stops_the_clock(world, api_as):
    referral = ReferralFactory(resident__organisation=world.org_a)
    response = api_as(world.org_a, Role.CATALYST).post(
        f"/api/triage/{referral.public_id}/contact", {"outcome": "spoke", "note": "Call Tuesday"}
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["first_contact_outcome"], body["resident_stage"]) == (
        ReferralStatus.CONTACTED,
        "spoke",
        Stage.CONTACTED,
    )
    assert body["first_contact_at"] is not None


def test_failed_attempt_keeps_the_clock_running(world, api_as):
    referral = ReferralFactory(resident__organisation=world.org_a)
    response = api_as(world.org_a, Role.CATALYST).post(
        f"/api/triage/{referral.public_id}/contact", {"outcome": "no_answer"}
    )
    assert response.json()["status"] == ReferralStatus.NEW
    assert response.json()["first_contact_at"] is None


@pytest.mark.parametrize(
    ("body", "field"), [({"outcome": "maybe"}, "outcome"), ({"note": "hello"}, "outcome")]
)
def test_contact_bad_outcome_is_400_and_nothing_saved(world, api_as, body, field):
    referral = ReferralFactory(resident__organisation=world.org_a)
    before = (stored(), Conversation.objects.count())
    response = api_as(world.org_a, Role.CATALYST).post(
        f"/api/triage/{referral.public_id}/contact", body
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert (stored(), Conversation.objects.count()) == before


@pytest.mark.parametrize("action", ["assign", "contact"])
def test_triage_actions_on_another_organisations_referral_are_404(world, api_as, action):
    referral = ReferralFactory(resident__organisation=world.org_a)
    body = (
        {"catalyst_email": world.catalyst_b.email} if action == "assign" else {"outcome": "spoke"}
    )
    client = api_as(world.org_b, Role.CATALYST)
    forbidden = client.post(f"/api/triage/{referral.public_id}/{action}", body)
    missing = client.post(f"/api/triage/zzzzzzzzzzzz/{action}", body)
    assert (forbidden.status_code, forbidden.content) == (404, missing.content)
    referral.refresh_from_db()
    assert (referral.assigned_to, referral.first_contact_at) == (None, None)


def test_session_triage_mine_shows_what_is_assigned_to_me(world):
    mine = ReferralFactory(resident__organisation=world.org_a, assigned_to=world.catalyst_a)
    ReferralFactory(resident__organisation=world.org_a)
    response = session_client(world.catalyst_a).get("/api/triage", show="mine")
    assert [i["public_id"] for i in response.json()["items"]] == [mine.public_id]


def test_triage_unknown_filter_is_400_in_plain_words(world, api_as):
    response = api_as(world.org_a, Role.CATALYST).get("/api/triage", show="everything")
    assert response.json() == {
        "errors": [{"field": "show", "message": "Choose one of: all, mine or unassigned"}]
    }


def test_referral_list_query_count_does_not_grow(world, api_as):
    client = api_as(world.org_b)

    def make(count):
        for _ in range(count):
            ReferralFactory(resident__organisation=world.org_a, referring_organisation=world.org_b)

    def fetch():
        assert client.get("/api/referrals").status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=1, large=13)


def test_triage_mine_needs_a_person(world, api_as):
    response = api_as(world.org_a, Role.CATALYST).get("/api/triage", show="mine")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "show"


def test_triage_list_query_count_does_not_grow_with_the_queue(world, api_as):
    client = api_as(world.org_a, Role.CATALYST)

    def make(count):
        # The first two are unassigned, the rest assigned: rows with and without the join.
        for _ in range(count):
            ReferralFactory(
                resident=ResidentFactory(organisation=world.org_a, stage=Stage.REFERRED),
                assigned_to=world.catalyst_a if Referral.objects.count() >= 2 else None,
            )

    def fetch():
        assert client.get("/api/triage").status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=2, large=17)
