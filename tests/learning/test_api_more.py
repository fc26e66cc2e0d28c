"""The learning log, review boards and partnership set-up through the API: the same rules
as the pages (learning.rules), 400 naming the field, 404 for no access, 409 with the
current version on a stale edit, and every endpoint in the OpenAPI schema."""

import pytest
from django.test import Client

from commonweave.learning import services
from commonweave.learning.models import Card, LogEntry, PartnershipChange, Vote
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import viewer_for_user
from tests.api.conftest import session_client, token_client
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db


def _token(org, role=Role.PARTNER_WORKER):
    return token_client(issue_api_token(organisation=org, name="System", role=role)[1])


def _delete(api, url):
    return api.client.delete(url)


def _put(api, url):
    return api.client.put(url)


def _fields(response):
    return sorted(e["field"] for e in response.json()["errors"])


CYCLE = {
    "kind": "cycle",
    "title": "Call-back trial",
    "tried": "Phoning the day after discharge",
    "happened": "Most picked up",
    "learnt": "It catches problems early",
    "will_change": "Make it routine",
    "tags": ["Discharge", "phone  calls", "discharge"],
}


# --- the learning log -------------------------------------------------------------------


def test_log_entry_lifecycle_with_tags_barriers_and_versions(world, storied):
    author = session_client(world.worker_b)
    response = author.post(
        "/api/learning/log", {**CYCLE, "barrier_ids": [storied["barrier"].public_id]}
    )
    assert response.status_code == 201
    entry = response.json()
    assert (entry["tags"], entry["organisation"]["name"], entry["version"]) == (
        ["discharge", "phone calls"],
        "Testford Council",
        1,
    )
    assert [b["public_id"] for b in entry["barriers"]] == [storied["barrier"].public_id]
    assert entry["can_change"] is True
    url = f"/api/learning/log/{entry['public_id']}"
    assert author.get(url).json()["learnt"] == "It catches problems early"

    body = author.patch(url, {"version": 1, "learnt": "It catches problems in the first week"})
    assert body.status_code == 200
    changed = body.json()
    # Fields left out stay as they were, themes and barriers included.
    assert (changed["version"], changed["tried"], changed["tags"]) == (
        2,
        "Phoning the day after discharge",
        ["discharge", "phone calls"],
    )
    assert len(changed["barriers"]) == 1
    cleared = author.patch(url, {"version": 2, "tags": [], "barrier_ids": []}).json()
    assert (cleared["tags"], cleared["barriers"], cleared["version"]) == ([], [], 3)

    stale = author.patch(url, {"version": 1, "title": "Overwrite"})
    assert stale.status_code == 409
    assert (stale.json()["version"], stale.json()["current"]["title"]) == (3, "Call-back trial")
    assert LogEntry.objects.get().title == "Call-back trial"

    assert _delete(author, url + "?version=2").status_code == 409
    assert _delete(author, url).status_code == 400  # the version is required
    assert _delete(author, url + "?version=3").status_code == 204
    assert author.get(url).status_code == 404


def test_log_entries_are_changed_only_by_their_author_organisation_or_an_admin(world):
    entry = services.log_entry_create(
        viewer=world.viewer(world.worker_b), kind="reflection", title="Chairing", body="Words"
    )
    url = f"/api/learning/log/{entry.public_id}"
    change = {"version": 1, "body": "Someone else's words"}
    # Everyone on the staff reads it; others in the place may not change or remove it.
    for client in (session_client(world.catalyst_a), _token(world.org_a, Role.CATALYST)):
        read = client.get(url)
        assert (read.status_code, read.json()["can_change"]) == (200, False)
        assert client.patch(url, change).status_code == 404
        assert _delete(client, url + "?version=1").status_code == 404
    assert session_client(world.outsider).get(url).status_code == 404
    # The author's organisation (a colleague, or its token) and a place admin may.
    assert _token(world.org_b).patch(url, change).status_code == 200
    assert session_client(world.catalyst_b).patch(url, {**change, "version": 2}).status_code == 200
    admin = session_client(world.manager_a)
    assert admin.patch(url, {**change, "version": 3}).status_code == 200
    assert _delete(admin, url + "?version=4").status_code == 204


