"""Residents through the API: who sees what, changes through services, conflicts, audit."""

import pytest

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import (
    ConnectionFactory,
    ConsentFactory,
    ConversationFactory,
    GoalFactory,
    ReferralFactory,
    ResidentFactory,
)
from commonweave.people.enums import ConsentPurpose, Stage
from commonweave.people.models import (
    Connection,
    Consent,
    ConsentEvent,
    Conversation,
    Goal,
    Referral,
    Resident,
    StageChange,
)
from commonweave.tenancy.enums import Role
from tests.api.conftest import session_client
from tests.queries import assert_same_queries_at_two_sizes

NOT_FOUND = {"detail": "Not found"}
NOTE = "Told me about her late husband's illness and her own diagnosis."


@pytest.fixture
def holder(world, api_as):
    """Organisation A's case management system: a catalyst-role token."""
    return api_as(world.org_a, Role.CATALYST)


@pytest.fixture
def partner(world, api_as):
    """Organisation B's partner system: a partner-worker token."""
    return api_as(world.org_b, Role.PARTNER_WORKER)


@pytest.fixture
def noted_resident(resident_a):
    ConversationFactory(resident=resident_a, notes=NOTE, next_action="Ring about bowls")
    GoalFactory(resident=resident_a)
    ConnectionFactory(resident=resident_a)
    ReferralFactory(resident=resident_a, reason="Worried about her drinking")
    return resident_a


def share_with(resident, organisation, given=True):
    return ConsentFactory(resident=resident, organisation=organisation, given=given)


def saved_state():
    """Everything a write could touch, to prove a refused write saved nothing."""
    return (
        list(Resident.objects.order_by("pk").values_list("pk", "version", "stage", "full_name")),
        *(
            model.objects.count()
            for model in (
                Referral,
                Conversation,
                Goal,
                Connection,
                ConsentEvent,
                Consent,
                StageChange,
                AuditEvent,
            )
        ),
        list(Goal.objects.order_by("pk").values_list("progress", flat=True)),
    )


# --- who sees which residents ------------------------------------------------------------


def test_holder_lists_its_residents_with_full_access(world, holder, resident_a):
    ResidentFactory(organisation=world.org_b)
    body = holder.get("/api/residents").json()
    assert [(i["public_id"], i["access"]) for i in body["items"]] == [
        (resident_a.public_id, "full")
    ]
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)


def test_analyst_gets_no_residents(world, api_as, noted_resident):
    share_with(noted_resident, world.org_a)
    for client in (api_as(world.org_a, Role.ANALYST), session_client(world.analyst)):
        assert client.get("/api/residents").json()["items"] == []
        response = client.get(f"/api/residents/{noted_resident.public_id}")
        assert (response.status_code, response.json()) == (404, NOT_FOUND)


def test_place_admin_alone_gets_no_residents(world, api_as, noted_resident):
    client = api_as(world.org_a, Role.PLACE_ADMIN)
    assert client.get("/api/residents").json()["items"] == []
    assert client.get(f"/api/residents/{noted_resident.public_id}").status_code == 404


def test_partner_worker_sees_only_shared_residents_without_notes(world, partner, noted_resident):
    ResidentFactory(organisation=world.org_a)  # not shared
    share_with(noted_resident, world.org_b)
    listed = partner.get("/api/residents").json()["items"]
    assert [(i["public_id"], i["access"]) for i in listed] == [(noted_resident.public_id, "shared")]
    response = partner.get(f"/api/residents/{noted_resident.public_id}")
    assert response.status_code == 200
    body = response.json()
    assert body["access"] == "shared"
    assert body["conversations"] is None
    assert body["next_action"] is None
    assert [r["reason"] for r in body["referrals"]] == [None]
    assert NOTE.encode() not in response.content
    assert b"Ring about bowls" not in response.content
    assert b"drinking" not in response.content
    assert len(body["goals"]) == 1


def test_session_partner_worker_sees_the_same_as_its_token(world, noted_resident):
    share_with(noted_resident, world.org_b)
    client = session_client(world.worker_b)
    assert [i["access"] for i in client.get("/api/residents").json()["items"]] == ["shared"]
    response = client.get(f"/api/residents/{noted_resident.public_id}")
    assert response.json()["conversations"] is None
    assert NOTE.encode() not in response.content


def test_holder_sees_the_notes(holder, noted_resident):
    body = holder.get(f"/api/residents/{noted_resident.public_id}").json()
    assert body["access"] == "full"
    assert [c["notes"] for c in body["conversations"]] == [NOTE]
    assert body["next_action"] == ""  # the factory note does not set the resident's


