"""Mutual aid by text (mutualaid/texts.py, through messaging's inbound hook), on the fake
provider: a helper's YES answers their alert, ON MY WAY and SAFE check in (and SAFE stops
the escalation), other words are passed on to the other side of their match and back,
from the partnership's number and never showing a number; STOP is respected; texts that
are not ours still reach triage or the resident's record exactly as before."""

import datetime

import pytest
from django.test import TestCase

from commonweave.audit.models import AuditEvent
from commonweave.messaging import services as messaging
from commonweave.messaging.enums import Direction, MessageKind, MessageStatus, ProviderName
from commonweave.messaging.models import TextMessage
from commonweave.messaging.providers import InboundText
from commonweave.mutualaid import lone_working, services, texts
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import AidFrontDoor, Kind, MatchStatus, Side
from commonweave.mutualaid.models import Alert, LoneWorking, Match, PlaceSettings, RelayMessage
from commonweave.people.models import Referral
from commonweave.people.selectors import resident_timeline
from commonweave.tenancy.viewer import public_viewer

from . import factories

HELPER_PHONE = "07700 900123"  # factories.helper's
ASKER_PHONE = "07700 900555"
# Every way either number could show in a text.
NUMBER_PARTS = ("900123", "7700900123", "7700 900123", "900555", "7700900555", "7700 900555")
END = datetime.datetime(2026, 6, 1, 12, 0, tzinfo=datetime.UTC)

_ids = iter(range(1, 10_000))


@pytest.fixture(autouse=True)
def _fake_provider(settings):
    settings.MESSAGING_PROVIDER = "fake"


