"""Participatory grant-making rounds (issue 17, part 3; docs/grants.md).

A round on a fund goes open call → screening → panel → vote → decided. Applications come
in through the public form (no account) or are recorded by the round's runners from a
nomination or a conversation; the runners screen each one, with a reason when it is not
eligible; the panel scores the eligible ones against the round's rubric (a panellist who
declared a conflict cannot score that application); residents' ballots are entered (on the
web, or typed in from paper and texts); `voting.count` counts them; and the decision goes
into a public log, where every override names the application and gives its reason.

Who may act: the fund's runners (grants.rules.runs) do everything but score; a panellist
scores (and declares conflicts) as themselves, and the runners may enter a resident
panellist's marks for them. Everyone else finds a 404. Every change writes an audit event.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import rules, voting
from .enums import ApplicationChannel, BallotChannel, DecisionKind, Eligibility, RoundState
from .models import (
    DEFAULT_RUBRIC,
    Application,
    Award,
    Conflict,
    Fund,
    Panellist,
    Round,
    RoundBallot,
    RoundDecision,
    Score,
)
from .services import award_request, money

STATE_ORDER = list(RoundState.values)
MARK_MAX = 5


def runs_round(viewer, round_: Round) -> bool:
    return rules.in_place(viewer, round_) and rules.runs(viewer, round_.fund)


def _run(viewer, round_: Round) -> None:
    if not runs_round(viewer, round_):
        raise Http404


def _audit(viewer, action, obj, round_: Round, *, resident=None, detail=None) -> None:
    audit_record(
        viewer=viewer,
        action=action,
        purpose=Purpose.ADMIN,
        obj=obj,
        resident=resident,
        detail={"round": round_.public_id, **(detail or {})},
        organisation_id=round_.fund.organisation_id,
    )


def _text(value, field: str, message: str, *, limit: int) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: message})
    return text[:limit]


# --- reads -------------------------------------------------------------------------------------


def round_for_runner(viewer, public_id: str) -> Round:
    """The round, for one of its fund's runners; anyone else: 404."""
    round_ = Round.objects.select_related("fund").filter(public_id=public_id).first()
    if round_ is None or not runs_round(viewer, round_):
        raise Http404
    return round_


def panellist_of(viewer, round_: Round) -> Panellist | None:
    """The signed-in viewer's own place on the round's panel, if they have one."""
    user = getattr(viewer, "user", None)
    if user is None or not rules.in_place(viewer, round_):
        return None
    return Panellist.objects.filter(place=round_.place, round=round_, user=user).first()


def taking_applications(round_: Round) -> bool:
    """The public form is open: the round is in its open call, between its dates."""
    today = timezone.localdate()
    return not (
        round_.state != RoundState.OPEN_CALL
        or (round_.opens_on and today < round_.opens_on)
        or (round_.closes_on and today > round_.closes_on)
    )


def whole_pounds(amount: Decimal) -> int:
    """An amount asked as a whole-pound cost, rounded up: a project never costs less on the
    ballot paper than it asked for."""
    return int(amount.to_integral_value(rounding=ROUND_CEILING))


def round_projects(round_: Round) -> list[voting.Project]:
    """The eligible applications, as projects for the count (cost in whole pounds)."""
    return [
        voting.Project(id=a.ref, cost=whole_pounds(a.amount), name=a.title)
        for a in round_.applications.filter(eligibility=Eligibility.ELIGIBLE).order_by("number")
    ]


def round_budget(round_: Round) -> int:
    return int(round_.budget.to_integral_value(rounding=ROUND_FLOOR))


def points_ballots(round_: Round) -> bool:
    """Whether the round's voters share out points (else they tick projects)."""
    return round_.rule == voting.CUMULATIVE.key or bool(round_.points)