def test_shared_resident_is_read_only_for_the_partner(world, partner, noted_resident):
    share_with(noted_resident, world.org_b)
    before = saved_state()
    response = partner.post(
        f"/api/residents/{noted_resident.public_id}/goals", {"text": "Walk to the shops"}
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert saved_state() == before


def test_withdrawing_share_consent_ends_access_on_the_next_request(world, holder, partner):
    resident = ResidentFactory(organisation=world.org_a)
    consent = {
        "purpose": "share",
        "organisation_id": world.org_b.pk,
        "method": "verbal",
        "wording": "May we share your record (not notes) with the council?",
    }
    url = f"/api/residents/{resident.public_id}"
    assert holder.post(f"{url}/consents", {**consent, "given": True}).status_code == 201
    assert partner.get(url).status_code == 200
    assert [i["public_id"] for i in partner.get("/api/residents").json()["items"]] == [
        resident.public_id
    ]
    assert holder.post(f"{url}/consents", {**consent, "given": False}).status_code == 201
    response = partner.get(url)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert partner.get("/api/residents").json()["items"] == []
    # The history keeps both events: who, when, how and the words used.
    assert list(resident.consent_events.values_list("given", flat=True)) == [False, True]


def test_consent_for_another_purpose_does_not_share(world, partner):
    resident = ResidentFactory(organisation=world.org_a)
    ConsentFactory(resident=resident, organisation=world.org_b, purpose=ConsentPurpose.EVALUATION)
    assert partner.get("/api/residents").json()["items"] == []
    assert partner.get(f"/api/residents/{resident.public_id}").status_code == 404


def test_outsider_in_another_place_sees_nothing(world, api_as, noted_resident):
    other_org = world.other_place.lead_organisation
    client = api_as(other_org, Role.CATALYST)
    assert client.get("/api/residents").json()["items"] == []
    assert client.get(f"/api/residents/{noted_resident.public_id}").status_code == 404


def test_filters_by_stage_and_name(world, holder):
    ResidentFactory(organisation=world.org_a, full_name="Mary O'Neill", stage=Stage.ENGAGED)
    ResidentFactory(organisation=world.org_a, full_name="Mary Smith", stage=Stage.CONTACTED)
    ResidentFactory(organisation=world.org_a, full_name="John Smith", stage=Stage.ENGAGED)

    def names(**query):
        return [i["full_name"] for i in holder.get("/api/residents", **query).json()["items"]]

    def found(**body):
        response = holder.post("/api/residents/search", body)
        assert response.status_code == 200, response.json()
        return [i["full_name"] for i in response.json()["items"]]

    assert names(stage="engaged") == ["John Smith", "Mary O'Neill"]
    assert found(q="mary") == ["Mary O'Neill", "Mary Smith"]
    assert found(q="oneill") == ["Mary O'Neill"]
    assert found(q="smith", stage="engaged") == ["John Smith"]


def test_a_name_never_travels_in_the_address(world, holder):
    ResidentFactory(organisation=world.org_a, full_name="Mary Jones")
    # The old query parameter is not a search: it is ignored, never used to filter.
    listed = holder.get("/api/residents", q="nobody-by-this-name").json()
    assert [i["full_name"] for i in listed["items"]] == ["Mary Jones"]


def test_a_search_too_short_is_400_naming_q(holder):
    response = holder.post("/api/residents/search", {"q": "m"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["q"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"stage": "asleep"}, "stage"),
        ({"size": 101}, "size"),
        ({"size": 0}, "size"),
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
    ],
)
def test_bad_list_parameters_are_400_naming_them(holder, query, field):
    response = holder.get("/api/residents", **query)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]


def test_pagination_envelope(world, holder):
    for index in range(5):
        ResidentFactory(organisation=world.org_a, full_name=f"Person {index}")
    first = holder.get("/api/residents", size=2).json()
    assert (first["count"], first["page"], first["pages"], len(first["items"])) == (5, 1, 3, 2)
    last = holder.get("/api/residents", size=2, page=3).json()
    assert [i["full_name"] for i in last["items"]] == ["Person 4"]
    beyond = holder.get("/api/residents", size=2, page=9).json()
    assert (beyond["items"], beyond["count"]) == ([], 5)


# --- audit -------------------------------------------------------------------------------


def test_reading_a_resident_writes_exactly_one_view_event(world, holder, noted_resident):
    before = AuditEvent.objects.count()
    holder.get(f"/api/residents/{noted_resident.public_id}")
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose, e.resident_id) for e in events] == [
        (Action.VIEW, Purpose.CASEWORK, noted_resident.public_id)
    ]
    assert events[0].organisation_id == world.org_a.pk
    assert events[0].actor_label.startswith("token:")


