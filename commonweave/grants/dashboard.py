"""The money dashboard (issue 17, part 6): the place's funds, spend against pot, time from
request to first payment, and personal grants by purpose and by neighbourhood, for the
funds' runners and the place's analysts. The page and `GET /api/money/dashboard` show the
same numbers (docs/grants.md, "Pages and API").

* Money per fund is the ledger's own totals: not counts of people, shown exactly.
* Every count of awards goes through commonweave.insights.disclosure as a Cell carrying
  the record key of the person behind each award (the resident's for a personal grant,
  the neighbour's need's for a mutual-aid cost; a community grant, not a person, adds
  nothing). The median and 90th percentile time to payment are read off the published
  bands (mutualaid.published.band_reached), never the exact times.
* Amounts by purpose or neighbourhood are over personal grants, so they are about people:
  shown only where at least the place's threshold of different residents are behind
  them, rounded to the nearest £10, and never added up into a total (which would give
  away the hidden cells by subtraction).
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import caches
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from commonweave.directory.models import Neighbourhood
from commonweave.insights.disclosure import (
    Cell,
    Published,
    PublishedTable,
    publish_table,
)
from commonweave.mutualaid.published import band_reached
from commonweave.tenancy.viewer import Viewer

from . import codes
from .enums import AwardStatus, EntryKind, RecipientKind
from .models import PENNY, Award, Fund, LedgerEntry

ZERO = Decimal("0.00")
TEN = Decimal("10")
NOT_GIVEN = "not_given"
NOT_KNOWN = "not_known"

# Days from the day an award was asked for to its first payment (not reversed).
PAYMENT_BANDS = (
    ("same_day", 0),
    ("within_2_days", 2),
    ("within_a_week", 7),
    ("within_2_weeks", 14),
    ("within_a_month", 31),
    ("later", None),
)


def _band_labels():
    return {
        "same_day": _("The same day"),
        "within_2_days": _("1 to 2 days"),
        "within_a_week": _("3 to 7 days"),
        "within_2_weeks": _("8 to 14 days"),
        "within_a_month": _("15 to 31 days"),
        "later": _("More than a month"),
    }


def _band_reach():
    return {
        "same_day": _("the same day"),
        "within_2_days": _("2 days"),
        "within_a_week": _("a week"),
        "within_2_weeks": _("2 weeks"),
        "within_a_month": _("a month"),
        "later": _("more than a month"),
    }


def may_see_dashboard(viewer) -> bool:
    """Everyone who sees the place overview (analysts, place admins, coordinators and
    catalysts): every number here about people is published, and how the partnership's
    money is spent is theirs to see."""
    return isinstance(viewer, Viewer) and viewer.can_see_aggregates


@dataclass(frozen=True)
class FundSpend:
    fund: Fund
    pot: Decimal
    paid: Decimal
    committed: Decimal
    balance: Decimal
    available: Decimal

    @property
    def spent(self) -> str:
        """Paid as a share of the pot: "40%", or "" with nothing in the pot."""
        if self.pot <= 0:
            return ""
        return f"{(100 * self.paid / self.pot).quantize(Decimal(1), ROUND_HALF_UP)}%"


@dataclass(frozen=True)
class Group:
    key: str
    label: str
    count: Published
    amount: Decimal | None  # None: too few people behind it to show


@dataclass(frozen=True)
class Dashboard:
    threshold: int
    funds: list[FundSpend]
    time_to_payment: PublishedTable
    median: str | None
    p90: str | None
    by_purpose: list[Group]
    by_neighbourhood: list[Group]
    # Worked out on every view, not kept with the rest: goals move in people's records,
    # which do not tell the money dashboard they changed.
    goals: PublishedTable | None = None


# --- money per fund --------------------------------------------------------------------------


def _ledger_sums(entries) -> dict[int, dict[str, Decimal]]:
    """Per fund: money in, payments, and the reversals of each, grouped by kind (no join
    for the many ordinary lines; only the few reversals look up the line they undo)."""
    out: dict[int, dict[str, Decimal]] = defaultdict(
        lambda: {
            "funding": ZERO,
            "payments": ZERO,
            "funding_reversed": ZERO,
            "payments_reversed": ZERO,
        }  # fmt: skip
    )
    named = {EntryKind.FUNDING: "funding", EntryKind.PAYMENT: "payments"}
    for fund_id, kind, total in (
        entries.order_by().values("fund_id", "kind").annotate(total=Sum("amount"))
        .values_list("fund_id", "kind", "total")
    ):  # fmt: skip
        if kind in named:
            out[fund_id][named[kind]] = total or ZERO
    for fund_id, kind, total in (
        entries.filter(kind=EntryKind.REVERSAL).order_by().values("fund_id", "reverses__kind")
        .annotate(total=Sum("amount")).values_list("fund_id", "reverses__kind", "total")
    ):  # fmt: skip
        if kind in named:
            out[fund_id][f"{named[kind]}_reversed"] = total or ZERO
    return dict(out)


def fund_spend(place) -> list[FundSpend]:
    """Every fund of the place with the totals grants.selectors.fund_totals gives one fund,
    in three queries whatever the number of funds."""
    funds = list(Fund.objects.filter(place=place))
    sums = _ledger_sums(LedgerEntry.objects.filter(place=place))
    approved = dict(
        Award.objects.filter(place=place, status=AwardStatus.APPROVED)
        .order_by()
        .values("fund_id")
        .annotate(total=Sum("amount_awarded"))
        .values_list("fund_id", "total")
    )
    empty = {"funding": ZERO, "payments": ZERO, "funding_reversed": ZERO,
             "payments_reversed": ZERO}  # fmt: skip
    out = []
    for fund in funds:
        own = sums.get(fund.pk, empty)
        pot = own["funding"] - own["funding_reversed"]
        paid = own["payments"] - own["payments_reversed"]
        # Only approved awards are ever paid (grants.selectors.fund_totals says why).
        committed = (approved.get(fund.pk) or ZERO) - paid
        balance = pot - paid
        out.append(FundSpend(fund, pot, paid, committed, balance, balance - committed))
    return out


# --- time from request to first payment ------------------------------------------------------


def time_to_payment(place) -> dict[str, Cell]:
    """Paid awards by days from the day asked (on the place's clock) to the first payment
    not reversed (Award.days_to_payment, kept by grants.services), grouped in the database:
    Python sees one row per number of days, not one per award."""
    rows = (
        Award.objects.filter(place=place, days_to_payment__isnull=False)
        .order_by()
        .values("days_to_payment")
        # The person behind each award: a resident, or a neighbour's need; a community
        # grant (both null) adds no key.
        .annotate(
            n=Count("pk"),
            keys=Sum(Coalesce("resident__record_key", "aid_request__record_key", Value(0))),
        )
        .values_list("days_to_payment", "n", "keys")
    )
    cells = {key: Cell(0, 0) for key, _days in PAYMENT_BANDS}
    for days, n, keys in rows:
        for key, limit in PAYMENT_BANDS:
            if limit is None or (days or 0) <= limit:
                cells[key] += Cell(n, keys or 0)
                break
    return cells


# --- personal grants by purpose and by neighbourhood -----------------------------------------


@dataclass
class _Tally:
    n: int = 0
    keys: int = 0
    amount: Decimal = ZERO
    people: int = 0  # different residents

    def __add__(self, other: "_Tally") -> "_Tally":
        """Two groups as one. The same resident may be in both, so the different residents
        are at least the larger of the two (counted low: an amount is hidden, never shown
        on too few people)."""
        return _Tally(
            self.n + other.n,
            self.keys + other.keys,
            self.amount + other.amount,
            max(self.people, other.people),
        )


def nearest_ten(amount: Decimal) -> Decimal:
    return ((amount / TEN).quantize(Decimal(1), ROUND_HALF_UP) * TEN).quantize(PENNY)


def _groups(tallies: dict[str, _Tally], labels: dict[str, str], threshold: int) -> list[Group]:
    table = publish_table(
        {key: Cell(tallies[key].n, tallies[key].keys) for key in labels},
        labels,
        threshold=threshold,
    )
    groups = []
    for row in table.rows:
        tally = tallies[row.key]
        if tally.n == 0:
            amount: Decimal | None = ZERO
        elif tally.people >= threshold and not row.count.suppressed:
            amount = nearest_ten(tally.amount)
        else:
            amount = None
        groups.append(Group(row.key, row.label, row.count, amount))
    return groups


def _approved_personal(place):
    return Award.objects.filter(
        place=place, recipient_kind=RecipientKind.RESIDENT, status=AwardStatus.APPROVED
    ).order_by()


def _tallies(place, by: str) -> dict[str, _Tally]:
    """Approved personal grants grouped in the database by `by` (a field of Award): grants,
    the sum of their residents' record keys, amount, and different residents."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for value, n, keys, amount, people in (
        _approved_personal(place)
        .values(by)
        .annotate(
            n=Count("pk"),
            keys=Sum("resident__record_key"),
            amount=Sum("amount_awarded"),
            people=Count("resident_id", distinct=True),
        )
        .values_list(by, "n", "keys", "amount", "people")
    ):
        tallies[value or ""] = _Tally(n, keys or 0, amount or ZERO, people)
    return tallies