def test_log_input_errors_name_the_field(world, storied):
    client = _token(world.org_a)
    response = client.post("/api/learning/log", {"kind": "cycle", "title": "Only a title"})
    assert (response.status_code, _fields(response)) == (400, ["learnt", "tried"])
    response = client.post("/api/learning/log", {"kind": "reflection", "title": "T"})
    assert _fields(response) == ["body"]
    response = client.post("/api/learning/log", {"kind": "diary", "title": "", "colour": "red"})
    assert _fields(response) == ["colour", "kind", "title"]
    response = client.post("/api/learning/log", {**CYCLE, "tags": ["a, b"]})
    assert _fields(response) == ["tags.0"]
    response = client.post("/api/learning/log", {**CYCLE, "barrier_ids": ["nosuchbarrie"]})
    assert _fields(response) == ["barrier_ids"]
    # Another place's barrier is no barrier at all.
    other = services.barrier_create(
        viewer=viewer_for_user(world.outsider, world.other_place),
        title="Elsewhere",
        quadrant="system",
    )
    response = client.post("/api/learning/log", {**CYCLE, "barrier_ids": [other.public_id]})
    assert _fields(response) == ["barrier_ids"]
    entry = client.post("/api/learning/log", CYCLE).json()
    url = f"/api/learning/log/{entry['public_id']}"
    token_b = _token(world.org_a)  # a token of the same organisation may change it
    assert _fields(token_b.patch(url, {"version": 1, "title": None})) == ["title"]
    assert _fields(token_b.patch(url, {"title": "No version"})) == ["version"]
    assert _fields(token_b.patch(url, {"version": 1, "learnt": ""})) == ["learnt"]


def test_withdrawn_barriers_are_not_newly_linked(world, storied):
    barrier = storied["barrier"]
    services.barrier_withdraw(
        viewer=world.viewer(world.catalyst_a), barrier=barrier, version=1, reason="Mistake"
    )
    response = _token(world.org_a).post(
        "/api/learning/log", {**CYCLE, "barrier_ids": [barrier.public_id]}
    )
    assert (_fields(response), response.json()["errors"][0]["message"]) == (
        ["barrier_ids"],
        f"The barrier {barrier.public_id} was withdrawn",
    )


def test_log_search_and_filters(world, storied):
    viewer = world.viewer(world.worker_b)
    services.log_entry_create(viewer=viewer, **{**CYCLE, "tags": "discharge"})
    services.log_entry_create(
        viewer=viewer,
        kind="reflection",
        title="Residents chairing",
        body="Residents chairing changed the room.",
        tags="power sharing",
        barriers=[storied["barrier"]],
    )
    client = _token(world.org_a, Role.ANALYST)

    def titles(**params):
        return [e["title"] for e in client.get("/api/learning/log", **params).json()["items"]]

    assert titles() == ["Residents chairing", "Call-back trial"]
    assert titles(q="room") == ["Residents chairing"]
    assert titles(q="catches problems") == ["Call-back trial"]
    assert titles(q="room parking") == []
    assert titles(tag="Discharge") == ["Call-back trial"]
    assert titles(kind="cycle") == ["Call-back trial"]
    assert titles(barrier_id=storied["barrier"].public_id) == ["Residents chairing"]
    response = client.get("/api/learning/log", kind="diary")
    assert _fields(response) == ["kind"]
    assert _fields(client.get("/api/learning/log", barrier_id="nosuchbarrie")) == ["barrier_id"]
    elsewhere = _token(world.other_place.organisations.get())
    assert elsewhere.get("/api/learning/log").json()["count"] == 0


# --- review boards ----------------------------------------------------------------------


