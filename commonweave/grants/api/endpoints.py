"""Funds and their ledgers, awards from asking to "what it made possible", payments and
reversals, and the money dashboard. `request.auth` is the Viewer; the rules are
grants/rules.py, the same as the pages', and whatever a viewer may not see is the 404 of
a record that does not exist. A service's ValidationError is a 400 naming the field."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja.responses import Status

from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.core.visibility import Level, shown
from commonweave.mutualaid.enums import Kind
from commonweave.mutualaid.models import Request
from commonweave.people.access import Access, resident_get

from .. import dashboard, rules, selectors, services
from ..enums import AwardStatus, EntryKind, RecipientKind
from ..models import PENNY, Award, Fund, LedgerEntry
from . import router
from .schemas import (
    AwardDecisionIn,
    AwardIn,
    AwardOut,
    AwardPage,
    FundIn,
    FundOut,
    FundPage,
    LedgerLineOut,
    LedgerLinePage,
    LedgerReversalIn,
    MadePossibleIn,
    MoneyDashboardOut,
    MoneyIn,
    PaymentIn,
)

READ = {200: AwardOut, 404: Detail}
CHANGE = {400: Errors, 404: Detail}


def pounds(value) -> str:
    """Decimal (or None) -> "45.50"."""
    return str(Decimal(value).quantize(PENNY))


def _maybe(value) -> str | None:
    return None if value is None else pounds(value)


def _runner(request):
    viewer = request.auth
    if not rules.may_see_funds(viewer):
        raise Http404
    return viewer


# --- answers ---------------------------------------------------------------------------------


def totals_out(totals) -> dict:
    return {
        "pot": pounds(totals.pot),
        "paid": pounds(totals.paid),
        "committed": pounds(totals.committed),
        "balance": pounds(totals.balance),
        "available": pounds(totals.available),
    }


def fund_out(fund: Fund, totals=None) -> dict:
    return {
        "id": fund.public_id,
        "name": fund.name,
        "programme": fund.programme,
        "funders": [str(funder) for funder in fund.funders or []],
        "open_call": fund.open_call,
        "personal": fund.personal,
        "community": fund.community,
        "mutual_aid": fund.mutual_aid,
        "approval_threshold": pounds(fund.approval_threshold),
        "starts_on": fund.starts_on,
        "ends_on": fund.ends_on,
        "closed": fund.closed,
        "totals": totals_out(totals or selectors.fund_totals(fund)),
    }


def entry_out(entry: LedgerEntry) -> dict:
    award, reverses = entry.award, entry.reverses
    return {
        "id": entry.public_id,
        "kind": entry.kind,
        "amount": pounds(entry.amount),
        "paid_on": entry.paid_on,
        "award": {"id": award.public_id, "title": award.title} if award is not None else None,
        "source": entry.source,
        "method": entry.method,
        "note": entry.note,
        "reverses": reverses.public_id if reverses is not None else None,
        "reversed": hasattr(entry, "reversed_by"),
    }


def award_summary_out(award: Award) -> dict:
    return {
        "id": award.public_id,
        "title": award.title,
        "status": award.status,
        "amount_requested": pounds(award.amount_requested),
        "amount_awarded": _maybe(award.amount_awarded),
        "requested_at": award.requested_at,
    }


def _recipient(award: Award) -> dict:
    out: dict = {
        "kind": award.recipient_kind,
        "resident": None,
        "name": None,
        "charity_number": None,
        "company_number": None,
        "aid_money": None,
    }
    if award.recipient_kind == RecipientKind.RESIDENT:
        # Only who may see the award gets here (award_open), and they see what the page
        # shows: the resident's public id and display name.
        resident = shown(award.resident, Level.FULL)
        out["resident"] = {"id": resident.public_id, "display_name": resident.display_name}
    elif award.recipient_kind == RecipientKind.AID_REQUEST:
        out["aid_money"] = award.aid_money
    else:
        organisation = award.organisation
        out["name"] = organisation.name if organisation is not None else award.group_name
        out["charity_number"] = award.charity_number
        out["company_number"] = award.company_number
    return out


def award_out(award: Award) -> dict:
    """The award as its page shows it to a viewer who may see it."""
    paid = selectors.award_paid(award)
    payments = (
        LedgerEntry.objects.filter(place=award.place_id, award=award, kind=EntryKind.PAYMENT)
        .select_related("reversed_by")
        .order_by("recorded_at", "pk")
    )
    personal = award.recipient_kind == RecipientKind.RESIDENT
    approved = award.status == AwardStatus.APPROVED
    return {
        "id": award.public_id,
        "fund": award.fund.public_id,
        "fund_name": award.fund.name,
        "title": award.title,
        "status": award.status,
        "recipient": _recipient(award),
        "amount_requested": pounds(award.amount_requested),
        "requested_at": award.requested_at,
        "amount_awarded": _maybe(award.amount_awarded),
        "paid": pounds(paid),
        "left_to_pay": pounds((award.amount_awarded or 0) - paid) if approved else None,
        "why": award.why,
        "goal": award.goal.text if award.goal is not None else None,
        "supplier": award.supplier,
        "approvals": [
            {
                "decision": approval.decision,
                "approver": approval.approver.get_full_name() or approval.approver.email,
                "at": approval.at,
                "amount": _maybe(approval.amount),
                "evidence": approval.evidence,
            }
            for approval in award.approvals.select_related("approver")
        ],
        "approvals_needed": services.approvals_needed(award),
        "payments": [
            {
                "id": line.public_id,
                "amount": pounds(line.amount),
                "method": line.method,
                "paid_on": line.paid_on,
                "has_receipt": line.receipt_id is not None,
                "reversed": hasattr(line, "reversed_by"),
                "reversal_note": line.reversed_by.note if hasattr(line, "reversed_by") else None,
            }
            for line in payments
        ],
        "made_possible": award.made_possible if personal else None,
        "made_possible_shareable": award.made_possible_shareable if personal else None,
    }


def _award(request, public_id: str) -> Award:
    """The award, if the viewer may see it; an audited read, as the page's."""
    return selectors.award_open(request.auth, public_id)


