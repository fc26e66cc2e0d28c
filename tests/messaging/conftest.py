"""Messaging tests: the provider secrets, the recorded provider fixtures, and helpers that
post them as the providers would. Nothing reaches the network."""

import json
from pathlib import Path

import pytest
from django.test import Client

from commonweave.messaging.providers import twilio

FIXTURES = Path(__file__).parent / "fixtures"
NOTIFY_TOKEN = "notify-callback-token-for-tests-0123456789"
TWILIO_TOKEN = "twilio-auth-token-for-tests-abcdef"


def fixture(name):
    return json.loads((FIXTURES / name).read_text())


@pytest.fixture(autouse=True)
def _provider_secrets(settings):
    settings.NOTIFY_CALLBACK_TOKEN = NOTIFY_TOKEN
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.MESSAGING_PUBLIC_URL = ""
    settings.MESSAGING_PROVIDER = "fake"


def notify_url(place):
    return f"/api/messages/inbound/notify/{place.slug}"


def twilio_url(place):
    return f"/api/messages/inbound/twilio/{place.slug}"


def post_notify(place, data, token=NOTIFY_TOKEN):
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return Client().post(
        notify_url(place), data=json.dumps(data), content_type="application/json", headers=headers
    )


def post_twilio(place, form, signature=None):
    url = "http://testserver" + twilio_url(place)
    if signature is None:
        signature = twilio.signature(url, list(form.items()), TWILIO_TOKEN)
    return Client().post(twilio_url(place), data=form, headers={"X-Twilio-Signature": signature})