def test_boards_cards_and_votes(world, storied):
    person = session_client(world.worker_b)
    response = person.post(
        "/api/learning/boards",
        {"title": "Spring review", "session_id": storied["session"].public_id},
    )
    assert response.status_code == 201
    board = response.json()
    assert [c["column"] for c in board["columns"]] == ["keep", "amplify", "discard", "create"]
    assert board["session_id"] == storied["session"].public_id
    base = f"/api/learning/boards/{board['public_id']}"
    card = person.post(base + "/cards", {"column": "keep", "text": "Joint home visits"}).json()
    other = person.post(base + "/cards", {"column": "keep", "text": "Shared notes"}).json()
    assert (card["votes"], card["voted"], card["can_change"]) == (0, False, True)
    card_url = f"{base}/cards/{card['id']}"

    # Votes come from people, once each; taking a vote back is as easy as giving it.
    voter = session_client(world.catalyst_a)
    assert _put(voter, card_url + "/vote").json()["votes"] == 1
    assert _put(voter, card_url + "/vote").json()["votes"] == 1
    assert _put(person, card_url + "/vote").json() | {"created_at": None} == {
        **card,
        "votes": 2,
        "voted": True,
        "created_at": None,
    }
    token = _token(world.org_b)
    refused = _put(token, card_url + "/vote")
    assert (refused.status_code, _fields(refused)) == (400, ["card_id"])
    column = person.get(base).json()["columns"][0]
    assert [(c["text"], c["votes"]) for c in column["cards"]] == [
        ("Joint home visits", 2),
        ("Shared notes", 0),
    ]
    taken_back = _delete(voter, card_url + "/vote").json()
    assert (taken_back["votes"], taken_back["voted"], taken_back["can_change"]) == (1, False, False)
    assert _delete(voter, card_url + "/vote").json()["votes"] == 1  # nothing to take back

    # Its author moves it (votes stay) or rewords it (votes go: people voted for the words).
    moved = person.patch(card_url, {"version": 1, "column": "amplify"}).json()
    assert (moved["column"], moved["votes"], moved["version"]) == ("amplify", 1, 2)
    reworded = person.patch(card_url, {"version": 2, "text": "Joint visits at home"}).json()
    assert (reworded["votes"], Vote.objects.filter(card_id=card["id"]).count()) == (0, 0)
    stale = person.patch(card_url, {"version": 2, "text": "Stale"})
    assert (stale.status_code, stale.json()["current"]["text"]) == (409, "Joint visits at home")

    # Others read and vote but do not change or remove it.
    assert voter.get(base).json()["columns"][1]["cards"][0]["can_change"] is False
    assert voter.patch(card_url, {"version": 3, "text": "Mine now"}).status_code == 404
    assert _delete(voter, card_url + "?version=3").status_code == 404
    assert _delete(person, card_url + "?version=3").status_code == 204
    assert list(Card.objects.values_list("pk", flat=True)) == [other["id"]]
    assert _put(person, f"{base}/cards/{card['id']}/vote").status_code == 404  # removed
    # A card of another board is not found through this one.
    elsewhere = person.post("/api/learning/boards", {"title": "Other"}).json()["public_id"]
    assert (
        _put(person, f"/api/learning/boards/{elsewhere}/cards/{other['id']}/vote").status_code
        == 404
    )


def test_board_input_and_other_places(world, storied):
    client = _token(world.org_a)
    response = client.post("/api/learning/boards", {"title": "", "session_id": "nosuchsessi"})
    assert _fields(response) == ["title"]
    response = client.post("/api/learning/boards", {"title": "T", "session_id": "nosuchsessi"})
    assert _fields(response) == ["session_id"]
    board = client.post("/api/learning/boards", {"title": "Autumn"}).json()
    base = f"/api/learning/boards/{board['public_id']}"
    response = client.post(base + "/cards", {"column": "maybe", "text": "x" * 501})
    assert _fields(response) == ["column", "text"]
    assert client.get("/api/learning/boards").json()["items"][0]["cards"] == 0
    elsewhere = _token(world.other_place.organisations.get())
    assert elsewhere.get(base).status_code == 404
    assert elsewhere.post(base + "/cards", {"column": "keep", "text": "x"}).status_code == 404
    assert elsewhere.get("/api/learning/boards").json()["count"] == 0


# --- the partnership --------------------------------------------------------------------


