"""Participatory rounds in the JSON API (issue 17, part 3; docs/grants.md): the same
services (rounds.py, vote.py) and access rules as the pages in views_rounds.py and
views_vote.py.

* A fund's runners list and open its rounds, move them, record and screen applications,
  add panellists, record conflicts and marks, enter ballots, issue voter codes, count and
  override. Anyone else, another organisation or another place, gets the 404 of a round
  that does not exist.
* A panellist scores and declares conflicts as themselves (signed in: a token is nobody's
  place on a panel).
* No token is needed, as on the pages, to apply while the call is open (the honeypot and
  hourly limit of the form), to vote with a code (the vote page's hourly limit), or to read
  the public decision log.

A service's ValidationError is a 400 naming the field."""

from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.core import net, ratelimit
from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.people.access import Access, resident_get
from commonweave.tenancy.viewer import public_viewer

from .. import rounds, rules, selectors, vote, voting, winners
from ..enums import Eligibility
from ..models import PENNY, Application, Panellist, Round, RoundDecision, Score
from ..views_vote import vote_limited
from . import router
from .endpoints import award_summary_out
from .schemas import AwardSummaryOut
from .schemas_rounds import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPage,
    BallotIn,
    BallotOut,
    CodeCountsOut,
    CodesIn,
    CodesOut,
    ConflictIn,
    ConflictOut,
    DecisionLogOut,
    MoveIn,
    OverrideIn,
    PanellistIn,
    PanellistOut,
    PanelTimeIn,
    RecordIn,
    RoundDecisionOut,
    RoundIn,
    RoundMessage,
    RoundOut,
    RoundPage,
    RoundScoreOut,
    ScoreIn,
    ScoreSheetOut,
    ScreenIn,
    VoteIn,
    WinnerAwardsOut,
)

CHANGE = {400: Errors, 404: Detail}
PUBLIC = {400: Errors, 404: Detail, 429: RoundMessage}

APPLIED = {"detail": "Application sent. The people running the round will check it."}
APPLY_LIMITED = {"detail": "Too many applications from this address in the last hour."}
VOTED = {"detail": "Thank you. We have your vote."}
VOTE_LIMITED = {"detail": "Too many votes sent from this address in the last hour."}


def pounds(value) -> str:
    return str(Decimal(value).quantize(PENNY))


# --- answers ---------------------------------------------------------------------------------


def round_summary_out(round_: Round) -> dict:
    return {
        "id": round_.public_id,
        "name": round_.name,
        "state": round_.state,
        "budget": pounds(round_.budget),
        "rule": round_.rule,
        "opens_on": round_.opens_on,
        "closes_on": round_.closes_on,
        "vote_open": round_.vote_open,
    }


def panellist_out(panellist: Panellist) -> dict:
    rate = panellist.hourly_rate
    return {
        "number": panellist.pk,
        "name": panellist.name,
        "hourly_rate": pounds(rate) if rate is not None else None,
    }


def round_out(round_: Round) -> dict:
    """The round as its page shows it to its runners."""
    rule = voting.RULES.get(round_.rule)
    decision = rounds.latest_decision(round_)
    return {
        **round_summary_out(round_),
        "fund": round_.fund.public_id,
        "fund_name": round_.fund.name,
        "rule_label": str(rule.label) if rule else round_.rule,
        "max_choices": round_.max_choices,
        "points": round_.points,
        "rubric": list(round_.rubric),
        "anonymise_applicants": round_.anonymise_applicants,
        "ballots": round_.ballots.count(),
        "winners": list(decision.winners) if decision else None,
        "panellists": [panellist_out(p) for p in round_.panellists.filter(place=round_.place_id)],
    }


def application_out(application: Application) -> dict:
    return {
        "id": application.public_id,
        "ref": application.ref,
        "group_name": application.group_name,
        "contact_name": application.contact_name,
        "contact_email": application.contact_email,
        "title": application.title,
        "what_for": application.what_for,
        "amount": pounds(application.amount),
        "channel": application.channel,
        "eligibility": application.eligibility,
        "eligibility_reason": application.eligibility_reason,
        "submitted_at": application.submitted_at,
    }


def decision_out(decision: RoundDecision) -> dict:
    application = decision.application
    return {
        "kind": decision.kind,
        "rule": decision.rule,
        "winners": list(decision.winners),
        "tallies": dict(decision.tallies),
        "application": application.ref if application is not None else None,
        "reason": decision.reason,
        "at": decision.computed_at,
    }


# --- finding things -------------------------------------------------------------------------