def test_shared_read_is_audited_as_shared(world, partner, noted_resident):
    share_with(noted_resident, world.org_b)
    before = AuditEvent.objects.count()
    partner.get(f"/api/residents/{noted_resident.public_id}")
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [(e.action, e.purpose, e.organisation_id) for e in events] == [
        (Action.VIEW, Purpose.SHARED, world.org_b.pk)
    ]


def test_listing_residents_writes_one_list_event_not_one_per_row(world, holder):
    residents = [ResidentFactory(organisation=world.org_a) for _ in range(4)]
    before = AuditEvent.objects.count()
    holder.get("/api/residents")
    events = list(AuditEvent.objects.order_by("pk")[before:])
    assert [e.action for e in events] == [Action.LIST]
    assert sorted(events[0].detail["residents"]) == sorted(r.public_id for r in residents)


def test_a_name_search_is_not_written_into_the_audit_log(world, holder):
    ResidentFactory(organisation=world.org_a, full_name="Mary Jones")
    before = AuditEvent.objects.count()
    holder.post("/api/residents/search", {"q": "Jones"})
    (event,) = AuditEvent.objects.order_by("pk")[before:]
    assert "Jones" not in str(event.detail)
    assert event.action == Action.SEARCH


def test_a_refused_read_writes_no_view_event(world, partner, noted_resident):
    before = AuditEvent.objects.count()
    partner.get(f"/api/residents/{noted_resident.public_id}")
    assert AuditEvent.objects.count() == before


# --- isolation ---------------------------------------------------------------------------


def resident_requests(resident, goal):
    base = f"/api/residents/{resident.public_id}"
    return [
        ("get", base, None),
        ("patch", base, {"version": resident.version, "phone": "01234 567890"}),
        ("post", f"{base}/conversations", {"kind": "phone", "notes": "Hello"}),
        ("post", f"{base}/goals", {"text": "Walk"}),
        ("patch", f"{base}/goals/{goal.pk}", {"progress": 50}),
        ("post", f"{base}/connections", {"kind": "group", "name": "Bowls club"}),
        (
            "post",
            f"{base}/consents",
            {"purpose": "contact", "given": True, "method": "verbal", "wording": "OK?"},
        ),
        ("post", f"{base}/stage", {"to_stage": "connecting", "version": resident.version}),
        ("post", f"{base}/graduate", {"version": resident.version, "words": "Ready"}),
        ("post", f"{base}/close", {"version": resident.version, "reason": "moved"}),
    ]


def test_other_organisations_get_the_same_404_as_for_a_missing_resident(
    world, api_as, noted_resident
):
    goal = noted_resident.goals.get()
    ghost = Resident(public_id="zzzzzzzzzzzz", version=1)
    callers = {
        "partner B": api_as(world.org_b, Role.PARTNER_WORKER),
        "catalyst B": api_as(world.org_b, Role.CATALYST),
        "analyst A": api_as(world.org_a, Role.ANALYST),
        "outsider": api_as(world.other_place.lead_organisation, Role.CATALYST),
        "session catalyst B": session_client(world.catalyst_b),
    }
    before = saved_state()
    differences = []
    for name, client in callers.items():
        real = resident_requests(noted_resident, goal)
        fake = resident_requests(ghost, goal)
        for (method, url, body), (_, ghost_url, ghost_body) in zip(real, fake, strict=True):
            forbidden = getattr(client, method)(url, body) if body else client.get(url)
            missing = (
                getattr(client, method)(ghost_url, ghost_body) if body else client.get(ghost_url)
            )
            if (forbidden.status_code, forbidden.content) != (404, missing.content):
                differences.append((name, method, url, forbidden.status_code))
    assert differences == []
    assert saved_state() == before


