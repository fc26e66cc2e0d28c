"""The providers' fixtures each store exactly one message; a replay stores none; a bad
token or signature is a 403 that stores nothing."""

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.messaging.enums import Direction, ProviderName
from commonweave.messaging.models import TextMessage
from commonweave.messaging.providers import notify, twilio
from commonweave.messaging.services import inbound_receive
from commonweave.people.models import Referral

from .conftest import TWILIO_TOKEN, fixture, post_notify, post_twilio


def inbound():
    return TextMessage.objects.filter(direction=Direction.IN)


def test_notify_callback_stores_exactly_one_message(world):
    response = post_notify(world.place, fixture("notify_callback.json"))
    assert response.status_code == 204
    message = inbound().get()
    assert (message.provider, message.provider_message_id) == (
        ProviderName.NOTIFY,
        "6f4b1a3e-2c7d-4f0e-9a51-3d8c2b7e1f40",
    )
    assert message.phone == "+447700900123"
    assert message.place == world.place


def test_notify_callback_replayed_stores_nothing_more_and_still_answers(world):
    post_notify(world.place, fixture("notify_callback.json"))
    again = post_notify(world.place, fixture("notify_callback.json"))
    assert again.status_code == 204
    assert inbound().count() == 1
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("token", ["wrong-token", "", None])
def test_notify_callback_with_a_wrong_or_missing_token_is_refused_and_stores_nothing(world, token):
    events = AuditEvent.objects.count()
    response = post_notify(world.place, fixture("notify_callback.json"), token=token)
    assert response.status_code == 403
    assert response.json() == {"detail": "Not signed by the provider"}
    assert TextMessage.objects.count() == 0
    assert Referral.objects.count() == 0
    assert AuditEvent.objects.count() == events


