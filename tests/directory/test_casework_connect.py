"""Connecting a resident to a directory entry takes two steps: choosing the entry asks
"Connect Edna to Tuesday lunch club?", and nothing is saved until the answer is yes."""

from html import escape

import pytest

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import ConnectionLink, FollowUp, Service
from commonweave.people.models import Connection
from tests.conftest import assert_access

pytestmark = pytest.mark.django_db


@pytest.fixture
def edna(world):
    return ResidentFactory(
        organisation=world.org_a,
        catalyst=world.catalyst_a,
        full_name="Edna Clough",
        preferred_name="",
    )


@pytest.fixture
def lunch_club(world):
    from commonweave.demo import directory as demo

    demo.generate_directory(world.place, services=3, locations=2)
    service = Service.objects.filter(place=world.place).first()
    from commonweave.directory.services import reindex_service

    service.name = "Tuesday lunch club"
    service.save()
    reindex_service(service)
    return service


def connect_url(resident):
    return f"/directory/testford/connect/{resident.public_id}/"


def nothing_saved():
    return (Connection.objects.count(), ConnectionLink.objects.count(), FollowUp.objects.count())


def test_choosing_an_entry_asks_first_and_saves_nothing(world, login, edna, lunch_club):
    client = login(world.catalyst_a)
    before = AuditEvent.objects.count()
    response = client.get(connect_url(edna), {"service": str(lunch_club.id), "q": "lunch"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Connect Edna Clough to Tuesday lunch club?" in page
    assert 'name="confirm" value="yes"' in page
    assert f'href="{connect_url(edna)}?q=lunch"' in page  # "No, go back" keeps the search
    assert nothing_saved() == (0, 0, 0)
    # Asking shows the resident: one audited read, nothing else.
    assert [e.action for e in AuditEvent.objects.order_by("pk")[before:]] == ["view"]


def test_a_post_without_the_answer_still_only_asks(world, login, edna, lunch_club):
    response = login(world.catalyst_a).post(connect_url(edna), {"service": str(lunch_club.id)})
    assert response.status_code == 200
    assert "Connect Edna Clough to Tuesday lunch club?" in response.content.decode()
    assert nothing_saved() == (0, 0, 0)


def test_yes_connects_them_with_follow_ups(world, login, edna, lunch_club):
    client = login(world.catalyst_a)
    response = client.post(
        connect_url(edna), {"service": str(lunch_club.id), "confirm": "yes"}, follow=True
    )
    assert "Connected to Tuesday lunch club." in response.content.decode()
    assert nothing_saved() == (1, 1, 2)
    assert Connection.objects.get().name == "Tuesday lunch club"


def test_the_search_results_connect_button_only_asks(world, login, edna, lunch_club):
    page = login(world.catalyst_a).get(connect_url(edna), {"q": "lunch"}).content.decode()
    at = page.index(f'name="service" value="{lunch_club.id}"')
    assert page[:at].rstrip().endswith('<form method="get"><input type="hidden"')


def test_only_the_holding_caseworkers_are_asked(world, edna, lunch_club):
    url = f"{connect_url(edna)}?service={lunch_club.id}"
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    assert nothing_saved() == (0, 0, 0)


def test_an_unknown_entry_is_not_found(world, login, edna, lunch_club):
    client = login(world.catalyst_a)
    assert client.get(connect_url(edna), {"service": "not-a-uuid"}).status_code == 404
    other = "00000000-0000-0000-0000-000000000000"
    assert client.get(connect_url(edna), {"service": other}).status_code == 404


def test_the_question_escapes_names(world, login, lunch_club):
    odd = ResidentFactory(organisation=world.org_a, full_name="<b>Ed</b> Clough", preferred_name="")
    page = (
        login(world.catalyst_a)
        .get(connect_url(odd), {"service": str(lunch_club.id)})
        .content.decode()
    )
    assert escape("<b>Ed</b> Clough") in page and "<b>Ed</b>" not in page
