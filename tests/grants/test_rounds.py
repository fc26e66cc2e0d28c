"""Participatory rounds (issue 17, part 3): a panellist with a declared conflict cannot
score that application; an override without a reason is refused and one with a reason
appears in the public log; the count is voting.count's over the eligible applications;
the public form keeps what was typed; other organisations and places find a 404; the
public log shows no contact details."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.grants import rounds, voting
from commonweave.grants.enums import DecisionKind, RoundState
from commonweave.grants.models import Application, RoundDecision, Score
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import public_viewer
from tests.conftest import assert_access, client_for


@pytest.fixture
def round_(world, money):
    return rounds.round_open(
        viewer=money.first, fund=money.fund, name="Spring round", budget="500", rule="approval"
    )


def _apply(world, round_, n, amount="100", **extra):
    data = {
        "group_name": f"Group {n}",
        "contact_name": f"Contact Person {n}",
        "contact_email": f"contact{n}@example.org",
        "title": f"Project {n}",
        "what_for": f"What project {n} is for",
        "amount": amount,
        **extra,
    }
    return rounds.application_submit(viewer=public_viewer(world.place), round_=round_, **data)


@pytest.fixture
def screened(world, money, round_):
    """Four applications: three eligible (P001 £200, P002 £150.50, P003 £300), one not."""
    apps = [
        _apply(world, round_, 1, "200"),
        _apply(world, round_, 2, "150.50"),
        _apply(world, round_, 3, "300"),
        _apply(world, round_, 4, "50"),
    ]
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    for app in apps[:3]:
        rounds.application_screen(viewer=money.first, application=app, eligible=True)
    rounds.application_screen(
        viewer=money.first, application=apps[3], eligible=False, reason="Outside the area"
    )
    return apps


def _vote(money, round_, ballots):
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.VOTE)
    for i, choices in enumerate(ballots):
        rounds.ballot_enter(
            viewer=money.first, round_=round_, ref=f"B{i}", channel="paper", choices=choices
        )


def test_a_panellist_with_a_declared_conflict_cannot_score_that_application(
    world, money, round_, screened
):
    panellist = rounds.panellist_add(viewer=money.first, round_=round_, user=world.catalyst_a)
    catalyst = money.catalyst
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.PANEL)
    rounds.conflict_declare(viewer=catalyst, application=screened[0], reason="My sister runs it")
    marks = dict.fromkeys(round_.rubric, 4)
    with pytest.raises(ValidationError) as refused:
        rounds.score_record(viewer=catalyst, application=screened[0], marks=marks)
    assert "declared a conflict" in refused.value.message_dict["application"][0]
    score = rounds.score_record(viewer=catalyst, application=screened[1], marks=marks)
    assert (score.panellist, score.total) == (panellist, 12)
    # The page says so too, and a post is refused with the message beside it.
    url = reverse("grants:round_score", kwargs={"public_id": round_.public_id})
    client = client_for(world.catalyst_a)
    page = client.get(url).content.decode()
    assert "You declared a conflict of interest with this application" in page
    posted = client.post(
        url, {"kind": "score", "application": "P001", **{f"s1-mark_{i}": "3" for i in range(3)}}
    )
    assert posted.status_code == 400
    assert "declared a conflict of interest" in posted.content.decode()
    assert Score.objects.filter(application=screened[0]).count() == 0


def test_someone_not_on_the_panel_cannot_score(world, money, round_, screened):
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.PANEL)
    marks = dict.fromkeys(round_.rubric, 4)
    with pytest.raises(ValidationError, match="not on this round's panel"):
        rounds.score_record(viewer=money.first, application=screened[0], marks=marks)
    url = reverse("grants:round_score", kwargs={"public_id": round_.public_id})
    assert client_for(world.catalyst_a).get(url).status_code == 404


def test_a_runner_enters_a_resident_panellists_marks_from_paper_on_the_page(
    world, money, round_, screened
):
    ann = rounds.panellist_add(viewer=money.first, round_=round_, name="Ann from Holts")
    worker = rounds.panellist_add(viewer=money.first, round_=round_, user=world.catalyst_a)
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.PANEL)
    runner = client_for(world.manager_a)
    detail = runner.get(reverse("grants:round_detail", kwargs={"public_id": round_.public_id}))
    url = reverse("grants:round_score_for", args=[round_.public_id, ann.pk])
    assert f'href="{url}"' in detail.content.decode()  # only the resident has the link
    assert reverse("grants:round_score_for", args=[round_.public_id, worker.pk]) not in (
        detail.content.decode()
    )
    page = runner.get(url).content.decode()
    assert "You are entering the marks Ann from Holts gave" in page
    conflict = {"kind": "conflict", "application": "P001", "c1-application": "P001"}
    declared = runner.post(url, {**conflict, "c1-reason": "Her son runs it"})
    assert declared.status_code == 302
    marks = {f"s2-mark_{i}": "4" for i in range(3)}
    saved = runner.post(
        url, {"kind": "score", "application": "P002", "s2-application": "P002", **marks}
    )
    assert saved.status_code == 302 and saved["Location"] == url
    assert Score.objects.get(application=screened[1]).panellist == ann
    # Her conflict holds when her marks are entered for her.
    refused = runner.post(url, {"kind": "score", "application": "P001", "s1-application": "P001",
                                **{f"s1-mark_{i}": "4" for i in range(3)}})  # fmt: skip
    assert refused.status_code == 400 and "declared a conflict" in refused.content.decode()
    # A panellist who signs in scores as themselves; nobody else may enter marks for Ann.
    assert (
        runner.get(
            reverse("grants:round_score_for", args=[round_.public_id, worker.pk])
        ).status_code
        == 404
    )
    assert client_for(world.catalyst_a).get(url).status_code == 404
    assert client_for(world.analyst).get(url).status_code == 404


def test_the_count_is_voting_count_on_the_same_ballots_over_eligible_applications(
    world, money, round_, screened
):
    _vote(money, round_, [["P001", "P002"], ["P002"], ["P003", "P002"], ["P001"]])
    with pytest.raises(ValidationError, match="P004"):  # not eligible: not on the ballot
        rounds.ballot_enter(
            viewer=money.first, round_=round_, ref="X", channel="text", choices=["P004"]
        )
    decision = rounds.round_count(viewer=money.first, round_=round_)
    expected = voting.count(
        [voting.Project("P001", 200), voting.Project("P002", 151), voting.Project("P003", 300)],
        500,
        [
            voting.ApprovalBallot(b)
            for b in (["P001", "P002"], ["P002"], ["P003", "P002"], ["P001"])
        ],
        "approval",
    )
    assert (decision.winners, decision.tallies) == (expected.winners, expected.tallies)
    assert [p.id for p in rounds.round_projects(round_)] == ["P001", "P002", "P003"]
    assert decision.winners == ["P001", "P002"]
    round_.refresh_from_db()
    assert round_.state == RoundState.DECIDED


def test_an_override_without_a_reason_is_refused_and_with_one_is_in_the_public_log(
    world, money, round_, screened
):
    _vote(money, round_, [["P001", "P002"], ["P002"]])
    rounds.round_count(viewer=money.first, round_=round_)
    detail = reverse(
        "grants:round_action", kwargs={"public_id": round_.public_id, "action": "override"}
    )
    manager = client_for(world.manager_a)
    refused = manager.post(
        detail, {"override-application": "P003", "override-action": "add", "override-reason": "  "}
    )
    assert refused.status_code == 400
    assert "Write the reason for the override" in refused.content.decode()
    assert RoundDecision.objects.filter(round=round_).count() == 1
    with pytest.raises(ValidationError):
        rounds.decision_override(
            viewer=money.first, round_=round_, application=screened[2], add=True, reason=""
        )

    reason = "The panel found P003 reaches isolated older people nobody else does"
    assert (
        manager.post(
            detail,
            {"override-application": "P003", "override-action": "add", "override-reason": reason},
        ).status_code
        == 302
    )
    latest = rounds.latest_decision(round_)
    assert (latest.kind, latest.winners, latest.reason) == (
        DecisionKind.OVERRIDE_ADD,
        ["P001", "P002", "P003"],
        reason,
    )

    log = client_for(None).get(
        reverse("grants:round_decisions", kwargs={"public_id": round_.public_id})
    )
    text = log.content.decode()
    assert log.status_code == 200
    assert reason in text
    assert str(voting.RULES["approval"].description) in text


def test_the_public_log_shows_no_contact_details_and_hides_names_when_anonymised(
    world, money, round_, screened
):
    panellist = rounds.panellist_add(viewer=money.first, round_=round_, name="Rita Panelwoman")
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.PANEL)
    rounds.score_record(
        viewer=money.first,
        application=screened[0],
        marks=dict.fromkeys(round_.rubric, 5),
        panellist=panellist,
    )
    url = reverse("grants:round_decisions", kwargs={"public_id": round_.public_id})
    text = client_for(None).get(url).content.decode()
    for app in Application.objects.filter(round=round_):
        assert app.contact_name not in text
        assert app.contact_email not in text
    assert "Rita Panelwoman" not in text
    assert "Group 1" in text and "5.0" in text
    round_.anonymise_applicants = True
    round_.save(update_fields=["anonymise_applicants"])
    text = client_for(None).get(url).content.decode()
    assert "Group 1" not in text
    assert "Project 1" in text


def test_the_public_form_keeps_typed_values_on_bad_input_and_never_fails(world, money, round_):
    url = reverse("grants:round_apply", kwargs={"public_id": round_.public_id})
    client = client_for(None)
    assert client.get(url).status_code == 200
    bad = client.post(
        url,
        {
            "group_name": "Allotment friends",
            "contact_name": "Sam",
            "title": "Raised beds",
            "what_for": "Wood",
            "amount": "lots",
            "contact_email": "nope",
        },
    )
    text = bad.content.decode()
    assert bad.status_code == 400
    assert 'value="Allotment friends"' in text and 'value="lots"' in text
    assert "Enter an amount in pounds" in text
    for junk in (
        {},
        {"amount": "1e400"},
        {"amount": "-5"},
        {"amount": "9" * 30},
        {"title": "x" * 999},
    ):
        assert client.post(url, junk).status_code == 400
    assert Application.objects.count() == 0
    # The honeypot: thanked, nothing kept.
    assert client.post(url, {"website": "spam", "group_name": "x"}).status_code == 302
    good = client.post(
        url,
        {
            "group_name": "Allotment friends",
            "contact_name": "Sam",
            "title": "Raised beds",
            "what_for": "Wood",
            "amount": "£120",
            "contact_email": "",
        },
    )
    assert good.status_code == 302
    assert Application.objects.get().ref == "P001"
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    closed = client.post(
        url,
        {"group_name": "Late", "contact_name": "Sam", "title": "T", "what_for": "W", "amount": "5"},
    )
    assert closed.status_code == 400 and Application.objects.count() == 1


def test_only_the_funds_runners_see_the_round_page_others_find_nothing(world, money, round_):
    url = reverse("grants:round_detail", kwargs={"public_id": round_.public_id})
    assert_access(world, "get", url, {"manager_a": 200})
    action = reverse(
        "grants:round_action", kwargs={"public_id": round_.public_id, "action": "move"}
    )
    assert_access(world, "post", action, {"manager_a": 302}, data={"move-state": "screening"})
    # A coordinator of organisation B in the same place finds nothing either.
    coordinator_b = MembershipFactory(organisation=world.org_b, role=Role.COORDINATOR).user
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(world.outsider).get(url).status_code == 404


def test_runners_record_screen_and_count_from_the_round_page(world, money, round_):
    def base(action):
        return reverse(
            "grants:round_action", kwargs={"public_id": round_.public_id, "action": action}
        )

    manager = client_for(world.manager_a)
    record = {
        "record-group_name": "Tenants",
        "record-contact_name": "Ann",
        "record-contact_email": "",
        "record-title": "Coffee morning",
        "record-what_for": "Cups",
        "record-amount": "80",
        "record-channel": "conversation",
    }
    assert manager.post(base("record"), record).status_code == 302
    assert (
        manager.post(
            base("screen"),
            {"screen-application": "P001", "screen-eligible": "no", "screen-reason": ""},
        ).status_code
        == 400
    )
    assert (
        manager.post(
            base("screen"),
            {"screen-application": "P001", "screen-eligible": "yes", "screen-reason": ""},
        ).status_code
        == 302
    )
    assert manager.post(base("move"), {"move-state": "vote"}).status_code == 302
    assert (
        manager.post(
            base("ballot"), {"ballot-ref": "1", "ballot-channel": "paper", "ballot-choices": "p001"}
        ).status_code
        == 302
    )
    assert manager.post(base("count")).status_code == 302
    assert rounds.latest_decision(round_).winners == ["P001"]
    page = manager.get(reverse("grants:round_detail", kwargs={"public_id": round_.public_id}))
    assert "Ann" in page.content.decode()
    fund_page = manager.get(
        reverse("grants:fund_detail", kwargs={"public_id": money.fund.public_id})
    )
    assert (
        reverse("grants:round_detail", kwargs={"public_id": round_.public_id})
        in fund_page.content.decode()
    )


def test_a_round_is_opened_from_the_fund_page_and_bad_input_is_kept(world, money):
    url = reverse("grants:round_new", kwargs={"public_id": money.fund.public_id})
    assert_access(world, "get", url, {"manager_a": 200})
    manager = client_for(world.manager_a)
    bad = manager.post(url, {"name": "Autumn", "budget": "500.50", "rule": "k_of_n"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "whole pounds" in text and "how many projects" in text and 'value="Autumn"' in text
    assert manager.post(url, {}).status_code == 400
    good = manager.post(
        url, {"name": "Autumn", "budget": "500", "rule": "k_of_n", "max_choices": "2"}
    )
    assert good.status_code == 302


def test_a_resident_panellists_paid_time_is_an_award_paid_through_the_ledger(world, money, round_):
    from commonweave.grants import services
    from commonweave.grants.enums import AwardStatus

    panellist = rounds.panellist_add(
        viewer=money.first, round_=round_, resident=money.resident, name="Rita", hourly_rate="12.50"
    )
    award = rounds.panel_time_claim(viewer=money.first, panellist=panellist, hours="3")
    assert (award.resident, award.amount_requested, award.status) == (
        money.resident,
        Decimal("37.50"),
        AwardStatus.REQUESTED,
    )
    services.award_decide(viewer=money.second, award=award, decision="approve")
    entry = services.payment_record(
        viewer=money.first, award=award, amount="37.50", method="bank_transfer"
    )
    assert entry.award == award
    unpaid = rounds.panellist_add(viewer=money.first, round_=round_, name="Volunteer")
    with pytest.raises(ValidationError, match="hourly rate"):
        rounds.panel_time_claim(viewer=money.first, panellist=unpaid, hours="2")


def _queries(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_round_page_and_the_public_log_make_no_query_per_application(world, money, round_):
    panellist = rounds.panellist_add(viewer=money.first, round_=round_, name="Rita")
    manager, anonymous = client_for(world.manager_a), client_for(None)
    detail = reverse("grants:round_detail", kwargs={"public_id": round_.public_id})
    log = reverse("grants:round_decisions", kwargs={"public_id": round_.public_id})

    def grow(start, n):
        rounds.round_move(viewer=money.first, round_=round_, state=RoundState.OPEN_CALL)
        made = [_apply(world, round_, start + i, "10") for i in range(n)]
        rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
        for app in made:
            rounds.application_screen(viewer=money.first, application=app, eligible=True)
        rounds.round_move(viewer=money.first, round_=round_, state=RoundState.PANEL)
        for app in made:
            rounds.score_record(
                viewer=money.first,
                application=app,
                marks=dict.fromkeys(round_.rubric, 3),
                panellist=panellist,
            )

    grow(1, 2)
    small = (_queries(manager, detail), _queries(anonymous, log))
    grow(3, 8)
    assert (_queries(manager, detail), _queries(anonymous, log)) == small
