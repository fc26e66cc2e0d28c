"""The safeguarding log: who reads it (the place's safeguarding lead, and the coordinators
of the organisations holding the need or helper concerned; everyone else a 404), what it
shows, acknowledging and closing with an outcome, staff concerns from a need's and a
helper's page, the API, and planning a lone-working window through the pages and API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from commonweave.audit.models import AuditEvent
from commonweave.mutualaid import lone_working, safeguarding, services
from commonweave.mutualaid.actors import Helper
from commonweave.mutualaid.enums import AidFrontDoor, Kind, Side
from commonweave.mutualaid.models import LoneWorking, PlaceSettings, SafeguardingNote
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import session_client, token_client
from tests.conftest import assert_access, client_for

from . import factories

WORDS = "He seemed frightened of the visitor"
ADDRESS = "9 Hidden Lane"
PHONE = "07700 900654"
HELPER_PHONE = "07700 900123"  # factories.helper's


def _token(org, role=Role.COORDINATOR):
    _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
    return token_client(raw)


@pytest.fixture
def lead(world):
    """The place's safeguarding lead is worker B (a partner worker at the council): the
    lead reads the log whatever their role."""
    services.place_settings(world.place)
    PlaceSettings.objects.filter(place=world.place).update(safeguarding_lead=world.worker_b)
    return world.worker_b


@pytest.fixture
def visit(world, areas, lead):
    """An accepted home visit (odd jobs) held by organisation A, by A's helper Sam."""
    cat = factories.category(world.place, "odd-jobs")
    volunteer = factories.helper(
        world.place, world.org_a, home=areas[1], checks=factories.full_checks()
    )
    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Put up a shelf",
        first_name="Ada",
        front_door=AidFrontDoor.PHONE,
        neighbourhood=areas[0],
        address=ADDRESS,
        phone=PHONE,
        alert=False,
    )
    coordinator = world.viewer(world.manager_a)
    match = services.match_propose(actor=coordinator, need=need, volunteer=volunteer)
    services.match_accept(actor=coordinator, match=match, side=Side.NEED)
    services.match_accept(actor=Helper(volunteer), match=match, side=Side.HELPER)
    return need, match, volunteer


@pytest.fixture
def concern(world, visit):
    need, match, volunteer = visit
    return lone_working.concern_raise(actor=Helper(volunteer), text=WORDS, match=match)


@pytest.fixture
def other_note(world, areas, lead):
    """A concern about a helper held by organisation B: only the lead reads it."""
    volunteer = factories.helper(world.place, world.org_b, first_name="Bea")
    return safeguarding.concern_raise(
        viewer=world.viewer(world.catalyst_b), text="Shouted at a neighbour", volunteer=volunteer
    )


# --- who reads it ----------------------------------------------------------------------------


def test_the_log_is_for_the_lead_and_the_coordinators_only(world, concern):
    assert_access(world, "get", "/mutual-aid/safeguarding/", {"manager_a": 200, "worker_b": 200})
    assert_access(
        world,
        "get",
        f"/mutual-aid/safeguarding/{concern.public_id}/",
        {"manager_a": 200, "worker_b": 200},
    )


def test_a_coordinator_reads_only_notes_about_what_their_organisation_holds(
    world, concern, other_note
):
    coordinator = client_for(world.manager_a)
    page = coordinator.get("/mutual-aid/safeguarding/").content.decode()
    assert (WORDS in page, "Shouted at a neighbour" in page) == (True, False)
    assert coordinator.get(f"/mutual-aid/safeguarding/{other_note.public_id}/").status_code == 404
    lead_page = client_for(world.worker_b).get("/mutual-aid/safeguarding/").content.decode()
    assert (WORDS in lead_page, "Shouted at a neighbour" in lead_page) == (True, True)


def test_nobody_else_acts_on_a_note(world, concern):
    base = f"/mutual-aid/safeguarding/{concern.public_id}"
    assert_access(world, "post", f"{base}/acknowledge/", {"manager_a": 302, "worker_b": 302})
    # A's coordinator closes it first; the lead, next, finds it already closed.
    assert_access(
        world,
        "post",
        f"{base}/close/",
        {"manager_a": 302, "worker_b": 400},
        data={"outcome": "Spoke to both"},
    )
    concern.refresh_from_db()
    assert (concern.closed_by, concern.outcome) == (world.manager_a, "Spoke to both")