def to_ballot(round_: Round, choices: Any) -> voting.Ballot:
    """A stored ballot's choices as a voting ballot, checked against the round's rules."""
    if points_ballots(round_):
        if not isinstance(choices, dict):
            raise voting.InvalidBallot(_("Give points as P001=3, P002=2"))
        return voting.CumulativeBallot(choices, max_total=round_.points or 1)
    if not isinstance(choices, list):
        raise voting.InvalidBallot(_("List the projects ticked, like P001, P003"))
    return voting.ApprovalBallot(choices, k=round_.max_choices)


def round_ballots(round_: Round) -> list[voting.Ballot]:
    return [to_ballot(round_, b.choices) for b in round_.ballots.order_by("entered_at", "pk")]


def latest_decision(round_: Round) -> RoundDecision | None:
    return round_.decisions.order_by("-computed_at", "-pk").first()


def parse_choices(round_: Round, text: str) -> list[str] | dict[str, int]:
    """What a person typed from a paper ballot or a text ("P001, P003" or "P001=3 P002=2")
    as stored choices. Refs are upper-cased; a bad entry is a ValidationError on `choices`."""
    parts = [p for p in (text or "").replace(";", ",").replace(",", " ").upper().split() if p]
    if not points_ballots(round_):
        return sorted(set(parts))
    points: dict[str, int] = {}
    for part in parts:
        ref, _sep, value = part.partition("=")
        if not value.isdigit():
            raise ValidationError({"choices": _("Give points as P001=3, P002=2")})
        points[ref] = points.get(ref, 0) + int(value)
    return points


# --- opening and moving a round ------------------------------------------------------------


@transaction.atomic
def round_open(
    *,
    viewer,
    fund: Fund,
    name: str,
    budget,
    rule: str,
    opens_on=None,
    closes_on=None,
    max_choices: int | None = None,
    points: int | None = None,
    vote_open: bool = True,
    anonymise_applicants: bool = False,
    rubric: list[str] | None = None,
) -> Round:
    """Open a round on a fund the viewer runs. The budget is in whole pounds; the rule is a
    key of voting.RULES (k-of-n needs `max_choices`; points need `points`).

    Side effects: a Round (open for applications), one audit event."""
    if not rules.runs(viewer, fund):
        raise Http404
    errors: dict[str, Any] = {}
    if fund.closed:
        errors["name"] = _("This fund is closed")
    if not (name or "").strip():
        errors["name"] = _("Enter the round's name")
    if rule not in voting.RULES:
        errors["rule"] = _("Choose a counting rule")
    elif rule == voting.K_OF_N.key and not max_choices:
        errors["max_choices"] = _("Say how many projects a voter may choose")
    elif rule == voting.CUMULATIVE.key and not points:
        errors["points"] = _("Say how many points each voter has")
    if (
        rule in voting.RULES
        and points
        and voting.VOTE_CUMULATIVE not in voting.RULES[rule].vote_types
    ):
        errors["points"] = _("This rule counts ticks, not points")
    try:
        amount = money(budget, "budget")
        if amount != amount.to_integral_value():
            errors["budget"] = _("Enter the budget in whole pounds")
    except ValidationError as error:
        errors.update(error.message_dict)
    if opens_on and closes_on and closes_on < opens_on:
        errors["closes_on"] = _("The round must close after it opens")
    if errors:
        raise ValidationError(errors)
    round_ = Round.objects.create(
        place=fund.place,
        fund=fund,
        name=name.strip()[:160],
        budget=amount,
        rule=rule,
        opens_on=opens_on,
        closes_on=closes_on,
        max_choices=max_choices or None,
        points=points or None,
        vote_open=vote_open,
        anonymise_applicants=anonymise_applicants,
        rubric=[c.strip() for c in rubric if c.strip()] if rubric else list(DEFAULT_RUBRIC),
        created_by=getattr(viewer, "user", None),
    )
    _audit(viewer, Action.CREATE, round_, round_)
    return round_


