"""Where a text goes: an unknown number opens a triage item on its clock, a known number
threads into that resident's record (never another organisation's), one acknowledgement
per conversation, and STOP stops everything that is not essential."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from commonweave.demo.factories import ResidentFactory
from commonweave.messaging import services
from commonweave.messaging.enums import Direction, MessageKind, MessageStatus, ProviderName
from commonweave.messaging.models import MessagingSetup, TextMessage, TextOptOut
from commonweave.messaging.providers import InboundText
from commonweave.messaging.selectors import inbox_for
from commonweave.people.enums import (
    ConsentMethod,
    ConsentPurpose,
    ConversationKind,
    FrontDoor,
    ReferralStatus,
    Urgency,
)
from commonweave.people.models import ConsentEvent, Referral
from commonweave.people.selectors import resident_timeline, triage_queue

LONDON = ZoneInfo("Europe/London")
# A Monday at 10am: the place is open (9 to 5, Monday to Friday, by default).
MONDAY_10AM = datetime(2026, 12, 7, 10, 0, tzinfo=LONDON)
SATURDAY_10AM = datetime(2026, 12, 12, 10, 0, tzinfo=LONDON)

_ids = iter(range(1, 10_000))


def text(world, body, phone="07700 900123", at=MONDAY_10AM, provider_id=None):
    inbound = InboundText(
        provider_message_id=provider_id or f"id-{next(_ids)}",
        phone=phone,
        body=body,
        received_at=at,
    )
    message, _created = services.inbound_receive(
        place=world.place, provider=ProviderName.FAKE, text=inbound
    )
    return message


def acknowledgements():
    return TextMessage.objects.filter(direction=Direction.OUT, kind=MessageKind.ACKNOWLEDGEMENT)


def test_unknown_number_opens_a_triage_item_on_the_24_hour_clock(world):
    message = text(world, "I have not spoken to anyone for a week")
    referral = Referral.objects.get()
    assert (referral.front_door, referral.urgency, referral.status) == (
        FrontDoor.TEXT,
        Urgency.ROUTINE,
        ReferralStatus.NEW,
    )
    assert referral.received_at == MONDAY_10AM
    assert referral.due_at == MONDAY_10AM + timedelta(hours=24)
    assert referral.reason == "I have not spoken to anyone for a week"
    assert referral.resident.organisation == world.org_a  # the place's lead organisation
    assert referral.resident.phone == "07700 900123"
    assert (message.referral, message.resident) == (referral, referral.resident)
    queue = triage_queue(world.viewer(world.catalyst_a))
    assert list(queue) == [referral]


def test_an_urgent_word_puts_a_new_number_on_the_3_hour_clock(world):
    text(world, "Please help, I feel UNSAFE at home tonight")
    referral = Referral.objects.get()
    assert referral.urgency == Urgency.URGENT
    assert referral.due_at == MONDAY_10AM + timedelta(hours=3)
    assert TextMessage.objects.filter(direction=Direction.IN).get().urgent is True


def test_urgent_words_are_the_places_own(world):
    MessagingSetup.objects.create(place=world.place, urgent_words="bailiffs\nno electric")
    text(world, "The bailiffs are coming tomorrow")
    assert Referral.objects.get().urgency == Urgency.URGENT
    text(world, "I feel unsafe", phone="07700 900999")
    assert Referral.objects.get(resident__phone="07700 900999").urgency == Urgency.ROUTINE


def test_known_number_threads_into_that_residents_record(world, resident_a):
    resident_a.phone = "+44 7700 900555"
    resident_a.refresh_keys()
    resident_a.save()
    message = text(world, "Thanks for yesterday", phone="447700900555")
    assert message.resident == resident_a
    assert Referral.objects.count() == 0
    timeline = resident_timeline(resident_a, level="full")
    texts = [item["obj"] for item in timeline if item["kind"] == "text"]
    assert sorted((t.direction, t.kind, t.body[:20]) for t in texts) == [
        ("in", "text", "Thanks for yesterday"),
        ("out", "acknowledgement", "Thank you for your t"),
    ]
    # The holding organisation's catalyst sees it in their texts; nobody at B does.
    assert list(inbox_for(world.viewer(world.catalyst_a))) == [message]
    assert list(inbox_for(world.viewer(world.catalyst_b))) == []
    assert list(inbox_for(world.viewer(world.worker_b))) == []


def test_known_number_of_another_organisations_resident_reaches_only_that_organisation(world):
    theirs = ResidentFactory(
        organisation=world.org_b, catalyst=world.catalyst_b, phone="07700900777"
    )
    message = text(world, "Hello again", phone="+447700900777")
    assert message.resident == theirs
    assert list(inbox_for(world.viewer(world.catalyst_b))) == [message]
    assert list(inbox_for(world.viewer(world.catalyst_a))) == []
    assert list(inbox_for(world.viewer(world.manager_a))) == []


def test_a_number_two_organisations_hold_reaches_neither_and_opens_its_own_item(world):
    ResidentFactory(organisation=world.org_a, phone="07700900888")
    ResidentFactory(organisation=world.org_b, phone="07700900888")
    message = text(world, "Who is this?", phone="07700900888")
    referral = Referral.objects.get()
    assert message.resident == referral.resident
    assert referral.resident.organisation == world.org_a  # the lead, through triage
    # The next text from the number follows the item it opened.
    assert text(world, "Me again", phone="07700900888").resident == referral.resident
    assert Referral.objects.count() == 1


def test_a_known_residents_urgent_text_moves_their_open_referral_into_the_3_hour_queue(world):
    text(world, "Can someone call me")
    referral = Referral.objects.get()
    later = MONDAY_10AM + timedelta(hours=2)
    text(world, "It is an emergency now", at=later)
    referral.refresh_from_db()
    assert referral.urgency == Urgency.URGENT
    assert referral.due_at == later + timedelta(hours=3)
    assert Referral.objects.count() == 1


def test_exactly_one_acknowledgement_per_new_item(world):
    text(world, "Hello")
    text(world, "Are you there?", at=MONDAY_10AM + timedelta(minutes=5))
    assert acknowledgements().count() == 1
    ack = acknowledgements().get()
    assert ack.status == MessageStatus.SENT
    assert ack.phone == "+447700900123"
    assert ack.body == (
        "Thank you for your text to Testford. We will reply within 24 hours. "
        "In an emergency call 999. For urgent medical help call 111."
    )


def test_a_replayed_text_gets_no_second_acknowledgement(world):
    text(world, "Hello", provider_id="same")
    text(world, "Hello", provider_id="same")
    assert acknowledgements().count() == 1
    assert TextMessage.objects.filter(direction=Direction.IN).count() == 1


def test_an_urgent_text_is_promised_3_hours(world):
    text(world, "I am in danger")
    assert "within 3 hours" in acknowledgements().get().body


def test_out_of_hours_acknowledgement_says_when_we_open(world):
    text(world, "Hello", at=SATURDAY_10AM)
    assert acknowledgements().get().body == (
        "Thank you for your text to Testford. We are closed now and will reply from "
        "9:00 AM Monday. In an emergency call 999. For urgent medical help call 111."
    )


def test_a_new_conversation_a_day_later_is_acknowledged_again(world):
    text(world, "Hello")
    text(world, "Hello again", at=MONDAY_10AM + timedelta(hours=25))
    assert acknowledgements().count() == 2


def test_stop_is_recorded_as_a_consent_event_and_suppresses_what_is_not_essential(world):
    text(world, "Hello")
    resident = Referral.objects.get().resident
    text(world, "Stop", at=MONDAY_10AM + timedelta(minutes=1))
    event = ConsentEvent.objects.get(resident=resident)
    assert (event.purpose, event.given, event.method) == (
        ConsentPurpose.TEXTS,
        False,
        ConsentMethod.TEXT,
    )
    assert TextOptOut.objects.get().stopped is True
    assert services.may_send("07700 900123", place=world.place) is False
    assert services.may_send("+447700900123") is False
    assert services.may_send("07700 900123", essential=True) is True
    # Non-essential texts afterwards are kept as "not sent".
    sent = services.text_send(
        actor=world.viewer(world.catalyst_a),
        place=world.place,
        phone=resident.phone,
        body="Your check-in link",
    )
    assert sent.status == MessageStatus.SUPPRESSED
    with pytest.raises(ValidationError):
        services.text_reply(viewer=world.viewer(world.catalyst_a), resident=resident, body="Hi")
    confirmation = TextMessage.objects.get(kind=MessageKind.CONFIRMATION)
    assert confirmation.status == MessageStatus.SENT  # essential: it confirms the STOP


def test_start_after_stop_lets_texts_through_again(world):
    text(world, "Hello")
    resident = Referral.objects.get().resident
    text(world, "STOP")
    text(world, "start")
    assert services.may_send(resident.phone, place=world.place) is True
    assert [e.given for e in ConsentEvent.objects.filter(resident=resident).order_by("pk")] == [
        False,
        True,
    ]
    reply = services.text_reply(viewer=world.viewer(world.catalyst_a), resident=resident, body="Hi")
    assert reply.status == MessageStatus.SENT


def test_stop_from_an_unknown_number_opens_nothing_but_is_respected(world):
    text(world, "STOP", phone="07700900321")
    assert Referral.objects.count() == 0
    assert acknowledgements().count() == 0
    assert services.may_send("07700900321", place=world.place) is False


def test_a_sentence_with_stop_in_it_is_a_text_not_an_opt_out(world):
    text(world, "Please don't stop helping me")
    assert TextOptOut.objects.count() == 0
    assert Referral.objects.count() == 1


def test_withdrawn_text_consent_recorded_by_a_worker_is_respected(world, resident_a):
    from commonweave.people import services as people

    people.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.TEXTS,
        given=False,
        method=ConsentMethod.VERBAL,
        wording="No texts please",
    )
    assert services.may_send(resident_a.phone, place=world.place) is False


def test_twilio_answers_stop_itself_so_no_confirmation_is_sent(world):
    MessagingSetup.objects.create(place=world.place, provider=ProviderName.TWILIO)
    inbound = InboundText(provider_message_id="SMstop", phone="07700900123", body="STOP")
    services.inbound_receive(place=world.place, provider=ProviderName.TWILIO, text=inbound)
    assert TextOptOut.objects.get().stopped is True
    assert TextMessage.objects.filter(direction=Direction.OUT).count() == 0


def test_a_place_without_a_lead_organisation_keeps_the_text_unrouted(world):
    world.place.lead_organisation = None
    world.place.save(update_fields=["lead_organisation"])
    message = text(world, "Hello")
    assert (message.resident, message.referral) == (None, None)
    assert Referral.objects.count() == 0


def test_reply_reaches_the_provider_and_is_threaded(world, resident_a):
    with time_machine.travel(MONDAY_10AM, tick=False):
        reply = services.text_reply(
            viewer=world.viewer(world.catalyst_a), resident=resident_a, body="See you at 2"
        )
    assert (reply.status, reply.kind, reply.resident, reply.sent_by) == (
        MessageStatus.SENT,
        MessageKind.REPLY,
        resident_a,
        world.catalyst_a,
    )
    assert reply.provider_message_id.startswith("fake-out-")


def test_reply_by_another_organisation_is_a_404(world, resident_a):
    from django.http import Http404

    with pytest.raises(Http404):
        services.text_reply(viewer=world.viewer(world.catalyst_b), resident=resident_a, body="Hi")
    assert TextMessage.objects.count() == 0


def test_a_reply_by_text_is_the_first_contact_and_stops_the_clock(world):
    text(world, "I have not spoken to anyone for a week")
    referral = Referral.objects.get()
    catalyst = world.viewer(world.catalyst_a)
    with time_machine.travel(MONDAY_10AM + timedelta(hours=2), tick=False):
        services.text_reply(viewer=catalyst, resident=referral.resident, body="Hello, it's Sam")
    referral.refresh_from_db()
    assert (referral.status, referral.first_contact_at) == (
        ReferralStatus.CONTACTED,
        MONDAY_10AM + timedelta(hours=2),
    )
    conversation = referral.resident.conversations.get()
    assert conversation.kind == ConversationKind.TEXT
    # A second reply changes nothing about the first contact.
    services.text_reply(viewer=catalyst, resident=referral.resident, body="Are you free Tuesday?")
    referral.refresh_from_db()
    assert referral.first_contact_at == MONDAY_10AM + timedelta(hours=2)
    assert referral.resident.conversations.count() == 1