def test_the_log_shows_first_names_and_areas_and_no_address_or_phone(world, visit, concern):
    page = client_for(world.worker_b).get("/mutual-aid/safeguarding/").content.decode()
    assert ("Ada, Ward 0" in page, "Sam, Ward 1" in page, WORDS in page) == (True, True, True)
    for secret in (ADDRESS, PHONE, HELPER_PHONE):
        assert secret not in page
    for name in ("anonymous", "catalyst_a", "catalyst_b", "analyst", "outsider"):
        client = client_for(world.personas[name])
        seen = client.get("/mutual-aid/safeguarding/").content.decode()
        seen += client.get(f"/mutual-aid/safeguarding/{concern.public_id}/").content.decode()
        assert (name, WORDS in seen, ADDRESS in seen, PHONE in seen) == (name, False, False, False)


def test_reading_the_log_is_audited_naming_the_notes(world, concern):
    client_for(world.manager_a).get("/mutual-aid/safeguarding/")
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_type, event.detail) == (
        "list",
        "mutualaid.safeguardingnote",
        {"notes": [concern.public_id], "residents": []},
    )
    client_for(world.manager_a).get(f"/mutual-aid/safeguarding/{concern.public_id}/")
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_id) == ("view", concern.public_id)
    assert WORDS not in str(event.detail)


def test_a_missed_check_in_reaches_the_log(world, visit):
    need, match, volunteer = visit
    now = datetime.datetime.now(tz=datetime.UTC)
    lone_working.lone_working_plan(
        viewer=world.viewer(world.manager_a),
        match=match,
        starts_at=now - datetime.timedelta(hours=3),
        ends_at=now - datetime.timedelta(hours=2),
    )
    (note,) = lone_working.checkins_escalate(now=now)
    page = client_for(world.manager_a).get("/mutual-aid/safeguarding/").content.decode()
    assert "Missed check-in" in page and "did not say they were safe" in page
    assert "Ada, Ward 0" in page and "Sam, Ward 1" in page
    api = session_client(world.manager_a).get(
        f"/api/mutual-aid/matches/{match.public_id}/lone-working"
    )
    assert (api.json()["escalated"], api.json()["safe_at"]) == (True, None)
    assert note.lead == world.worker_b


def test_a_helpers_own_concern_without_a_match_reaches_their_coordinators(world, areas, lead):
    volunteer = factories.helper(world.place, world.org_a, home=areas[2], first_name="Kit")
    lone_working.concern_raise(actor=Helper(volunteer), text="A dog bit me")
    page = client_for(world.manager_a).get("/mutual-aid/safeguarding/").content.decode()
    assert "A dog bit me" in page and "Kit, Ward 2" in page


# --- acknowledge and close -------------------------------------------------------------------


def test_acknowledge_then_close_with_an_outcome(world, concern):
    client = client_for(world.worker_b)
    base = f"/mutual-aid/safeguarding/{concern.public_id}"
    assert client.post(f"{base}/acknowledge/").status_code == 302
    concern.refresh_from_db()
    assert (concern.acknowledged_by, concern.closed_at) == (world.worker_b, None)
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_id, event.detail) == (
        "update",
        concern.public_id,
        {"safeguarding": "acknowledged"},
    )
    missing = client.post(f"{base}/close/", {"outcome": "  "})
    html = missing.content.decode()
    assert missing.status_code == 400
    assert 'id="id_outcome-error"' in html and "Say what was done" in html
    done = client.post(f"{base}/close/", {"outcome": "Called Ada; all well"})
    assert (done.status_code, done["Location"]) == (302, "/mutual-aid/safeguarding/")
    concern.refresh_from_db()
    assert (concern.outcome, concern.closed_by) == ("Called Ada; all well", world.worker_b)
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.detail) == ("update", {"safeguarding": "closed"})
    assert WORDS not in client.get("/mutual-aid/safeguarding/").content.decode()
    closed = client.get("/mutual-aid/safeguarding/?closed=1").content.decode()
    assert WORDS in closed and "Called Ada; all well" in closed
    again = client.post(f"{base}/close/", {"outcome": "Twice"})
    assert again.status_code == 400 and "already closed" in again.content.decode()


def test_closing_keeps_what_was_typed_when_it_fails(world, concern):
    client = client_for(world.manager_a)
    long = "x" * 4001
    response = client.post(
        f"/mutual-aid/safeguarding/{concern.public_id}/close/", {"outcome": long}
    )
    assert response.status_code == 400 and long in response.content.decode()


# --- staff concerns --------------------------------------------------------------------------