def committed():
    """Run what waits for the commit (texts) when the block ends, as a real commit would."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def text(world, body, phone, provider_id=None, at=None):
    inbound = InboundText(
        provider_message_id=provider_id or f"ma-{next(_ids)}",
        phone=phone,
        body=body,
        received_at=at,
    )
    with committed():
        message, _created = messaging.inbound_receive(
            place=world.place, provider=ProviderName.FAKE, text=inbound
        )
    return message


def sent(kind=None):
    out = TextMessage.objects.filter(direction=Direction.OUT)
    return out.filter(kind=kind) if kind else out


def assert_no_number(body):
    for part in NUMBER_PARTS:
        assert part not in body


def _need(world, cat, *, first_name="Ada", phone=ASKER_PHONE, alert=False, area=None, now=None):
    return services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Milk and bread from the corner shop",
        first_name=first_name,
        front_door=AidFrontDoor.WEB,
        neighbourhood=area,
        address="12 Union Street",
        phone=phone,
        alert=alert,
        now=now,
    )


def _accepted(world, coordinator, volunteer, slug="shopping", **need):
    cat = factories.category(world.place, slug)
    now = need.pop("now", None)
    match = services.match_propose(
        actor=coordinator, need=_need(world, cat, now=now, **need), volunteer=volunteer, now=now
    )
    services.match_accept(actor=coordinator, match=match, side=Side.NEED, now=now)
    return services.match_accept(actor=Helper(volunteer), match=match, side=Side.HELPER, now=now)


@pytest.fixture
def helper(world, areas):
    return factories.helper(
        world.place, world.org_a, home=areas[0], checks=factories.full_checks(END.date())
    )


# Keywords ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ("YES", "yes"),
        ("Yes!", "yes"),
        (" y ", "yes"),
        ("no.", "no"),
        ("Not this time", "no"),
        ("On my way...", "on_my_way"),
        ("ON-MY-WAY", "on_my_way"),
        ("Safe", "safe"),
        ("DONE!!", "safe"),
        ("I\u2019m safe", "safe"),
        ("No worries, see you at 3", ""),
        ("yes I can do Tuesday", ""),
        ("", ""),
    ],
)
def test_keywords_are_whole_texts_in_any_case_and_punctuation(body, said):
    assert texts.keyword(body) == said


# Alerts -----------------------------------------------------------------------------


def test_a_helpers_yes_by_text_answers_their_alert_and_proposes_them(world, areas, helper):
    services.place_settings(world.place)
    PlaceSettings.objects.filter(place=world.place).update(peer_to_peer=True)
    cat = factories.category(world.place, "shopping")
    factories.offer(helper, cat)
    with committed():
        need = _need(world, cat, alert=True, area=areas[0])
    alert = Alert.objects.get(need=need)
    text(world, "Yes!", phone="447700900123")
    alert.refresh_from_db()
    assert alert.answer == "yes"
    match = Match.objects.get(need=need)
    assert (match.volunteer, match.status, match.helper_accepted_at is not None) == (
        helper,
        MatchStatus.PROPOSED,
        True,
    )
    assert AuditEvent.objects.filter(
        object_id=match.public_id, actor_label=f"helper:{helper.public_id}"
    ).exists()
    # Answered, not triaged: one answer back, no acknowledgement, no triage item.
    assert Referral.objects.count() == 0
    assert sent(MessageKind.ACKNOWLEDGEMENT).count() == 0
    answer = sent(MessageKind.ANSWER).get()
    assert "Ada" in answer.body and "Sam" in answer.body
    assert_no_number(answer.body)
    assert "Union Street" not in answer.body


def test_without_peer_to_peer_a_yes_by_text_is_recorded_for_the_coordinator(world, areas, helper):
    cat = factories.category(world.place, "shopping")
    factories.offer(helper, cat)
    with committed():
        need = _need(world, cat, alert=True, area=areas[0])
    text(world, "yes", phone=HELPER_PHONE)
    assert Alert.objects.get(need=need).answer == "yes"
    assert Match.objects.count() == 0
    assert "coordinator" in sent(MessageKind.ANSWER).get().body
    assert Referral.objects.count() == 0


def test_a_helpers_no_by_text_is_recorded_and_proposes_nothing(world, areas, helper):
    cat = factories.category(world.place, "shopping")
    factories.offer(helper, cat)
    need = _need(world, cat, alert=True, area=areas[0])
    text(world, "no", phone=HELPER_PHONE)
    assert Alert.objects.get(need=need).answer == "no"
    assert Match.objects.count() == 0
    assert sent(MessageKind.ANSWER).count() == 1


def test_yes_with_no_alert_waiting_says_what_they_can_text(world, helper):
    text(world, "YES", phone=HELPER_PHONE)
    assert Match.objects.count() == 0
    assert Referral.objects.count() == 0
    answer = sent(MessageKind.ANSWER).get()
    assert "ON MY WAY" in answer.body and "SAFE" in answer.body


def test_a_helpers_other_words_without_a_match_get_what_they_can_text(world, helper):
    text(world, "What do I do now?", phone=HELPER_PHONE)
    assert RelayMessage.objects.count() == 0
    assert Referral.objects.count() == 0
    assert sent(MessageKind.ACKNOWLEDGEMENT).count() == 0
    assert "YES" in sent(MessageKind.ANSWER).get().body


# Lone working -----------------------------------------------------------------------


@pytest.fixture
def visit(world, coordinator, helper):
    """An accepted home visit (odd jobs) with a window from 11:00 to 12:00."""
    services.place_settings(world.place)
    PlaceSettings.objects.filter(place=world.place).update(safeguarding_lead=world.manager_a)
    match = _accepted(
        world, coordinator, helper, slug="odd-jobs", now=END - datetime.timedelta(hours=20)
    )
    lone_working.lone_working_plan(
        viewer=coordinator, match=match, starts_at=END - datetime.timedelta(hours=1), ends_at=END
    )
    return match


def test_on_my_way_and_safe_by_text_check_in_and_stop_the_escalation(world, helper, visit):
    text(world, "On my way", phone=HELPER_PHONE, at=END - datetime.timedelta(minutes=50))
    text(world, "SAFE.", phone=HELPER_PHONE, at=END - datetime.timedelta(minutes=2))
    plan = LoneWorking.objects.get(match=visit)
    assert plan.on_my_way_at == END - datetime.timedelta(minutes=50)
    assert plan.safe_at == END - datetime.timedelta(minutes=2)
    assert lone_working.checkins_escalate(now=END + datetime.timedelta(hours=2)) == []
    events = AuditEvent.objects.filter(
        object_id=visit.public_id, actor_label=f"helper:{helper.public_id}"
    )
    assert sorted(e.detail.get("lone_working", "") for e in events) == [
        "",  # accepting the match
        "on_my_way",
        "safe",
    ]
    assert RelayMessage.objects.count() == 0  # check-ins are not passed on
    assert Referral.objects.count() == 0
    assert sent(MessageKind.ACKNOWLEDGEMENT).count() == 0
    assert sent(MessageKind.ANSWER).count() == 2


def test_without_safe_by_text_the_check_in_still_escalates(world, helper, visit):
    text(world, "on my way", phone=HELPER_PHONE, at=END - datetime.timedelta(minutes=50))
    assert len(lone_working.checkins_escalate(now=END + datetime.timedelta(minutes=31))) == 1


def test_safe_with_no_visit_planned_says_what_they_can_text(world, helper):
    text(world, "done", phone=HELPER_PHONE)
    assert "no home visit" in sent(MessageKind.ANSWER).get().body


# Relays -----------------------------------------------------------------------------


def test_a_helpers_text_reaches_the_person_they_help_without_either_number(
    world, coordinator, helper
):
    match = _accepted(world, coordinator, helper)
    text(world, "I'll be there at 3, blue car", phone="+447700900123")
    relayed = RelayMessage.objects.get()
    assert (relayed.match, relayed.from_side, relayed.text) == (
        match,
        Side.HELPER,
        "I'll be there at 3, blue car",
    )
    out = sent(MessageKind.RELAY).get()
    assert (out.phone, out.status) == ("+447700900555", MessageStatus.SENT)
    assert "I'll be there at 3, blue car" in out.body and "Sam" in out.body
    assert_no_number(out.body)
    assert "Union Street" not in out.body
    # Passed on, nothing else: no answer, no acknowledgement, no triage item.
    assert list(sent().values_list("kind", flat=True)) == [MessageKind.RELAY]
    assert Referral.objects.count() == 0


def test_the_askers_text_reaches_their_helper_without_either_number(world, coordinator, helper):
    match = _accepted(world, coordinator, helper)
    text(world, "Thank you! It is the house with the red door", phone="447700900555")
    relayed = RelayMessage.objects.get()
    assert (relayed.match, relayed.from_side) == (match, Side.NEED)
    out = sent(MessageKind.RELAY).get()
    assert out.phone == "+447700900123"
    assert "red door" in out.body and "Ada" in out.body
    assert_no_number(out.body)
    assert AuditEvent.objects.filter(
        object_id=match.public_id, actor_label=f"asker:{match.need.public_id}"
    ).get().detail == {"relay": "need"}
    assert list(sent().values_list("kind", flat=True)) == [MessageKind.RELAY]
    assert Referral.objects.count() == 0


def test_a_coordinators_relay_for_the_asker_is_texted_to_the_helper(world, coordinator, helper):
    match = _accepted(world, coordinator, helper)
    with committed():
        services.relay_send(actor=coordinator, match=match, text="She will leave the gate open")
    out = sent(MessageKind.RELAY).get()
    assert out.phone == "+447700900123"
    assert "gate open" in out.body
    assert_no_number(out.body)
    assert AuditEvent.objects.filter(object_id=out.public_id).get().actor_label == (
        "mutual-aid:relays"
    )


def test_stop_suppresses_relays_to_that_number(world, coordinator, helper):
    _accepted(world, coordinator, helper)
    text(world, "STOP", phone=ASKER_PHONE)
    text(world, "See you at 3", phone=HELPER_PHONE)
    assert RelayMessage.objects.count() == 1  # still on both sides' pages
    assert sent(MessageKind.RELAY).get().status == MessageStatus.SUPPRESSED


def test_a_replayed_text_relays_nothing_new(world, coordinator, helper):
    _accepted(world, coordinator, helper)
    text(world, "See you at 3", phone=HELPER_PHONE, provider_id="same")
    text(world, "See you at 3", phone=HELPER_PHONE, provider_id="same")
    text(world, "SAFE", phone=HELPER_PHONE, provider_id="same")
    assert RelayMessage.objects.count() == 1
    assert sent().count() == 1
    assert TextMessage.objects.filter(direction=Direction.IN).count() == 1


def test_a_helper_with_two_matches_is_asked_to_use_their_link(world, coordinator, helper):
    _accepted(world, coordinator, helper)
    _accepted(world, coordinator, helper, first_name="Bo", phone="07700 900666")
    text(world, "See you at 3", phone=HELPER_PHONE)
    assert RelayMessage.objects.count() == 0
    assert "more than one" in sent(MessageKind.ANSWER).get().body


def test_an_urgent_text_is_passed_on_and_also_reaches_triage(world, coordinator, helper):
    _accepted(world, coordinator, helper)
    message = text(world, "I feel unsafe, the man next door is shouting", phone=ASKER_PHONE)
    assert RelayMessage.objects.count() == 1
    referral = Referral.objects.get()
    assert (message.referral, referral.urgency) == (referral, "urgent")
    assert sorted(sent().values_list("kind", flat=True)) == [
        MessageKind.ACKNOWLEDGEMENT,
        MessageKind.RELAY,
    ]


# Not ours ---------------------------------------------------------------------------


def test_an_unknown_number_still_opens_a_triage_item_with_one_acknowledgement(
    world, coordinator, helper
):
    _accepted(world, coordinator, helper)
    message = text(world, "Can someone help me with my shopping?", phone="07700 900999")
    referral = Referral.objects.get()
    assert message.referral == referral
    assert list(sent().values_list("kind", flat=True)) == [MessageKind.ACKNOWLEDGEMENT]
    assert RelayMessage.objects.count() == 0
    assert AuditEvent.objects.get(object_id=message.public_id).detail["routed"] == "new"


def test_a_residents_number_still_threads_into_their_record(world, resident_a, helper):
    resident_a.phone = "07700 900777"
    resident_a.refresh_keys()
    resident_a.save()
    message = text(world, "Thanks for yesterday", phone="07700 900777")
    assert message.resident == resident_a
    timeline = resident_timeline(resident_a, level="full")
    assert sorted(i["obj"].kind for i in timeline if i["kind"] == "text") == [
        MessageKind.ACKNOWLEDGEMENT,
        MessageKind.TEXT,
    ]
    assert Referral.objects.count() == 0


def test_an_askers_text_without_an_accepted_match_goes_to_triage(world, coordinator, helper):
    cat = factories.category(world.place, "shopping")
    need = _need(world, cat)
    services.match_propose(actor=coordinator, need=need, volunteer=helper)  # proposed only
    text(world, "Is anyone coming?", phone=ASKER_PHONE)
    assert RelayMessage.objects.count() == 0
    assert Referral.objects.count() == 1
    assert list(sent().values_list("kind", flat=True)) == [MessageKind.ACKNOWLEDGEMENT]


def test_a_helper_in_another_place_is_not_recognised(world, coordinator, helper):
    helper.place = world.other_place
    helper.save(update_fields=["place"])
    text(world, "YES", phone=HELPER_PHONE)
    assert Referral.objects.count() == 1
    assert sent(MessageKind.ANSWER).count() == 0