def _round(request, public_id: str) -> Round:
    """The round, for one of its fund's runners; anyone else: 404."""
    return rounds.round_for_runner(request.auth, public_id)


def _public_round(public_id: str) -> Round:
    """A round by its public id, for what the pages show without an account."""
    return get_object_or_404(Round.objects.select_related("fund", "place"), public_id=public_id)


def _application(round_: Round, value: str) -> Application:
    """An application of the round by its public id or its reference (P001): a 400 naming
    `application` when there is none, as on the round's page."""
    value = (value or "").strip()
    found = round_.applications.filter(public_id=value).first() if value else None
    ref = value.upper()
    if found is None and ref.startswith("P") and ref[1:].isascii() and ref[1:].isdigit():
        found = round_.applications.filter(number=int(ref[1:])).first()
    if found is None:
        raise ValidationError({"application": _("There is no such application in this round")})
    return found


def _panellist(round_: Round, number: int | None) -> Panellist | None:
    if number is None:
        return None
    return get_object_or_404(Panellist, place=round_.place, round=round_, pk=number)


# --- rounds ----------------------------------------------------------------------------------


@router.get("/money/funds/{public_id}/rounds", response={200: RoundPage, 404: Detail})
def round_list(request, public_id: str, paging: PageParams):
    """A fund's participatory rounds, newest first (the fund's runners)."""
    viewer = request.auth
    if not rules.may_see_funds(viewer):
        raise Http404
    fund = selectors.fund_open(viewer, public_id)
    rows, envelope = paginate(Round.objects.filter(place=fund.place, fund=fund), paging)
    return {**envelope, "items": [round_summary_out(r) for r in rows]}


@router.post("/money/funds/{public_id}/rounds", response={201: RoundOut, **CHANGE})
def round_create(request, public_id: str, payload: RoundIn):
    """Open a round on a fund you run: a budget in whole pounds, a counting rule (k-of-n
    needs `max_choices`, points rounds `points`). It opens for applications."""
    viewer = request.auth
    if not rules.may_see_funds(viewer):
        raise Http404
    fund = selectors.fund_open(viewer, public_id)
    with service_errors():
        round_ = rounds.round_open(viewer=viewer, fund=fund, **payload.model_dump())
    return Status(201, round_out(round_))


@router.get("/money/rounds/{public_id}", response={200: RoundOut, 404: Detail})
def round_detail(request, public_id: str):
    """A round you run: its stage, rule, rubric, panel, ballots so far and winners."""
    return round_out(_round(request, public_id))


@router.post("/money/rounds/{public_id}/state", response={200: RoundOut, **CHANGE})
def round_state(request, public_id: str, payload: MoveIn):
    """Move a round to another stage, forwards or back; never to or from "decided" (a
    round is decided by its count and changed by an override)."""
    round_ = _round(request, public_id)
    with service_errors():
        rounds.round_move(viewer=request.auth, round_=round_, state=payload.state)
    return round_out(round_)


# --- applications ----------------------------------------------------------------------------


@router.get("/money/rounds/{public_id}/applications", response={200: ApplicationPage, 404: Detail})
def application_list(request, public_id: str, paging: PageParams):
    """A round's applications with their contact details, in reference order, as its page
    shows them to its runners."""
    round_ = _round(request, public_id)
    rows, envelope = paginate(
        Application.objects.filter(place=round_.place, round=round_).order_by("number"), paging
    )
    return {**envelope, "items": [application_out(a) for a in rows]}


@router.post(
    "/money/rounds/{public_id}/applications",
    auth=None,
    response={202: RoundMessage, **PUBLIC},
    summary="Apply to a round's open call (no account needed)",
)
def application_submit(request, public_id: str, payload: ApplicationIn):
    """The public application form, with its protections: a filled-in `website` (a trap for
    robots) is thanked and dropped, and one address may send as many applications an hour
    as the form allows (then 429). Only while the round is taking applications."""
    round_ = _public_round(public_id)
    data = payload.model_dump(exclude={"website"})
    if payload.website:
        return Status(202, APPLIED)
    if not ratelimit.hit(
        "grants-round-apply",
        net.client_key(request),
        limit=settings.PUBLIC_REFERRAL_RATE_PER_HOUR,
        window=60 * 60,
    ):
        return Status(429, APPLY_LIMITED)
    with service_errors():
        rounds.application_submit(viewer=public_viewer(round_.place), round_=round_, **data)
    return Status(202, APPLIED)