def _reread(award: Award) -> Award:
    return Award.objects.select_related(
        "fund", "resident", "goal", "organisation", "aid_request"
    ).get(pk=award.pk)


# --- funds -----------------------------------------------------------------------------------


@router.get("/money/funds", response={200: FundPage, 404: Detail})
def fund_list(request, paging: PageParams):
    """The funds your organisation runs (its coordinators and place admins), with their
    totals added up from the ledger. Anyone else gets a 404."""
    viewer = _runner(request)
    rows, envelope = paginate(selectors.funds_for(viewer), paging)
    # Every fund's totals in three queries, not three a fund.
    totals = {row.fund.pk: row for row in dashboard.fund_spend(viewer.place)} if rows else {}
    return {**envelope, "items": [fund_out(fund, totals.get(fund.pk)) for fund in rows]}


@router.post("/money/funds", response={201: FundOut, **CHANGE})
def fund_create(request, payload: FundIn):
    """A fund run by your organisation. `pot`, if given, is its first money in, from
    `source`. A bad amount is a 400 naming `pot` or `approval_threshold`, and nothing is
    saved."""
    viewer = _runner(request)
    data = payload.model_dump()
    with service_errors(amount="pot"):
        fund = services.fund_create(
            viewer=viewer,
            name=data.pop("name"),
            pot=data.pop("pot"),
            source=data.pop("source"),
            **data,
        )
    return Status(201, fund_out(fund))


@router.get("/money/funds/{public_id}", response={200: FundOut, 404: Detail})
def fund_detail(request, public_id: str):
    """One fund you run, with its totals (pot, paid, committed, balance, available)."""
    return fund_out(selectors.fund_open(_runner(request), public_id))


@router.post("/money/funds/{public_id}/money-in", response={201: LedgerLineOut, **CHANGE})
def fund_money_in(request, public_id: str, payload: MoneyIn):
    """Record money into a fund you run: a new line of its ledger."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    with service_errors():
        entry = services.funding_add(viewer=viewer, fund=fund, **payload.model_dump())
    return Status(201, entry_out(entry))


@router.get("/money/funds/{public_id}/ledger", response={200: LedgerLinePage, 404: Detail})
def fund_ledger(request, public_id: str, paging: PageParams):
    """Every line of a fund's ledger, oldest first. Nothing is ever deleted: a wrong line
    is followed by the reversal that names it."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    lines = selectors.ledger_of(viewer, fund).select_related("reversed_by")
    rows, envelope = paginate(lines, paging)
    return {**envelope, "items": [entry_out(entry) for entry in rows]}


@router.get("/money/funds/{public_id}/awards", response={200: AwardPage, 404: Detail})
def fund_awards(request, public_id: str, paging: PageParams):
    """A fund's awards, newest first, as its page lists them: title, status and amounts,
    no recipient (open an award to see whom it is for; that read is audited)."""
    viewer = _runner(request)
    fund = selectors.fund_open(viewer, public_id)
    rows, envelope = paginate(selectors.awards_of(viewer, fund).order_by("-requested_at", "-pk"),
                              paging)  # fmt: skip
    return {**envelope, "items": [award_summary_out(award) for award in rows]}


# --- awards ----------------------------------------------------------------------------------


def _recipient_in(viewer, payload: AwardIn):
    """(resident, need) named by the body: one you may not see is a 404."""
    resident = need = None
    if payload.resident:
        resident, _access = resident_get(viewer, payload.resident, need=Access.FULL)
    if payload.need:
        need = Request.objects.filter(
            place=viewer.place, kind=Kind.NEED, public_id=payload.need
        ).first()
        if need is None:
            raise Http404
    return resident, need


