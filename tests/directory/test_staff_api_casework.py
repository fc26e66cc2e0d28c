"""Connecting residents and referring them through the directory's API: the same access
rules as the connect and referral pages (the holding organisation's caseworkers; the
receiving organisation while consent holds; a 404 for everyone else, analysts included)
and the same audit: one event per read or change of a personal record."""

import datetime

import pytest
import time_machine

from commonweave.demo import directory as demo
from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import FollowUp, Service, ServiceReferral
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Connection, ConsentEvent
from commonweave.people.services import consent_record
from commonweave.tenancy.enums import Role
from tests.api.conftest import session_client

from .api_helpers import NOT_FOUND, api, audit_mark, audited_since, fields_named, queries_for

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 12, 10, tzinfo=datetime.UTC)


@pytest.fixture
def entry(world):
    demo.generate_directory(world.place, services=5, locations=3)
    service = Service.objects.filter(place=world.place).order_by("name").first()
    service.takes_referrals = True
    service.status = "active"
    service.referral_organisation = world.org_b  # the council receives its referrals
    service.referral_places = 1
    service.save()
    return service


@pytest.fixture
def catalyst(world):
    return api(world.org_a, Role.CATALYST)


def _outsiders(world):
    """Tokens that must find no resident of organisation A."""
    elsewhere = world.outsider.memberships.first().organisation
    return {
        "analyst A": api(world.org_a, Role.ANALYST),
        "place admin A": api(world.org_a, Role.PLACE_ADMIN),
        "partner B": api(world.org_b, Role.PARTNER_WORKER),
        "catalyst B": api(world.org_b, Role.CATALYST),
        "catalyst elsewhere": api(elsewhere, Role.CATALYST),
    }


# --- connections and follow-ups ------------------------------------------------------------


def test_connecting_a_resident_records_follow_ups_and_one_audit_event(
    world, resident_a, entry, catalyst
):
    mark = audit_mark()
    with time_machine.travel(START, tick=False):
        response = catalyst.post(
            "/api/directory/connections",
            {"resident_id": resident_a.public_id, "entry_id": str(entry.pk)},
        )
    assert response.status_code == 201
    body = response.json()
    assert (body["resident_id"], body["entry"]["id"], body["made_on"]) == (
        resident_a.public_id,
        str(entry.pk),
        "2026-01-12",
    )
    assert [(f["months"], f["due_on"]) for f in body["follow_ups"]] == [
        (3, "2026-04-12"),
        (6, "2026-07-12"),
    ]
    assert audited_since(mark) == [("create", "people.connection", resident_a.public_id)]


def test_nobody_but_the_holding_organisations_caseworkers_connects(world, resident_a, entry):
    body = {"resident_id": resident_a.public_id, "entry_id": str(entry.pk)}
    mark = audit_mark()
    for who, client in _outsiders(world).items():
        response = client.post("/api/directory/connections", body)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), who
        listing = client.get(f"/api/residents/{resident_a.public_id}/directory")
        assert (listing.status_code, listing.json()) == (404, NOT_FOUND), who
    assert not Connection.objects.exists()
    assert audited_since(mark) == []  # refused reads write nothing


def test_connecting_to_an_entry_of_no_such_id_names_the_field(world, resident_a, catalyst):
    response = catalyst.post(
        "/api/directory/connections",
        {"resident_id": resident_a.public_id, "entry_id": "00000000-0000-4000-8000-000000000000"},
    )
    assert (response.status_code, fields_named(response)) == (400, ["entry_id"])
    missing = catalyst.post("/api/directory/connections", {"resident_id": resident_a.public_id})
    assert (missing.status_code, fields_named(missing)) == (400, ["entry_id"])


def test_follow_ups_due_are_listed_read_and_answered_with_one_audit_event_each(
    world, resident_a, entry, catalyst
):
    with time_machine.travel(START, tick=False):
        catalyst.post(
            "/api/directory/connections",
            {"resident_id": resident_a.public_id, "entry_id": str(entry.pk)},
        )
        # Nothing is due yet, and an empty list names nobody.
        mark = audit_mark()
        assert catalyst.get("/api/directory/follow-ups").json()["items"] == []
        assert audited_since(mark) == []
    three = FollowUp.objects.get(months=3)
    with time_machine.travel(datetime.datetime(2026, 4, 14, 9, tzinfo=datetime.UTC), tick=False):
        mark = audit_mark()
        due = catalyst.get("/api/directory/follow-ups").json()
        assert [(i["id"], i["months"], i["resident"]["public_id"]) for i in due["items"]] == [
            (three.pk, 3, resident_a.public_id)
        ]
        assert audited_since(mark) == [("list", "directory.followup", "")]
        mark = audit_mark()
        read = catalyst.get(f"/api/directory/follow-ups/{three.pk}")
        assert (read.status_code, read.json()["outcome"]) == (200, "")
        assert audited_since(mark) == [("view", "people.resident", resident_a.public_id)]
        bad = catalyst.post(f"/api/directory/follow-ups/{three.pk}/answer", {"outcome": "maybe"})
        assert (bad.status_code, fields_named(bad)) == (400, ["outcome"])
        mark = audit_mark()
        answer = catalyst.post(
            f"/api/directory/follow-ups/{three.pk}/answer",
            {"outcome": "stopped", "why": "The group moved across town"},
        )
        assert answer.status_code == 200
        assert audited_since(mark) == [("update", "directory.followup", resident_a.public_id)]
        assert catalyst.get("/api/directory/follow-ups").json()["items"] == []
    three.refresh_from_db()
    assert (three.outcome, three.why, three.link.connection.status) == (
        "stopped",
        "The group moved across town",
        "stopped",
    )
    # The resident's directory picture shows it: one audited read.
    mark = audit_mark()
    picture = catalyst.get(f"/api/residents/{resident_a.public_id}/directory").json()
    assert [f["outcome"] for f in picture["connections"][0]["follow_ups"]] == ["stopped", ""]
    assert audited_since(mark) == [("view", "people.resident", resident_a.public_id)]


