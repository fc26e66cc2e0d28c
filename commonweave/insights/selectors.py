"""Place-level aggregates for the overview. Raw counts stay here; pages, exports and the
API only ever see them through commonweave.insights.disclosure."""

from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from commonweave.people.enums import FrontDoor, Stage
from commonweave.people.models import Referral, Resident

from .disclosure import Cell, publish_count, publish_share, publish_table
from .sections import OverviewTable, overview_tables

# Every count here is of people (residents, or the residents referred), so each comes with
# the sum of their record keys for the cell-key method (a Cell).
EMPTY = Cell(0, 0)


def _cells(totals: dict, keys) -> dict:
    return {key: Cell(totals[f"{key}_n"], totals[f"{key}_keys"] or 0) for key in keys}


def residents_by_stage(place):
    rows = (
        Resident.objects.active()
        .filter(place=place)
        .values("stage")
        .annotate(n=Count("pk"), keys=Sum("record_key"))
        .order_by()
    )
    raw = {row["stage"]: Cell(row["n"], row["keys"] or 0) for row in rows}
    return {stage.value: raw.get(stage.value, EMPTY) for stage in Stage}


def referrals_by_front_door(place, *, since=None):
    qs = Referral.objects.filter(place=place)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    rows = qs.values("front_door").annotate(n=Count("pk"), keys=Sum("resident__record_key"))
    raw = {row["front_door"]: Cell(row["n"], row["keys"] or 0) for row in rows.order_by()}
    return {door.value: raw.get(door.value, EMPTY) for door in FrontDoor}


def response_times(place, *, since=None, now=None):
    """How first contact compared with the promise: within it, late, still waiting, overdue
    (referrals, each a Cell with its residents' record keys)."""
    now = now or timezone.now()
    qs = Referral.objects.filter(place=place)
    if since is not None:
        qs = qs.filter(received_at__gte=since)
    conditions = {
        "within": Q(first_contact_at__isnull=False, first_contact_at__lte=F("due_at")),
        "late": Q(first_contact_at__isnull=False, first_contact_at__gt=F("due_at")),
        "waiting": Q(first_contact_at__isnull=True, status="new", due_at__gte=now),
        "overdue": Q(first_contact_at__isnull=True, status="new", due_at__lt=now),
    }
    arguments = {}
    for key, condition in conditions.items():
        arguments[f"{key}_n"] = Count("pk", filter=condition)
        arguments[f"{key}_keys"] = Sum("resident__record_key", filter=condition)
    return _cells(qs.aggregate(**arguments), conditions)


def _month_starts(now, months):
    """The first instant of each of the last `months` local calendar months, oldest first,
    plus the start of next month as the closing bound."""
    local = timezone.localtime(now)
    year, month = local.year, local.month
    starts = []
    for back in range(months - 1, -1, -1):
        y, m = divmod((year * 12 + month - 1) - back, 12)
        starts.append((y, m + 1))
    y, m = divmod(year * 12 + month, 12)
    starts.append((y, m + 1))
    zone = timezone.get_current_timezone()
    return [timezone.datetime(y, m, 1, tzinfo=zone) for y, m in starts]


def graduations_per_month(place, *, months=12, now=None):
    """Graduations in each of the last `months` calendar months (local time), as one query
    of filtered counts over the (place, graduated_at) index: no per-row date truncation."""
    now = now or timezone.now()
    bounds = _month_starts(now, months)
    months_in_order = list(zip(bounds, bounds[1:], strict=False))
    arguments = {}
    for index, (start, end) in enumerate(months_in_order):
        month = Q(graduated_at__gte=start, graduated_at__lt=end)
        arguments[f"m{index}_n"] = Count("pk", filter=month)
        arguments[f"m{index}_keys"] = Sum("record_key", filter=month)
    totals = (
        Resident.objects.active()
        .filter(place=place, graduated_at__gte=bounds[0], graduated_at__lt=bounds[-1])
        .aggregate(**arguments)
    )
    cells = _cells(totals, [f"m{index}" for index in range(len(months_in_order))])
    return {
        f"{start:%Y-%m}": cells[f"m{index}"] for index, (start, _) in enumerate(months_in_order)
    }


@dataclass(frozen=True)
class PlaceOverview:
    by_stage: object
    by_front_door: object
    response: dict
    within_promise_share: str
    graduations: object
    # Tables other apps add (sections.py), in the order they registered.
    more: list[OverviewTable] = field(default_factory=list)


def place_overview(viewer, *, now=None) -> PlaceOverview:
    """The published overview for the viewer's place: every number already protected."""
    now = now or timezone.now()
    place = viewer.place
    threshold = place.suppression_threshold
    by_stage = publish_table(residents_by_stage(place), dict(Stage.choices), threshold=threshold)
    by_door = publish_table(
        referrals_by_front_door(place), dict(FrontDoor.choices), threshold=threshold
    )
    response = response_times(place, now=now)
    contacted = response["within"] + response["late"]  # a Cell: counts and keys add up
    graduations = publish_table(graduations_per_month(place, now=now), threshold=threshold)
    return PlaceOverview(
        by_stage=by_stage,
        by_front_door=by_door,
        response={
            key: publish_count(value, threshold=threshold) for key, value in response.items()
        },
        within_promise_share=publish_share(response["within"], contacted, threshold=threshold),
        graduations=graduations,
        more=overview_tables(place, since=None, now=now),
    )


# --- the overview page: a chosen period ----------------------------------------------------

# Months back the overview can look; None is all time.
PERIODS = {"3": 3, "6": 6, "12": 12, "all": None}
DEFAULT_PERIOD = "12"


def _months_since_first_graduation(place, now):
    first = (
        Resident.objects.active()
        .filter(place=place, graduated_at__isnull=False)
        .order_by("graduated_at")
        .values_list("graduated_at", flat=True)
        .first()
    )
    if first is None or first > now:
        return 1
    return (now.year - first.year) * 12 + (now.month - first.month) + 1


def _month_label(key: str) -> str:
    year, month = key.split("-")
    return f"{_MONTH_NAMES[int(month) - 1]} {year}"


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def place_overview_for_period(viewer, *, months=None, now=None) -> PlaceOverview:
    """The published overview for the viewer's place over the last `months` months
    (None: all time). Residents by stage is always where everyone is now; referrals,
    response times and graduations count only what happened in the period.

    Every number is already protected by commonweave.insights.disclosure.
    """
    now = now or timezone.now()
    place = viewer.place
    threshold = place.suppression_threshold
    if months is None:
        since = None
        graduation_months = _months_since_first_graduation(place, now)
    else:
        since = now - timedelta(days=round(30.44 * months))
        graduation_months = months
    by_stage = publish_table(residents_by_stage(place), dict(Stage.choices), threshold=threshold)
    by_door = publish_table(
        referrals_by_front_door(place, since=since), dict(FrontDoor.choices), threshold=threshold
    )
    response = response_times(place, since=since, now=now)
    contacted = response["within"] + response["late"]  # a Cell: counts and keys add up
    graduation_counts = graduations_per_month(place, months=graduation_months, now=now)
    graduations = publish_table(
        graduation_counts,
        {key: _month_label(key) for key in graduation_counts},
        threshold=threshold,
    )
    return PlaceOverview(
        by_stage=by_stage,
        by_front_door=by_door,
        response={
            key: publish_count(value, threshold=threshold) for key, value in response.items()
        },
        within_promise_share=publish_share(response["within"], contacted, threshold=threshold),
        graduations=graduations,
        more=overview_tables(place, since=since, now=now),
    )
