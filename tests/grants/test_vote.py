"""The public vote with one-use voter codes (vote.py, views_vote.py): a code votes once,
only in its own round, and is kept only as a digest; the ballot is never linked to it; the
vote page never names an anonymised applicant, says clearly when the vote is not open,
keeps what was typed when a vote is refused, and refuses an address that sends too many
votes; the runners' codes page shows a batch once; the round's Pabulib file counts again
to the same result."""

import csv
import hashlib
import io
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from commonweave.audit.models import AuditEvent
from commonweave.demo.factories import MembershipFactory
from commonweave.grants import rounds, vote, voting
from commonweave.grants.enums import BallotChannel, RoundState
from commonweave.grants.models import RoundBallot, VoterCode
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import public_viewer
from tests.conftest import assert_access, client_for

CODE = re.compile(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


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


def _round(world, money, *, rule="approval", budget="500", **options):
    """A round with three eligible applications (P001 £200, P002 £150, P003 £300) at its
    vote."""
    round_ = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Spring round", budget=budget, rule=rule,
        **options,
    )  # fmt: skip
    apps = [_apply(world, round_, n, amount) for n, amount in ((1, "200"), (2, "150"), (3, "300"))]
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.SCREENING)
    for app in apps:
        rounds.application_screen(viewer=money.first, application=app, eligible=True)
    rounds.round_move(viewer=money.first, round_=round_, state=RoundState.VOTE)
    return round_


@pytest.fixture
def voting_round(world, money):
    return _round(world, money)


def _url(name, round_):
    return reverse(f"grants:{name}", kwargs={"public_id": round_.public_id})


# --- codes --------------------------------------------------------------------------------


def test_codes_are_easy_to_type_and_kept_only_as_digests(world, money, voting_round):
    codes = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=50)
    assert len(codes) == len(set(codes)) == 50
    assert all(CODE.fullmatch(code) for code in codes)
    stored = list(VoterCode.objects.filter(round=voting_round).values_list("digest", flat=True))
    assert sorted(stored) == sorted(vote.code_digest(code.lower()) for code in codes)
    # Keyed: a plain SHA-256 of the code, which anyone could compute, is not what is kept.
    plain = {hashlib.sha256(code.replace("-", "").encode()).hexdigest() for code in codes}
    assert not plain & set(stored)
    # Nowhere in the rows, in any form people type it, nor in the audit log.
    rows = repr(list(VoterCode.objects.values())) + repr(list(AuditEvent.objects.values()))
    for code in codes:
        for form in (code, code.replace("-", ""), code.lower()):
            assert form not in rows
    assert vote.code_counts(voting_round) == {"issued": 50, "used": 0}


def test_codes_are_for_runners_and_between_1_and_2000(world, money, voting_round):
    for bad in (0, 2001, "lots", ""):
        with pytest.raises(ValidationError) as refused:
            vote.codes_issue(viewer=money.first, round_=voting_round, how_many=bad)
        assert list(refused.value.message_dict) == ["how_many"]
    from django.http import Http404

    for user in (world.catalyst_a, world.worker_b, world.analyst):
        with pytest.raises(Http404):
            vote.codes_issue(viewer=world.viewer(user), round_=voting_round, how_many=1)
    assert VoterCode.objects.count() == 0


def test_a_code_votes_once_and_a_second_use_is_refused(world, money, voting_round):
    code = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=1)[0]
    typed = code.lower().replace("-", " ")  # as read out over the phone
    ballot = vote.vote_cast(round_=voting_round, code=typed, choices=["P001", "P003"])
    assert (ballot.channel, ballot.choices, ballot.entered_by) == (
        BallotChannel.WEB,
        ["P001", "P003"],
        None,
    )
    with pytest.raises(ValidationError) as refused:
        vote.vote_cast(round_=voting_round, code=code, choices=["P002"])
    assert refused.value.message_dict == {"code": ["This code has already been used to vote"]}
    stored = RoundBallot.objects.filter(round=voting_round).values_list("choices", flat=True)
    assert list(stored) == [["P001", "P003"]]
    assert vote.code_counts(voting_round) == {"issued": 1, "used": 1}


