"""Connect a resident to an asset from their page; 3 and 6 months later the follow-ups ask
whether it took, and the answer shows on the resident's page."""

import datetime
from html import escape

import pytest
import time_machine

from commonweave.audit.models import AuditEvent
from commonweave.demo import directory as demo
from commonweave.demo.factories import ConsentFactory, ResidentFactory
from commonweave.directory.models import FollowUp, Service
from commonweave.people.enums import ConsentPurpose
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 1, 12, 10, tzinfo=datetime.UTC)


@pytest.fixture
def directory(world):
    demo.generate_directory(world.place, services=30, locations=12)
    return world.place


def test_the_resident_page_links_to_connect_only_with_full_access(world, resident_a, login):
    connect = f"/directory/testford/connect/{resident_a.public_id}/"
    page = login(world.catalyst_a).get(f"/residents/{resident_a.public_id}/").content.decode()
    assert f'href="{connect}"' in page
    # A partner who may read the record by consent sees it without the link.
    ConsentFactory(
        resident=resident_a, purpose=ConsentPurpose.SHARE, organisation=world.org_b, given=True
    )
    shared = login(world.worker_b).get(f"/residents/{resident_a.public_id}/")
    assert shared.status_code == 200 and connect not in shared.content.decode()
    assert_access(world, "get", connect, {"catalyst_a": 200, "manager_a": 200})


def test_connection_and_follow_ups_end_to_end(world, resident_a, directory, login):
    client = login(world.catalyst_a)
    service = Service.objects.filter(place=directory, name__icontains="walking").first()
    connect = f"/directory/testford/connect/{resident_a.public_id}/"
    with time_machine.travel(START, tick=False):
        results = client.get(connect, {"q": "walking"}).content.decode()
        assert escape(service.name) in results
        asked = client.get(connect, {"service": str(service.id), "q": "walking"})
        assert f"Connect {escape(resident_a.display_name)} to {escape(service.name)}?" in (
            asked.content.decode()
        )
        client.post(connect, {"service": str(service.id), "confirm": "yes"})
        assert client.get("/directory/testford/follow-ups/").context["items"] == []
    link = service.connections.get()
    assert link.connection.made_on == datetime.date(2026, 1, 12)
    three, six = FollowUp.objects.filter(link=link).order_by("months")
    assert (three.due_on, six.due_on) == (datetime.date(2026, 4, 12), datetime.date(2026, 7, 12))

    # Three months on, the question is asked: it is on the catalyst's list of follow-ups due.
    with time_machine.travel(datetime.datetime(2026, 4, 14, 9, tzinfo=datetime.UTC), tick=False):
        client = login(world.catalyst_a)  # sessions end when idle: sign in again
        before = AuditEvent.objects.count()
        due = client.get("/directory/testford/follow-ups/")
        assert due.context["items"] == [three]
        assert escape(resident_a.display_name) in due.content.decode()
        listed = AuditEvent.objects.order_by("pk")[before:]
        assert [(e.action, e.detail["residents"]) for e in listed] == [
            ("list", [resident_a.public_id])
        ]
        client.post(f"/directory/testford/follow-ups/{three.pk}/", {"outcome": "going"})
        resident_page = client.get(f"/residents/{resident_a.public_id}/").content.decode()
        assert "Still going" in resident_page

    # Six months on: it stopped, and why.
    with time_machine.travel(datetime.datetime(2026, 7, 20, 9, tzinfo=datetime.UTC), tick=False):
        client = login(world.catalyst_a)
        assert client.get("/directory/testford/follow-ups/").context["items"] == [six]
        client.post(
            f"/directory/testford/follow-ups/{six.pk}/",
            {"outcome": "stopped", "why": "The group moved across town"},
        )
        assert client.get("/directory/testford/follow-ups/").context["items"] == []
        page = client.get(connect).content.decode()
        assert "Stopped: The group moved across town" in page
    six.refresh_from_db()
    assert (six.outcome, six.why, six.answered_by) == (
        "stopped",
        "The group moved across town",
        world.catalyst_a,
    )
    link.connection.refresh_from_db()
    assert link.connection.status == "stopped"


@pytest.mark.parametrize(
    ("made", "months", "due"),
    [
        (datetime.date(2026, 1, 12), 3, datetime.date(2026, 4, 12)),
        (datetime.date(2026, 11, 30), 3, datetime.date(2027, 2, 28)),
        (datetime.date(2027, 8, 31), 6, datetime.date(2028, 2, 29)),
    ],
)
def test_follow_ups_fall_due_on_the_same_day_months_later(made, months, due):
    from commonweave.directory.connecting import add_months

    assert add_months(made, months) == due


def test_follow_ups_due_shows_only_the_viewers_own_residents(world, resident_a, directory, login):
    service = Service.objects.filter(place=directory).first()
    other = ResidentFactory(organisation=world.org_a, catalyst=world.manager_a)
    with time_machine.travel(START, tick=False):
        for resident in (resident_a, other):
            login(world.manager_a).post(
                f"/directory/testford/connect/{resident.public_id}/",
                {"service": str(service.id), "confirm": "yes"},
            )
    with time_machine.travel(datetime.datetime(2026, 5, 1, tzinfo=datetime.UTC), tick=False):
        client = login(world.catalyst_a)
        mine = client.get("/directory/testford/follow-ups/").context["items"]
        everyone = client.get("/directory/testford/follow-ups/", {"who": "all"}).context["items"]
        # Organisation B's catalyst holds neither resident.
        theirs = login(world.catalyst_b).get("/directory/testford/follow-ups/", {"who": "all"})
    assert [f.link.connection.resident for f in mine] == [resident_a]
    assert {f.link.connection.resident for f in everyone} == {resident_a, other}
    assert theirs.context["items"] == []
    assert_access(
        world,
        "get",
        "/directory/testford/follow-ups/",
        {"catalyst_a": 200, "manager_a": 200, "catalyst_b": 200},
    )
