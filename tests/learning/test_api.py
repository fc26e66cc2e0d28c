import datetime

import pytest
import time_machine

from commonweave.learning import services
from commonweave.learning.models import Barrier
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import session_client, token_client

from .conftest import RESIDENT_NAME, set_story_consent

pytestmark = pytest.mark.django_db


def _token(org, role=Role.PARTNER_WORKER):
    _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
    return token_client(raw)


def test_session_api_names_resident_only_with_consent_and_access(world, storied):
    url = f"/api/learning/sessions/{storied['session'].public_id}"
    own = session_client(world.catalyst_a).get(url).json()
    assert own["stories"][0]["resident"] == {
        "public_id": storied["resident"].public_id,
        "name": RESIDENT_NAME,
    }
    for client in (
        _token(world.org_b),
        session_client(world.worker_b),
        _token(world.org_a, Role.ANALYST),
    ):
        body = client.get(url)
        assert body.status_code == 200
        assert body.json()["stories"][0]["resident"] is None
        assert RESIDENT_NAME not in body.content.decode()
        assert storied["resident"].public_id not in body.content.decode()


def test_withdrawn_story_consent_hides_the_resident_in_the_api_at_once(world, storied):
    client = _token(world.org_a, Role.CATALYST)
    url = f"/api/learning/barriers/{storied['barrier'].public_id}"
    assert client.get(url).json()["stories"][0]["resident"]["name"] == RESIDENT_NAME
    set_story_consent(world, storied["resident"], False)
    body = client.get(url)
    assert body.json()["stories"][0]["resident"] is None
    assert RESIDENT_NAME not in body.content.decode()


def test_another_place_gets_404(world, storied):
    other_org = world.other_place.organisations.get()
    client = _token(other_org)
    assert client.get(f"/api/learning/sessions/{storied['session'].public_id}").status_code == 404
    assert client.get(f"/api/learning/barriers/{storied['barrier'].public_id}").status_code == 404
    assert client.get("/api/learning/barriers").json()["count"] == 0
    assert client.get("/api/learning/nosuch").status_code == 404


def test_create_session_story_barrier_and_action(world):
    client = _token(world.org_b)
    response = client.post("/api/learning/sessions", {"title": "June", "held_on": "2026-06-03"})
    assert response.status_code == 201
    sid = response.json()["public_id"]
    response = client.post(
        f"/api/learning/sessions/{sid}/stories",
        {"title": "Lost letter", "text": "A letter went astray."},
    )
    assert response.status_code == 201
    story_id = response.json()["public_id"]
    response = client.post(
        "/api/learning/barriers",
        {
            "title": "Letters go to old addresses",
            "quadrant": "system",
            "story_id": story_id,
        },
    )
    assert response.status_code == 201
    barrier = response.json()
    assert (barrier["cases"], barrier["level"]) == (1, "new")
    response = client.post(
        f"/api/learning/barriers/{barrier['public_id']}/actions",
        {
            "description": "Check addresses at every contact",
            "owner_organisation_id": world.org_b.pk,
            "owner_id": world.worker_b.pk,
            "due_on": "2026-07-01",
        },
    )
    assert response.status_code == 201
    action = response.json()
    response = client.patch(f"/api/learning/actions/{action['public_id']}", {"status": "done"})
    assert response.json()["status"] == "done"
    response = client.post(
        f"/api/learning/barriers/{barrier['public_id']}/level",
        {"level": "useful", "evidence": "The letter was re-sent."},
    )
    assert response.json()["history"][0]["to_level"] == "useful"


def test_bad_input_names_fields(world, storied):
    client = _token(world.org_a, Role.CATALYST)
    response = client.post("/api/learning/barriers", {"title": "", "quadrant": "nowhere"})
    assert response.status_code == 400
    assert sorted(e["field"] for e in response.json()["errors"]) == ["quadrant", "title"]
    from commonweave.demo.factories import ResidentFactory

    unconsented = ResidentFactory(organisation=world.org_a)
    response = client.post(
        f"/api/learning/sessions/{storied['session'].public_id}/stories",
        {"title": "T", "text": "words", "resident_id": unconsented.public_id},
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["resident_id"]
    response = client.post(
        f"/api/learning/barriers/{storied['barrier'].public_id}/actions",
        {"description": "x", "owner_organisation_id": world.org_b.pk, "due_on": "2026-01-01"},
    )
    assert [e["field"] for e in response.json()["errors"]] == ["owner_name"]
    response = client.post("/api/learning/sessions", {"title": "x", "held_on": "soon", "extra": 1})
    assert sorted(e["field"] for e in response.json()["errors"]) == ["extra", "held_on"]


def test_similar_barriers_endpoint(world, storied):
    client = _token(world.org_b)
    response = client.post(
        "/api/learning/barriers/similar",
        {"text": "Nobody tells their support network when someone leaves hospital"},
    )
    assert [b["public_id"] for b in response.json()] == [storied["barrier"].public_id]
    assert Barrier.objects.count() == 1


def test_overdue_filter_with_a_frozen_clock(world, storied):
    services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=storied["barrier"],
        description="Do it",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
    )
    client = _token(world.org_b)
    with time_machine.travel(datetime.datetime(2026, 5, 31, 12, tzinfo=datetime.UTC), tick=False):
        assert client.get("/api/learning/actions", overdue="true").json()["count"] == 0
    with time_machine.travel(datetime.datetime(2026, 6, 2, 12, tzinfo=datetime.UTC), tick=False):
        body = client.get("/api/learning/actions", overdue="true").json()
        assert body["count"] == 1
        assert body["items"][0]["overdue"] is True


def test_only_owning_organisation_changes_action_status(world, storied):
    action = services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=storied["barrier"],
        description="Do it",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
    )
    url = f"/api/learning/actions/{action.public_id}"
    assert _token(world.org_a, Role.ANALYST).patch(url, {"status": "done"}).status_code == 404
    assert _token(world.org_b).patch(url, {"status": "done"}).status_code == 200