def test_two_requests_racing_with_one_code_cast_one_ballot(world, money, voting_round, monkeypatch):
    """The UPDATE itself checks the code is still unused: a second request that read the
    code before the first one wrote is refused, whatever the database's locking does."""
    code = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=1)[0]
    stale = VoterCode.objects.get(round=voting_round)
    vote.vote_cast(round_=voting_round, code=code, choices=["P001"])

    class StaleRead:
        def filter(self, **_lookups):
            return self

        def first(self):
            return stale  # still unused, as the racing request saw it

    monkeypatch.setattr(VoterCode.objects, "select_for_update", lambda: StaleRead())
    with pytest.raises(ValidationError, match="already been used"):
        vote.vote_cast(round_=voting_round, code=code, choices=["P002"])
    assert RoundBallot.objects.filter(round=voting_round).count() == 1


def test_a_code_from_another_round_is_refused(world, money, voting_round):
    other = _round(world, money)
    code = vote.codes_issue(viewer=money.first, round_=other, how_many=1)[0]
    with pytest.raises(ValidationError) as refused:
        vote.vote_cast(round_=voting_round, code=code, choices=["P001"])
    assert list(refused.value.message_dict) == ["code"]
    for nonsense in ("", "KX7F", "O0O0-IIII", "x" * 500):
        with pytest.raises(ValidationError) as refused:
            vote.vote_cast(round_=voting_round, code=nonsense, choices=["P001"])
        assert list(refused.value.message_dict) == ["code"]
    assert RoundBallot.objects.count() == 0
    assert VoterCode.objects.filter(used_at__isnull=False).count() == 0


def test_the_ballot_is_never_linked_to_its_code(world, money, voting_round):
    code = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=1)[0]
    ballot = vote.vote_cast(round_=voting_round, code=code, choices=["P002"])
    used = VoterCode.objects.get(round=voting_round)
    plain = code.replace("-", "")
    assert plain not in ballot.ref and code not in ballot.ref
    assert used.digest[:8] not in ballot.ref
    # Only the day a code was used is kept: its moment would match the ballot's.
    local = timezone.localtime(used.used_at)
    assert (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0)
    event = AuditEvent.objects.get(object_type="grants.roundballot")
    assert (event.actor_id, event.actor_label, event.detail) == (
        None,
        "anonymous",
        {"round": voting_round.public_id, "channel": "web"},
    )


def test_choices_are_checked_as_a_typed_in_ballot_is_and_a_refused_vote_spends_no_code(
    world, money
):
    round_ = _round(world, money, rule="k_of_n", max_choices=2)
    code = vote.codes_issue(viewer=money.first, round_=round_, how_many=1)[0]
    for bad, words in (
        (["P001", "P002", "P003"], "at most 2"),
        (["P009"], "Not projects in this vote: P009"),
        ([], "Choose at least one project"),
        ({"P001": 1}, "List the projects ticked"),
    ):
        with pytest.raises(ValidationError) as refused:
            vote.vote_cast(round_=round_, code=code, choices=bad)
        assert words in refused.value.message_dict["choices"][0]
    assert vote.code_counts(round_)["used"] == 0
    vote.vote_cast(round_=round_, code=code, choices=["P001", "P002"])


# --- the vote page ------------------------------------------------------------------------


def test_a_resident_votes_on_the_page_without_an_account(world, money, voting_round):
    code = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=1)[0]
    client = client_for(None)
    page = client.get(_url("round_vote", voting_round))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Project 1" in text and "What project 2 is for" in text and "£300" in text
    assert 'name="choices"' in text and 'value="P003"' in text
    sent = client.post(_url("round_vote", voting_round), {"code": code, "choices": ["P002"]})
    assert sent.status_code == 302
    thanks = client.get(sent["Location"])
    assert thanks.status_code == 200 and "Thank you for voting" in thanks.content.decode()
    assert RoundBallot.objects.get(round=voting_round).choices == ["P002"]
    again = client.post(_url("round_vote", voting_round), {"code": code, "choices": ["P001"]})
    assert again.status_code == 400
    assert "This code has already been used to vote" in again.content.decode()


def test_the_vote_page_never_names_an_anonymised_applicant(world, money):
    for anonymise in (False, True):
        round_ = _round(world, money, anonymise_applicants=anonymise)
        text = client_for(None).get(_url("round_vote", round_)).content.decode()
        for n in (1, 2, 3):
            assert f"Contact Person {n}" not in text and f"contact{n}@example.org" not in text
            assert f"Project {n}" in text
            assert (f"Group {n} Allotments" in text) is not anonymise


