"""The page that sends a resident their check-in link: it offers only the channels the
resident has, says why when there is none, and after sending says where the link went,
masked, without putting the address in a URL or a message cookie."""

import pytest
from django.urls import reverse

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.wellbeing import senders, services

pytestmark = pytest.mark.django_db


def start(world, **contact):
    person = ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Edna Clough",
        preferred_name="",
        **contact,
    )
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=person)
    return reverse("wellbeing:send_link", args=[checkin.public_id])


def radios(page):
    return [value for value in ("text", "email") if f'value="{value}"' in page]


@pytest.mark.parametrize(
    ("phone", "email", "offered"),
    [
        ("07700 900123", "edna@example.org", ["text", "email"]),
        ("07700 900123", "", ["text"]),
        ("", "edna@example.org", ["email"]),
    ],
)
def test_only_the_channels_the_resident_has_are_offered(world, login, phone, email, offered):
    page = login(world.catalyst_a).get(start(world, phone=phone, email=email)).content.decode()
    assert radios(page) == offered


def test_each_channel_says_where_it_would_go_masked(world, login):
    page = (
        login(world.catalyst_a)
        .get(start(world, phone="07700 900123", email="edna@example.org"))
        .content.decode()
    )
    assert "Text message to 07••• ••• 123" in page
    assert "Email to e•••@example.org" in page
    assert "900123" not in page and "edna@" not in page


def test_with_no_way_to_reach_them_the_page_says_why_and_offers_no_form(world, login):
    response = login(world.catalyst_a).get(start(world, phone="", email=""))
    page = response.content.decode()
    assert response.status_code == 200
    assert "there is no mobile number or email address on their record" in page
    assert radios(page) == [] and "Send link</button>" not in page
    assert "Do the check-in with them" in page


def test_a_posted_channel_they_do_not_have_is_refused_with_the_reason(world, login, outbox):
    url = start(world, phone="07700 900123", email="")
    response = login(world.catalyst_a).post(url, {"channel": "email"})
    assert response.status_code == 400
    assert "There is no email address on their record" in response.content.decode()
    assert outbox == []


def test_after_sending_the_page_says_where_it_went(world, login, outbox):
    url = start(world, phone="07700 900123", email="edna@example.org")
    client = login(world.catalyst_a)
    response = client.post(url, {"channel": "text"})
    assert (response.status_code, response.url) == (302, f"{url}?sent=1")
    assert "0770" not in response.url
    # Nothing about the person travels in the message cookie.
    assert "messages" not in response.cookies
    page = client.get(response.url).content.decode()
    assert "Sent by text message to 07••• ••• 123" in page
    assert [(m["channel"], m["to"]) for m in outbox] == [("text", "07700 900123")]

    client.post(url, {"channel": "email"})
    assert "Sent by email to e•••@example.org" in client.get(f"{url}?sent=1").content.decode()


def test_showing_where_it_went_is_an_audited_read(world, login, outbox):
    url = start(world, phone="07700 900123")
    client = login(world.catalyst_a)
    client.post(url, {"channel": "text"})
    before = AuditEvent.objects.filter(action="view").count()
    client.get(f"{url}?sent=1")
    assert AuditEvent.objects.filter(action="view").count() == before + 1


@pytest.mark.parametrize(
    ("channel", "to", "shown"),
    [
        ("text", "07700 900123", "07••• ••• 123"),
        ("text", "+44 7700 900 123", "44••• ••• 123"),
        ("text", "123", "•••"),
        ("email", "edna.clough@example.org", "e•••@example.org"),
        ("email", "not-an-address", "•••"),
    ],
)
def test_masking(channel, to, shown):
    assert senders.masked(channel, to) == shown