def test_another_residents_goal_is_404(world, holder, noted_resident):
    other_goal = GoalFactory(resident=ResidentFactory(organisation=world.org_b))
    response = holder.patch(
        f"/api/residents/{noted_resident.public_id}/goals/{other_goal.pk}", {"progress": 50}
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    other_goal.refresh_from_db()
    assert other_goal.progress == 0


# --- changes -----------------------------------------------------------------------------


def test_profile_patch_changes_only_what_was_sent(holder, resident_a):
    response = holder.patch(
        f"/api/residents/{resident_a.public_id}",
        {"version": 1, "what_matters": "My garden", "postcode": " ls1  4ab "},
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["version"], body["what_matters"], body["postcode"]) == (2, "My garden", "LS1 4AB")
    resident_a.refresh_from_db()
    assert (resident_a.what_matters, resident_a.strengths) == (
        "My garden",
        "Good with their hands; knows the area well.",
    )


def test_stale_version_is_409_with_the_current_version_and_nothing_lost(holder, resident_a):
    url = f"/api/residents/{resident_a.public_id}"
    assert holder.patch(url, {"version": 1, "phone": "0111 111111"}).status_code == 200
    response = holder.patch(url, {"version": 1, "phone": "0222 222222"})
    assert response.status_code == 409
    body = response.json()
    assert body["version"] == 2
    assert body["current"]["phone"] == "0111 111111"
    assert body["detail"].startswith("Someone else changed this after you loaded it")
    resident_a.refresh_from_db()
    assert (resident_a.phone, resident_a.version) == ("0111 111111", 2)


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("stage", {"to_stage": "connecting"}),
        ("graduate", {"words": "I feel ready now"}),
        ("close", {"reason": "moved"}),
    ],
)
def test_stale_version_on_journey_changes_is_409(holder, resident_a, path, body):
    url = f"/api/residents/{resident_a.public_id}"
    holder.patch(url, {"version": 1, "strengths": "Baking"})
    before = saved_state()
    response = holder.post(f"{url}/{path}", {**body, "version": 1})
    assert (response.status_code, response.json()["version"]) == (409, 2)
    # The conflict reply shows the current record: one audited read, nothing else.
    state = saved_state()
    assert state[0] == before[0] and state[-1] == before[-1]
    resident_a.refresh_from_db()
    assert resident_a.stage == Stage.ENGAGED


def test_journey_from_engaged_to_graduated(holder, resident_a):
    url = f"/api/residents/{resident_a.public_id}"
    moved = holder.post(f"{url}/stage", {"to_stage": "connecting", "version": 1, "note": "Ready"})
    assert moved.json() == {"public_id": resident_a.public_id, "stage": "connecting", "version": 2}
    response = holder.post(
        f"{url}/graduate",
        {"version": 2, "words": "I have friends at the club now", "giving_back": "Volunteers"},
    )
    assert response.json()["stage"] == Stage.GRADUATED
    resident_a.refresh_from_db()
    assert (resident_a.graduation_words, resident_a.giving_back) == (
        "I have friends at the club now",
        "Volunteers",
    )


def test_close_with_a_reason(holder, resident_a):
    response = holder.post(
        f"/api/residents/{resident_a.public_id}/close", {"version": 1, "reason": "moved"}
    )
    assert response.json()["stage"] == Stage.CLOSED
    resident_a.refresh_from_db()
    assert resident_a.closed_reason == "moved"


def test_conversation_goal_connection_and_progress(holder, resident_a):
    base = f"/api/residents/{resident_a.public_id}"
    note = holder.post(
        f"{base}/conversations",
        {"kind": "phone", "notes": "Talked about bowls", "next_action": "Call Friday"},
    )
    assert note.status_code == 201
    goal = holder.post(f"{base}/goals", {"text": "Go to bowls on my own"})
    assert (goal.status_code, goal.json()["progress"]) == (201, 0)
    done = holder.patch(f"{base}/goals/{goal.json()['id']}", {"progress": 100})
    assert (done.json()["progress_label"], done.json()["achieved_at"] is not None) == (
        "Done",
        True,
    )
    link = holder.post(f"{base}/connections", {"kind": "group", "name": "Bowls club"})
    assert link.status_code == 201
    resident_a.refresh_from_db()
    assert resident_a.next_action == "Call Friday"
    assert list(resident_a.connections.values_list("name", flat=True)) == ["Bowls club"]