def test_staff_raise_a_concern_from_a_needs_page(world, visit, lead):
    need, _match, _volunteer = visit
    client = client_for(world.catalyst_a)
    page = client.get(f"/mutual-aid/needs/{need.public_id}/").content.decode()
    assert f"/mutual-aid/needs/{need.public_id}/concern/" in page
    url = f"/mutual-aid/needs/{need.public_id}/concern/"
    empty = client.post(url, {"text": ""})
    assert empty.status_code == 400 and "Tell us what worries you" in empty.content.decode()
    assert client.post(url, {"text": WORDS}).status_code == 200
    note = SafeguardingNote.objects.get()
    assert (note.kind, note.need, note.text, note.raised_by, note.lead) == (
        "concern",
        need,
        WORDS,
        f"user:{world.catalyst_a.pk}",
        world.worker_b,
    )
    event = AuditEvent.objects.order_by("-pk").first()
    assert (event.action, event.object_id, WORDS in str(event.detail)) == (
        "create",
        note.public_id,
        False,
    )
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})
    # The catalyst raised it but does not read the log; A's coordinator does.
    assert client.get("/mutual-aid/safeguarding/").status_code == 404
    assert WORDS in client_for(world.manager_a).get("/mutual-aid/safeguarding/").content.decode()


def test_staff_raise_a_concern_from_a_helpers_page(world, areas, lead):
    volunteer = factories.helper(world.place, world.org_a, home=areas[0])
    client = client_for(world.manager_a)
    page = client.get(f"/mutual-aid/helpers/{volunteer.public_id}/").content.decode()
    url = f"/mutual-aid/helpers/{volunteer.public_id}/concern/"
    assert url in page
    assert client.post(url, {"text": "Late three times"}).status_code == 200
    assert SafeguardingNote.objects.get().volunteer == volunteer


# --- the API ---------------------------------------------------------------------------------


def test_the_api_log_raise_acknowledge_and_close(world, visit, lead):
    need, match, volunteer = visit
    raiser = session_client(world.catalyst_a)
    raised = raiser.post(
        "/api/mutual-aid/safeguarding-notes", {"text": WORDS, "match": match.public_id}
    )
    assert raised.status_code == 201, raised.content
    note_id = raised.json()["id"]
    assert WORDS not in raised.content.decode()
    assert raiser.get("/api/mutual-aid/safeguarding-notes").status_code == 404
    coordinator = _token(world.org_a)
    listed = coordinator.get("/api/mutual-aid/safeguarding-notes").json()
    (item,) = listed["items"]
    assert (
        item["id"],
        item["status"],
        item["text"],
        item["need"],
        item["helper"]["first_name"],
    ) == (
        note_id,
        "open",
        WORDS,
        {"id": need.public_id, "first_name": "Ada", "neighbourhood": "Ward 0"},
        "Sam",
    )
    assert ADDRESS not in str(listed) and PHONE not in str(listed)
    ack = coordinator.post(f"/api/mutual-aid/safeguarding-notes/{note_id}/acknowledge")
    assert (ack.status_code, ack.json()["status"]) == (200, "acknowledged")
    bad = coordinator.post(f"/api/mutual-aid/safeguarding-notes/{note_id}/close", {"outcome": ""})
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (400, ["outcome"])
    closed = session_client(world.worker_b).post(
        f"/api/mutual-aid/safeguarding-notes/{note_id}/close", {"outcome": "Spoke to Sam"}
    )
    assert (closed.status_code, closed.json()["status"]) == (200, "closed")
    assert coordinator.get("/api/mutual-aid/safeguarding-notes").json()["items"] == []
    assert [
        n["outcome"]
        for n in coordinator.get("/api/mutual-aid/safeguarding-notes", closed="true").json()[
            "items"
        ]
    ] == ["Spoke to Sam"]


def test_no_other_role_organisation_or_place_reaches_the_log_through_the_api(world, concern):
    callers = {
        "catalyst_token_a": _token(world.org_a, Role.CATALYST),
        "coordinator_token_b": _token(world.org_b),
        "analyst_token": _token(world.org_a, Role.ANALYST),
        "partner_token": _token(world.org_a, Role.PARTNER_WORKER),
        "catalyst_b": session_client(world.catalyst_b),
        "analyst": session_client(world.analyst),
        "outsider": session_client(world.outsider),
        "other_place": _token(world.other_place.lead_organisation),
    }
    base = f"/api/mutual-aid/safeguarding-notes/{concern.public_id}"
    for name, client in callers.items():
        answers = [
            client.post(f"{base}/acknowledge"),
            client.post(f"{base}/close", {"outcome": "x"}),
        ]
        listed = client.get("/api/mutual-aid/safeguarding-notes")
        text = "".join(r.content.decode() for r in [*answers, listed])
        assert (name, [r.status_code for r in answers]) == (name, [404, 404])
        assert (name, WORDS in text, concern.public_id in text) == (name, False, False)
    # A coordinator token of B reaches the (empty, for B) list, and still not A's note.
    assert (
        callers["coordinator_token_b"].get("/api/mutual-aid/safeguarding-notes").json()["items"]
        == []
    )
    concern.refresh_from_db()
    assert (concern.acknowledged_at, concern.closed_at) == (None, None)


