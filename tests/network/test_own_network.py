"""A resident's own network, drawn with their catalyst: who may see and change it, drawings
kept as versions (then and now), audit, and the roll-up into the place network by consent."""

import datetime
from html import escape

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.network import derive, own_network
from commonweave.network.enums import Closeness, MemberKind, NodeKind, TieSource, TieType
from commonweave.network.models import Node, OwnNetworkDrawing, OwnNetworkMember, Tie
from commonweave.people import services as people
from commonweave.people.enums import ConnectionKind, ConsentMethod, ConsentPurpose
from commonweave.people.models import Consent
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db
D = datetime.date


def _add(world, resident, name, *, kind=MemberKind.PERSON, closeness=Closeness.CLOSE, **said):
    said = said or {"sees": True}
    return own_network.member_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        name=name,
        kind=kind,
        closeness=closeness,
        **said,
    )


def _consent(world, resident, given):
    people.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        purpose=ConsentPurpose.EVALUATION,
        given=given,
        method=ConsentMethod.VERBAL,
        wording="Can your network count, without names, in our evaluation?",
    )


def _own_ties(resident=None, **filters):
    ties = Tie.objects.filter(source=TieSource.OWN_NETWORK, **filters)
    if resident is not None:
        ties = ties.filter(source_node__resident=resident)
    return ties


# --- drawing it ----------------------------------------------------------------------------


def test_first_member_starts_drawing_one_and_the_change_is_audited_without_names(world, resident_a):
    member = _add(world, resident_a, "Auntie Pat", closeness=Closeness.VERY_CLOSE, call_on=True)
    drawing = OwnNetworkDrawing.objects.get(resident=resident_a)
    assert (drawing.number, drawing.drawn_on, drawing.drawn_by) == (
        1,
        timezone.localdate(),
        world.catalyst_a,
    )
    assert (member.drawing, member.call_on, member.sees) == (drawing, True, False)
    event = AuditEvent.objects.get(object_type="network.ownnetworkmember")
    assert (event.action, event.purpose, event.resident_id, event.object_id) == (
        "create",
        "casework",
        resident_a.public_id,
        member.key,
    )
    assert "Pat" not in str(event.detail)


def test_a_member_needs_a_name_and_something_that_is_true_of_them(world, resident_a):
    with pytest.raises(ValidationError) as caught:
        own_network.member_add(
            viewer=world.viewer(world.catalyst_a),
            resident=resident_a,
            name="  ",
            kind="cousin",
            closeness=9,
        )
    assert set(caught.value.message_dict) == {"name", "kind", "closeness", "relations"}
    assert not OwnNetworkMember.objects.exists()


@pytest.mark.parametrize("persona", ["worker_b", "catalyst_b", "analyst", "outsider"])
def test_only_the_holding_organisation_draws_it(world, resident_a, persona):
    with pytest.raises(Http404):
        own_network.member_add(
            viewer=world.viewer(world.personas[persona]),
            resident=resident_a,
            name="Someone",
            kind=MemberKind.PERSON,
            closeness=Closeness.CLOSE,
            sees=True,
        )


