"""One-time links: a resident checks in alone on their phone, with no account. The link
opens only that check-in, works once, expires, and reveals nothing else."""

import re
from datetime import timedelta

import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.wellbeing import services
from commonweave.wellbeing.enums import CheckInStatus, CheckInVia
from commonweave.wellbeing.models import AreaRating, CheckIn, CheckInLink, MeasureResponse


def send(world, resident, login, channel="text"):
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident)
    response = login(world.catalyst_a).post(
        reverse("wellbeing:send_link", args=[checkin.public_id]), {"channel": channel}
    )
    assert response.status_code == 302
    return checkin


DONE = reverse("wellbeing:link_done")


def complete(client, url, answers):
    """Go through every step of the check-in, giving each step its part of `answers`
    (a step takes only its own questions from what is posted); the last response."""
    for number in range(1, 20):
        response = client.post(url, {**answers, "step": str(number)})
        if response.status_code != 302 or response.url == DONE:
            return response
        assert response.url == f"{url}?step={number + 1}"
    raise AssertionError("the check-in never ended")


def token_from(outbox):
    return re.search(r"/wellbeing/c/([\w-]+)/", outbox[-1]["message"]).group(1)


def resident(world, **kwargs):
    defaults = {
        "full_name": "Maureen Oyelaran-Smith",
        "preferred_name": "",
        "phone": "07700 900123",
        "email": "mo@example.org",
    }
    return ResidentFactory(
        organisation=world.org_a, catalyst=world.catalyst_a, **(defaults | kwargs)
    )


def test_the_link_goes_by_the_chosen_channel_with_the_first_name_only(world, login, outbox):
    person = resident(world)
    send(world, person, login, channel="text")
    send(world, person, login, channel="email")
    assert [(m["channel"], m["to"]) for m in outbox] == [
        ("text", "07700 900123"),
        ("email", "mo@example.org"),
    ]
    assert outbox[0]["message"].startswith("Hello Maureen, ")
    assert "Oyelaran" not in outbox[0]["message"]


def test_only_a_hash_of_the_token_is_kept(world, login, outbox):
    send(world, resident(world), login)
    token = token_from(outbox)
    link = CheckInLink.objects.get()
    assert link.token_hash == services.hash_token(token)
    assert token not in str(list(CheckInLink.objects.values()))
    assert link.expires_at - link.created_at == timedelta(days=7)


def test_no_contact_details_is_a_clear_error(world, login, outbox):
    person = resident(world, phone="", email="")
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=person)
    response = login(world.catalyst_a).post(
        reverse("wellbeing:send_link", args=[checkin.public_id]), {"channel": "text"}
    )
    assert response.status_code == 400
    assert "There is no mobile number on their record" in response.content.decode()
    assert outbox == []


