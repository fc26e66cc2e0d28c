"""The resident's life map pages: who can see them, a check-in with a catalyst, and the
picture (a table of the numbers, with charts drawn from the same numbers)."""

import re

from django.urls import reverse

from commonweave.audit.models import AuditEvent
from commonweave.people import services as people_services
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent
from commonweave.wellbeing import services
from commonweave.wellbeing.enums import CheckInStatus
from commonweave.wellbeing.models import CheckIn, Priority
from tests.conftest import assert_access
from tests.queries import assert_same_queries_at_two_sizes


def picture_url(resident):
    return reverse("wellbeing:picture", kwargs={"public_id": resident.public_id})


def start(world, resident):
    return services.checkin_start(viewer=world.viewer(world.catalyst_a), resident=resident)


def complete(world, resident, ratings, **kwargs):
    checkin = start(world, resident)
    return services.checkin_submit(
        viewer=world.viewer(world.catalyst_a), checkin=checkin, ratings=ratings, **kwargs
    )


def test_picture_is_for_the_holding_organisation_only(world, resident_a):
    assert_access(world, "get", picture_url(resident_a), {"catalyst_a": 200, "manager_a": 200})


def test_shared_records_do_not_share_wellbeing(world, resident_a):
    people_services.consent_record(
        viewer=world.viewer(world.catalyst_a),
        resident=resident_a,
        purpose=ConsentPurpose.SHARE,
        organisation=world.org_b,
        given=True,
        method="verbal",
        wording="Share with the council",
    )
    # worker_b and catalyst_b can now read the record itself, but not the life map.
    assert Consent.objects.get(resident=resident_a, organisation=world.org_b).given is True
    assert_access(world, "get", picture_url(resident_a), {"catalyst_a": 200, "manager_a": 200})


def test_reading_the_picture_is_audited_once(world, resident_a, login):
    complete(world, resident_a, {"home": 3})
    before = AuditEvent.objects.count()
    response = login(world.catalyst_a).get(picture_url(resident_a))
    assert response.status_code == 200
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.resident_id) for e in events] == [("view", resident_a.public_id)]


def test_a_catalyst_completes_a_check_in_from_the_resident_page(world, resident_a, login):
    client = login(world.catalyst_a)
    response = client.post(reverse("wellbeing:checkin_new", args=[resident_a.public_id]))
    checkin = CheckIn.objects.get(resident=resident_a)
    assert response.url == reverse("wellbeing:checkin", args=[checkin.public_id])
    page = client.get(response.url)
    assert page.status_code == 200
    assert "People around me" in page.content.decode()
    assert "Really hard right now" in page.content.decode()
    response = client.post(
        response.url,
        {
            "area_home": "4",
            "better_money": "A benefits check",
            "own_words": "Good month",
            "m_ons4__life_satisfaction": "7",
            "m_ons4__worthwhile": "7",
            "m_ons4__happiness": "6",
            "m_ons4__anxiety": "2",
        },
    )
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.COMPLETE
    assert checkin.measures.get().scores["anxiety"]["band"] == "low"


def test_a_bad_answer_is_shown_next_to_the_field_and_nothing_is_saved(world, resident_a, login):
    checkin = start(world, resident_a)
    response = login(world.catalyst_a).post(
        reverse("wellbeing:checkin", args=[checkin.public_id]),
        {"area_home": "9", "own_words": "kept text", "m_ons4__anxiety": "12"},
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Home: choose one of the answers" in body
    assert "Anxiety: choose one of the answers" in body
    assert "kept text" in body
    checkin.refresh_from_db()
    assert checkin.status == CheckInStatus.DRAFT


def test_other_organisations_cannot_open_a_check_in(world, resident_a):
    checkin = start(world, resident_a)
    url = reverse("wellbeing:checkin", args=[checkin.public_id])
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    assert_access(
        world, "post", url, {"catalyst_a": 400, "manager_a": 400}, data={"area_home": "9"}
    )


def test_picture_shows_first_and_latest_with_words_and_escaped_notes(world, resident_a, login):
    complete(world, resident_a, {"home": 2, "money": 1})
    complete(
        world,
        resident_a,
        {"home": 4, "money": 1},
        own_words="<script>alert(1)</script>",
        better={"money": "Help with bills"},
    )
    body = login(world.catalyst_a).get(picture_url(resident_a)).content.decode()
    assert "2 – Not going well" in body
    assert "4 – Going well" in body
    assert "Better" in body and "The same" in body
    assert "Help with bills" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<script>alert(1)" not in body
    # Only external scripts and the (not executed) JSON data island: CSP holds.
    scripts = re.findall(r"<script([^>]*)>", body)
    assert all("src=" in attrs or 'type="application/json"' in attrs for attrs in scripts)
    assert 'id="wellbeing-chart-data"' in body
    assert "Home: from “Not going well” to “Going well”" in body


def test_priorities_are_added_and_met(world, resident_a, login):
    client = login(world.catalyst_a)
    url = reverse("wellbeing:priority_new", args=[resident_a.public_id])
    response = client.post(url, {"area": "people", "why_now": "", "will_do": ""})
    assert response.status_code == 400
    assert "Say why it matters now" in response.content.decode()
    response = client.post(
        url,
        {
            "area": "people",
            "why_now": "Lonely",
            "will_do": "Lunch club",
            "by_when_0": "1",
            "by_when_1": "6",
            "by_when_2": "2026",
        },
    )
    assert response.status_code == 302
    priority = Priority.objects.get(resident=resident_a)
    met = reverse("wellbeing:priority_met", args=[resident_a.public_id, priority.pk])
    assert_access(world, "post", met, {"catalyst_a": 302, "manager_a": 302})
    priority.refresh_from_db()
    assert priority.met_at is not None
    assert "Priority met: People around me" in client.get(picture_url(resident_a)).content.decode()


def test_picture_queries_do_not_grow_with_check_ins(world, resident_a, login):
    client = login(world.catalyst_a)
    done = []

    def make(count):
        for _ in range(count):
            complete(
                world,
                resident_a,
                {"home": 1 + len(done) % 5, "money": 2},
                measures={"ucla3": {"lack_companionship": 1, "left_out": 2, "isolated": 3}},
            )
            done.append(1)

    def fetch():
        assert client.get(picture_url(resident_a)).status_code == 200

    [at_small] = assert_same_queries_at_two_sizes(make, fetch, small=2, large=12, warm=False)
    assert at_small <= 30


def test_opening_the_check_in_form_is_audited_once(world, resident_a, login):
    checkin = start(world, resident_a)
    client = login(world.catalyst_a)
    before = AuditEvent.objects.count()
    assert client.get(reverse("wellbeing:checkin", args=[checkin.public_id])).status_code == 200
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.resident_id) for e in events] == [("view", resident_a.public_id)]


def test_a_completed_check_in_cannot_be_answered_again(world, resident_a, login):
    checkin = complete(world, resident_a, {"home": 3})
    response = login(world.catalyst_a).post(
        reverse("wellbeing:checkin", args=[checkin.public_id]), {"area_home": "5"}
    )
    assert response.url == picture_url(resident_a)
    assert checkin.ratings.get(area__key="home").value == 3
