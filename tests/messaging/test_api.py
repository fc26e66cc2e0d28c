"""The messages API: the same rule as the pages."""

import json

import pytest

from commonweave.messaging.enums import MessageKind, ProviderName
from commonweave.messaging.models import TextMessage
from commonweave.messaging.providers import InboundText
from commonweave.messaging.services import inbound_receive
from tests.conftest import client_for


@pytest.fixture
def texted(world, resident_a):
    resident_a.phone = "07700 900555"
    resident_a.refresh_keys()
    resident_a.save()
    inbound_receive(
        place=world.place,
        provider=ProviderName.FAKE,
        text=InboundText(provider_message_id="p-1", phone="07700900555", body="Hello there"),
    )
    return resident_a


def test_list_a_residents_texts(world, texted):
    response = client_for(world.catalyst_a).get(f"/api/messages/residents/{texted.public_id}")
    assert response.status_code == 200
    items = response.json()["items"]
    assert [(i["direction"], i["kind"], i["number"]) for i in items] == [
        ("in", "text", "07\u2022\u2022\u2022 \u2022\u2022\u2022 555"),
        ("out", "acknowledgement", "07\u2022\u2022\u2022 \u2022\u2022\u2022 555"),
    ]
    assert items[0]["body"] == "Hello there"


@pytest.mark.parametrize("persona", ["catalyst_b", "worker_b", "analyst", "outsider"])
def test_another_organisation_gets_a_404(world, texted, persona):
    client = client_for(world.personas[persona])
    assert client.get(f"/api/messages/residents/{texted.public_id}").status_code == 404
    response = client.post(
        f"/api/messages/residents/{texted.public_id}/reply",
        data=json.dumps({"body": "Hi"}),
        content_type="application/json",
    )
    assert response.status_code in (403, 404)  # 403: a session post without the CSRF token
    assert TextMessage.objects.filter(kind=MessageKind.REPLY).count() == 0


def test_reply_by_api(world, texted):
    client = client_for(world.catalyst_a)
    client.handler.enforce_csrf_checks = False
    response = client.post(
        f"/api/messages/residents/{texted.public_id}/reply",
        data=json.dumps({"body": "See you soon"}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["status"]) == ("reply", "sent")


def test_reply_after_stop_is_a_400(world, texted):
    inbound_receive(
        place=world.place,
        provider=ProviderName.FAKE,
        text=InboundText(provider_message_id="p-2", phone="07700900555", body="STOP"),
    )
    client = client_for(world.catalyst_a)
    response = client.post(
        f"/api/messages/residents/{texted.public_id}/reply",
        data=json.dumps({"body": "Hi"}),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "body"