def test_drawing_again_keeps_the_earlier_drawing_and_shows_then_and_now(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)):
        pat = _add(world, resident_a, "Auntie Pat", call_on=True)
        _add(world, resident_a, "Sam next door", sees=True, helps=True)
    with time_machine.travel(datetime.datetime(2026, 4, 10, 12, tzinfo=datetime.UTC)):
        second = own_network.drawing_again(viewer=viewer, resident=resident_a)
        copied = second.members.get(key=pat.key)
        own_network.member_change(
            viewer=viewer,
            resident=resident_a,
            member=copied,
            name="Auntie Pat",
            kind=MemberKind.PERSON,
            closeness=Closeness.VERY_CLOSE,
            sees=True,
            call_on=True,
        )
        _add(world, resident_a, "Knit and Natter", kind=MemberKind.GROUP, sees=True)
        _add(world, resident_a, "Food bank volunteers", kind=MemberKind.GROUP, helps=True)
    first, latest = own_network.drawings_of(resident_a)
    assert (first.number, first.drawn_on, latest.number, latest.drawn_on) == (
        1,
        D(2026, 1, 10),
        2,
        D(2026, 4, 10),
    )
    assert first.members.get(key=pat.key).closeness == Closeness.CLOSE  # kept as it was
    rows = {
        r["label"]: (r["then"], r["now"], r["change"]) for r in own_network.compare(first, latest)
    }
    assert rows == {
        "Everyone in the drawing": (2, 4, 2),
        "People": (2, 2, 0),
        "Groups, services and places": (0, 2, 2),
        "In the inner circle (very close)": (0, 1, 1),
        "People and groups they see": (1, 3, 2),
        "Who they could call on": (1, 1, 0),
        "Who they help": (1, 2, 1),
    }
    # only the latest drawing changes
    with pytest.raises(Http404):
        own_network.member_change(
            viewer=viewer,
            resident=resident_a,
            member=first.members.get(key=pat.key),
            name="Pat",
            kind=MemberKind.PERSON,
            closeness=Closeness.CLOSE,
            sees=True,
        )


def test_a_new_drawing_cannot_be_dated_before_the_last_or_in_the_future(world, resident_a):
    _add(world, resident_a, "Auntie Pat")
    viewer = world.viewer(world.catalyst_a)
    today = timezone.localdate()
    for bad in (today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as caught:
            own_network.drawing_again(viewer=viewer, resident=resident_a, drawn_on=bad)
        assert list(caught.value.message_dict) == ["drawn_on"]
    assert OwnNetworkDrawing.objects.filter(resident=resident_a).count() == 1


# --- the pages ------------------------------------------------------------------------------


def test_own_network_pages_are_for_the_holding_organisations_caseworkers_only(world, resident_a):
    member = _add(world, resident_a, "Auntie Pat")
    # sharing the record with B by consent does not open this page to B
    people.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        organisation=world.org_b,
        given=True,
        method=ConsentMethod.VERBAL,
        wording="Can we share your record with the council?",
    )
    holders = {"catalyst_a": 200, "manager_a": 200}
    rid = resident_a.public_id
    for url in (
        reverse("network:own", args=[rid]),
        reverse("network:own_add", args=[rid]),
        reverse("network:own_edit", args=[rid, member.key]),
    ):
        assert_access(world, "get", url, holders)
    strangers = {"worker_b", "catalyst_b", "analyst", "outsider"}
    for url in (
        reverse("network:own_add", args=[rid]),
        reverse("network:own_edit", args=[rid, member.key]),
        reverse("network:own_remove", args=[rid, member.key]),
        reverse("network:own_draw_again", args=[rid]),
    ):
        for name in strangers:
            assert client_for(world.personas[name]).post(url).status_code == 404, (name, url)
    assert OwnNetworkMember.objects.count() == 1
    assert OwnNetworkDrawing.objects.count() == 1


