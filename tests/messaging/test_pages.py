"""The text pages: who can see, who can change, who gets a 404."""

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.messaging.enums import Direction, MessageKind, MessageStatus, ProviderName
from commonweave.messaging.models import MessagingSetup, TextMessage
from commonweave.messaging.providers import InboundText
from commonweave.messaging.services import inbound_receive
from commonweave.people.models import Referral
from tests.conftest import assert_access, client_for


@pytest.fixture
def texted(world, resident_a):
    resident_a.phone = "07700 900555"
    resident_a.refresh_keys()
    resident_a.save()
    message, _ = inbound_receive(
        place=world.place,
        provider=ProviderName.FAKE,
        text=InboundText(provider_message_id="p-1", phone="07700900555", body="Hello there"),
    )
    return message


def test_thread_is_for_the_holding_organisations_caseworkers_only(world, resident_a, texted):
    url = f"/messages/residents/{resident_a.public_id}/"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})


def test_thread_shows_the_texts_and_a_masked_number(world, resident_a, texted):
    response = client_for(world.catalyst_a).get(f"/messages/residents/{resident_a.public_id}/")
    page = response.content.decode()
    assert "Hello there" in page
    assert "07\u2022\u2022\u2022 \u2022\u2022\u2022 555" in page
    assert "07700 900555" not in page


def test_revealing_the_number_is_audited(world, resident_a, texted):
    client = client_for(world.catalyst_a)
    response = client.post(f"/messages/residents/{resident_a.public_id}/number/")
    assert response.status_code == 200
    assert "07700 900555" in response.content.decode()
    reveals = AuditEvent.objects.filter(detail__field="phone")
    assert [(e.resident_id, e.actor_id) for e in reveals] == [
        (resident_a.public_id, world.catalyst_a.pk)
    ]


def test_revealing_another_organisations_number_is_a_404_and_audits_nothing(
    world, resident_a, texted
):
    url = f"/messages/residents/{resident_a.public_id}/number/"
    assert_access(world, "post", url, {"catalyst_a": 200, "manager_a": 200})
    assert AuditEvent.objects.filter(detail__field="phone").count() == 2


def test_catalyst_replies_from_the_record(world, resident_a, texted):
    client = client_for(world.catalyst_a)
    response = client.post(
        f"/messages/residents/{resident_a.public_id}/", {"body": "I'll ring you at 2"}
    )
    assert response.status_code == 302
    reply = TextMessage.objects.get(kind=MessageKind.REPLY)
    assert (reply.status, reply.phone, reply.sent_by) == (
        MessageStatus.SENT,
        "+447700900555",
        world.catalyst_a,
    )


def test_reply_by_another_organisation_is_a_404_and_sends_nothing(world, resident_a, texted):
    response = client_for(world.catalyst_b).post(
        f"/messages/residents/{resident_a.public_id}/", {"body": "Hi"}
    )
    assert response.status_code == 404
    assert TextMessage.objects.filter(kind=MessageKind.REPLY).count() == 0


def test_empty_reply_is_a_400_with_the_reason(world, resident_a, texted):
    response = client_for(world.catalyst_a).post(
        f"/messages/residents/{resident_a.public_id}/", {"body": ""}
    )
    assert response.status_code == 400
    assert "Enter the text to send" in response.content.decode()


def test_reply_after_stop_is_refused_with_the_reason(world, resident_a, texted):
    inbound_receive(
        place=world.place,
        provider=ProviderName.FAKE,
        text=InboundText(provider_message_id="p-2", phone="07700900555", body="STOP"),
    )
    response = client_for(world.catalyst_a).post(
        f"/messages/residents/{resident_a.public_id}/", {"body": "Hi"}
    )
    assert response.status_code == 400
    assert TextMessage.objects.filter(kind=MessageKind.REPLY).count() == 0


def test_inbox_lists_only_the_viewers_organisations_texts(world, texted):
    # Everyone doing casework has the page (the outsider, in their own place); it lists
    # only the texts of the residents their organisations hold.
    expected = {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200, "outsider": 200}
    assert_access(world, "get", "/messages/", expected)
    assert "Hello there" in client_for(world.catalyst_a).get("/messages/").content.decode()
    assert "Hello there" not in client_for(world.catalyst_b).get("/messages/").content.decode()


def test_the_timeline_on_the_record_shows_the_text(world, resident_a, texted):
    page = client_for(world.catalyst_a).get(f"/residents/{resident_a.public_id}/").content.decode()
    assert "Text received" in page
    assert "Hello there" in page


def test_setup_is_for_place_admins(world):
    # The outsider is a place admin too, of their own place (its own set-up).
    assert_access(world, "get", "/messages/setup/", {"manager_a": 200, "outsider": 200})


def test_setup_says_who_may_use_notify(world):
    page = client_for(world.manager_a).get("/messages/setup/").content.decode()
    assert "GOV.UK Notify is only for public sector bodies" in page