WRITE_ERRORS = [
    ("patch", "", {"version": 1, "full_name": ""}, "full_name"),
    ("patch", "", {"version": 1, "email": "nope"}, "email"),
    ("patch", "", {"version": 1, "date_of_birth": "tomorrow"}, "date_of_birth"),
    ("patch", "", {"version": 1, "contact_method": "owl"}, "contact_method"),
    ("patch", "", {"version": 1, "phone": None}, "phone"),
    ("patch", "", {"version": 1, "stage": "graduated"}, "stage"),  # not editable here
    ("patch", "", {"phone": "0111"}, "version"),
    ("patch", "", {"version": 0, "phone": "0111"}, "version"),
    ("post", "/conversations", {"kind": "telepathy", "notes": "Hi"}, "kind"),
    ("post", "/conversations", {"kind": "phone", "notes": "  "}, "notes"),
    ("post", "/conversations", {"kind": "phone", "notes": "Hi", "happened_at": "x"}, "happened_at"),
    (
        "post",
        "/conversations",
        {"kind": "phone", "notes": "Hi", "next_action_due": "2030-01-01"},
        "next_action",
    ),
    ("post", "/goals", {"text": ""}, "text"),
    ("post", "/goals", {"text": "Walk", "progress": 30}, "progress"),
    ("patch", "/goals/{goal}", {"progress": 33}, "progress"),
    ("patch", "/goals/{goal}", {}, "progress"),
    ("post", "/connections", {"kind": "group"}, "name"),
    ("post", "/connections", {"kind": "spaceship", "name": "X"}, "kind"),
    ("post", "/connections", {"kind": "group", "name": "X", "made_on": "soon"}, "made_on"),
    ("post", "/consents", {"purpose": "share", "given": True, "method": "verbal"}, "wording"),
    (
        "post",
        "/consents",
        {"purpose": "share", "given": True, "method": "verbal", "wording": "OK?"},
        "organisation_id",
    ),
    (
        "post",
        "/consents",
        {
            "purpose": "share",
            "given": True,
            "method": "verbal",
            "wording": "OK?",
            "organisation_id": 999999,
        },
        "organisation_id",
    ),
    (
        "post",
        "/consents",
        {
            "purpose": "share",
            "given": True,
            "method": "verbal",
            "wording": "OK?",
            "organisation_id": "{org_a}",
        },
        "organisation_id",
    ),
    (
        "post",
        "/consents",
        {"purpose": "gossip", "given": True, "method": "verbal", "wording": "OK?"},
        "purpose",
    ),
    (
        "post",
        "/consents",
        {"purpose": "contact", "given": "perhaps", "method": "verbal", "wording": "OK?"},
        "given",
    ),
    (
        "post",
        "/consents",
        {"purpose": "contact", "given": True, "method": "referrer", "wording": "OK?"},
        "method",
    ),
    ("post", "/stage", {"to_stage": "contacted", "version": 1}, "to_stage"),  # already there
    ("post", "/stage", {"to_stage": "graduated", "version": 1}, "to_stage"),
    ("post", "/stage", {"to_stage": "nowhere", "version": 1}, "to_stage"),
    ("post", "/stage", {"to_stage": "connecting"}, "version"),
    ("post", "/graduate", {"version": 1, "words": "   "}, "words"),
    ("post", "/graduate", {"version": "one", "words": "Ready"}, "version"),
    ("post", "/close", {"version": 1, "reason": "bored"}, "reason"),
    ("post", "/close", {"version": 1}, "reason"),
]


@pytest.mark.parametrize(("method", "path", "body", "field"), WRITE_ERRORS)
def test_bad_write_is_400_naming_the_field_and_saves_nothing(
    world, holder, resident_a, method, path, body, field
):
    resident_a.stage = Stage.CONTACTED
    resident_a.save(update_fields=["stage"])
    goal = GoalFactory(resident=resident_a)
    path = path.replace("{goal}", str(goal.pk))
    body = {key: (world.org_a.pk if value == "{org_a}" else value) for key, value in body.items()}
    before = saved_state()
    response = getattr(holder, method)(f"/api/residents/{resident_a.public_id}{path}", body)
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert field in [e["field"] for e in errors]
    assert all(isinstance(e["message"], str) and e["message"] for e in errors)
    assert saved_state() == before


def test_graduating_a_closed_journey_is_400(holder, resident_a):
    url = f"/api/residents/{resident_a.public_id}"
    holder.post(f"{url}/close", {"version": 1, "reason": "moved"})
    before = saved_state()
    response = holder.post(f"{url}/graduate", {"version": 2, "words": "Ready"})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["stage"]
    assert saved_state() == before


# --- query counts ------------------------------------------------------------------------


def fetch(client, url):
    def get():
        assert client.get(url).status_code == 200

    return get


def test_resident_list_query_count_does_not_grow(world, holder, partner):
    def seed(n):
        for _ in range(n):
            resident = ResidentFactory(organisation=world.org_a)
            share_with(resident, world.org_b)

    assert_same_queries_at_two_sizes(
        seed, [fetch(holder, "/api/residents"), fetch(partner, "/api/residents")], large=22
    )


def test_resident_detail_query_count_does_not_grow(world, holder, resident_a):
    url = f"/api/residents/{resident_a.public_id}"

    def seed(n):
        for _ in range(n):
            ConversationFactory(resident=resident_a, author=world.catalyst_a)
            GoalFactory(resident=resident_a)
            ConnectionFactory(resident=resident_a)
            ReferralFactory(resident=resident_a, referring_organisation=world.org_b)
            share_with(ResidentFactory(organisation=world.org_a), world.org_b)

    assert_same_queries_at_two_sizes(seed, fetch(holder, url), small=1, large=11)