def test_everyone_reads_the_partnership_and_only_place_admins_change_it(world):
    url = "/api/learning/partnership"
    reader = _token(world.org_b)
    body = reader.get(url).json()
    assert (body["phase"], body["version"], body["can_change"]) == ("discovery", 1, False)
    assert body["values"] == ["Connection", "Accountability", "Power sharing", "Trust"]
    assert [o["name"] for o in body["organisations"]] == ["Testford Connect", "Testford Council"]
    change = {"version": 1, "challenge": "Loneliness after hospital"}
    for client in (reader, session_client(world.catalyst_a), session_client(world.analyst)):
        assert client.patch(url, change).status_code == 404
        assert client.post(url + "/phase", {"phase": "design"}).status_code == 404
    assert session_client(world.outsider).get(url).json()["challenge"] == ""  # their own place

    admin = session_client(world.manager_a)
    assert admin.get(url).json()["can_change"] is True
    body = admin.patch(
        url,
        {**change, "aims": ["Connected streets", "Fewer readmissions"], "values": ["Trust"]},
    ).json()
    assert (body["version"], body["aims"], body["values"]) == (
        2,
        ["Connected streets", "Fewer readmissions"],
        ["Trust"],
    )
    assert body["history"][0]["changes"]["challenge"] == ["", "Loneliness after hospital"]
    stale = admin.patch(url, {"version": 1, "governance": "Stale"})
    assert (stale.status_code, stale.json()["version"]) == (409, 2)
    assert stale.json()["current"]["challenge"] == "Loneliness after hospital"
    assert PartnershipChange.objects.count() == 1
    body = admin.post(url + "/phase", {"phase": "design", "note": "Funding agreed"}).json()
    assert (body["phase"], body["phase_label"]) == ("design", "Design")
    assert [h["kind"] for h in body["history"]] == ["phase", "setup"]
    assert body["history"][0] | {"at": None} == {
        "kind": "phase",
        "at": None,
        "from_phase": "discovery",
        "to_phase": "design",
        "note": "Funding agreed",
        "changes": None,
    }
    # The same history reaches everyone on the staff.
    assert [h["kind"] for h in reader.get(url).json()["history"]] == ["phase", "setup"]


def test_partnership_input_errors_name_the_field(world):
    admin = session_client(world.manager_a)
    url = "/api/learning/partnership"
    assert _fields(admin.patch(url, {"version": 1, "aims": ["One\nTwo"]})) == ["aims.0"]
    assert _fields(admin.patch(url, {"version": 1, "values": None})) == ["values"]
    assert _fields(admin.patch(url, {"challenge": "x"})) == ["version"]
    assert _fields(admin.post(url + "/phase", {"phase": "later"})) == ["phase"]
    assert _fields(admin.post(url + "/phase", {"phase": "discovery"})) == ["phase"]


def test_the_partnership_page_keeps_a_stale_edit_and_shows_set_up_history(world, login):
    client = login(world.manager_a)
    form = {
        "form": "setup",
        "setup-version": "1",
        "setup-challenge": "Loneliness after hospital",
        "setup-aims": "Connected streets",
        "setup-values": "Trust",
        "setup-partners": "",
        "setup-governance": "",
    }
    assert client.post("/learning/partnership/", form).status_code == 302
    page = client.get("/learning/partnership/").content.decode()
    assert "Set-up changed: Challenge, Aims, Values" in page
    stale = client.post("/learning/partnership/", {**form, "setup-challenge": "Overwrite"})
    assert stale.status_code == 409
    text = stale.content.decode()
    assert "Someone else saved changes" in text
    assert 'name="setup-version" value="2"' in text  # their input, on the current version
    assert "Overwrite" in text
    from commonweave.learning.models import Partnership

    assert Partnership.objects.get().challenge == "Loneliness after hospital"


# --- the schema -------------------------------------------------------------------------


