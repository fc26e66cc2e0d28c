"""The sender other apps can plug in respects STOP."""

from commonweave.messaging.enums import ProviderName
from commonweave.messaging.providers import FakeProvider, InboundText
from commonweave.messaging.senders import StopRespectingSender
from commonweave.messaging.services import inbound_receive


def test_stop_respecting_sender_drops_a_text_after_stop(world, monkeypatch):
    sent = []
    monkeypatch.setattr(FakeProvider, "send", lambda self, *, to, body: sent.append(to) or "x")
    sender = StopRespectingSender()
    sender.send(channel="text", to="07700 900123", message="Your link")
    inbound_receive(
        place=world.place,
        provider=ProviderName.FAKE,
        text=InboundText(provider_message_id="s-1", phone="+447700900123", body="STOP"),
    )
    sent.clear()  # the STOP confirmation went through the provider too
    sender.send(channel="text", to="07700 900123", message="Your link")
    sender.send(channel="text", to="07700 900999", message="Your link")
    assert sent == ["+447700900999"]


def test_stop_respecting_sender_sends_email_by_django_mail(world, mailoutbox):
    StopRespectingSender().send(channel="email", to="a@example.org", message="Your link")
    assert [m.to for m in mailoutbox] == [["a@example.org"]]


def test_a_misspelt_provider_setting_fails_the_system_check(settings):
    from commonweave.messaging.checks import messaging_provider_check

    settings.MESSAGING_PROVIDER = "twillio"
    assert [e.id for e in messaging_provider_check(None)] == ["messaging.E001"]
    settings.MESSAGING_PROVIDER = "twilio"
    assert messaging_provider_check(None) == []
