"""Merging a duplicate record keeps both records' own-network drawings on the kept record,
numbered again in the order they were drawn, so neither history is lost and the "then and
now" still runs from the earliest drawing to the latest."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.network import own_network
from commonweave.network.enums import Closeness, MemberKind, NodeKind, TieSource
from commonweave.network.models import Node, OwnNetworkDrawing, Tie
from commonweave.people import services as people
from commonweave.people.enums import ConsentMethod, ConsentPurpose, FrontDoor, ReferrerKind
from commonweave.people.models import Resident
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _days_ago(n):
    return timezone.localdate() - datetime.timedelta(days=n)


def _draw(world, resident, drawn_on, *names):
    """A new drawing on `drawn_on` (copying the last), with these people added to it."""
    viewer = world.viewer(world.catalyst_a)
    own_network.drawing_again(viewer=viewer, resident=resident, drawn_on=drawn_on)
    for name in names:
        own_network.member_add(
            viewer=viewer,
            resident=resident,
            name=name,
            kind=MemberKind.PERSON,
            closeness=Closeness.CLOSE,
            sees=True,
        )


def _duplicate_of(world, resident):
    referral = people.referral_create(
        viewer=world.viewer(world.catalyst_a),
        front_door=FrontDoor.STAFF,
        person=people.PersonDetails(full_name=resident.full_name),
        referrer_kind=ReferrerKind.COUNCIL,
        reason="Referred again by the council.",
    )
    return referral, Resident.objects.get(pk=referral.resident_id)


def _history(resident):
    return [
        (d.number, d.drawn_on, sorted(m.name for m in d.members.all()))
        for d in own_network.drawings_of(resident)
    ]


def test_drawings_with_the_same_numbers_on_both_records_all_survive_on_the_kept_record(
    world, resident_a
):
    referral, duplicate = _duplicate_of(world, resident_a)
    _draw(world, resident_a, _days_ago(300), "Mum")
    _draw(world, duplicate, _days_ago(250), "Sam")
    _draw(world, resident_a, _days_ago(200), "Choir friend")
    _draw(world, duplicate, _days_ago(100), "Neighbour")
    # both records have a drawing 1 and a drawing 2
    assert [d.number for d in own_network.drawings_of(duplicate)] == [1, 2]

    people.referral_merge(viewer=world.viewer(world.catalyst_a), referral=referral, into=resident_a)

    assert _history(resident_a) == [
        (1, _days_ago(300), ["Mum"]),
        (2, _days_ago(250), ["Sam"]),
        (3, _days_ago(200), ["Choir friend", "Mum"]),
        (4, _days_ago(100), ["Neighbour", "Sam"]),
    ]
    assert not OwnNetworkDrawing.objects.filter(resident=duplicate).exists()
    event = AuditEvent.objects.get(action="merge", object_id=resident_a.public_id)
    assert event.detail["moved"]["network.ownnetworkdrawing"] == 2
    assert event.detail["left_on_duplicate"] == {}


def test_the_kept_records_page_shows_the_merged_history_from_first_to_latest(world, resident_a):
    referral, duplicate = _duplicate_of(world, resident_a)
    _draw(world, resident_a, _days_ago(90), "Mum")
    _draw(world, duplicate, _days_ago(30), "Sam", "Neighbour")
    people.referral_merge(viewer=world.viewer(world.catalyst_a), referral=referral, into=resident_a)
    drawings = own_network.drawings_of(resident_a)
    rows = {r["label"]: r for r in own_network.compare(drawings[0], drawings[-1])}
    assert (rows["Everyone in the drawing"]["then"], rows["Everyone in the drawing"]["now"]) == (
        1,
        2,
    )
    page = client_for(world.catalyst_a).get(reverse("network:own", args=[resident_a.public_id]))
    assert page.status_code == 200
    assert "Drawing 2" in page.content.decode()
    # the latest drawing is the one that changes: drawing again continues after it
    again = own_network.drawing_again(viewer=world.viewer(world.catalyst_a), resident=resident_a)
    assert again.number == 3


def test_a_duplicate_with_drawings_and_a_kept_record_without_keeps_the_numbers(world, resident_a):
    referral, duplicate = _duplicate_of(world, resident_a)
    _draw(world, duplicate, _days_ago(60), "Sam")
    _draw(world, duplicate, _days_ago(10))
    people.referral_merge(viewer=world.viewer(world.catalyst_a), referral=referral, into=resident_a)
    assert [(n, d) for n, d, _ in _history(resident_a)] == [(1, _days_ago(60)), (2, _days_ago(10))]


def test_the_merged_history_rolls_up_under_the_kept_record_only(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    people.consent_record(
        viewer=viewer,
        resident=resident_a,
        purpose=ConsentPurpose.EVALUATION,
        given=True,
        method=ConsentMethod.VERBAL,
        wording="Can your network count, without names, in our evaluation?",
    )
    referral, duplicate = _duplicate_of(world, resident_a)
    _draw(world, resident_a, _days_ago(40), "Mum")
    _draw(world, duplicate, _days_ago(20), "Sam")
    people.referral_merge(viewer=viewer, referral=referral, into=resident_a)

    own = Tie.objects.filter(source=TieSource.OWN_NETWORK)
    assert set(own.values_list("source_node__resident", flat=True)) == {resident_a.pk}
    # Mum was in the earlier drawing only (she ended when the later one was drawn); Sam is
    # in the latest, so counts now
    assert sorted(own.values_list("started_on", "ended_on")) == [
        (_days_ago(40), _days_ago(20)),
        (_days_ago(20), None),
    ]
    # nothing of the duplicate stays in the place network
    assert not Node.objects.filter(resident=duplicate).exists()
    assert not Node.objects.filter(key__startswith=f"own:{duplicate.pk}:").exists()
    assert (
        Node.objects.filter(kind=NodeKind.PERSON, key__startswith=f"own:{resident_a.pk}:").count()
        == 2
    )