def test_follow_ups_due_cost_the_same_queries_for_2_or_8(world, entry, catalyst):
    with time_machine.travel(START, tick=False):
        for _ in range(8):
            resident = ResidentFactory(organisation=world.org_a)
            catalyst.post(
                "/api/directory/connections",
                {"resident_id": resident.public_id, "entry_id": str(entry.pk)},
            )
    with time_machine.travel(datetime.datetime(2026, 8, 1, 9, tzinfo=datetime.UTC), tick=False):
        catalyst.get("/api/directory/follow-ups")
        small = queries_for(lambda: catalyst.get("/api/directory/follow-ups", size=2))
        large = queries_for(lambda: catalyst.get("/api/directory/follow-ups", size=8))
    assert small == large


def test_follow_ups_of_another_organisations_resident_are_a_404(world, resident_a, entry):
    api(world.org_a, Role.CATALYST).post(
        "/api/directory/connections",
        {"resident_id": resident_a.public_id, "entry_id": str(entry.pk)},
    )
    three = FollowUp.objects.get(months=3)
    for who, client in _outsiders(world).items():
        for response in [
            client.get(f"/api/directory/follow-ups/{three.pk}"),
            client.post(f"/api/directory/follow-ups/{three.pk}/answer", {"outcome": "going"}),
        ]:
            assert (response.status_code, response.json()) == (404, NOT_FOUND), who
    three.refresh_from_db()
    assert three.outcome == ""


def test_my_follow_ups_need_a_person_not_a_token(world, catalyst):
    response = catalyst.get("/api/directory/follow-ups", who="mine")
    assert (response.status_code, fields_named(response)) == (400, ["who"])
    signed_in = session_client(world.catalyst_a)
    assert signed_in.get("/api/directory/follow-ups", who="mine").status_code == 200


def test_a_signed_in_change_needs_the_csrf_token(world, resident_a, entry):
    client = session_client(world.catalyst_a, enforce_csrf_checks=True)
    response = client.post(
        "/api/directory/connections",
        {"resident_id": resident_a.public_id, "entry_id": str(entry.pk)},
    )
    assert response.status_code == 403
    assert not Connection.objects.exists()


# --- referrals to services -----------------------------------------------------------------


def _referral(resident, entry, **extra):
    return {
        "resident_id": resident.public_id,
        "entry_id": str(entry.pk),
        "reason": "She would enjoy the company",
        "consent": True,
        "consent_method": "verbal",
        **extra,
    }


def test_a_referral_without_consent_is_refused_and_nothing_is_kept(
    world, resident_a, entry, catalyst
):
    mark = audit_mark()
    response = catalyst.post(
        "/api/directory/referrals", _referral(resident_a, entry, consent=False)
    )
    assert (response.status_code, fields_named(response)) == (400, ["consent"])
    assert "agreed to their record being shared" in response.json()["errors"][0]["message"]
    assert not ServiceReferral.objects.exists() and not ConsentEvent.objects.exists()
    assert audited_since(mark) == []
    method = catalyst.post(
        "/api/directory/referrals", _referral(resident_a, entry, consent_method="referrer")
    )
    assert (method.status_code, fields_named(method)) == (400, ["consent_method"])


def test_sending_records_consent_connection_and_referral(world, resident_a, entry, catalyst):
    mark = audit_mark()
    response = catalyst.post("/api/directory/referrals", _referral(resident_a, entry))
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["to_organisation"]) == (
        "sent",
        {"id": world.org_b.pk, "name": world.org_b.name},
    )
    referral = ServiceReferral.objects.get(public_id=body["id"])
    assert referral.consent_event.organisation == world.org_b
    assert referral.link.connection.status == "suggested"
    assert [(a, t) for a, t, _ in audited_since(mark)] == [
        ("consent", "people.resident"),
        ("create", "people.connection"),
        ("create", "directory.servicereferral"),
    ]