def test_setup_saves_and_refuses_a_two_text_reply(world):
    client = client_for(world.manager_a)
    data = {
        "provider": "",
        "urgent_words": "bailiffs",
        "acknowledgement": "x" * 161,
        "acknowledgement_out_of_hours": "",
        "opens_at": "09:00",
        "closes_at": "17:00",
        "open_days": ["1", "2"],
    }
    assert client.post("/messages/setup/", data).status_code == 400
    assert MessagingSetup.objects.count() == 0
    data["acknowledgement"] = "Thanks. {place} replies within {hours} hours. Emergency: 999."
    assert client.post("/messages/setup/", data).status_code == 302
    setup = MessagingSetup.objects.get()
    assert (setup.urgent_words, setup.open_days) == ("bailiffs", "12")


def test_practice_pages_are_for_place_admins_on_the_fake_provider(world):
    admins = {"manager_a": 200, "outsider": 200}  # each in their own place
    assert_access(world, "get", "/messages/outbox/", admins)
    assert_access(world, "get", "/messages/practice/", admins)


def test_practice_pages_are_gone_on_a_real_provider(world):
    MessagingSetup.objects.create(place=world.place, provider=ProviderName.NOTIFY)
    assert client_for(world.manager_a).get("/messages/outbox/").status_code == 404
    assert client_for(world.manager_a).get("/messages/practice/").status_code == 404


def test_practice_pages_are_open_to_everyone_working_there_in_development(world, settings):
    settings.DEBUG = True
    assert client_for(world.catalyst_a).get("/messages/outbox/").status_code == 200


def test_sending_a_practice_text_opens_a_triage_item_and_fills_the_outbox(world):
    client = client_for(world.manager_a)
    response = client.post("/messages/practice/", {"phone": "07700 900321", "body": "Help"})
    assert response.status_code == 302
    assert Referral.objects.get().resident.phone == "07700 900321"
    outbox = client.get("/messages/outbox/").content.decode()
    assert "Thank you for your text to Testford" in outbox
    assert TextMessage.objects.filter(direction=Direction.IN).count() == 1


@pytest.mark.parametrize("data", [{"phone": "", "body": ""}, {}])
def test_practice_text_without_a_number_is_a_400(world, data):
    response = client_for(world.manager_a).post("/messages/practice/", data)
    assert response.status_code == 400
    assert "Enter the number the text comes from" in response.content.decode()
    assert TextMessage.objects.count() == 0


def test_another_places_admin_sees_nothing_of_this_places_outbox(world):
    client_for(world.manager_a).post("/messages/practice/", {"phone": "07700900321", "body": "Hi"})
    outbox = client_for(world.outsider).get("/messages/outbox/").content.decode()
    assert "Testford" not in outbox
    assert "Nothing sent yet." in outbox


def test_text_lists_make_the_same_queries_at_two_sizes(world, resident_a):
    from commonweave.demo.factories import ResidentFactory
    from tests.queries import assert_same_queries_at_two_sizes

    client = client_for(world.catalyst_a)
    admin = client_for(world.manager_a)
    made = iter(range(100, 1000))

    def make(n):
        for _ in range(n):
            i = next(made)
            ResidentFactory(organisation=world.org_a, phone=f"07700 900{i:03d}")
            for body in ("Hello", "Me again"):
                inbound_receive(
                    place=world.place,
                    provider=ProviderName.FAKE,
                    text=InboundText(f"q-{i}-{body}", f"07700900{i:03d}", body),
                )
            # The same resident's thread grows too.
            inbound_receive(
                place=world.place,
                provider=ProviderName.FAKE,
                text=InboundText(f"q-{i}-a", "07700900555", "And again"),
            )

    resident_a.phone = "07700 900555"
    resident_a.refresh_keys()
    resident_a.save()

    def inbox():
        assert client.get("/messages/").status_code == 200

    def thread():
        assert client.get(f"/messages/residents/{resident_a.public_id}/").status_code == 200

    def record():
        assert client.get(f"/residents/{resident_a.public_id}/").status_code == 200

    def outbox():
        assert admin.get("/messages/outbox/").status_code == 200

    assert_same_queries_at_two_sizes(make, [inbox, thread, record, outbox], small=2, large=6)


def test_the_record_links_to_its_texts_for_the_holding_organisation_only(world, resident_a):
    url = f"/residents/{resident_a.public_id}/"
    link = f"/messages/residents/{resident_a.public_id}/"
    assert link in client_for(world.catalyst_a).get(url).content.decode()
    from commonweave.people import services as people

    people.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose="share",
        given=True,
        method="verbal",
        wording="Share with the council",
        organisation=world.org_b,
    )
    shared = client_for(world.worker_b).get(url)
    assert shared.status_code == 200
    assert link not in shared.content.decode()


def test_setup_warns_when_the_chosen_provider_is_not_configured(world, settings):
    MessagingSetup.objects.create(place=world.place, provider=ProviderName.TWILIO)
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_FROM_NUMBER = ""
    page = client_for(world.manager_a).get("/messages/setup/").content.decode()
    assert "this installation has not set TWILIO_ACCOUNT_SID, TWILIO_FROM_NUMBER" in page
