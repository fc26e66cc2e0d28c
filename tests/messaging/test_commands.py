"""The management commands: receive a text, poll Notify."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from commonweave.messaging.enums import Direction
from commonweave.messaging.models import TextMessage
from commonweave.messaging.services import notify_poll
from commonweave.people.models import Referral

from .conftest import fixture


def test_receive_text_opens_a_triage_item_once(world):
    out = StringIO()
    call_command("receive_text", "testford", "07700 900123", "Hello", "--id", "cmd-1", stdout=out)
    call_command("receive_text", "testford", "07700 900123", "Hello", "--id", "cmd-1", stdout=out)
    assert TextMessage.objects.filter(direction=Direction.IN).count() == 1
    assert Referral.objects.count() == 1
    assert "Already received" in out.getvalue()


def test_receive_text_for_an_unknown_place_fails(world):
    with pytest.raises(CommandError):
        call_command("receive_text", "nowhere", "07700 900123", "Hello")


def test_notify_poll_stops_when_a_page_holds_nothing_new(world):
    page = fixture("notify_received_page.json")
    page["links"]["next"] = "https://example.invalid/next"
    asked = []

    def fetch(older_than):
        asked.append(older_than)
        return page

    assert notify_poll(place=world.place, fetch=fetch, max_pages=5) == 1
    # Page 1 was new, so it asked for the next; that one held nothing new, so it stopped.
    assert asked == [None, "a2e1c9f0-5b3d-4e8a-8f21-7c6d5e4b3a21"]
