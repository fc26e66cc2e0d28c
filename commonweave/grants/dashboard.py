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

import logging
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.cache import caches
from django.db.models import Count, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone, translation
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

logger = logging.getLogger(__name__)

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
    goals: PublishedTable
    worked_out_at: datetime | None = None
    updating: bool = False  # a newer one is being worked out


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


# --- the whole dashboard, worked out in the background --------------------------------------
#
# Working the dashboard out reads every award of the place (about a second at 100,000
# awards), so no page waits for it. The place's last dashboard is kept in the shared cache
# with the time it was worked out; a change to the money (grants.services, once it commits)
# asks a background task (grants/tasks.py) to work it out again, and so does a view that
# finds it older than REFRESH_AFTER (goals move in people's records, which do not tell the
# money that they did). Pages and the API show the kept one with its time, and say when a
# newer one is on its way. Only a place with none yet waits for its first.

REFRESH_AFTER = timedelta(minutes=10)


def _version_key(place_id) -> str:
    return f"grants:dashboard-version:{place_id}"


def _queued_key(place_id) -> str:
    return f"grants:dashboard-queued:{place_id}"


def _kept_key(place_id, language) -> str:
    return f"grants:dashboard:{place_id}:{language}"


def _version(place_id) -> int:
    return caches["shared"].get(_version_key(place_id), 0)


def _newest(place) -> tuple:
    """The newest award and ledger line: a kept dashboard that counted past them was worked
    out on other data (a database restored under a cache that outlived it)."""
    return (
        Award.objects.filter(place=place).order_by("-pk").values_list("pk", flat=True).first(),
        LedgerEntry.objects.filter(place=place)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first(),
    )


def changed(place_id) -> None:
    """The place's money changed: the kept dashboard is out of date and a new one is asked
    for. Called by grants.services after each change commits."""
    cache = caches["shared"]
    try:
        cache.incr(_version_key(place_id))
    except ValueError:  # no version yet
        cache.set(_version_key(place_id), 1, None)
    ask_for_work_out(place_id)


def ask_for_work_out(place_id) -> None:
    """Queue the task that works the place's dashboard out, unless one is already waiting
    to start (a task already running looks at the version again when it finishes). With
    the inline task backend (development, tests) it runs before this returns."""
    from .tasks import work_out_dashboard

    cache = caches["shared"]
    if not cache.add(_queued_key(place_id), 1, 15 * 60):
        return
    try:
        work_out_dashboard.enqueue(place_id)
    except Exception:
        cache.delete(_queued_key(place_id))
        logger.exception("The money dashboard's work-out could not be queued")


def _languages_key(place_id) -> str:
    return f"grants:dashboard-languages:{place_id}"


def _languages(place_id) -> list[str]:
    """The languages the place's dashboard has been read in (its labels are words), the
    site's own first."""
    read_in = caches["shared"].get(_languages_key(place_id), [])
    return list(dict.fromkeys([settings.LANGUAGE_CODE, *read_in]))


def work_out_and_keep(place, language: str | None = None) -> None:
    """Work the place's dashboard out in each language it is read in (and `language`,
    when one is asked for the first time) and keep it. Run by grants.tasks; again if the
    money changed while it was being worked out."""
    cache = caches["shared"]
    cache.delete(_queued_key(place.pk))
    languages = _languages(place.pk)
    if language and language not in languages:
        languages.append(language)
        cache.set(_languages_key(place.pk), languages, None)
    for _round in range(3):
        version, newest, now = _version(place.pk), _newest(place), timezone.now()
        for language in languages:
            with translation.override(language):
                board = replace(_work_out(place), worked_out_at=now)
                cache.set(
                    _kept_key(place.pk, language),
                    {"version": version, "newest": newest, "board": board},
                    None,
                )
        if _version(place.pk) == version:
            return


def _kept_and_version(place) -> tuple[dict | None, int]:
    """The kept dashboard in the reader's language and the money's version: one read."""
    cache = caches["shared"]
    key, version_key = _kept_key(place.pk, get_language()), _version_key(place.pk)
    both = cache.get_many([key, version_key])
    return both.get(key), both.get(version_key, 0)


def dashboard_for(viewer) -> Dashboard:
    """The place's money dashboard, every number about people published: the kept one,
    with the time it was worked out (`updating` when a newer one is on its way). Its
    numbers are the same for everyone who may see it, and the same people always publish
    the same way."""
    place = viewer.place
    newest = _newest(place)
    kept, version = _kept_and_version(place)
    if kept is None or _out_of_date(kept, version, newest):
        ask_for_work_out(place.pk)  # inline with the inline backend: then it is fresh
        kept, version = _kept_and_version(place)
        if kept is None or _counted_past(kept["newest"], newest):
            # The first in this language (or one kept from other data): none to show.
            work_out_and_keep(place, get_language())
            kept, version = _kept_and_version(place)
    if kept is None:  # a cache that keeps nothing (the dummy cache): as worked out now
        return replace(_work_out(place), worked_out_at=timezone.now())
    return replace(kept["board"], updating=_out_of_date(kept, version, newest))


def _counted_past(kept_newest, newest) -> bool:
    pairs = zip(kept_newest, newest, strict=True)
    return any(k is not None and (n is None or k > n) for k, n in pairs)


def _out_of_date(kept, version, newest) -> bool:
    return (
        kept["version"] != version
        or kept["newest"] != newest
        or kept["board"].worked_out_at < timezone.now() - REFRESH_AFTER
    )


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
        goals=goal_outcomes(place, threshold),
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
        },
        "worked_out_at": board.worked_out_at,
        "updating": board.updating,
    }
