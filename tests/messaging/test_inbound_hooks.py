"""Other apps' inbound handlers (messaging/hooks.py): offered every ordinary text after it
is stored and before it is routed, in registration order; the first that takes it gets
it (no triage item, no acknowledgement, its reply sent, the audit naming it); STOP and
START never reach them; a text nobody takes, or a handler that fails, goes on as before."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction

from commonweave.audit.models import AuditEvent
from commonweave.messaging import hooks, services
from commonweave.messaging.enums import Direction, MessageKind, MessageStatus, ProviderName
from commonweave.messaging.models import TextMessage
from commonweave.messaging.providers import InboundText
from commonweave.people.models import Referral
from commonweave.people.selectors import resident_timeline

MONDAY_10AM = datetime(2026, 12, 7, 10, 0, tzinfo=ZoneInfo("Europe/London"))

_ids = iter(range(1, 10_000))


def text(world, body, phone="07700 900123", provider_id=None):
    inbound = InboundText(
        provider_message_id=provider_id or f"hook-{next(_ids)}",
        phone=phone,
        body=body,
        received_at=MONDAY_10AM,
    )
    message, _created = services.inbound_receive(
        place=world.place, provider=ProviderName.FAKE, text=inbound
    )
    return message


class Recorder:
    """A handler that takes texts holding `word`, answering `reply`, and notes what it saw."""

    def __init__(self, word, reply=""):
        self.word, self.reply, self.seen = word, reply, []

    def __call__(self, message):
        self.seen.append(
            (
                message.body,
                TextMessage.objects.filter(pk=message.pk).exists(),
                transaction.get_connection().in_atomic_block,
            )
        )
        if self.word in message.body:
            return hooks.Handled(reply=self.reply)
        return None


@pytest.fixture
def handlers(monkeypatch):
    """Only the handlers a test registers (mutual aid's is registered at start-up)."""
    registered: list = []
    monkeypatch.setattr(hooks, "_inbound_handlers", registered)
    return registered


def outbound():
    return TextMessage.objects.filter(direction=Direction.OUT)


def test_a_handled_text_opens_no_triage_item_and_gets_only_the_handlers_reply(world, handlers):
    recorder = Recorder("pancakes", reply="We have your pancakes.")
    hooks.on_inbound(recorder)
    message = text(world, "Two pancakes please")
    assert recorder.seen == [("Two pancakes please", True, True)]  # stored, in the transaction
    assert Referral.objects.count() == 0
    assert (message.resident, message.referral) == (None, None)
    assert list(outbound().values_list("kind", "body", "status", "phone")) == [
        (MessageKind.ANSWER, "We have your pancakes.", MessageStatus.SENT, "+447700900123")
    ]
    event = AuditEvent.objects.get(object_id=message.public_id)
    assert event.detail["routed"] == f"handler:{Recorder.__module__}.Recorder"


def test_a_handled_text_without_a_reply_sends_nothing(world, handlers):
    hooks.on_inbound(Recorder("pancakes"))
    text(world, "pancakes")
    assert outbound().count() == 0
    assert Referral.objects.count() == 0


def test_a_text_no_handler_takes_goes_to_triage_with_one_acknowledgement(world, handlers):
    recorder = Recorder("pancakes", reply="never")
    hooks.on_inbound(recorder)
    message = text(world, "I have not spoken to anyone for a week")
    referral = Referral.objects.get()
    assert message.referral == referral
    assert list(outbound().values_list("kind", flat=True)) == [MessageKind.ACKNOWLEDGEMENT]
    assert AuditEvent.objects.get(object_id=message.public_id).detail["routed"] == "new"
    assert len(recorder.seen) == 1


def test_handlers_are_asked_in_registration_order_and_the_first_taker_wins(world, handlers):
    first, second, third = Recorder("x", "first"), Recorder("pancakes", "second"), Recorder("", "3")
    for handler in (first, second, third):
        hooks.on_inbound(handler)
    hooks.on_inbound(first)  # registering twice changes nothing
    text(world, "pancakes")
    assert [len(h.seen) for h in (first, second, third)] == [1, 1, 0]
    assert list(outbound().values_list("body", flat=True)) == ["second"]


def test_stop_and_start_never_reach_a_handler(world, handlers):
    recorder = Recorder("", reply="taken")
    hooks.on_inbound(recorder)
    text(world, "STOP")
    text(world, "start!")
    assert recorder.seen == []
    assert sorted(outbound().values_list("kind", flat=True)) == [MessageKind.CONFIRMATION] * 2


def test_a_handlers_reply_respects_stop(world, handlers):
    hooks.on_inbound(Recorder("pancakes", reply="We have your pancakes."))
    text(world, "STOP")
    text(world, "pancakes")
    answer = outbound().get(kind=MessageKind.ANSWER)
    assert answer.status == MessageStatus.SUPPRESSED


def test_a_replayed_text_is_not_offered_again(world, handlers):
    recorder = Recorder("pancakes", reply="We have your pancakes.")
    hooks.on_inbound(recorder)
    text(world, "pancakes", provider_id="same")
    text(world, "pancakes", provider_id="same")
    assert len(recorder.seen) == 1
    assert TextMessage.objects.filter(direction=Direction.IN).count() == 1
    assert outbound().count() == 1


def test_a_handler_that_fails_is_undone_and_the_text_goes_on_to_triage(world, handlers, caplog):
    def broken(message):
        Referral.objects.filter(pk=-1).delete()  # a write, rolled back with its savepoint
        raise RuntimeError("broken handler")

    hooks.on_inbound(broken)
    message = text(world, "Hello")
    assert message.referral == Referral.objects.get()
    assert list(outbound().values_list("kind", flat=True)) == [MessageKind.ACKNOWLEDGEMENT]
    assert "broken handler" in caplog.text


def test_a_known_residents_handled_text_stays_off_their_timeline(world, handlers, resident_a):
    resident_a.phone = "07700 900555"
    resident_a.refresh_keys()
    resident_a.save()
    hooks.on_inbound(Recorder("pancakes"))
    text(world, "pancakes", phone="07700 900555")
    assert [i for i in resident_timeline(resident_a, level="full") if i["kind"] == "text"] == []
    # Anything else from them threads into their record as before.
    message = text(world, "Thanks for yesterday", phone="07700 900555")
    assert message.resident == resident_a
    assert outbound().get().kind == MessageKind.ACKNOWLEDGEMENT
