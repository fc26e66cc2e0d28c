"""Ties record themselves when people record connections, referrals, consent and sessions,
and end when those are withdrawn, closed or merged away."""

import datetime

import pytest
from django.utils import timezone

from commonweave.network import derive
from commonweave.network.enums import NodeKind, TieSource, TieType
from commonweave.network.models import Node, Tie, resident_pseudonym
from commonweave.people import services as people
from commonweave.people.enums import (
    CloseReason,
    ConnectionKind,
    ConsentMethod,
    ConsentPurpose,
    FrontDoor,
    ReferrerKind,
)
from commonweave.people.models import Connection, Resident

pytestmark = pytest.mark.django_db


def _refer(world, user, name="Ada Example", org=None):
    return people.referral_create(
        viewer=world.viewer(user),
        front_door=FrontDoor.STAFF,
        person=people.PersonDetails(full_name=name),
        referrer_kind=ReferrerKind.COUNCIL,
        reason="Lonely since moving here.",
        referring_organisation_id=org.pk if org else None,
    )


def _active(**filters):
    return Tie.objects.active_on(timezone.localdate()).filter(**filters)


def test_connection_recorded_through_people_services_becomes_a_tie(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    connection = people.connection_add(
        viewer=viewer, resident=resident_a, kind=ConnectionKind.GROUP, name="Tuesday Lunch Club"
    )
    tie = Tie.objects.get(source_key=f"connection:{connection.pk}")
    assert (tie.tie_type, tie.source, tie.ended_on) == (
        TieType.CONNECTION,
        TieSource.CONNECTION,
        None,
    )
    assert tie.source_node.kind == NodeKind.RESIDENT
    assert tie.source_node.resident_id == resident_a.pk
    assert tie.source_node.label == ""
    assert tie.source_node.pseudonym == resident_pseudonym(resident_a.pk)
    assert (tie.target_node.kind, tie.target_node.label) == (NodeKind.GROUP, "Tuesday Lunch Club")


def test_two_residents_at_the_same_group_share_its_node(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    other = Resident.objects.get(pk=_refer(world, world.catalyst_a).resident_id)
    for resident in (resident_a, other):
        people.connection_add(
            viewer=viewer, resident=resident, kind=ConnectionKind.GROUP, name="Knit & Natter"
        )
    targets = set(_active(tie_type=TieType.CONNECTION).values_list("target_node", flat=True))
    assert len(targets) == 1


def test_a_person_the_resident_knows_is_private_and_unlabelled(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    people.connection_add(
        viewer=viewer, resident=resident_a, kind=ConnectionKind.PERSON, name="Mary next door"
    )
    node = Tie.objects.get(tie_type=TieType.CONNECTION).target_node
    assert (node.kind, node.label) == (NodeKind.PERSON, "")
    assert "Mary" not in node.key


def test_stopped_connection_ends_its_tie_and_restarting_reopens_it(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    connection = people.connection_add(
        viewer=viewer, resident=resident_a, kind=ConnectionKind.GROUP, name="Choir"
    )
    connection.status = "stopped"
    connection.save(update_fields=["status"])
    tie = Tie.objects.get(source_key=f"connection:{connection.pk}")
    assert tie.ended_on == timezone.localdate()
    assert not _active(pk=tie.pk).exists()
    connection.status = "going"
    connection.save(update_fields=["status"])
    tie.refresh_from_db()
    assert (tie.ended_on, tie.strength) == (None, 2.0)


def test_suggested_connection_is_not_yet_a_tie(world, resident_a):
    people.connection_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        kind=ConnectionKind.SERVICE,
        name="Benefits advice",
        status="suggested",
    )
    assert Tie.objects.filter(tie_type=TieType.CONNECTION).count() == 0


def test_deleted_connection_removes_its_tie(world, resident_a):
    connection = people.connection_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        kind=ConnectionKind.GROUP,
        name="Walking group",
    )
    Connection.objects.get(pk=connection.pk).delete()
    assert not Tie.objects.filter(source_key=f"connection:{connection.pk}").exists()


def test_referral_between_organisations_is_a_directed_tie(world):
    referral = _refer(world, world.worker_b, org=world.org_b)
    tie = Tie.objects.get(source_key=f"referral:{referral.pk}")
    assert tie.directed is True
    assert (tie.source_node.organisation_id, tie.target_node.organisation_id) == (
        world.org_b.pk,
        world.org_a.pk,
    )
    assert tie.started_on == timezone.localdate(referral.received_at)
    casework = Tie.objects.get(source_key=f"casework:{referral.resident_id}")
    assert casework.tie_type == TieType.CASEWORK
    assert casework.target_node.organisation_id == world.org_a.pk


def test_referral_closed_before_contact_ends_its_ties(world):
    referral = _refer(world, world.worker_b, org=world.org_b)
    resident = Resident.objects.get(pk=referral.resident_id)
    people.resident_close(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        version=resident.version,
        reason=CloseReason.NO_CONTACT,
    )
    today = timezone.localdate()
    assert Tie.objects.get(source_key=f"referral:{referral.pk}").ended_on == today
    assert Tie.objects.get(source_key=f"casework:{resident.pk}").ended_on == today
    assert not _active().exists()


def test_consent_to_share_makes_a_tie_and_withdrawing_ends_it(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    for given in (True, False):
        people.consent_record(
            viewer=viewer,
            resident=resident_a,
            purpose=ConsentPurpose.SHARE,
            organisation=world.org_b,
            given=given,
            method=ConsentMethod.VERBAL,
            wording="Can we share your record with the council?",
        )
        tie = Tie.objects.get(source_key=f"share:{resident_a.pk}:{world.org_b.pk}")
        assert tie.tie_type == TieType.SHARING
        assert tie.ended_on == (None if given else timezone.localdate())


def test_merge_moves_ties_to_the_kept_record_and_removes_the_duplicate(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    referral = _refer(world, world.catalyst_a, name="Ada Duplicate")
    duplicate = Resident.objects.get(pk=referral.resident_id)
    connection = people.connection_add(
        viewer=viewer, resident=duplicate, kind=ConnectionKind.GROUP, name="Choir"
    )
    people.referral_merge(viewer=viewer, referral=referral, into=resident_a)
    tie = Tie.objects.get(source_key=f"connection:{connection.pk}")
    assert tie.source_node.resident_id == resident_a.pk
    assert not Node.objects.filter(resident=duplicate).exists()
    assert not Tie.objects.filter(source_key=f"casework:{duplicate.pk}").exists()


def test_sync_ties_is_idempotent_and_repairs_missed_rows(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    people.connection_add(viewer=viewer, resident=resident_a, kind="group", name="Choir")
    _refer(world, world.worker_b, org=world.org_b)
    before = sorted(Tie.objects.values_list("source_key", "ended_on"))
    Tie.objects.all().delete()
    # a row written without signals (bulk) is picked up by the full derivation
    Connection.objects.bulk_create(
        [
            Connection(
                resident=resident_a, kind="service", name="Foodbank", made_on=timezone.localdate()
            )
        ]
    )
    counts = derive.sync_ties(world.place)
    assert counts["created"] == len(before) + 1
    assert derive.sync_ties(world.place) == {"created": 0, "updated": 0, "ended": 0, "deleted": 0}


def test_stale_derived_ties_are_deleted_by_sync(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    connection = people.connection_add(
        viewer=viewer, resident=resident_a, kind="group", name="Choir"
    )
    Connection.objects.filter(pk=connection.pk)._raw_delete(Connection.objects.db)
    derive.sync_ties(world.place)
    assert not Tie.objects.filter(source_key=f"connection:{connection.pk}").exists()


def test_pseudonym_is_stable_and_keyed(settings):
    first = resident_pseudonym(42)
    assert first == resident_pseudonym(42)
    assert first != resident_pseudonym(43)
    settings.SECRET_KEY = "another-secret-key-for-this-test-only-0123456789"
    assert resident_pseudonym(42) != first


def test_co_attendance_at_a_session_ties_the_organisations(world):
    learning = pytest.importorskip("commonweave.learning.models")
    session = learning.Session.objects.create(
        place=world.place, title="Connecting the Dots", held_on=datetime.date(2026, 5, 1)
    )
    learning.Attendee.objects.create(session=session, name="A", organisation=world.org_a)
    learning.Attendee.objects.create(session=session, name="B", organisation=world.org_b)
    tie = Tie.objects.get(tie_type=TieType.CO_ATTENDANCE)
    assert tie.started_on == datetime.date(2026, 5, 1)
    assert {tie.source_node.organisation_id, tie.target_node.organisation_id} == {
        world.org_a.pk,
        world.org_b.pk,
    }
    learning.Attendee.objects.filter(organisation=world.org_b).delete()
    assert not Tie.objects.filter(tie_type=TieType.CO_ATTENDANCE).exists()


def test_co_attendance_recorded_and_withdrawn_through_the_learning_services(world):
    """Attendees added with the learning app's services tie their organisations; taking
    one off the list, then deleting the session, takes the ties away."""
    sessions = pytest.importorskip("commonweave.learning.services.sessions")
    viewer = world.viewer(world.manager_a)
    session = sessions.session_create(
        viewer=viewer, title="Connecting the Dots", held_on=datetime.date(2026, 3, 4)
    )
    sessions.attendee_add(viewer=viewer, session=session, name="Ann", organisation=world.org_a)
    council = sessions.attendee_add(
        viewer=viewer, session=session, name="Bo", organisation=world.org_b
    )
    sessions.attendee_add(
        viewer=viewer, session=session, name="Cy", organisation_name="Oldham Foodbank"
    )
    ties = Tie.objects.filter(tie_type=TieType.CO_ATTENDANCE)
    ends = {tuple(sorted([t.source_node.label, t.target_node.label])): t.started_on for t in ties}
    assert ends == {
        ("Oldham Foodbank", "Testford Connect"): datetime.date(2026, 3, 4),
        ("Oldham Foodbank", "Testford Council"): datetime.date(2026, 3, 4),
        ("Testford Connect", "Testford Council"): datetime.date(2026, 3, 4),
    }
    sessions.attendee_remove(viewer=viewer, attendee=council)
    assert [sorted([t.source_node.label, t.target_node.label]) for t in ties.all()] == [
        ["Oldham Foodbank", "Testford Connect"]
    ]
    session.refresh_from_db()
    sessions.session_delete(viewer=viewer, session=session, version=session.version)
    assert not ties.all().exists()


def test_deleted_referral_removes_its_tie(world):
    referral = _refer(world, world.worker_b, org=world.org_b)
    assert Tie.objects.filter(source_key=f"referral:{referral.pk}").exists()
    referral.delete()
    assert not Tie.objects.filter(source_key=f"referral:{referral.pk}").exists()