def personal_groups(place, threshold: int) -> tuple[list[Group], list[Group]]:
    """Approved personal grants by purpose (the 360Giving codelist's titles) and by the
    ward the resident lived in when it was asked for ("not known" where it could not be
    found): two grouped queries, whatever the number of grants."""
    purposes = {code: title for code, (title, _description) in codes.purposes().items()}
    by_purpose: dict[str, _Tally] = defaultdict(_Tally)
    for code, tally in _tallies(place, "purpose_code").items():
        by_purpose[code if code in purposes else NOT_GIVEN] += tally
    by_ward: dict[str, _Tally] = defaultdict(_Tally)
    for ward, tally in _tallies(place, "ward").items():
        by_ward[ward or NOT_KNOWN] += tally
    wards = sorted(
        Neighbourhood.objects.filter(place=place, kind="ward").values_list("name", flat=True)
    )
    ward_labels = {name: name for name in wards}
    ward_labels.update({name: name for name in sorted(by_ward) if name != NOT_KNOWN})
    ward_labels[NOT_KNOWN] = _("Not known")
    return (
        _groups(by_purpose, {**purposes, NOT_GIVEN: _("Not given")}, threshold),
        _groups(by_ward, ward_labels, threshold),
    )


# --- personal grants and their goals, for evaluators ----------------------------------------