def test_the_page_shows_circles_and_a_table_and_writes_one_audit_event(world, resident_a):
    _add(world, resident_a, "Auntie O'Brien", closeness=Closeness.VERY_CLOSE, call_on=True)
    _add(world, resident_a, "Bowls club", kind=MemberKind.GROUP, sees=True)
    client = client_for(world.catalyst_a)
    before = AuditEvent.objects.count()
    response = client.get(reverse("network:own", args=[resident_a.public_id]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    page = response.content.decode()
    assert AuditEvent.objects.count() == before + 1
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.resident_id) == ("view", resident_a.public_id)
    # a picture that needs no JavaScript: one dot per member, the names as labels
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert svg.count('class="cw-own-person"') == 1
    assert svg.count('class="cw-own-group"') == 1
    assert escape("Auntie O'Brien") in svg
    table = response.context["picture"]["dots"]
    assert [(d.member.name, d.member.get_closeness_display()) for d in table] == [
        ("Auntie O'Brien", "Very close"),
        ("Bowls club", "Close"),
    ]
    assert "<script" not in svg


def test_adding_through_the_form_keeps_input_and_shows_errors(world, resident_a):
    client = client_for(world.catalyst_a)
    url = reverse("network:own_add", args=[resident_a.public_id])
    bad = client.post(url, {"name": "Mo from the mosque", "kind": "person", "closeness": "1"})
    assert bad.status_code == 400
    page = bad.content.decode()
    assert "Choose at least one: they see them, could call on them, or help them" in page
    assert 'value="Mo from the mosque"' in page
    good = client.post(
        url,
        {"name": "Mo from the mosque", "kind": "person", "closeness": "1", "relations": ["sees"]},
    )
    assert good.status_code == 302
    member = OwnNetworkMember.objects.get()
    assert (member.name, member.closeness, member.sees, member.helps) == (
        "Mo from the mosque",
        Closeness.VERY_CLOSE,
        True,
        False,
    )


def test_changing_removing_and_drawing_again_through_the_pages(world, resident_a):
    member = _add(world, resident_a, "Auntie Pat")
    client = client_for(world.catalyst_a)
    rid = resident_a.public_id
    client.post(
        reverse("network:own_edit", args=[rid, member.key]),
        {"name": "Aunt Pat", "kind": "person", "closeness": "3", "relations": ["helps"]},
    )
    member.refresh_from_db()
    assert (member.name, member.closeness, member.sees, member.helps) == (
        "Aunt Pat",
        Closeness.FURTHER,
        False,
        True,
    )
    bad = client.post(
        reverse("network:own_draw_again", args=[rid]),
        {"drawn_on_day": "31", "drawn_on_month": "2", "drawn_on_year": "2026"},
    )
    assert bad.status_code == 400
    assert "Enter a real date" in bad.content.decode()
    assert client.post(reverse("network:own_draw_again", args=[rid])).status_code == 302
    latest = own_network.drawings_of(resident_a)[-1]
    assert (latest.number, latest.members.count()) == (2, 1)
    assert client.post(reverse("network:own_remove", args=[rid, member.key])).status_code == 302
    assert not OwnNetworkMember.objects.filter(drawing=latest).exists()
    assert OwnNetworkMember.objects.filter(key=member.key).count() == 1  # drawing 1 keeps her
    page = client.get(reverse("network:own", args=[rid]), {"drawing": "1"}).content.decode()
    assert "Aunt Pat" in page
    assert "Then and now" in page


def test_resident_record_links_to_their_own_network(world, resident_a):
    page = client_for(world.catalyst_a).get(
        reverse("people:resident_detail", args=[resident_a.public_id])
    )
    assert reverse("network:own", args=[resident_a.public_id]) in page.content.decode()


def test_page_queries_do_not_grow_with_the_drawing(world, resident_a):
    client = client_for(world.catalyst_a)
    url = reverse("network:own", args=[resident_a.public_id])
    drawn = []

    def make(count):
        for _ in range(count):
            drawn.append(f"Person {len(drawn)}")
            _add(world, resident_a, drawn[-1])
        own_network.drawing_again(viewer=world.viewer(world.catalyst_a), resident=resident_a)

    def fetch():
        assert client.get(url).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=2, large=27)


# --- rolling up into the place network ------------------------------------------------------


def test_without_consent_nothing_reaches_the_place_network(world, resident_a):
    _add(world, resident_a, "Auntie Pat", call_on=True)
    derive.sync_ties(world.place)
    assert not _own_ties().exists()
    assert not Node.objects.filter(key__startswith="own:").exists()