def test_a_referral_respects_the_services_places(world, resident_a, entry, catalyst):
    assert (
        catalyst.post("/api/directory/referrals", _referral(resident_a, entry)).status_code == 201
    )
    second = ResidentFactory(organisation=world.org_a)
    response = catalyst.post("/api/directory/referrals", _referral(second, entry))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "field": "__all__",
            "message": "This service has no places free for referrals at the moment.",
        }
    ]
    assert ServiceReferral.objects.count() == 1


def test_only_services_taking_referrals_through_commonweave_receive_them(
    world, resident_a, entry, catalyst
):
    other = Service.objects.filter(place=world.place).exclude(pk=entry.pk).first()
    Service.objects.filter(pk=other.pk).update(referral_organisation=None)
    response = catalyst.post("/api/directory/referrals", _referral(resident_a, other))
    assert (response.status_code, fields_named(response)) == (400, ["entry_id"])


def test_nobody_else_refers_the_organisations_resident(world, resident_a, entry):
    for who, client in _outsiders(world).items():
        response = client.post("/api/directory/referrals", _referral(resident_a, entry))
        assert (response.status_code, response.json()) == (404, NOT_FOUND), who
    assert not ServiceReferral.objects.exists()


def test_the_receiving_organisation_lists_reads_and_declines_with_a_reason(
    world, resident_a, entry, catalyst
):
    sent = catalyst.post("/api/directory/referrals", _referral(resident_a, entry)).json()
    worker = api(world.org_b, Role.PARTNER_WORKER)
    mark = audit_mark()
    listing = worker.get("/api/directory/received-referrals").json()
    assert [(i["id"], i["resident"]["public_id"]) for i in listing["items"]] == [
        (sent["id"], resident_a.public_id)
    ]
    assert audited_since(mark) == [("list", "directory.servicereferral", "")]
    mark = audit_mark()
    detail = worker.get(f"/api/directory/received-referrals/{sent['id']}")
    assert detail.status_code == 200
    assert (detail.json()["reason"], detail.json()["resident"]["public_id"]) == (
        "She would enjoy the company",
        resident_a.public_id,
    )
    assert audited_since(mark) == [("view", "people.resident", resident_a.public_id)]
    url = f"/api/directory/received-referrals/{sent['id']}/decision"
    unexplained = worker.post(url, {"decision": "decline"})
    assert (unexplained.status_code, fields_named(unexplained)) == (400, ["note"])
    mark = audit_mark()
    declined = worker.post(url, {"decision": "decline", "note": "Full until spring"})
    assert (declined.status_code, declined.json()["status"]) == (200, "declined")
    assert audited_since(mark) == [("update", "directory.servicereferral", resident_a.public_id)]
    again = worker.post(url, {"decision": "accept"})
    assert (again.status_code, fields_named(again)) == (400, ["__all__"])
    referral = ServiceReferral.objects.get()
    assert [f.outcome for f in FollowUp.objects.filter(link=referral.link)] == [
        "never_started",
        "never_started",
    ]


def test_received_referrals_are_for_the_receiving_organisation_only(
    world, resident_a, entry, catalyst
):
    sent = catalyst.post("/api/directory/referrals", _referral(resident_a, entry)).json()
    # Organisation A's caseworkers receive nothing; analysts and other places find nothing.
    assert catalyst.get("/api/directory/received-referrals").json()["items"] == []
    elsewhere = world.outsider.memberships.first().organisation
    for client in [
        catalyst,
        api(world.org_a, Role.ANALYST),
        api(world.org_b, Role.ANALYST),
        api(elsewhere, Role.COORDINATOR),
    ]:
        for response in [
            client.get(f"/api/directory/received-referrals/{sent['id']}"),
            client.post(
                f"/api/directory/received-referrals/{sent['id']}/decision",
                {"decision": "accept"},
            ),
        ]:
            assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert api(world.org_a, Role.ANALYST).get("/api/directory/received-referrals").status_code == (
        404
    )
    assert ServiceReferral.objects.get().status == "sent"


def test_withdrawn_consent_hides_the_resident_from_the_receiver_at_once(
    world, resident_a, entry, catalyst
):
    sent = catalyst.post("/api/directory/referrals", _referral(resident_a, entry)).json()
    consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        given=False,
        method="verbal",
        wording="They no longer want it shared",
        organisation=world.org_b,
    )
    worker = api(world.org_b, Role.PARTNER_WORKER)
    mark = audit_mark()
    listing = worker.get("/api/directory/received-referrals").json()
    assert [i["resident"] for i in listing["items"]] == [None]
    assert audited_since(mark) == []  # nobody named, nobody listed
    detail = worker.get(f"/api/directory/received-referrals/{sent['id']}")
    assert (detail.status_code, detail.json()) == (404, NOT_FOUND)
    decided = worker.post(
        f"/api/directory/received-referrals/{sent['id']}/decision", {"decision": "accept"}
    )
    assert (decided.status_code, decided.json()) == (404, NOT_FOUND)
    assert resident_a.full_name.encode() not in detail.content + decided.content