def test_the_vote_page_says_clearly_when_the_vote_is_not_open(world, money):
    round_ = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Autumn", budget="500", rule="approval"
    )
    code = vote.codes_issue(viewer=money.first, round_=round_, how_many=1)[0]
    client = client_for(None)
    url = _url("round_vote", round_)
    assert "Voting has not started yet" in client.get(url).content.decode()
    closed = client.post(url, {"code": code, "choices": ["P001"]})
    assert closed.status_code == 400
    assert "Voting has not started yet" in closed.content.decode()
    with pytest.raises(ValidationError, match="The vote is not open"):
        vote.vote_cast(round_=round_, code=code, choices=["P001"])

    no_vote = rounds.round_open(
        viewer=money.first, fund=money.fund, name="Panel only", budget="500", rule="approval",
        vote_open=False,
    )  # fmt: skip
    assert "does not have a public vote" in client.get(_url("round_vote", no_vote)).content.decode()

    decided = _round(world, money)
    rounds.round_count(viewer=money.first, round_=decided)
    text = client.get(_url("round_vote", decided)).content.decode()
    assert "Voting has finished" in text and _url("round_decisions", decided) in text
    assert RoundBallot.objects.count() == 0


def test_a_refused_vote_keeps_what_was_typed_with_the_message_beside_the_field(world, money):
    round_ = _round(world, money, rule="k_of_n", max_choices=1)
    code = vote.codes_issue(viewer=money.first, round_=round_, how_many=1)[0]
    client = client_for(None)
    refused = client.post(_url("round_vote", round_), {"code": code, "choices": ["P001", "P003"]})
    text = refused.content.decode()
    assert refused.status_code == 400
    assert "Choose up to 1 project" in text
    assert 'id="id_choices-error"' in text and "a voter may choose at most 1" in text
    assert f'value="{code}"' in text
    assert re.search(r'value="P001"[^>]*checked', text) and re.search(
        r'value="P003"[^>]*checked', text
    )
    assert not re.search(r'value="P002"[^>]*checked', text)
    assert vote.code_counts(round_)["used"] == 0

    wrong = client.post(_url("round_vote", round_), {"code": "ABCD-EFGH", "choices": ["P002"]})
    text = wrong.content.decode()
    assert wrong.status_code == 400
    assert 'id="id_code-error"' in text and "We do not know this code" in text
    assert re.search(r'value="P002"[^>]*checked', text)


def test_points_are_typed_per_project_and_kept_when_refused(world, money):
    round_ = _round(world, money, rule="cumulative", points=5)
    code = vote.codes_issue(viewer=money.first, round_=round_, how_many=1)[0]
    client = client_for(None)
    url = _url("round_vote", round_)
    assert 'name="points_P002"' in client.get(url).content.decode()
    typed = client.post(url, {"code": code, "points_P001": "three", "points_P002": "2"})
    text = typed.content.decode()
    assert typed.status_code == 400
    assert 'id="id_points_P001-error"' in text and 'value="three"' in text and 'value="2"' in text
    over = client.post(url, {"code": code, "points_P001": "4", "points_P002": "2"})
    text = over.content.decode()
    assert over.status_code == 400
    assert 'id="points-error"' in text and "a voter has only 5 to give" in text
    assert 'value="4"' in text
    assert (
        client.post(url, {"code": code, "points_P001": "4", "points_P003": "1"}).status_code == 302
    )
    assert RoundBallot.objects.get(round=round_).choices == {"P001": 4, "P003": 1}


def test_an_address_sending_too_many_votes_is_refused_even_with_a_right_code(
    world, money, voting_round, settings
):
    settings.GRANTS_VOTE_TRIES_PER_HOUR = 3
    code = vote.codes_issue(viewer=money.first, round_=voting_round, how_many=1)[0]
    client = client_for(None)
    url = _url("round_vote", voting_round)
    guesses = [f"ABCD-EF{a}{b}" for a in "GH" for b in "JK"][:3]
    for guess in guesses:
        assert client.post(url, {"code": guess, "choices": ["P001"]}).status_code == 400
    limited = client.post(url, {"code": code, "choices": ["P001"]})
    assert limited.status_code == 429
    assert "Too many votes have been sent from here" in limited.content.decode()
    assert vote.code_counts(voting_round)["used"] == 0
    # Another address is counted on its own.
    other = client_for(None)
    assert (
        other.post(url, {"code": code, "choices": ["P001"]}, REMOTE_ADDR="203.0.113.7").status_code
        == 302
    )


# --- the runners' codes page --------------------------------------------------------------


def test_only_the_rounds_runners_issue_codes(world, money, voting_round):
    url = _url("round_codes", voting_round)
    assert_access(world, "get", url, {"manager_a": 200})
    coordinator_b = MembershipFactory(organisation=world.org_b, role=Role.COORDINATOR).user
    assert client_for(coordinator_b).get(url).status_code == 404
    assert client_for(coordinator_b).post(url, {"how_many": "5"}).status_code == 404
    assert VoterCode.objects.count() == 0