@router.post(
    "/money/rounds/{public_id}/applications/record",
    response={201: ApplicationOut, **CHANGE},
)
def application_record(request, public_id: str, payload: RecordIn):
    """Record a nomination or a conversation as an application (the round's runners,
    before the vote)."""
    round_ = _round(request, public_id)
    with service_errors():
        application = rounds.application_record(
            viewer=request.auth, round_=round_, **payload.model_dump()
        )
    return Status(201, application_out(application))


@router.post(
    "/money/rounds/{public_id}/applications/{application}/screening",
    response={200: ApplicationOut, **CHANGE},
)
def application_screen(request, public_id: str, application: str, payload: ScreenIn):
    """Screen an application (its public id or reference in the address): eligible, or not
    with a `reason`. Only eligible ones are scored and voted on."""
    round_ = _round(request, public_id)
    with service_errors():
        found = _application(round_, application)
        found = rounds.application_screen(
            viewer=request.auth, application=found, eligible=payload.eligible, reason=payload.reason
        )
    return application_out(found)


# --- the panel -------------------------------------------------------------------------------


@router.post("/money/rounds/{public_id}/panellists", response={201: PanellistOut, **CHANGE})
def panellist_add(request, public_id: str, payload: PanellistIn):
    """Add a panellist: a worker of this place by their account's `email` (they score as
    themselves), or a resident panellist by `name`; `hourly_rate` if their time is paid."""
    round_ = _round(request, public_id)
    with service_errors():
        user = None
        if payload.email:
            user = (
                get_user_model()
                .objects.filter(
                    email__iexact=payload.email, memberships__organisation__place=round_.place
                )
                .distinct()
                .first()
            )
            if user is None:
                raise ValidationError({"email": _("No one with this email works in this place")})
        resident = None
        if payload.resident:
            try:
                resident, _access = resident_get(request.auth, payload.resident, need=Access.FULL)
            except Http404:
                raise ValidationError(
                    {"resident": _("No resident record with this code that you can see")}
                ) from None
        panellist = rounds.panellist_add(
            viewer=request.auth,
            round_=round_,
            user=user,
            resident=resident,
            name=payload.name,
            hourly_rate=payload.hourly_rate,
        )
    return Status(201, panellist_out(panellist))


def _panel_round(request, public_id: str) -> Round:
    """A round the viewer runs or sits on the panel of; anyone else: 404."""
    round_ = Round.objects.select_related("fund").filter(public_id=public_id).first()
    if round_ is None or not (
        rounds.runs_round(request.auth, round_) or rounds.panellist_of(request.auth, round_)
    ):
        raise Http404
    return round_


@router.post("/money/rounds/{public_id}/conflicts", response={201: ConflictOut, **CHANGE})
def conflict_declare(request, public_id: str, payload: ConflictIn):
    """Declare a conflict of interest with an application: as yourself, a panellist; or, as
    a runner, for the panellist numbered `panellist`. They cannot score it from then on."""
    round_ = _panel_round(request, public_id)
    panellist = _panellist(round_, payload.panellist)
    with service_errors():
        conflict = rounds.conflict_declare(
            viewer=request.auth,
            application=_application(round_, payload.application),
            reason=payload.reason,
            panellist=panellist,
        )
    return Status(
        201,
        {
            "panellist": conflict.panellist_id,
            "application": conflict.application.ref,
            "reason": conflict.reason,
            "declared_at": conflict.declared_at,
        },
    )


@router.get("/money/rounds/{public_id}/scores", response={200: ScoreSheetOut, 404: Detail})
def score_sheet(request, public_id: str):
    """Your scoring sheet, as a panellist (the scoring page): the eligible applications, which
    you declared a conflict with, and your marks so far. Not on the panel: 404."""
    round_ = Round.objects.select_related("fund").filter(public_id=public_id).first()
    panellist = rounds.panellist_of(request.auth, round_) if round_ is not None else None
    if round_ is None or panellist is None:
        raise Http404
    conflicted = set(panellist.conflicts.values_list("application_id", flat=True))
    scores = {s.application_id: s for s in panellist.scores.all()}
    rows = []
    for a in round_.applications.filter(
        place=round_.place, eligibility=Eligibility.ELIGIBLE
    ).order_by("number"):
        score = scores.get(a.pk)
        rows.append(
            {
                "ref": a.ref,
                "title": a.title,
                "group_name": None if round_.anonymise_applicants else a.group_name,
                "what_for": a.what_for,
                "amount": pounds(a.amount),
                "conflicted": a.pk in conflicted,
                "marks": dict(score.marks) if score else None,
                "note": score.note if score else None,
            }
        )
    return {"panellist": panellist.pk, "rubric": list(round_.rubric), "applications": rows}