# Goal progress (people.GoalProgress: 0, 25, 50, 75, 100) in the evaluators' words.
GOAL_BANDS = (
    ("not_started", 0),
    ("made_a_start", 25),
    ("halfway", 50),
    ("nearly_there", 75),
    ("achieved", 100),
)


def _goal_labels() -> dict[str, str]:
    return {
        "not_started": _("Goal not started"),
        "made_a_start": _("Made a start"),
        "halfway": _("Halfway there"),
        "nearly_there": _("Nearly there"),
        "achieved": _("Goal achieved"),
    }


def _band_of(progress: int) -> str:
    """The band a goal's progress falls in (the highest it has reached)."""
    band = GOAL_BANDS[0][0]
    for key, least in GOAL_BANDS:
        if progress >= least:
            band = key
    return band


def goal_outcomes(place, threshold: int) -> PublishedTable:
    """Approved personal grants linked to one of the resident's goals, counted by how far
    that goal has come now. Each count is a published number (insights.disclosure): a Cell
    with the record key of the resident behind each grant, below `threshold` "fewer than
    …", others cell-key perturbed and rounded to 5; the total comes from the published
    cells. One grouped query: no goal, resident or grant is read one at a time."""
    cells = {key: Cell(0, 0) for key, _least in GOAL_BANDS}
    rows = (
        Award.objects.filter(
            place=place,
            recipient_kind=RecipientKind.RESIDENT,
            status=AwardStatus.APPROVED,
            goal__isnull=False,
        )
        .order_by()
        .values("goal__progress")
        .annotate(n=Count("pk"), keys=Sum("resident__record_key"))
        .values_list("goal__progress", "n", "keys")
    )
    for progress, n, keys in rows:
        band = _band_of(progress or 0)
        cells[band] += Cell(n, keys or 0)
    return publish_table(cells, _goal_labels(), threshold=threshold)


