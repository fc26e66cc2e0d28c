"""Participatory rounds in the JSON API: the same services and rules as the pages. A fund's
runners (its organisation's coordinators and place admins, and their tokens) see and run
its rounds; every other token — another organisation's coordinator, a catalyst, an analyst,
another place — gets the 404 of a round that does not exist. Applying, voting with a code
and reading the decision log need no token, as on the pages, and answer what the pages
show: never a contact detail or a panellist's name, no group's name when the round
anonymises applicants. Bad input is a 400 naming the field."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.grants import rounds, vote
from commonweave.grants.enums import RoundState
from commonweave.grants.models import Application, Round, RoundBallot, RoundDecision, VoterCode
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import ApiClient, session_client, token_client
from tests.conftest import client_for

TOKENS = ("coordinator_a", "catalyst_a", "coordinator_b", "analyst", "elsewhere")


@pytest.fixture
def tokens(world):
    roles = {
        "coordinator_a": (world.org_a, Role.COORDINATOR),
        "catalyst_a": (world.org_a, Role.CATALYST),
        "coordinator_b": (world.org_b, Role.COORDINATOR),
        "analyst": (world.org_a, Role.ANALYST),
        "elsewhere": (world.other_place.lead_organisation, Role.COORDINATOR),
    }
    made = {}
    for name, (org, role) in roles.items():
        _, raw = issue_api_token(organisation=org, name="Partner system", role=role)
        made[name] = token_client(raw)
    return made


def anonymous():
    return ApiClient(Client())


def statuses(tokens, method, url, body=None):
    results = {}
    for name, client in tokens.items():
        response = client.get(url) if method == "get" else client.post(url, body or {})
        results[name] = response.status_code
        if response.status_code == 404:
            assert response.json() == {"detail": "Not found"}
    return results


def only(**allowed):
    return {name: allowed.get(name, 404) for name in TOKENS}


def field_errors(response):
    assert response.status_code == 400, response.content
    return {error["field"] for error in response.json()["errors"]}


def _apply(world, round_, n, amount="100"):
    return rounds.application_submit(
        viewer=public_viewer(world.place),
        round_=round_,
        group_name=f"Group {n} Allotments",
        contact_name=f"Contact Person {n}",
        contact_email=f"contact{n}@example.org",
        title=f"Project {n}",
        what_for=f"What project {n} is for",
        amount=amount,
    )


@pytest.fixture
def round_(world, money):
    return rounds.round_open(
        viewer=money.first, fund=money.fund, name="Spring round", budget="500", rule="approval"
    )


@pytest.fixture
def at_vote(world, money, round_):
    apps = [_apply(world, round_, n, a) for n, a in ((1, "200"), (2, "150"), (3, "300"))]
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    for app in apps:
        rounds.application_screen(viewer=money.first, application=app, eligible=True)
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.VOTE)
    return round_


def _api(round_, tail=""):
    return f"/api/money/rounds/{round_.public_id}{tail}"


# --- who may ------------------------------------------------------------------------------


def test_only_the_funds_runners_reach_its_rounds_everyone_else_finds_nothing(
    world, money, round_, tokens
):
    _apply(world, round_, 1)
    fund_rounds = f"/api/money/funds/{money.fund.public_id}/rounds"
    assert statuses(tokens, "get", fund_rounds) == only(coordinator_a=200)
    for tail in ("", "/applications", "/voter-codes"):
        assert statuses(tokens, "get", _api(round_, tail)) == only(coordinator_a=200)
    for tail, body in (
        ("/state", {"state": "screening"}),
        ("/voter-codes", {"how_many": 2}),
        ("/count", {}),
        ("/panellists", {"name": "Rita"}),
        ("/applications/P001/screening", {"eligible": True}),
    ):
        refused = {name: c for name, c in tokens.items() if name != "coordinator_a"}
        assert set(statuses(refused, "post", _api(round_, tail), body).values()) == {404}
    # A signed-in coordinator of another organisation in the same place: 404 too.
    coordinator_b = MembershipFactory(organisation=world.org_b, role=Role.COORDINATOR).user
    assert session_client(coordinator_b).get(_api(round_)).status_code == 404
    assert (Round.objects.get().state, VoterCode.objects.count()) == (RoundState.OPEN_CALL, 0)
    listed = tokens["coordinator_a"].get(fund_rounds).json()
    assert [r["id"] for r in listed["items"]] == [round_.public_id]


def test_a_round_is_opened_and_bad_input_is_a_400_naming_the_field(world, money, tokens):
    url = f"/api/money/funds/{money.fund.public_id}/rounds"
    coordinator = tokens["coordinator_a"]
    bad = coordinator.post(url, {"name": "Autumn", "budget": "500.50", "rule": "k_of_n"})
    assert field_errors(bad) == {"budget", "max_choices"}
    assert field_errors(coordinator.post(url, {"budget": 500, "rule": "approval"})) == {"budget"}
    assert field_errors(coordinator.post(url, {"name": "X", "budget": "5", "rule": "x"})) == {
        "rule"
    }
    assert Round.objects.count() == 0
    made = coordinator.post(
        url, {"name": "Autumn", "budget": "500", "rule": "k_of_n", "max_choices": 2}
    )
    assert made.status_code == 201
    body = made.json()
    assert (body["state"], body["budget"], body["max_choices"], body["winners"]) == (
        "open_call",
        "500.00",
        2,
        None,
    )
    assert statuses(tokens, "post", url, {"name": "Y", "budget": "5", "rule": "approval"}) == only(
        coordinator_a=201
    )


# --- a whole round through the API --------------------------------------------------------


def test_a_round_runs_from_open_call_to_decision_through_the_api(world, money, round_, tokens):
    coordinator, public = tokens["coordinator_a"], anonymous()
    apply = _api(round_, "/applications")
    application = {
        "group_name": "Allotment friends",
        "contact_name": "Sam Contact",
        "contact_email": "sam@example.org",
        "title": "Raised beds",
        "what_for": "Wood and soil",
        "amount": "200",
    }
    assert public.post(apply, application).status_code == 202
    assert field_errors(public.post(apply, {**application, "title": " ", "amount": "lots"})) == {
        "title",
        "amount",
    }
    # The honeypot: thanked, nothing kept.
    assert public.post(apply, {**application, "website": "spam"}).status_code == 202
    assert (
        public.post(apply, {**application, "title": "Benches", "amount": "150"}).status_code == 202
    )
    recorded = coordinator.post(
        _api(round_, "/applications/record"),
        {**application, "title": "Lights", "amount": "300", "channel": "conversation"},
    )
    assert recorded.status_code == 201 and recorded.json()["ref"] == "P003"
    assert Application.objects.count() == 3

    listed = coordinator.get(apply).json()["items"]
    assert [(a["ref"], a["contact_name"]) for a in listed] == [
        ("P001", "Sam Contact"),
        ("P002", "Sam Contact"),
        ("P003", "Sam Contact"),
    ]
    assert coordinator.post(_api(round_, "/state"), {"state": "screening"}).status_code == 200
    screen = _api(round_, "/applications/{}/screening")
    assert field_errors(coordinator.post(screen.format("P001"), {"eligible": False})) == {"reason"}
    for ref in ("P001", "p002", listed[2]["id"]):  # a reference or a public id
        assert coordinator.post(screen.format(ref), {"eligible": True}).status_code == 200
    assert field_errors(coordinator.post(screen.format("P009"), {"eligible": True})) == {
        "application"
    }

    # The panel: a worker who scores as themselves, with a declared conflict.
    added = coordinator.post(
        _api(round_, "/panellists"), {"email": world.catalyst_a.email, "hourly_rate": "12.50"}
    )
    assert added.status_code == 201 and added.json()["hourly_rate"] == "12.50"
    assert field_errors(
        coordinator.post(_api(round_, "/panellists"), {"email": "nobody@example.org"})
    ) == {"email"}
    assert coordinator.post(_api(round_, "/state"), {"state": "panel"}).status_code == 200
    panellist = session_client(world.catalyst_a)
    assert panellist.post(
        _api(round_, "/conflicts"), {"application": "P001", "reason": "My sister runs it"}
    ).status_code == 201  # fmt: skip
    marks = dict.fromkeys(round_.rubric, 4)
    conflicted = panellist.post(_api(round_, "/scores"), {"application": "P001", "marks": marks})
    assert field_errors(conflicted) == {"application"}
    assert "declared a conflict" in conflicted.json()["errors"][0]["message"]
    scored = panellist.post(_api(round_, "/scores"), {"application": "P002", "marks": marks})
    assert scored.status_code == 201 and scored.json()["marks"] == marks
    sheet = panellist.get(_api(round_, "/scores")).json()
    assert [(a["ref"], a["conflicted"], a["marks"]) for a in sheet["applications"]] == [
        ("P001", True, None),
        ("P002", False, marks),
        ("P003", False, None),
    ]
    # Someone not on the panel: the sheet does not exist for them.
    assert session_client(world.manager_a).get(_api(round_, "/scores")).status_code == 404

    # The vote: codes, a web vote with one, a paper ballot typed in.
    assert coordinator.post(_api(round_, "/state"), {"state": "vote"}).status_code == 200
    assert field_errors(coordinator.post(_api(round_, "/voter-codes"), {"how_many": 0})) == {
        "how_many"
    }
    issued = coordinator.post(_api(round_, "/voter-codes"), {"how_many": 2})
    assert issued.status_code == 201
    codes = issued.json()["codes"]
    assert (len(codes), issued.json()["issued"], issued.json()["used"]) == (2, 2, 0)
    votes = _api(round_, "/votes")
    assert public.post(votes, {"code": codes[0], "choices": ["P002", "P003"]}).status_code == 202
    again = public.post(votes, {"code": codes[0], "choices": ["P001"]})
    assert field_errors(again) == {"code"}
    assert field_errors(public.post(votes, {"code": codes[1], "choices": ["P009"]})) == {"choices"}
    assert coordinator.get(_api(round_, "/voter-codes")).json() == {"issued": 2, "used": 1}
    ballot = coordinator.post(
        _api(round_, "/ballots"), {"ref": "paper-1", "channel": "paper", "choices": ["P001"]}
    )
    assert ballot.status_code == 201 and ballot.json()["choices"] == ["P001"]
    assert field_errors(
        coordinator.post(
            _api(round_, "/ballots"), {"ref": "paper-1", "channel": "paper", "choices": []}
        )
    ) == {"ref"}

    counted = coordinator.post(_api(round_, "/count"))
    assert counted.status_code == 201
    assert counted.json()["winners"] == rounds.latest_decision(round_).winners
    (loser,) = {"P001", "P002", "P003"} - set(counted.json()["winners"])
    no_reason = coordinator.post(
        _api(round_, "/overrides"), {"application": loser, "action": "add"}
    )
    assert field_errors(no_reason) == {"reason"}
    assert RoundDecision.objects.count() == 1
    override = coordinator.post(
        _api(round_, "/overrides"),
        {"application": loser, "action": "add", "reason": "Reaches people nobody else does"},
    )
    assert override.status_code == 201 and override.json()["kind"] == "add"
    detail = coordinator.get(_api(round_)).json()
    assert (detail["state"], detail["ballots"]) == ("decided", 2)
    assert detail["winners"] == override.json()["winners"]
    assert [p["name"] for p in detail["panellists"]] == [world.catalyst_a.get_full_name()
                                                         or world.catalyst_a.email]  # fmt: skip


def test_a_token_is_nobodys_place_on_a_panel(world, money, at_vote, tokens):
    """Scoring as oneself needs a person: a runner's token may enter marks only for a named
    panellist."""
    rounds.round_move(viewer=money.first, round_=at_vote, state=RoundState.PANEL)
    coordinator = tokens["coordinator_a"]
    marks = dict.fromkeys(at_vote.rubric, 3)
    refused = coordinator.post(_api(at_vote, "/scores"), {"application": "P001", "marks": marks})
    assert field_errors(refused) == {"panellist"}
    rita = coordinator.post(_api(at_vote, "/panellists"), {"name": "Rita"}).json()
    entered = coordinator.post(
        _api(at_vote, "/scores"),
        {"application": "P001", "marks": marks, "panellist": rita["number"]},
    )
    assert entered.status_code == 201
    assert tokens["catalyst_a"].get(_api(at_vote, "/scores")).status_code == 404


# --- the public parts: the same as the pages ----------------------------------------------


def test_the_public_vote_shares_the_pages_rules_and_limit(world, money, at_vote, settings):
    settings.GRANTS_VOTE_TRIES_PER_HOUR = 2
    codes = vote.codes_issue(viewer=money.first, round_=at_vote, how_many=2)
    public = anonymous()
    votes = _api(at_vote, "/votes")
    assert field_errors(public.post(votes, {"code": "ABCD-EFGH", "choices": ["P001"]})) == {"code"}
    # The page counts against the same hourly limit as the API.
    page = client_for(None).post(
        reverse("grants:round_vote", kwargs={"public_id": at_vote.public_id}),
        {"code": "ABCD-EFGJ", "choices": ["P001"]},
    )
    assert page.status_code == 400
    limited = public.post(votes, {"code": codes[0], "choices": ["P001"]})
    assert limited.status_code == 429
    assert RoundBallot.objects.count() == 0
    # Another round's code, from another address, once the vote is closed: refused too.
    settings.GRANTS_VOTE_TRIES_PER_HOUR = 100
    other = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Autumn", budget="500", rule="approval"
    )
    other_code = vote.codes_issue(viewer=money.first, round_=other, how_many=1)[0]
    elsewhere = ApiClient(Client(REMOTE_ADDR="203.0.113.9"))
    assert field_errors(elsewhere.post(votes, {"code": other_code, "choices": ["P001"]})) == {
        "code"
    }
    closed = elsewhere.post(_api(other, "/votes"), {"code": other_code, "choices": ["P001"]})
    assert closed.status_code == 400
    assert closed.json()["errors"][0]["message"] == "The vote is not open"
    assert elsewhere.post(votes, {"code": codes[1], "choices": ["P001"]}).status_code == 202


def test_applying_without_a_token_follows_the_forms_rules(world, money, round_):
    public = anonymous()
    url = _api(round_, "/applications")
    body = {
        "group_name": "G",
        "contact_name": "C",
        "title": "T",
        "what_for": "W",
        "amount": "9999",
    }
    assert field_errors(public.post(url, body)) == {"amount"}  # over the round's budget
    assert field_errors(public.post(url, {**body, "amount": 45.5})) == {"amount"}  # not a string
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    closed = public.post(url, {**body, "amount": "50"})
    assert closed.status_code == 400
    assert closed.json()["errors"][0]["message"] == "This round is not taking applications"
    assert public.post("/api/money/rounds/nosuchround0/applications", body).status_code == 404
    assert Application.objects.count() == 0
    # Reading the applications needs a runner, even with no token at all.
    assert public.get(url).status_code == 401


@pytest.mark.parametrize("anonymise", [False, True])
def test_the_decision_log_answers_what_its_page_shows_and_nothing_more(
    world, money, at_vote, anonymise
):
    at_vote.anonymise_applicants = anonymise
    at_vote.save(update_fields=["anonymise_applicants"])
    rounds.round_move(viewer=money.first, round_=at_vote, state=RoundState.PANEL)
    rita = rounds.panellist_add(viewer=money.first, round_=at_vote, name="Rita Panelwoman")
    apps = list(Application.objects.filter(round=at_vote).order_by("number"))
    rounds.score_record(
        viewer=money.first, application=apps[0], marks=dict.fromkeys(at_vote.rubric, 5),
        panellist=rita,
    )  # fmt: skip
    rounds.round_move(viewer=money.first, round_=at_vote, state=RoundState.VOTE)
    for i, choices in enumerate((["P001", "P002"], ["P002"], ["P003"])):
        rounds.ballot_enter(
            viewer=money.first, round_=at_vote, ref=f"b{i}", channel="paper", choices=choices
        )
    rounds.round_count(viewer=money.first, round_=at_vote)
    rounds.decision_override(
        viewer=money.first, round_=at_vote, application=apps[2], add=True, reason="Local need"
    )
    answer = anonymous().get(_api(at_vote, "/decisions"))
    assert answer.status_code == 200
    log = answer.json()
    text = json.dumps(log)
    for n in (1, 2, 3):
        assert f"Contact Person {n}" not in text and f"contact{n}@example.org" not in text
        assert (f"Group {n} Allotments" in text) is not anonymise
    assert "Rita Panelwoman" not in text
    # Parity with the page: the same winners, votes, averages and overrides.
    page = (
        client_for(None)
        .get(reverse("grants:round_decisions", kwargs={"public_id": at_vote.public_id}))
        .content.decode()
    )
    latest = rounds.latest_decision(at_vote)
    rows = {row["ref"]: row for row in log["applications"]}
    assert sorted(ref for ref, row in rows.items() if row["winner"]) == sorted(latest.winners)
    assert {ref: row["votes"] for ref, row in rows.items()} == latest.tallies
    assert [s["average"] for s in rows["P001"]["scores"]] == [5.0, 5.0, 5.0]
    assert "5.0" in page
    assert [(d["kind"], d["reason"]) for d in log["decisions"]] == [
        ("count", ""),
        ("add", "Local need"),
    ]
    assert "Local need" in page
    assert log["rule"]["description"] in page
    assert (log["ballots"], log["anonymise_applicants"]) == (3, anonymise)
    for row in log["applications"]:
        assert (row["group_name"] is None) is anonymise
        assert row["title"] in page
    assert anonymous().get("/api/money/rounds/nosuchround0/decisions").status_code == 404


def test_the_openapi_schema_still_generates_with_the_rounds(db):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    public = {
        ("/api/money/rounds/{public_id}/applications", "post"),
        ("/api/money/rounds/{public_id}/votes", "post"),
        ("/api/money/rounds/{public_id}/decisions", "get"),
    }
    mine = {(path, method) for path, ops in paths.items() if "/rounds" in path for method in ops}
    rounds_ = "/api/money/rounds/{public_id}"
    assert {
        ("/api/money/funds/{public_id}/rounds", "get"),
        ("/api/money/funds/{public_id}/rounds", "post"),
        (rounds_, "get"),
        *((rounds_ + tail, "post") for tail in ("/state", "/applications/record", "/panellists")),
        (rounds_ + "/applications", "get"),
        (rounds_ + "/applications/{application}/screening", "post"),
        *((rounds_ + tail, "post") for tail in ("/conflicts", "/scores", "/ballots", "/count")),
        (rounds_ + "/scores", "get"),
        (rounds_ + "/voter-codes", "get"),
        (rounds_ + "/voter-codes", "post"),
        (rounds_ + "/overrides", "post"),
        (rounds_ + "/awards", "post"),
        (rounds_ + "/panel-time", "post"),
        (rounds_ + "/pabulib", "get"),
    } | public == mine
    for path, method in mine:
        secured = bool(paths[path][method].get("security"))
        assert secured is ((path, method) not in public), (path, method)