@router.post("/money/rounds/{public_id}/scores", response={201: RoundScoreOut, **CHANGE})
def score_record(request, public_id: str, payload: ScoreIn):
    """Your marks for an eligible application, 0 to 5 for each criterion of the rubric (a
    runner may enter a resident panellist's, naming `panellist`). Scoring again replaces
    them; a declared conflict refuses it, naming `application`."""
    round_ = _panel_round(request, public_id)
    panellist = _panellist(round_, payload.panellist)
    with service_errors():
        score = rounds.score_record(
            viewer=request.auth,
            application=_application(round_, payload.application),
            marks=payload.marks,
            note=payload.note,
            panellist=panellist,
        )
    return Status(
        201,
        {
            "panellist": score.panellist_id,
            "application": score.application.ref,
            "marks": dict(score.marks),
            "note": score.note,
            "scored_at": score.scored_at,
        },
    )


# --- ballots, codes, the count --------------------------------------------------------------


@router.post("/money/rounds/{public_id}/ballots", response={201: BallotOut, **CHANGE})
def ballot_enter(request, public_id: str, payload: BallotIn):
    """Type in one voter's ballot from paper, a text or the web (the round's runners, while
    the vote is open): the projects ticked, or points in a points round."""
    round_ = _round(request, public_id)
    with service_errors():
        ballot = rounds.ballot_enter(
            viewer=request.auth,
            round_=round_,
            ref=payload.ref,
            channel=payload.channel,
            choices=payload.choices,
        )
    return Status(
        201,
        {
            "ref": ballot.ref,
            "channel": ballot.channel,
            "choices": ballot.choices,
            "entered_at": ballot.entered_at,
        },
    )


@router.get("/money/rounds/{public_id}/voter-codes", response={200: CodeCountsOut, 404: Detail})
def voter_codes(request, public_id: str):
    """How many voter codes the round has issued and how many have voted (never the codes:
    they are not kept)."""
    return vote.code_counts(_round(request, public_id))


@router.post("/money/rounds/{public_id}/voter-codes", response={201: CodesOut, **CHANGE})
def voter_codes_issue(request, public_id: str, payload: CodesIn):
    """Make 1 to 2000 one-use voter codes (the round's runners, before it is decided). The
    codes are in this answer only: keep them, as only their digests are stored."""
    round_ = _round(request, public_id)
    with service_errors():
        codes = vote.codes_issue(viewer=request.auth, round_=round_, how_many=payload.how_many)
    return Status(201, {**vote.code_counts(round_), "codes": codes})


@router.post(
    "/money/rounds/{public_id}/votes",
    auth=None,
    response={202: RoundMessage, **PUBLIC},
    summary="Vote with a voter code (no account needed)",
)
def vote_cast(request, public_id: str, payload: VoteIn):
    """The public vote, as on the vote page: one unused code of this round, while its vote
    is open, and the choices its rule takes. A code votes once. Every vote sent counts
    against the vote page's hourly limit for the address (then 429)."""
    round_ = _public_round(public_id)
    if not vote.vote_open(round_):
        raise ValidationError(_("The vote is not open"))
    if vote_limited(request):
        return Status(429, VOTE_LIMITED)
    with service_errors():
        vote.vote_cast(round_=round_, code=payload.code, choices=payload.choices)
    return Status(202, VOTED)


@router.post("/money/rounds/{public_id}/count", response={201: RoundDecisionOut, **CHANGE})
def round_count(request, public_id: str):
    """Count the votes with the round's rule and decide the round (the round's runners,
    while the vote is open). The result is the first line of the public log."""
    round_ = _round(request, public_id)
    with service_errors():
        decision = rounds.round_count(viewer=request.auth, round_=round_)
    return Status(201, decision_out(decision))


@router.post("/money/rounds/{public_id}/awards", response={201: WinnerAwardsOut, **CHANGE})
def winner_awards(request, public_id: str):
    """Ask the fund for a community grant for each winner of a decided round that has none
    yet (the round's runners; the fund must give community grants). Each waits for the
    fund's approvers, as the round page's "Ask for the winners' grants" does."""
    round_ = _round(request, public_id)
    with service_errors():
        made = winners.awards_make(viewer=request.auth, round_=round_)
    return Status(201, {"awards": [award_summary_out(award) for award in made]})


