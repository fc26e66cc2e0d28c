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
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.core.cache import caches
from django.db.models import Count, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.prepared import prep

from commonweave.directory import geo
from commonweave.directory.models import Neighbourhood, PostcodeLookup
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
    not reversed. Grouped in the database by (day asked, day first paid), so Python sees
    one row per pair of days, not one per award."""
    first_payment = (
        LedgerEntry.objects.filter(
            award=OuterRef("pk"), kind=EntryKind.PAYMENT, reversed_by__isnull=True
        )
        .order_by("paid_on")
        .values("paid_on")[:1]
    )
    rows = (
        Award.objects.filter(place=place)
        .annotate(first_paid=Subquery(first_payment), asked_on=TruncDate("requested_at"))
        .order_by()
        .values("asked_on", "first_paid")
        # The person behind each award: a resident, or a neighbour's need; a community
        # grant (both null) adds no key.
        .annotate(
            n=Count("pk"),
            keys=Sum(Coalesce("resident__record_key", "aid_request__record_key", Value(0))),
        )
    )
    cells = {key: Cell(0, 0) for key, _days in PAYMENT_BANDS}
    for row in rows:
        if row["first_paid"] is None or row["asked_on"] is None:
            continue
        days = (row["first_paid"] - row["asked_on"]).days
        for key, limit in PAYMENT_BANDS:
            if limit is None or days <= limit:
                cells[key] += Cell(row["n"], row["keys"] or 0)
                break
    return cells


# --- personal grants by purpose and by neighbourhood -----------------------------------------


@dataclass
class _Tally:
    n: int = 0
    keys: int = 0
    amount: Decimal = ZERO
    people: set[int] = field(default_factory=set)

    def add(self, resident_id, key, n, amount):
        """`n` grants to one resident, `amount` in all."""
        self.n += n
        self.keys += (key or 0) * n
        self.amount += amount or ZERO
        self.people.add(resident_id)


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
        elif len(tally.people) >= threshold and not row.count.suppressed:
            amount = nearest_ten(tally.amount)
        else:
            amount = None
        groups.append(Group(row.key, row.label, row.count, amount))
    return groups


def _personal_grants(place):
    """Approved personal grants, grouped in the database by resident and purpose:
    (resident id, record key, postcode, purpose, grants, amount)."""
    return (
        Award.objects.filter(
            place=place, recipient_kind=RecipientKind.RESIDENT, status=AwardStatus.APPROVED
        )
        .order_by()
        .values("resident_id", "resident__record_key", "resident__postcode", "purpose_code")
        .annotate(n=Count("pk"), amount=Sum("amount_awarded"))
        .values_list(
            "resident_id",
            "resident__record_key",
            "resident__postcode",
            "purpose_code",
            "n",
            "amount",
        )
    )


class Wards:
    """The place's wards, read once: a postcode's ward by ONS's ward code where the lookup
    table has it, or else by the ward whose outline holds the postcode's point."""

    def __init__(self, place):
        self.names: dict[str, str] = {}
        self.by_code: dict[str, str] = {}
        self.outlines = []
        for code, name, geometry in Neighbourhood.objects.filter(
            place=place, kind="ward"
        ).values_list("code", "name", "geometry"):
            self.names[name] = name
            if code:
                self.by_code[code] = name
            try:
                outline = shape(geometry)
            except (ValueError, TypeError, AttributeError, KeyError, IndexError):
                continue
            self.outlines.append((outline.bounds, prep(outline), name))

    def for_postcodes(self, postcodes) -> dict[str, str]:
        """postcode key -> ward name, for the postcodes that can be placed."""
        keys = sorted({k for k in (geo.postcode_key(p) for p in postcodes) if k})
        found = {}
        for start in range(0, len(keys), 2000):
            for key, ward_code, lat, lon in PostcodeLookup.objects.filter(
                postcode__in=keys[start : start + 2000]
            ).values_list("postcode", "ward_code", "latitude", "longitude"):
                name = self.by_code.get(ward_code) or self._at(lat, lon)
                if name:
                    found[key] = name
        return found

    def _at(self, lat, lon) -> str:
        if lat is None or lon is None:
            return ""
        point = Point(lon, lat)
        for (min_lon, min_lat, max_lon, max_lat), outline, name in self.outlines:
            if min_lon <= lon <= max_lon and min_lat <= lat <= max_lat and outline.covers(point):
                return name
        return ""


def personal_groups(place, threshold: int) -> tuple[list[Group], list[Group]]:
    """Approved personal grants by purpose (the 360Giving codelist's titles) and by the
    resident's ward ("not known" where it cannot be found)."""
    rows = list(_personal_grants(place))
    purposes = {code: title for code, (title, _description) in codes.purposes().items()}
    purpose_labels = {**purposes, NOT_GIVEN: _("Not given")}
    by_purpose: dict[str, _Tally] = defaultdict(_Tally)
    wards = Wards(place)
    at = wards.for_postcodes({row[2] for row in rows if row[2]})
    by_ward: dict[str, _Tally] = defaultdict(_Tally)
    for resident_id, key, postcode, purpose, n, amount in rows:
        group = purpose if purpose in purposes else NOT_GIVEN
        by_purpose[group].add(resident_id, key, n, amount)
        ward = at.get(geo.postcode_key(postcode or ""), NOT_KNOWN)
        by_ward[ward].add(resident_id, key, n, amount)
    ward_labels = {name: name for name in sorted(wards.names)}
    ward_labels.update({name: name for name in sorted(by_ward) if name != NOT_KNOWN})
    ward_labels[NOT_KNOWN] = _("Not known")
    return (
        _groups(by_purpose, purpose_labels, threshold),
        _groups(by_ward, ward_labels, threshold),
    )


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
    return board


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
    }
