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
    # one case: a count of stories is published as people are
    assert (barrier["cases"], barrier["level"]) == (
        {"value": None, "label": "fewer than 8"},
        "new",
    )
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
    response = client.patch(
        f"/api/learning/actions/{action['public_id']}", {"status": "done", "version": 1}
    )
    assert (response.json()["status"], response.json()["version"]) == ("done", 2)
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
    change = {"status": "done", "version": 1}
    assert _token(world.org_a, Role.ANALYST).patch(url, change).status_code == 404
    assert _token(world.org_b).patch(url, change).status_code == 200


# --- changing and removing --------------------------------------------------------------


def _delete(api, url):
    return api.client.delete(url)  # the shared JSON client has no DELETE


def test_patch_session_with_a_stale_version_is_409_with_the_current_one(world, storied):
    client = _token(world.org_b)
    url = f"/api/learning/sessions/{storied['session'].public_id}"
    response = client.patch(url, {"version": 1, "notes": "Agreed a named contact"})
    assert response.status_code == 200
    assert (response.json()["notes"], response.json()["version"]) == ("Agreed a named contact", 2)
    response = client.patch(url, {"version": 1, "notes": "Overwrite"})
    assert response.status_code == 409
    body = response.json()
    assert (body["version"], body["current"]["notes"]) == (2, "Agreed a named contact")
    assert client.patch(url, {"notes": "no version"}).status_code == 400
    assert client.patch(url, {"version": 2, "title": None}).status_code == 400


def test_delete_session_only_by_its_author_or_an_admin(world, storied):
    url = f"/api/learning/sessions/{storied['session'].public_id}"
    assert _delete(_token(world.org_b), url + "?version=1").status_code == 404
    holder = session_client(world.catalyst_a)
    assert _delete(holder, url + "?version=3").status_code == 409
    assert _delete(holder, url).status_code == 400  # the version is required
    assert _delete(holder, url + "?version=1").status_code == 204
    assert holder.get(url).status_code == 404


def test_story_patch_keeps_the_link_and_never_names_it_to_others(world, storied):
    url = f"/api/learning/stories/{storied['story'].public_id}"
    holder = _token(world.org_a, Role.CATALYST)
    body = holder.patch(url, {"version": 1, "text": "Rewritten."}).json()
    assert (body["text"], body["resident"]["name"], body["version"]) == (
        "Rewritten.",
        RESIDENT_NAME,
        2,
    )
    partner = _token(world.org_b)
    assert partner.get(url).json()["resident"] is None
    assert partner.patch(url, {"version": 2, "text": "x"}).status_code == 404  # not theirs
    from commonweave.demo.factories import ResidentFactory

    unconsented = ResidentFactory(organisation=world.org_a)
    response = holder.patch(url, {"version": 2, "resident_id": unconsented.public_id})
    assert [e["field"] for e in response.json()["errors"]] == ["resident_id"]
    stale = holder.patch(url, {"version": 1, "resident_id": ""})
    assert stale.status_code == 409
    assert stale.json()["current"]["resident"]["name"] == RESIDENT_NAME
    assert _delete(holder, url + "?version=2").status_code == 204
    barrier = holder.get(f"/api/learning/barriers/{storied['barrier'].public_id}").json()
    assert barrier["stories"] == []


def test_barrier_patch_and_withdraw(world, storied):
    client = _token(world.org_a, Role.CATALYST)
    url = f"/api/learning/barriers/{storied['barrier'].public_id}"
    body = client.patch(url, {"version": 1, "service_area": "Discharge"}).json()
    assert body["changes"][0]["changes"] == {"service_area": ["Hospital discharge", "Discharge"]}
    assert client.patch(url, {"version": 1, "title": "Stale"}).status_code == 409
    assert client.patch(url, {"version": 2, "quadrant": "nowhere"}).status_code == 400
    other = client.post(
        "/api/learning/barriers", {"title": "Nobody tells the club", "quadrant": "system"}
    ).json()
    # only whoever recorded it or a place admin withdraws: this token did not record it
    withdraw = {"version": 1, "reason": "Duplicate", "same_as_id": storied["barrier"].public_id}
    assert client.post(f"{url}/withdraw", withdraw).status_code == 404
    admin = session_client(world.manager_a)
    response = admin.post(f"/api/learning/barriers/{other['public_id']}/withdraw", withdraw)
    assert response.status_code == 200
    assert (response.json()["withdrawn"], response.json()["same_as"]) == (
        True,
        storied["barrier"].public_id,
    )
    listed = [b["public_id"] for b in client.get("/api/learning/barriers").json()["items"]]
    assert listed == [storied["barrier"].public_id]
    gone = client.get("/api/learning/barriers", withdrawn="true").json()["items"]
    assert [b["public_id"] for b in gone] == [other["public_id"]]


def _record_barrier(client, title="The bus stops before the community centre"):
    response = client.post("/api/learning/barriers", {"title": title, "quadrant": "system"})
    assert response.status_code == 201
    return response.json()["public_id"]


def test_the_token_that_recorded_a_barrier_may_withdraw_it(world, storied):
    client = _token(world.org_b)
    public_id = _record_barrier(client)
    assert Barrier.objects.get(public_id=public_id).created_by_token.organisation == world.org_b
    response = client.post(
        f"/api/learning/barriers/{public_id}/withdraw", {"version": 1, "reason": "Fixed"}
    )
    assert response.status_code == 200
    assert response.json()["withdrawn"] is True
    assert Barrier.objects.get(public_id=public_id).withdrawn_reason == "Fixed"


def test_other_tokens_may_not_withdraw_a_barrier_a_token_recorded(world, storied):
    public_id = _record_barrier(_token(world.org_b))
    url = f"/api/learning/barriers/{public_id}/withdraw"
    body = {"version": 1, "reason": "Not ours"}
    # another organisation's token, and a second token of the same organisation (another
    # system: the one that recorded it answers for it), find nothing to withdraw
    assert _token(world.org_a, Role.CATALYST).post(url, body).status_code == 404
    assert _token(world.org_b).post(url, body).status_code == 404
    # nor does a person who did not record it
    assert session_client(world.catalyst_b).post(url, body).status_code == 404
    assert Barrier.objects.get(public_id=public_id).withdrawn_at is None


def test_action_patch_changes_details_and_status_in_one_go_and_delete(world, storied):
    action = services.action_create(
        viewer=world.viewer(world.manager_a),
        barrier=storied["barrier"],
        description="Do it",
        owner_organisation=world.org_b,
        owner=world.worker_b,
        due_on=datetime.date(2026, 6, 1),
    )
    url = f"/api/learning/actions/{action.public_id}"
    owner = _token(world.org_b)
    body = owner.patch(url, {"version": 1, "due_on": "2026-07-01", "status": "in_progress"}).json()
    assert (body["due_on"], body["status"], body["version"]) == ("2026-07-01", "in_progress", 3)
    bad = owner.patch(url, {"version": 3, "owner_organisation_id": world.org_a.pk})
    assert [e["field"] for e in bad.json()["errors"]] == ["owner_id"]  # worker B is not in A
    stale = owner.patch(url, {"version": 1, "status": "done"})
    assert (stale.status_code, stale.json()["current"]["status"]) == (409, "in_progress")
    assert _delete(owner, url + "?version=3").status_code == 404  # the owner drops it instead
    assert _delete(session_client(world.manager_a), url + "?version=3").status_code == 204