@router.post("/money/rounds/{public_id}/panel-time", response={201: AwardSummaryOut, **CHANGE})
def panel_time(request, public_id: str, payload: PanelTimeIn):
    """A resident panellist's paid time (hours × their hourly rate), asked of the round's
    fund as a grant to them, then decided and paid like any award (the round's runners).
    A panellist without an hourly rate or a resident record is a 400 naming `hours`."""
    round_ = _round(request, public_id)
    with service_errors():
        panellist = Panellist.objects.filter(
            place=round_.place, round=round_, pk=payload.panellist
        ).first()
        if panellist is None:
            raise ValidationError({"panellist": _("No panellist with this number on this round")})
        award = rounds.panel_time_claim(
            viewer=request.auth, panellist=panellist, hours=payload.hours
        )
    return Status(201, award_summary_out(award))


@router.get(
    "/money/rounds/{public_id}/pabulib",
    response={404: Detail},
    summary="A round's projects and ballots as a Pabulib file",
    openapi_extra={
        "responses": {
            "200": {
                "description": "The Pabulib (.pb) file",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def pabulib(request, public_id: str):
    """The round's eligible projects, budget and ballots (voters numbered, never named) as a
    Pabulib file, so anyone can count it again: once the round is decided, or at any time
    for its runners; otherwise a 404. (Without a token: /money/rounds/{id}/round.pb.)"""
    round_ = Round.objects.select_related("fund").filter(public_id=public_id).first()
    if round_ is None:
        raise Http404
    response = HttpResponse(
        vote.pabulib_for(request.auth, round_), content_type="text/plain; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="round-{round_.public_id}.pb"'
    return response


@router.post("/money/rounds/{public_id}/overrides", response={201: RoundDecisionOut, **CHANGE})
def decision_override(request, public_id: str, payload: OverrideIn):
    """Add or remove one winner with a written `reason` (published on the log): without
    one, a 400 naming `reason`."""
    round_ = _round(request, public_id)
    with service_errors():
        decision = rounds.decision_override(
            viewer=request.auth,
            round_=round_,
            application=_application(round_, payload.application),
            add=payload.action == "add",
            reason=payload.reason,
        )
    return Status(201, decision_out(decision))


# --- the public decision log -----------------------------------------------------------------


@router.get(
    "/money/rounds/{public_id}/decisions",
    auth=None,
    response={200: DecisionLogOut, 404: Detail},
    summary="A round's public decision log (no account needed)",
)
def decision_log(request, public_id: str):
    """What the decision log page shows anyone: the rule in plain words, each application's
    average marks per criterion and its votes, the winners, and every override with its
    reason. Never a contact detail or a panellist's name; no group's name when the round
    anonymises applicants."""
    round_ = _public_round(public_id)
    applications = list(
        round_.applications.filter(place=round_.place)
        .only("number", "title", "group_name", "amount", "eligibility", "eligibility_reason")
        .order_by("number")
    )
    marks: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for score in Score.objects.filter(application__round=round_).only("application_id", "marks"):
        for criterion, mark in score.marks.items():
            marks[score.application_id][criterion].append(mark)
    decisions = list(round_.decisions.select_related("application").order_by("computed_at", "pk"))
    latest = decisions[-1] if decisions else None
    tallies = latest.tallies if latest else {}
    winners = set(latest.winners) if latest else set()
    rule = voting.RULES.get(round_.rule)
    rows = []
    for a in applications:
        eligible = a.eligibility == Eligibility.ELIGIBLE
        by_criterion = marks.get(a.pk, {})
        rows.append(
            {
                "ref": a.ref,
                "title": a.title,
                "group_name": None if round_.anonymise_applicants else a.group_name,
                "amount": pounds(a.amount),
                "eligible": eligible,
                "eligibility": str(a.get_eligibility_display()),
                "eligibility_reason": None if eligible else (a.eligibility_reason or None),
                "scores": [
                    {
                        "criterion": c,
                        "average": (sum(v) / len(v)) if v else None,
                        "scores": len(v),
                    }
                    for c, v in ((c, by_criterion.get(c, [])) for c in round_.rubric)
                ]
                if eligible
                else [],
                "votes": tallies.get(a.ref),
                "winner": a.ref in winners,
            }
        )
    return {
        "id": round_.public_id,
        "name": round_.name,
        "fund_name": round_.fund.name,
        "state": round_.state,
        "budget": pounds(round_.budget),
        "rule": {
            "key": rule.key,
            "label": str(rule.label),
            "description": str(rule.description),
            "note": str(rule.note),
        }
        if rule
        else None,
        "anonymise_applicants": round_.anonymise_applicants,
        "ballots": round_.ballots.count(),
        "applications": rows,
        "decisions": [
            {
                "kind": d.kind,
                "at": d.computed_at,
                "application": d.application.ref if d.application else None,
                "winners": list(d.winners),
                "reason": d.reason,
            }
            for d in decisions
        ],
    }