def test_the_link_opens_the_check_in_and_reveals_nothing_else(world, login, outbox):
    person = resident(world, what_matters="Her grandchildren", postcode="RM9 6XX")
    send(world, person, login)
    page = Client().get(reverse("wellbeing:link", args=[token_from(outbox)]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Hello Maureen" in body
    for secret in (
        "Oyelaran",
        "grandchildren",
        "RM9",
        "07700",
        "mo@example.org",
        person.public_id,
        "Testford Connect",
    ):
        assert secret not in body
    assert page["Referrer-Policy"] == "same-origin"
    assert "no-store" in page["Cache-Control"]
    assert "<script>" not in body  # no inline script; works without JavaScript


def test_a_used_link_gives_a_clear_page_and_no_data(world, login, outbox):
    person = resident(world)
    checkin = send(world, person, login)
    url = reverse("wellbeing:link", args=[token_from(outbox)])
    client = Client()
    response = complete(client, url, {"area_home": "4", "own_words": "Feeling better"})
    assert response.url == DONE
    checkin.refresh_from_db()
    assert (checkin.status, checkin.via, checkin.own_words) == (
        CheckInStatus.COMPLETE,
        CheckInVia.LINK,
        "Feeling better",
    )
    assert CheckInLink.objects.get().used_at is not None
    again = client.get(url)
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    assert "Feeling better" not in again.content.decode()
    second = client.post(url, {"area_home": "1", "own_words": "changed"})
    assert second.status_code == 410
    checkin.refresh_from_db()
    assert checkin.own_words == "Feeling better"


def assert_reveals_nothing(body, person):
    """A page for a link that cannot be used: no name, no question, no form, no ids."""
    for secret in ("Maureen", "Oyelaran", person.public_id, "07700", "Testford Connect"):
        assert secret not in body
    assert "<form" not in body
    assert "area_home" not in body
    assert "How do you feel" not in body


def test_an_expired_link_gives_a_clear_page_and_no_data(world, login, outbox):
    person = resident(world)
    send(world, person, login)
    url = reverse("wellbeing:link", args=[token_from(outbox)])
    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        response = Client().get(url)
        posted = Client().post(url, {"area_home": "4"})
    assert response.status_code == 410
    assert "This link has expired" in response.content.decode()
    assert_reveals_nothing(response.content.decode(), person)
    assert posted.status_code == 410
    assert_reveals_nothing(posted.content.decode(), person)
    assert CheckIn.objects.get().status == CheckInStatus.DRAFT
    assert not AreaRating.objects.exists()


def test_a_used_link_reveals_nothing_about_the_person(world, login, outbox):
    person = resident(world)
    send(world, person, login)
    url = reverse("wellbeing:link", args=[token_from(outbox)])
    complete(Client(), url, {"area_home": "4"})
    again = Client().get(url)
    assert again.status_code == 410
    assert_reveals_nothing(again.content.decode(), person)


def test_an_out_of_range_answer_on_a_link_is_refused_next_to_it_and_nothing_is_saved(
    world, login, outbox
):
    person = resident(world)
    checkin = send(world, person, login)
    url = reverse("wellbeing:link", args=[token_from(outbox)])
    client = Client()
    response = client.post(url, {"step": "1", "area_home": "9", "better_home": "Kept as typed"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_area_home-error"' in body
    assert "Home: choose one of the answers" in body
    assert "Kept as typed" in body
    assert "Step 1 of 5" in body
    assert client.post(url, {"step": "1", "area_home": "4"}).url == f"{url}?step=2"
    response = client.post(url, {"step": "3", "m_ons4__anxiety": "11"})
    body = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_m_ons4__anxiety-error"' in body
    assert "Anxiety: choose one of the answers" in body
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT
    assert not AreaRating.objects.exists()
    assert not MeasureResponse.objects.exists()
    assert CheckInLink.objects.get().used_at is None
    # The same link still works for a good answer.
    assert complete(client, url, {"area_home": "4", "m_ons4__anxiety": "3"}).url == DONE
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.COMPLETE
    assert MeasureResponse.objects.get().scores == {
        "anxiety": {"value": 3, "band": "low", "higher_is": "worse"}
    }
    assert AreaRating.objects.get(checkin=checkin, area__key="home").value == 4


def test_an_unknown_link_is_not_found(db):
    response = Client().get(reverse("wellbeing:link", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This link does not work" in response.content.decode()


def test_sending_a_new_link_retires_the_old_one(world, login, outbox):
    person = resident(world)
    checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=person)
    url = reverse("wellbeing:send_link", args=[checkin.public_id])
    client = login(world.catalyst_a)
    client.post(url, {"channel": "text"})
    old = token_from(outbox)
    client.post(url, {"channel": "text"})
    assert Client().get(reverse("wellbeing:link", args=[old])).status_code == 410
    assert Client().get(reverse("wellbeing:link", args=[token_from(outbox)])).status_code == 200


def test_a_link_cannot_reach_any_other_record(world, login, outbox):
    person = resident(world)
    other = ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)
    other_checkin = services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=other)
    send(world, person, login)
    client = Client()
    url = reverse("wellbeing:link", args=[token_from(outbox)])
    assert client.get(url).status_code == 200
    # Having opened a link gives no session: staff pages still ask to sign in.
    for page in (
        reverse("wellbeing:picture", args=[person.public_id]),
        reverse("wellbeing:checkin", args=[other_checkin.public_id]),
        reverse("people:resident_detail", args=[person.public_id]),
    ):
        assert client.get(page).status_code == 302
    # Extra fields naming another check-in or resident are ignored.
    complete(
        client,
        url,
        {
            "area_home": "5",
            "checkin": other_checkin.public_id,
            "resident": other.public_id,
            "public_id": other_checkin.public_id,
        },
    )
    other_checkin.refresh_from_db()
    assert other_checkin.status == CheckInStatus.DRAFT
    assert CheckIn.objects.filter(resident=person, status=CheckInStatus.COMPLETE).count() == 1


def test_opening_a_link_is_audited_once_without_personal_data(world, login, outbox):
    person = resident(world)
    checkin = send(world, person, login)
    before = AuditEvent.objects.count()
    Client().get(reverse("wellbeing:link", args=[token_from(outbox)]))
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.actor_label, e.object_id, e.detail) for e in events] == [
        ("view", "anonymous", checkin.public_id, {"via": "link"})
    ]


def test_other_organisations_cannot_send_links(world, login, outbox):
    from tests.conftest import assert_access

    checkin = services.checkin_start(
        viewer=world.viewer(world.catalyst_a), resident=resident(world)
    )
    url = reverse("wellbeing:send_link", args=[checkin.public_id])
    assert_access(
        world, "post", url, {"catalyst_a": 302, "manager_a": 302}, data={"channel": "email"}
    )
    assert len(outbox) == 2