def test_every_learning_capability_is_in_the_openapi_schema(db):
    schema = Client().get("/api/openapi.json").json()
    wanted = {
        ("get", "/api/learning/log"),
        ("post", "/api/learning/log"),
        ("get", "/api/learning/log/{public_id}"),
        ("patch", "/api/learning/log/{public_id}"),
        ("delete", "/api/learning/log/{public_id}"),
        ("get", "/api/learning/boards"),
        ("post", "/api/learning/boards"),
        ("get", "/api/learning/boards/{public_id}"),
        ("post", "/api/learning/boards/{public_id}/cards"),
        ("patch", "/api/learning/boards/{public_id}/cards/{card_id}"),
        ("delete", "/api/learning/boards/{public_id}/cards/{card_id}"),
        ("put", "/api/learning/boards/{public_id}/cards/{card_id}/vote"),
        ("delete", "/api/learning/boards/{public_id}/cards/{card_id}/vote"),
        ("get", "/api/learning/partnership"),
        ("patch", "/api/learning/partnership"),
        ("post", "/api/learning/partnership/phase"),
        ("post", "/api/learning/barriers/{public_id}/level"),
        ("get", "/api/learning/sessions/{public_id}/pack"),
        ("post", "/api/learning/sessions/{public_id}/pack-jobs"),
        ("get", "/api/learning/pack-jobs/{job_id}"),
        ("get", "/api/learning/pack-jobs/{job_id}/pdf"),
    }
    found = {(m, p) for p, ops in schema["paths"].items() for m in ops}
    assert wanted <= found
    # Changes document their 400 (fields), 404 and, where versioned, 409.
    patch = schema["paths"]["/api/learning/log/{public_id}"]["patch"]["responses"]
    assert {"200", "400", "404", "409"} <= set(patch)
    pdf = schema["paths"]["/api/learning/pack-jobs/{job_id}/pdf"]["get"]["responses"]
    assert {"200", "404", "409", "410"} <= set(pdf)


def test_log_and_board_lists_do_not_grow_in_queries(world, storied):
    client = _token(world.org_a)
    viewer = world.viewer(world.worker_b)
    board = services.board_create(viewer=viewer, title="Review")

    def fetch(url):
        def get():
            assert client.get(url).status_code == 200

        return get

    urls = ["/api/learning/log", "/api/learning/boards", f"/api/learning/boards/{board.public_id}"]

    def add(n):
        for i in range(n):
            services.log_entry_create(
                viewer=viewer,
                **{**CYCLE, "title": f"Cycle {i}", "tags": f"theme {i}, shared"},
                barriers=[storied["barrier"]],
            )
            services.board_create(viewer=viewer, title=f"Board {i}", session=storied["session"])
            card = services.card_add(viewer=viewer, board=board, column="keep", text=f"Card {i}")
            services.card_vote(viewer=world.viewer(world.catalyst_a), card=card)

    assert_same_queries_at_two_sizes(
        add, [fetch(url) for url in urls], small=2, large=17, warm=False
    )


def test_level_moves_need_evidence_and_keep_their_history(world, storied):
    client = _token(world.org_b)
    url = f"/api/learning/barriers/{storied['barrier'].public_id}/level"
    assert _fields(client.post(url, {"level": "good"})) == ["evidence"]
    assert _fields(client.post(url, {"level": "better", "evidence": "x"})) == ["level"]
    assert _fields(client.post(url, {"level": "new", "evidence": "x"})) == ["level"]  # already
    client.post(url, {"level": "useful", "evidence": "She has a named contact now."})
    body = client.post(url, {"level": "good", "evidence": "Discharge forms lack a field."}).json()
    assert [(h["from_level"], h["to_level"]) for h in body["history"]] == [
        ("useful", "good"),
        ("new", "useful"),
    ]
    assert body["history"][0]["evidence"] == "Discharge forms lack a field."
    elsewhere = _token(world.other_place.organisations.get())
    assert elsewhere.post(url, {"level": "great", "evidence": "x"}).status_code == 404
    services.barrier_withdraw(
        viewer=world.viewer(world.catalyst_a),
        barrier=storied["barrier"],
        version=1,
        reason="Mistake",
    )
    assert _fields(client.post(url, {"level": "great", "evidence": "x"})) == ["barrier"]