def test_with_consent_it_rolls_up_as_pseudonymous_ties(world, resident_a):
    pat = _add(world, resident_a, "Auntie Pat", closeness=Closeness.VERY_CLOSE, call_on=True)
    _add(world, resident_a, "Sam next door", closeness=Closeness.FURTHER, sees=True, helps=True)
    _consent(world, resident_a, True)
    ties = {(t.tie_type, t.strength, t.directed) for t in _own_ties(resident_a)}
    assert ties == {
        (TieType.CALL_ON, 3.0, True),
        (TieType.SEES, 1.0, False),
        (TieType.HELPS, 1.0, True),
    }
    people_nodes = Node.objects.filter(key__startswith="own:")
    assert people_nodes.count() == 2
    assert set(people_nodes.values_list("kind", "label")) == {(NodeKind.PERSON, "")}
    for node in people_nodes:
        assert node.pseudonym.startswith("R-")
        assert "Pat" not in node.key and "Sam" not in node.key
    pat_node = Node.objects.get(key=derive.own_node_key(resident_a.pk, pat.key))
    assert _own_ties(resident_a, target_node=pat_node).get().started_on == timezone.localdate()
    # nobody else can read the names from the network
    body = client_for(world.worker_b).get(reverse("network:data")).content.decode()
    assert "Pat" not in body and "Sam next door" not in body


def test_withdrawing_consent_removes_the_ties_and_private_nodes_at_once(world, resident_a):
    _add(world, resident_a, "Auntie Pat", call_on=True)
    _consent(world, resident_a, True)
    assert _own_ties(resident_a).count() == 1
    _consent(world, resident_a, False)
    assert not _own_ties().exists()
    assert not Node.objects.filter(key__startswith="own:").exists()


def test_a_withdrawal_that_missed_the_signal_is_applied_at_the_next_sync(world, resident_a):
    _add(world, resident_a, "Auntie Pat", call_on=True)
    _consent(world, resident_a, True)
    Consent.objects.filter(resident=resident_a, purpose=ConsentPurpose.EVALUATION).update(
        given=False
    )  # written without signals
    assert _own_ties().count() == 1
    derive.sync_ties(world.place)
    assert not _own_ties().exists()
    assert not Node.objects.filter(key__startswith="own:").exists()
    Consent.objects.filter(resident=resident_a).update(given=True)
    derive.sync_ties(world.place)
    assert _own_ties(resident_a).count() == 1


def test_someone_left_out_of_a_later_drawing_ends_on_that_drawings_date(world, resident_a):
    viewer = world.viewer(world.catalyst_a)
    _consent(world, resident_a, True)
    with time_machine.travel(datetime.datetime(2026, 1, 10, 12, tzinfo=datetime.UTC)):
        pat = _add(world, resident_a, "Auntie Pat", sees=True)
    with time_machine.travel(datetime.datetime(2026, 5, 2, 12, tzinfo=datetime.UTC)):
        drawing = own_network.drawing_again(viewer=viewer, resident=resident_a)
        own_network.member_remove(
            viewer=viewer, resident=resident_a, member=drawing.members.get(key=pat.key)
        )
    tie = _own_ties(resident_a).get()
    assert (tie.started_on, tie.ended_on) == (D(2026, 1, 10), D(2026, 5, 2))
    assert not Tie.objects.active_on(D(2026, 6, 1)).filter(pk=tie.pk).exists()
    assert Tie.objects.active_on(D(2026, 3, 1)).filter(pk=tie.pk).exists()


def test_a_group_the_partnership_knows_shares_its_node(world, resident_a):
    people.connection_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        kind=ConnectionKind.GROUP,
        name="Knit & Natter",
    )
    group = Node.objects.get(kind=NodeKind.GROUP, label="Knit & Natter")
    _add(world, resident_a, "KNIT & NATTER", kind=MemberKind.GROUP, sees=True)
    _add(world, resident_a, "My prayer group", kind=MemberKind.GROUP, sees=True)
    _consent(world, resident_a, True)
    targets = {t.target_node for t in _own_ties(resident_a)}
    assert group in targets
    unknown = next(n for n in targets if n != group)
    # a group only the resident named stays unlabelled, under their code
    assert (unknown.kind, unknown.label) == (NodeKind.GROUP, "")
    assert not Node.objects.filter(label__icontains="prayer").exists()