def test_raising_about_what_another_organisation_holds_is_a_404(world, visit):
    need, match, volunteer = visit
    client = session_client(world.catalyst_b)
    for body in (
        {"need": need.public_id},
        {"helper": volunteer.public_id},
        {"match": match.public_id},
    ):
        response = client.post("/api/mutual-aid/safeguarding-notes", {"text": "x", **body})
        assert response.status_code == 404
    assert SafeguardingNote.objects.count() == 0


def test_the_log_reads_a_fixed_number_of_queries(world, areas, lead):
    volunteer = factories.helper(world.place, world.org_a, home=areas[0])
    viewer = world.viewer(world.manager_a)
    client = client_for(world.manager_a)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/mutual-aid/safeguarding/").status_code == 200
        return len(queries)

    safeguarding.concern_raise(viewer=viewer, text="One", volunteer=volunteer)
    few = count()
    for i in range(6):
        safeguarding.concern_raise(viewer=viewer, text=f"More {i}", volunteer=volunteer)
    lone_working.concern_raise(actor=Helper(volunteer), text="From the helper")
    assert count() == few + 1  # + the helper who raised one on their own link


# --- lone working ----------------------------------------------------------------------------


def test_plan_a_visits_window_from_the_need_page(world, visit):
    need, match, _volunteer = visit
    client = client_for(world.manager_a)
    page = client.get(f"/mutual-aid/needs/{need.public_id}/").content.decode()
    url = f"/mutual-aid/lone-working/{match.public_id}/"
    assert url in page and "Plan the visit" in page
    bad = client.post(
        url,
        {"day_day": "1", "day_month": "6", "day_year": "2030", "starts": "14:00", "ends": "13:00"},
    )
    html = bad.content.decode()
    assert bad.status_code == 400
    assert 'id="id_ends-error"' in html and "The end must be after the start" in html
    assert 'value="14:00"' in html and 'value="2030"' in html
    nonsense = client.post(
        url, {"day_day": "1", "day_month": "6", "day_year": "2030", "starts": "2pm"}
    )
    assert "Enter a time like 14:30" in nonsense.content.decode()
    ok = client.post(
        url,
        {"day_day": "1", "day_month": "6", "day_year": "2030", "starts": "14:00", "ends": "15:30"},
    )
    assert ok.status_code == 302
    plan = LoneWorking.objects.get(match=match)
    assert (plan.starts_at, plan.ends_at) == (
        datetime.datetime(2030, 6, 1, 13, 0, tzinfo=datetime.UTC),  # 14:00 BST
        datetime.datetime(2030, 6, 1, 14, 30, tzinfo=datetime.UTC),
    )
    page = client.get(f"/mutual-aid/needs/{need.public_id}/").content.decode()
    assert "Change the visit" in page
    assert_access(world, "get", url, {"catalyst_a": 200, "manager_a": 200})


def test_lone_working_through_the_api(world, visit, areas):
    need, match, volunteer = visit
    client = _token(world.org_a, Role.CATALYST)
    url = f"/api/mutual-aid/matches/{match.public_id}/lone-working"
    assert client.get(url).status_code == 404  # nothing planned yet
    planned = client.post(
        url, {"starts_at": "2030-06-01T14:00:00+01:00", "ends_at": "2030-06-01T15:00:00+01:00"}
    )
    assert planned.status_code == 200, planned.content
    lone_working.checkin_on_my_way(helper=Helper(volunteer), match=match)
    got = client.get(url).json()
    assert (
        got["starts_at"],
        got["on_my_way_at"] is not None,
        got["safe_at"],
        got["escalated"],
    ) == (
        "2030-06-01T13:00:00Z",
        True,
        None,
        False,
    )
    backwards = client.post(
        url, {"starts_at": "2030-06-01T15:00:00Z", "ends_at": "2030-06-01T14:00:00Z"}
    )
    assert (backwards.status_code, [e["field"] for e in backwards.json()["errors"]]) == (
        400,
        ["ends_at"],
    )
    for other in (_token(world.org_b, Role.CATALYST), session_client(world.outsider)):
        assert other.get(url).status_code == 404
        assert (
            other.post(
                url, {"starts_at": "2030-06-01T14:00:00Z", "ends_at": "2030-06-01T16:00:00Z"}
            ).status_code
            == 404
        )
    # A doorstep task needs no check-ins.
    cat = factories.category(world.place, "shopping")
    doorstep = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="Milk",
        first_name="Bo",
        front_door=AidFrontDoor.PHONE,
        alert=False,
    )
    other_match = services.match_propose(
        actor=world.viewer(world.manager_a), need=doorstep, volunteer=volunteer
    )
    refused = client.post(
        f"/api/mutual-aid/matches/{other_match.public_id}/lone-working",
        {"starts_at": "2030-06-01T14:00:00Z", "ends_at": "2030-06-01T15:00:00Z"},
    )
    assert refused.status_code == 400