def test_notify_callback_is_refused_when_no_token_is_configured(world, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    response = post_notify(world.place, fixture("notify_callback.json"), token="")
    assert response.status_code == 403
    assert TextMessage.objects.count() == 0


def test_notify_callback_for_an_unknown_place_is_a_404_after_the_token(world):
    world.place.slug = "gone"
    assert post_notify(world.place, fixture("notify_callback.json")).status_code == 404
    assert TextMessage.objects.count() == 0


def test_notify_callback_that_is_not_a_text_is_a_400(world):
    response = post_notify(world.place, {"id": "x"})
    assert response.status_code == 400
    assert TextMessage.objects.count() == 0


def test_notify_poll_page_stores_exactly_one_message_and_a_second_poll_none(world):
    texts, older_than = notify.read_received_page(fixture("notify_received_page.json"))
    assert older_than is None  # no "next" link: the last page
    for text in texts:
        inbound_receive(place=world.place, provider=ProviderName.NOTIFY, text=text)
    assert inbound().count() == 1
    message = inbound().get()
    assert (message.provider_message_id, message.phone, message.body) == (
        "a2e1c9f0-5b3d-4e8a-8f21-7c6d5e4b3a21",
        "+447700900456",
        "Can someone ring me back please",
    )
    for text in notify.read_received_page(fixture("notify_received_page.json"))[0]:
        _message, created = inbound_receive(
            place=world.place, provider=ProviderName.NOTIFY, text=text
        )
        assert created is False
    assert inbound().count() == 1


def test_twilio_form_post_stores_exactly_one_message(world):
    response = post_twilio(world.place, fixture("twilio_form.json"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    message = inbound().get()
    assert (message.provider, message.provider_message_id, message.phone) == (
        ProviderName.TWILIO,
        "SM0f6c1e2d3b4a59687a6b5c4d3e2f1a0b",
        "+447700900789",
    )


def test_twilio_form_post_replayed_stores_nothing_more(world):
    post_twilio(world.place, fixture("twilio_form.json"))
    assert post_twilio(world.place, fixture("twilio_form.json")).status_code == 200
    assert inbound().count() == 1


@pytest.mark.parametrize("signature", ["", "bm90IGEgc2lnbmF0dXJl", "tampered"])
def test_twilio_with_a_bad_signature_is_refused_and_stores_nothing(world, signature):
    response = post_twilio(world.place, fixture("twilio_form.json"), signature=signature)
    assert response.status_code == 403
    assert TextMessage.objects.count() == 0
    assert Referral.objects.count() == 0


def test_twilio_signature_over_a_changed_body_is_refused(world):
    form = fixture("twilio_form.json")
    url = "http://testserver/api/messages/inbound/twilio/testford"
    signed = twilio.signature(url, list(form.items()), TWILIO_TOKEN)
    form["Body"] = "Something else"
    assert post_twilio(world.place, form, signature=signed).status_code == 403
    assert TextMessage.objects.count() == 0


def test_twilio_signature_matches_twilios_published_example(settings):
    # Twilio's documented example (https://www.twilio.com/docs/usage/security).
    settings.TWILIO_AUTH_TOKEN = "12345"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio.signature(url, list(params.items()), "12345") == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert twilio.signature_matches(url, params.items(), "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    # A name sent more than once: its values sorted too.
    repeated = [("Sid", "CA123"), ("SidAccount", "AC123"), ("Digits", "5678")]
    repeated += [("Digits", "1234"), ("Digits", "1234")]
    assert twilio.signature(url, repeated, "12345") == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_inbound_text_is_audited_once(world):
    post_notify(world.place, fixture("notify_callback.json"))
    message = inbound().get()
    events = AuditEvent.objects.filter(object_type="messaging.textmessage")
    assert [(e.object_id, e.action, e.actor_label) for e in events] == [
        (message.public_id, "create", "text:notify")
    ]


def test_twilio_signature_over_the_public_address_behind_a_proxy(world, settings):
    settings.MESSAGING_PUBLIC_URL = "https://commonweave.example.org/"
    form = fixture("twilio_form.json")
    url = "https://commonweave.example.org/api/messages/inbound/twilio/testford"
    signed = twilio.signature(url, list(form.items()), TWILIO_TOKEN)
    assert post_twilio(world.place, form, signature=signed).status_code == 200
    assert inbound().count() == 1


def test_a_text_from_an_unknown_number_is_on_the_triage_page_with_its_clock(world):
    from tests.conftest import client_for

    post_notify(world.place, fixture("notify_callback.json"))
    page = client_for(world.catalyst_a).get("/triage/").content.decode()
    assert "Texted from 07\u2022\u2022\u2022 \u2022\u2022\u2022 123" in page
    assert "Due in" in page or "Overdue by" in page
    assert "Texted from" not in client_for(world.catalyst_b).get("/triage/").content.decode()


def test_the_acknowledgement_goes_back_through_the_provider_the_text_came_by(world, monkeypatch):
    from commonweave.messaging.enums import MessageKind, MessageStatus
    from commonweave.messaging.providers import NotifyProvider

    sent = []

    def send(self, *, to, body):  # the network boundary
        sent.append((to, body[:30]))
        return "notify-out-1"

    monkeypatch.setattr(NotifyProvider, "send", send)
    post_notify(world.place, fixture("notify_callback.json"))
    assert sent == [("+447700900123", "Thank you for your text to Tes")]
    ack = TextMessage.objects.get(kind=MessageKind.ACKNOWLEDGEMENT)
    assert (ack.provider, ack.provider_message_id, ack.status) == (
        ProviderName.NOTIFY,
        "notify-out-1",
        MessageStatus.SENT,
    )


def test_a_provider_that_cannot_send_keeps_the_text_and_marks_the_reply_failed(world):
    # No NOTIFY_SMS_TEMPLATE_ID (and no library): the reply cannot go, nothing is lost.
    assert post_notify(world.place, fixture("notify_callback.json")).status_code == 204
    assert inbound().count() == 1
    assert TextMessage.objects.get(direction=Direction.OUT).status == "failed"
