"""Reading the ledger: balances summed from its lines (never stored), an award's payments,
and the funds and awards a viewer may see."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet, Sum
from django.http import Http404

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import rules
from .enums import AwardStatus, EntryKind
from .models import Award, Fund, LedgerEntry

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class FundTotals:
    pot: Decimal  # money in, less money in reversed
    paid: Decimal  # payments, less payments reversed
    committed: Decimal  # approved and not yet paid
    balance: Decimal  # pot - paid: what the fund holds
    available: Decimal  # balance - committed: what it can still award


def _sums(entries) -> dict[str, Decimal]:
    """Money in, payments, and the reversals of each, over these ledger lines. One grouped
    pass over the lines by kind (the index on fund and kind), then the few reversals by the
    kind of line they undo."""
    by_kind = {
        row["kind"]: row["total"] or ZERO
        for row in entries.order_by().values("kind").annotate(total=Sum("amount"))
    }
    reversed_by_kind = {
        row["reverses__kind"]: row["total"] or ZERO
        for row in entries.filter(kind=EntryKind.REVERSAL)
        .order_by()
        .values("reverses__kind")
        .annotate(total=Sum("amount"))
    }
    return {
        "funding": by_kind.get(EntryKind.FUNDING, ZERO),
        "payments": by_kind.get(EntryKind.PAYMENT, ZERO),
        "funding_reversed": reversed_by_kind.get(EntryKind.FUNDING, ZERO),
        "payments_reversed": reversed_by_kind.get(EntryKind.PAYMENT, ZERO),
    }


def fund_totals(fund: Fund) -> FundTotals:
    sums = _sums(LedgerEntry.objects.filter(fund=fund))
    pot = sums["funding"] - sums["funding_reversed"]
    paid = sums["payments"] - sums["payments_reversed"]
    approved = (
        Award.objects.filter(fund=fund, status=AwardStatus.APPROVED).aggregate(
            total=Sum("amount_awarded")
        )["total"]
        or ZERO
    )
    # Only an approved award is ever paid, and one is withdrawn only once its payments are
    # reversed: so everything paid, net, was paid against approved awards.
    committed = approved - paid
    balance = pot - paid
    return FundTotals(pot, paid, committed, balance, balance - committed)


def award_paid(award: Award) -> Decimal:
    """What has been paid of an award, less payments reversed."""
    sums = _sums(LedgerEntry.objects.filter(award=award))
    return sums["payments"] - sums["payments_reversed"]


def funds_for(viewer) -> QuerySet[Fund]:
    """The funds the viewer runs."""
    if not rules.may_see_funds(viewer):
        return Fund.objects.none()
    return Fund.objects.filter(
        place=viewer.place, organisation_id__in=viewer.org_ids(*rules.RUNNER_ROLES)
    )


def fund_open(viewer, public_id: str) -> Fund:
    fund = Fund.objects.filter(place=viewer.place, public_id=public_id).first()
    if fund is None or not rules.runs(viewer, fund):
        raise Http404
    return fund


def funds_to_ask(viewer, *, kind: str) -> QuerySet[Fund]:
    """Open funds of the place that take this kind of award."""
    return Fund.objects.filter(place=viewer.place, closed=False, **{kind: True})


def award_open(viewer, public_id: str) -> Award:
    """An award the viewer may see; reading it is audited (on the resident's record for a
    personal grant)."""
    award = (
        Award.objects.filter(place=viewer.place, public_id=public_id)
        .select_related("fund", "resident", "goal", "organisation", "aid_request")
        .first()
    )
    if award is None or not rules.may_see(viewer, award):
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.ADMIN,
        obj=award,
        resident=award.resident,
        organisation_id=award.fund.organisation_id,
    )
    return award


def awards_of(viewer, fund: Fund) -> QuerySet[Award]:
    if not rules.runs(viewer, fund):
        raise Http404
    return Award.objects.filter(place=fund.place_id, fund=fund).select_related("resident")


def awards_for_resident(viewer, resident) -> QuerySet[Award]:
    """A resident's personal grants, for the caseworkers holding their record."""
    return Award.objects.filter(place=viewer.place, resident=resident).select_related("fund")


def ledger_of(viewer, fund: Fund) -> QuerySet[LedgerEntry]:
    if not rules.runs(viewer, fund):
        raise Http404
    return (
        LedgerEntry.objects.filter(place=fund.place_id, fund=fund)
        .select_related("award", "reverses", "receipt")
        .order_by("recorded_at", "pk")
    )