@router.post("/money/awards", response={201: AwardOut, **CHANGE})
def award_ask(request, payload: AwardIn):
    """Ask a fund (`fund`, its public id) for money for exactly one recipient: a resident
    whose record your organisation holds (`resident`, their public id: a personal grant,
    maybe for one of their goals, `goal_id`), an organisation or group (`group_name`, with
    its charity or company number: a community grant), or a neighbour's need your
    organisation holds (`need`, its public id, with `aid_money`). A fund, resident or need
    you may not ask for is a 404. The award waits for a decision."""
    viewer = request.auth
    fund = Fund.objects.filter(place=viewer.place, public_id=payload.fund).first()
    if fund is None:
        raise Http404
    resident, need = _recipient_in(viewer, payload)
    with service_errors(goal="goal_id"):
        goal = None
        if payload.goal_id is not None:
            goal = resident.goals.filter(pk=payload.goal_id).first() if resident else None
            if goal is None:
                raise ValidationError({"goal_id": _("Choose one of their goals")})
        award = services.award_request(
            viewer=viewer,
            fund=fund,
            resident=resident,
            group_name=payload.group_name,
            charity_number=payload.charity_number,
            company_number=payload.company_number,
            aid_request=need,
            aid_money=payload.aid_money or "",
            title=payload.title,
            why=payload.why,
            goal=goal,
            amount=payload.amount,
            supplier=payload.supplier,
            purpose_code=payload.purpose_code,
            reason_code=payload.reason_code,
        )
    return Status(201, award_out(_reread(award)))


@router.get("/money/awards/{public_id}", response=READ)
def award_detail(request, public_id: str):
    """An award you may see: the fund's runners, and the caseworkers of whoever it is for
    (the resident's holding organisation, the fund's organisation for a community grant,
    the need's). Every read is written to the audit log, on the resident's record for a
    personal grant."""
    return award_out(_award(request, public_id))


@router.post("/money/awards/{public_id}/decisions", response={200: AwardOut, **CHANGE})
def award_decide(request, public_id: str, payload: AwardDecisionIn):
    """Approve or decline, as one of the fund's runners signed in as yourself: a decision
    about money needs a person, so an API token gets a 400 naming `decision`. The person
    who asked cannot decide; at or above the fund's threshold a second, different
    approver must approve the same amount."""
    award = _award(request, public_id)
    with service_errors():
        award = services.award_decide(
            viewer=request.auth,
            award=award,
            decision=payload.decision,
            amount=payload.amount,
            evidence=payload.evidence,
        )
    return award_out(_reread(award))


@router.post("/money/awards/{public_id}/payments", response={201: LedgerLineOut, **CHANGE})
def award_pay(request, public_id: str, payload: PaymentIn):
    """Record a payment of an approved award (the fund's runners): never more than is left
    of it, nor more than the fund holds. A receipt cannot be sent as JSON: upload it with
    the payment on the award's page."""
    viewer = request.auth
    award = _award(request, public_id)
    if not rules.runs(viewer, award.fund):
        raise Http404
    with service_errors():
        entry = services.payment_record(viewer=viewer, award=award, **payload.model_dump())
    return Status(201, entry_out(entry))


@router.post("/money/awards/{public_id}/made-possible", response={200: AwardOut, **CHANGE})
def award_made_possible(request, public_id: str, payload: MadePossibleIn):
    """What a personal grant made possible, in the resident's own words; `shareable` only
    with their consent to share it as a story. Another kind of award is a 404."""
    award = _award(request, public_id)
    with service_errors():
        award = services.made_possible_record(
            viewer=request.auth,
            award=award,
            words=payload.made_possible,
            shareable=payload.shareable,
        )
    return award_out(_reread(award))


@router.post("/money/awards/{public_id}/withdraw", response={200: AwardOut, **CHANGE})
def award_withdraw(request, public_id: str):
    """Withdraw a request, or an approved award nothing has been paid from (anyone who may
    see it)."""
    award = _award(request, public_id)
    with service_errors():
        award = services.award_withdraw(viewer=request.auth, award=award)
    return award_out(_reread(award))


@router.post("/money/ledger/{public_id}/reversal", response={201: LedgerLineOut, **CHANGE})
def entry_reverse(request, public_id: str, payload: LedgerReversalIn):
    """Put a wrong line right (the fund's runners): a reversal of the same amount that
    names it. A line is reversed once; a reversal is not reversed; money in only while
    the fund still holds it."""
    viewer = _runner(request)
    entry = (
        LedgerEntry.objects.filter(place=viewer.place, public_id=public_id)
        .select_related("fund")
        .first()
    )
    if entry is None or not rules.runs(viewer, entry.fund):
        raise Http404
    with service_errors():
        reversal = services.entry_reverse(viewer=viewer, entry=entry, reason=payload.reason)
    return Status(201, entry_out(reversal))


# --- the dashboard ---------------------------------------------------------------------------


@router.get("/money/dashboard", response={200: MoneyDashboardOut, 404: Detail})
def money_dashboard(request):
    """The place's funds: spend against pot, time from request to first payment, and
    personal grants by purpose and by neighbourhood, for the funds' runners and analysts.
    Counts go through the published-number rules; amounts over personal grants are shown
    only where enough people are behind them, to the nearest £10 (docs/grants.md)."""
    viewer = request.auth
    if not dashboard.may_see_dashboard(viewer):
        raise Http404
    return dashboard.as_json(dashboard.dashboard_for(viewer))