def test_a_batch_of_codes_is_shown_once_and_downloaded_as_csv(world, money, voting_round):
    manager = client_for(world.manager_a)
    url = _url("round_codes", voting_round)
    bad = manager.post(url, {"how_many": "5000"})
    assert bad.status_code == 400
    assert 'value="5000"' in bad.content.decode() and "between 1 and 2000" in bad.content.decode()
    made = manager.post(url, {"how_many": "3"})
    text = made.content.decode()
    codes = CODE.findall(text)
    assert made.status_code == 200 and len(set(codes)) == 3
    assert "no-store" in made["Cache-Control"]
    assert _url("round_vote", voting_round) in text
    # The download of that batch: the codes come back from the page, and only this round's
    # unused codes go into the file.
    download = manager.post(url, {"format": "csv", "code": [*sorted(set(codes)), "ABCD-EFGH"]})
    rows = list(csv.reader(io.StringIO(b"".join(download.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Voting code", "Vote at"]
    assert sorted(row[0] for row in rows[1:]) == sorted(set(codes))
    # Afterwards: how many, never the codes.
    later = manager.get(url).content.decode()
    assert CODE.findall(later) == []
    assert 'id="codes-issued">3<' in later and 'id="codes-used">0<' in later
    vote.vote_cast(round_=voting_round, code=codes[0], choices=["P001"])
    assert 'id="codes-used">1<' in manager.get(url).content.decode()


def test_the_round_page_and_the_log_link_to_the_vote_codes_and_pabulib_file(
    world, money, voting_round
):
    page = client_for(world.manager_a).get(_url("round_detail", voting_round)).content.decode()
    for name in ("round_vote", "round_codes", "round_pabulib"):
        assert _url(name, voting_round) in page
    log = client_for(None).get(_url("round_decisions", voting_round)).content.decode()
    assert _url("round_vote", voting_round) in log
    rounds.round_count(viewer=money.first, round_=voting_round)
    log = client_for(None).get(_url("round_decisions", voting_round)).content.decode()
    assert "Download the ballots as a Pabulib file" in log
    assert _url("round_pabulib", voting_round) in log


# --- the Pabulib file ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "options", "ballots"),
    [
        ("approval", {}, [["P001", "P002"], ["P002"], ["P003", "P002"], ["P001"]]),
        ("k_of_n", {"max_choices": 2}, [["P001", "P002"], ["P003"], ["P003", "P002"]]),
        ("equal_shares", {}, [["P001"], ["P002", "P003"], ["P003"], ["P001", "P003"]]),
        ("cumulative", {"points": 5}, [{"P001": 5}, {"P002": 3, "P003": 2}, {"P003": 5}]),
    ],
)
def test_the_pabulib_file_counts_again_to_the_same_result(
    world, money, tmp_path, rule, options, ballots
):
    round_ = _round(world, money, rule=rule, **options)
    codes = vote.codes_issue(viewer=money.first, round_=round_, how_many=len(ballots))
    web, paper = ballots[: len(ballots) // 2], ballots[len(ballots) // 2 :]
    for code, choices in zip(codes, web, strict=False):
        vote.vote_cast(round_=round_, code=code, choices=choices)
    for i, choices in enumerate(paper):
        rounds.ballot_enter(
            viewer=money.first, round_=round_, ref=f"paper-{i}", channel="paper", choices=choices
        )
    url = _url("round_pabulib", round_)
    # Before the decision: the runners only.
    assert client_for(None).get(url).status_code == 404
    assert client_for(world.catalyst_a).get(url).status_code == 404
    assert client_for(world.manager_a).get(url).status_code == 200
    decision = rounds.round_count(viewer=money.first, round_=round_)
    answer = client_for(None).get(url)
    assert answer.status_code == 200
    assert answer["Content-Disposition"] == f'attachment; filename="round-{round_.public_id}.pb"'
    path = tmp_path / "round.pb"
    path.write_bytes(answer.content)
    projects, budget, read, _kind = voting.read_pabulib(path)
    assert [p.id for p in projects] == ["P001", "P002", "P003"] and budget == 500
    assert len(read) == len(ballots)
    recount = voting.count(projects, budget, read, rule)
    assert (recount.winners, recount.tallies) == (decision.winners, decision.tallies)
    assert "Contact Person" not in answer.content.decode()