# --- the whole dashboard ---------------------------------------------------------------------


def _version_key(place_id) -> str:
    return f"grants:dashboard-version:{place_id}"


def changed(place_id) -> None:
    """The place's money changed: the next dashboard is worked out afresh. Called by
    grants.services after each change commits."""
    cache = caches["shared"]
    try:
        cache.incr(_version_key(place_id))
    except ValueError:  # no version yet
        cache.set(_version_key(place_id), 1, None)


def dashboard_for(viewer) -> Dashboard:
    """The place's money dashboard, every number about people published. Worked out once
    per change to the place's money and kept in the shared cache (its numbers are the same
    for everyone who may see it, and the same people always publish the same way); the
    key also holds the newest award and ledger line, so a cache that outlived its
    database (a restore, a test run) cannot answer for different data."""
    place = viewer.place
    cache = caches["shared"]
    newest = (
        Award.objects.filter(place=place).order_by("-pk").values_list("pk", flat=True).first(),
        LedgerEntry.objects.filter(place=place)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
    )
    key = (
        f"grants:dashboard:{place.pk}:{cache.get(_version_key(place.pk), 0)}:"
        f"{newest[0]}:{newest[1]}:{place.suppression_threshold}:{get_language()}"
    )
    board = cache.get(key)
    if board is None:
        board = _work_out(place)
        cache.set(key, board, 60 * 60)
    return replace(board, goals=goal_outcomes(place, place.suppression_threshold))


def _work_out(place) -> Dashboard:
    threshold = place.suppression_threshold
    labels = _band_labels()
    bands = publish_table(time_to_payment(place), labels, threshold=threshold)
    keys = list(labels)
    reach = _band_reach()
    median, p90 = (band_reached(bands, keys, share) for share in (0.5, 0.9))
    by_purpose, by_neighbourhood = personal_groups(place, threshold)
    return Dashboard(
        threshold=threshold,
        funds=fund_spend(place),
        time_to_payment=bands,
        median=reach[median] if median else None,
        p90=reach[p90] if p90 else None,
        by_purpose=by_purpose,
        by_neighbourhood=by_neighbourhood,
    )


def _pounds(value: Decimal | None) -> str | None:
    return None if value is None else str(value.quantize(PENNY))


def as_json(board: Dashboard) -> dict:
    """The dashboard as `GET /api/money/dashboard` answers it (grants/api/schemas.py)."""

    def groups(rows):
        return [
            {
                "key": group.key,
                "label": group.label,
                "grants": group.count.value,
                "shown": group.count.label,
                "amount": _pounds(group.amount),
            }
            for group in rows
        ]

    return {
        "suppression_threshold": board.threshold,
        "funds": [
            {
                "id": row.fund.public_id,
                "name": row.fund.name,
                "closed": row.fund.closed,
                "pot": _pounds(row.pot),
                "paid": _pounds(row.paid),
                "committed": _pounds(row.committed),
                "balance": _pounds(row.balance),
                "available": _pounds(row.available),
                "spent": row.spent,
            }
            for row in board.funds
        ],
        "time_to_payment": {
            "bands": [
                {
                    "key": row.key,
                    "label": row.label,
                    "awards": row.count.value,
                    "shown": row.count.label,
                }
                for row in board.time_to_payment.rows
            ],
            "total": board.time_to_payment.total.label,
            "median": board.median,
            "p90": board.p90,
        },
        "by_purpose": groups(board.by_purpose),
        "by_neighbourhood": groups(board.by_neighbourhood),
        "goals": {
            "bands": [
                {
                    "key": row.key,
                    "label": row.label,
                    "grants": row.count.value,
                    "shown": row.count.label,
                }
                for row in board.goals.rows
            ],
            "total": board.goals.total.label,
        }
        if board.goals is not None
        else None,
    }