@transaction.atomic
def round_move(*, viewer, round_: Round, state: str) -> Round:
    """Move the round to another stage (forwards or back, but never out of "decided": a
    decision is changed only by an override). Side effects: the round, one audit event."""
    _run(viewer, round_)
    if state not in STATE_ORDER:
        raise ValidationError({"state": _("Choose a stage")})
    if round_.state == RoundState.DECIDED:
        raise ValidationError({"state": _("This round is decided: change it with an override")})
    if state == RoundState.DECIDED:
        raise ValidationError({"state": _("A round is decided by counting its votes")})
    before = round_.state
    round_.state = state
    round_.save(update_fields=["state"])
    _audit(viewer, Action.UPDATE, round_, round_, detail={"from": before, "to": state})
    return round_


# --- applications -----------------------------------------------------------------------------


def _application(
    *, round_, channel, group_name, contact_name, contact_email, title, what_for, amount, by
) -> Application:
    errors: dict[str, Any] = {}
    fields = {}
    for field, value, message, limit in (
        ("group_name", group_name, _("Enter your group's name"), 200),
        ("contact_name", contact_name, _("Enter a name we can contact"), 200),
        ("title", title, _("Give your project a title"), 200),
        ("what_for", what_for, _("Say what the money is for"), 5000),
    ):
        try:
            fields[field] = _text(value, field, message, limit=limit)
        except ValidationError as error:
            errors.update(error.message_dict)
    email = (contact_email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["contact_email"] = _("Enter an email address like name@example.org")
    try:
        amount = money(amount, "amount")
        if amount > round_.budget:
            errors["amount"] = _("Ask for no more than the round's budget, £%(budget)s") % {
                "budget": round_.budget
            }
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    Round.objects.select_for_update().get(pk=round_.pk)
    number = (round_.applications.aggregate(n=Max("number"))["n"] or 0) + 1
    return Application.objects.create(
        place=round_.place,
        round=round_,
        number=number,
        channel=channel,
        contact_email=email[:254],
        amount=amount,
        entered_by=by,
        **fields,
    )


@transaction.atomic
def application_submit(
    *, viewer, round_: Round, group_name, contact_name, contact_email, title, what_for, amount
) -> Application:
    """An application through the public form: no account, only while the call is open.
    Side effects: an Application, one audit event."""
    if not rules.in_place(viewer, round_):
        raise Http404
    if not taking_applications(round_):
        raise ValidationError(_("This round is not taking applications"))
    application = _application(
        round_=round_,
        channel=ApplicationChannel.WEB,
        group_name=group_name,
        contact_name=contact_name,
        contact_email=contact_email,
        title=title,
        what_for=what_for,
        amount=amount,
        by=None,
    )
    _audit(viewer, Action.CREATE, application, round_, detail={"channel": ApplicationChannel.WEB})
    return application


@transaction.atomic
def application_record(
    *,
    viewer,
    round_: Round,
    channel: str,
    group_name,
    contact_name,
    contact_email="",
    title,
    what_for,
    amount,
) -> Application:
    """A nomination or a conversation, recorded by a runner (in any stage before the vote).
    Side effects: an Application, one audit event."""
    _run(viewer, round_)
    if channel not in (ApplicationChannel.NOMINATION, ApplicationChannel.CONVERSATION):
        raise ValidationError({"channel": _("Choose how it came in")})
    if round_.state in (RoundState.VOTE, RoundState.DECIDED):
        raise ValidationError(_("The vote has started: no more applications"))
    application = _application(
        round_=round_,
        channel=channel,
        group_name=group_name,
        contact_name=contact_name,
        contact_email=contact_email,
        title=title,
        what_for=what_for,
        amount=amount,
        by=getattr(viewer, "user", None),
    )
    _audit(viewer, Action.CREATE, application, round_, detail={"channel": channel})
    return application


@transaction.atomic
def application_screen(
    *, viewer, application: Application, eligible: bool, reason: str = ""
) -> Application:
    """Screen an application: eligible, or not eligible with the reason why. Only eligible
    applications are scored and counted. Side effects: the application, one audit event."""
    round_ = application.round
    _run(viewer, round_)
    if round_.state in (RoundState.VOTE, RoundState.DECIDED):
        raise ValidationError(_("The vote has started: screening is closed"))
    reason = (reason or "").strip()
    if not eligible and not reason:
        raise ValidationError({"reason": _("Say why it is not eligible")})
    application.eligibility = Eligibility.ELIGIBLE if eligible else Eligibility.NOT_ELIGIBLE
    application.eligibility_reason = reason[:300]
    application.screened_by = getattr(viewer, "user", None)
    application.save(update_fields=["eligibility", "eligibility_reason", "screened_by"])
    _audit(
        viewer, Action.UPDATE, application, round_, detail={"eligibility": application.eligibility}
    )
    return application


# --- the panel --------------------------------------------------------------------------------


@transaction.atomic
def panellist_add(
    *, viewer, round_: Round, user=None, resident=None, name: str = "", hourly_rate=None
) -> Panellist:
    """Add a panellist: a worker with an account, or a resident panellist by name (and
    their record, if they have one in this place). Paid time at `hourly_rate`, if any.
    Side effects: a Panellist, one audit event (on the resident's record if named)."""
    _run(viewer, round_)
    if resident is not None and resident.place_id != round_.place_id:
        raise Http404
    name = (name or "").strip() or (user.get_full_name() or user.email if user else "")
    if not name:
        raise ValidationError({"name": _("Enter the panellist's name")})
    if user is not None and Panellist.objects.filter(round=round_, user=user).exists():
        raise ValidationError({"name": _("They are already on this panel")})
    rate = money(hourly_rate, "hourly_rate") if hourly_rate not in (None, "") else None
    panellist = Panellist.objects.create(
        place=round_.place,
        round=round_,
        user=user,
        resident=resident,
        name=name[:200],
        hourly_rate=rate,
        added_by=getattr(viewer, "user", None),
    )
    _audit(viewer, Action.CREATE, panellist, round_, resident=resident)
    return panellist


def resident_panellist_for_runner(viewer, round_: Round, number: int) -> Panellist:
    """A resident panellist (one without an account) of the round, for a runner entering
    their marks; 404 for anyone else, another round's panellist, or a panellist who signs
    in and scores as themselves."""
    if not runs_round(viewer, round_):
        raise Http404
    panellist = Panellist.objects.filter(
        place=round_.place, round=round_, pk=number, user__isnull=True
    ).first()
    if panellist is None:
        raise Http404
    return panellist


def _acting_panellist(viewer, round_: Round, panellist: Panellist | None) -> Panellist:
    """The panellist acting: the viewer themselves, or (for a runner) the resident
    panellist without an account named."""
    own = panellist_of(viewer, round_)
    if panellist is None or (own is not None and panellist.pk == own.pk):
        if own is None:
            if runs_round(viewer, round_):
                raise ValidationError({"panellist": _("You are not on this round's panel")})
            raise Http404
        return own
    if panellist.round_id != round_.pk or not runs_round(viewer, round_):
        raise Http404
    if panellist.user_id is not None:  # one who signs in marks for themselves
        raise ValidationError({"panellist": _("This panellist signs in and gives their own marks")})
    return panellist


@transaction.atomic
def conflict_declare(
    *, viewer, application: Application, reason: str, panellist: Panellist | None = None
) -> Conflict:
    """A panellist declares a conflict of interest with an application: from then on they
    cannot score it. Side effects: a Conflict, one audit event."""
    round_ = application.round
    panellist = _acting_panellist(viewer, round_, panellist)
    reason = _text(reason, "reason", _("Say what the conflict is"), limit=300)
    conflict, created = Conflict.objects.get_or_create(
        panellist=panellist, application=application, defaults={"reason": reason}
    )
    if not created:
        raise ValidationError({"reason": _("This conflict is already declared")})
    _audit(viewer, Action.CREATE, conflict, round_, resident=panellist.resident)
    return conflict


@transaction.atomic
def score_record(
    *,
    viewer,
    application: Application,
    marks: dict[str, Any],
    note: str = "",
    panellist: Panellist | None = None,
) -> Score:
    """A panellist's marks (0 to 5 for each criterion of the rubric) for an eligible
    application; scoring again replaces their marks. Refused for a panellist who declared a
    conflict with the application, and for anyone not on the panel.
    Side effects: a Score (new or updated), one audit event."""
    round_ = application.round
    panellist = _acting_panellist(viewer, round_, panellist)
    if Conflict.objects.filter(panellist=panellist, application=application).exists():
        raise ValidationError(
            {
                "application": _(
                    "%(name)s declared a conflict of interest with this application, "
                    "so cannot score it."
                )
                % {"name": panellist.name}
            }
        )
    if round_.state != RoundState.PANEL:
        raise ValidationError({"application": _("The panel is not scoring at this stage")})
    if application.eligibility != Eligibility.ELIGIBLE:
        raise ValidationError({"application": _("Only eligible applications are scored")})
    clean: dict[str, int] = {}
    errors = {}
    for criterion in round_.rubric:
        value = marks.get(criterion)
        try:
            mark = int(str(value).strip())
        except (TypeError, ValueError):
            mark = -1
        if not 0 <= mark <= MARK_MAX:
            errors[criterion] = _("Give %(criterion)s a mark from 0 to 5") % {
                "criterion": criterion
            }
        clean[criterion] = mark
    if errors:
        raise ValidationError(errors)
    score, _created = Score.objects.update_or_create(
        panellist=panellist,
        application=application,
        defaults={"marks": clean, "note": (note or "").strip()[:5000]},
    )
    _audit(viewer, Action.UPDATE, score, round_, resident=panellist.resident)
    return score


# --- the vote and the decision -------------------------------------------------------------


@transaction.atomic
def ballot_enter(*, viewer, round_: Round, ref: str, channel: str, choices) -> RoundBallot:
    """One voter's ballot, typed in by a runner (a paper ballot, a text message, or a web
    ballot), only while the vote is open. `choices` are refs ticked (a list) or points (a
    dict): checked against the round's eligible applications and rules.
    Side effects: a RoundBallot, one audit event."""
    _run(viewer, round_)
    if round_.state != RoundState.VOTE:
        raise ValidationError(_("The vote is not open"))
    if channel not in BallotChannel.values:
        raise ValidationError({"channel": _("Choose how the ballot came in")})
    ref = _text(ref, "ref", _("Give the ballot its reference (the number on the paper)"), limit=40)
    if round_.ballots.filter(ref=ref).exists():
        raise ValidationError({"ref": _("A ballot with this reference is already entered")})
    try:
        ballot = to_ballot(round_, choices)
        known = {p.id for p in round_projects(round_)}
        named = set(ballot.approved if isinstance(ballot, voting.ApprovalBallot) else ballot.points)
        if named - known:
            raise voting.InvalidBallot(
                _("Not projects in this vote: %(refs)s")
                % {"refs": ", ".join(sorted(named - known))}
            )
    except voting.VotingError as error:
        raise ValidationError({"choices": str(error)}) from None
    stored = (
        sorted(ballot.approved)
        if isinstance(ballot, voting.ApprovalBallot)
        else dict(ballot.points)
    )
    entry = RoundBallot.objects.create(
        round=round_,
        ref=ref,
        channel=channel,
        choices=stored,
        entered_by=getattr(viewer, "user", None),
    )
    _audit(viewer, Action.CREATE, entry, round_, detail={"channel": channel})
    return entry


@transaction.atomic
def round_count(*, viewer, round_: Round) -> RoundDecision:
    """Count the vote with `voting.count`: the eligible applications are the projects (cost:
    the amount asked, in whole pounds), the budget in whole pounds, the round's rule. The
    result is the decision, the first line of the public log.
    Side effects: a RoundDecision (the count), the round decided, one audit event."""
    round_ = Round.objects.select_for_update(of=("self",)).select_related("fund").get(pk=round_.pk)
    _run(viewer, round_)
    if round_.state != RoundState.VOTE:
        raise ValidationError(_("Count the votes once the vote is open, before it is decided"))
    try:
        outcome = voting.count(
            round_projects(round_), round_budget(round_), round_ballots(round_), round_.rule
        )
    except voting.VotingError as error:
        raise ValidationError(str(error)) from None
    decision = RoundDecision.objects.create(
        round=round_,
        kind=DecisionKind.COUNT,
        rule=outcome.rule,
        winners=outcome.winners,
        tallies=outcome.tallies,
        by=getattr(viewer, "user", None),
    )
    round_.state = RoundState.DECIDED
    round_.save(update_fields=["state"])
    _audit(viewer, Action.CREATE, decision, round_, detail={"winners": outcome.winners})
    return decision


@transaction.atomic
def decision_override(
    *, viewer, round_: Round, application: Application, add: bool, reason: str
) -> RoundDecision:
    """Change the counted result by one application, added as a winner or removed, with a
    written reason: refused without one. It goes into the public decision log.
    Side effects: a RoundDecision (the override), one audit event."""
    round_ = Round.objects.select_for_update(of=("self",)).select_related("fund").get(pk=round_.pk)
    _run(viewer, round_)
    if application.round_id != round_.pk:
        raise Http404
    reason = _text(
        reason, "reason", _("Write the reason for the override: it is published"), limit=5000
    )
    last = latest_decision(round_)
    if last is None:
        raise ValidationError(_("Count the votes before changing the result"))
    winners = list(last.winners)
    if add:
        if application.eligibility != Eligibility.ELIGIBLE:
            raise ValidationError({"application": _("Only an eligible application can win")})
        if application.ref in winners:
            raise ValidationError({"application": _("It is already a winner")})
        winners.append(application.ref)
    else:
        if application.ref not in winners:
            raise ValidationError({"application": _("It is not a winner")})
        winners.remove(application.ref)
    decision = RoundDecision.objects.create(
        round=round_,
        kind=DecisionKind.OVERRIDE_ADD if add else DecisionKind.OVERRIDE_REMOVE,
        rule=last.rule,
        winners=sorted(winners),
        tallies=last.tallies,
        application=application,
        reason=reason,
        by=getattr(viewer, "user", None),
    )
    _audit(
        viewer,
        Action.CREATE,
        decision,
        round_,
        detail={"override": decision.kind, "application": application.ref},
    )
    return decision


def panel_time_claim(*, viewer, panellist: Panellist, hours) -> Award:
    """A resident panellist's paid time, asked of the round's fund as a personal grant to
    them (hours × their hourly rate). It is then decided and paid like any other award
    (services.award_decide, services.payment_record): the ledger keeps one shape, and a
    payment always names an award. A panellist without a resident record, or without an
    hourly rate, is refused.
    Side effects: an Award waiting for a decision (services.award_request), one audit event."""
    round_ = panellist.round
    _run(viewer, round_)
    if panellist.hourly_rate is None:
        raise ValidationError(
            {"hours": _("This panellist has no hourly rate: their time is unpaid")}
        )
    if panellist.resident is None:
        raise ValidationError(
            {"hours": _("Link the panellist to their resident record to pay them from the fund")}
        )
    try:
        time = Decimal(str(hours).strip())
    except ArithmeticError:
        raise ValidationError({"hours": _("Enter the hours, like 2 or 2.5")}) from None
    if not time.is_finite() or time <= 0 or time > 1000:
        raise ValidationError({"hours": _("Enter the hours, like 2 or 2.5")})
    amount = (time * panellist.hourly_rate).quantize(Decimal("0.01"))
    return award_request(
        viewer=viewer,
        fund=round_.fund,
        resident=panellist.resident,
        title=_("Paid panel time: %(round)s, %(hours)s hours at £%(rate)s")
        % {"round": round_.name, "hours": time, "rate": panellist.hourly_rate},
        amount=amount,
        why=_("Time on the panel of a participatory round"),
    )
