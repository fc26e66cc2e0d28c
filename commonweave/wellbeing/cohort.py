"""Reads for evaluators: cohort change. Every function takes the viewer; only aggregates
leave here, published under the published-number rules. (The pseudonymous scores export, one row
per answer, is exports.py.)

A cohort is the place's residents, optionally narrowed by front door and by when they were
referred; a period narrows it to people who checked in within those dates and compares
each person's first and latest answer *within the period*. Without a period the change is
read from ScoreTrack (each person's first and latest answer ever, kept by the services),
one grouped query however many check-ins there are.
"""

from collections import Counter
from dataclasses import dataclass, replace

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum

from commonweave.insights.disclosure import (
    BudgetStatus,
    Cell,
    ChangeInput,
    budget_status,
    publish_changes,
    publish_count,
    whole_weeks,
)
from commonweave.people.models import Referral, Resident

from . import scoring, stats
from .enums import CheckInStatus
from .models import Instrument, LifeArea, MeasureResponse, ScoreTrack
from .period import period_bounds, period_histogram
from .services import current_lifemap

# (start, end) of each date range: an end before its start is an error on the end field
RANGES = (("referred_from", "referred_to"), ("period_from", "period_to"))
RANGE_MESSAGES = {
    "referred_to": "The last referral date must be the same as or after the first",
    "period_to": "The end of the period must be the same as or after its start",
}


def filter_errors(filters) -> dict:
    """{field: message} for date ranges that end before they start (empty when fine)."""
    errors = {}
    for start, end in RANGES:
        if filters.get(start) and filters.get(end) and filters[start] > filters[end]:
            errors[end] = RANGE_MESSAGES[end]
    return errors


def _clean_filters(filters) -> dict:
    known = {"front_door", "referred_from", "referred_to", "period_from", "period_to"}
    unknown = set(filters) - known
    if unknown:
        raise TypeError(f"Unknown cohort filters: {sorted(unknown)}")
    errors = filter_errors(filters)
    if errors:
        raise ValidationError(errors)
    return {key: filters.get(key) for key in known}


def _cohort_residents(viewer, *, front_door=None, referred_from=None, referred_to=None, **_):
    residents = Resident.objects.active().filter(place=viewer.place)
    if front_door or referred_from or referred_to:
        referrals = Referral.objects.filter(place=viewer.place)
        if front_door:
            referrals = referrals.filter(front_door=front_door)
        # Whole local days as a range of times, so the index on (place, received_at) is
        # used rather than a date cast of every referral.
        start, end = period_bounds(referred_from, referred_to)
        if start is not None:
            referrals = referrals.filter(received_at__gte=start)
        if end is not None:
            referrals = referrals.filter(received_at__lt=end)
        residents = residents.filter(pk__in=referrals.values("resident_id"))
    return residents


def _by_referral(filters) -> bool:
    return bool(filters["front_door"] or filters["referred_from"] or filters["referred_to"])


def _has_period(filters) -> bool:
    return bool(filters["period_from"] or filters["period_to"])


def _period_checkins(viewer, residents, filters, *, prefix=""):
    """Filter arguments selecting the place's complete check-ins of active residents in
    the period (whole local days: from 00:00 on the first day to 00:00 after the last) and
    the referral cohort. `prefix` is the path to CheckIn from the model filtered."""
    q = Q(
        **{
            f"{prefix}place": viewer.place,
            f"{prefix}status": CheckInStatus.COMPLETE,
            f"{prefix}resident__merged_into__isnull": True,
        }
    )
    start, end = period_bounds(filters["period_from"], filters["period_to"])
    if start is not None:
        q &= Q(**{f"{prefix}completed_at__gte": start})
    if end is not None:
        q &= Q(**{f"{prefix}completed_at__lt": end})
    if _by_referral(filters):
        q &= Q(**{f"{prefix}resident__in": residents})
    return q


# --- cohort change -----------------------------------------------------------------------


@dataclass
class CohortRow:
    kind: str  # "area" or "measure"
    code: str
    label: str
    higher_is: str
    change: object  # stats.PairedChange: exact, never shown (tests and internal checks)
    published: object  # insights.disclosure.PublishedChange: the only numbers shown


@dataclass
class Cohort:
    residents: object  # Published count of people in the cohort
    areas: list
    measures: list
    # The dates the numbers are for: cohort windows are widened to whole weeks.
    filters: dict
    budget: BudgetStatus
    # Measures someone in the place has answered but no one in this group twice.
    unpaired_measures: list

    @property
    def anyone_paired(self) -> bool:
        """Has anyone in the group two check-ins to compare (any area or measure)?"""
        return bool(self.areas or self.measures)


def _track_histogram(viewer, residents, filters) -> Counter:
    """(kind, code, higher_is, change) -> people, from ScoreTrack: first and latest ever."""
    merged = Resident.objects.filter(place=viewer.place, merged_into__isnull=False)
    tracks = ScoreTrack.objects.filter(place=viewer.place, paired=True).exclude(
        resident_id__in=merged.values("pk")
    )
    if _by_referral(filters):
        tracks = tracks.filter(resident__in=residents)
    # One ordered scan of the covering index wellbeing_track_cohort.
    rows = (
        tracks.values_list("kind", "code", "higher_is", "change")
        .annotate(people=Count("*"))
        .order_by("kind", "code", "higher_is", "change")
    )
    return Counter({(kind, code, higher, change): n for kind, code, higher, change, n in rows})


def published_filters(filters) -> dict:
    """The filters as published numbers are worked out for them: each date window widened
    to whole weeks, Monday to Sunday (insights.disclosure.windows)."""
    filters = _clean_filters(filters)
    for start, end in RANGES:
        filters[start], filters[end] = whole_weeks(filters[start], filters[end])
    return filters


def _area_widths(place) -> dict:
    """Each life-map area's widest scale (highest minus lowest point) over its versions."""
    widths = {}
    for area in LifeArea.objects.filter(version__place=place).only("key", "points"):
        values = area.values
        widths[area.key] = max(widths.get(area.key, 0.0), float(max(values) - min(values)))
    return widths


def _no_more_than(result, group):
    """A row's people (from its noisy counts) shown as no more than the group's published
    count: both are published numbers, so this gives nothing away, and a row of 45 people
    in a group of 40 would puzzle anyone reading it."""
    if not result.enough or group.value is None:
        return result
    n = int(result.n.replace(",", ""))
    if n <= group.value:
        return result
    return replace(result, n=f"{group.value:,}")


def cohort_change(viewer, *, whole_weeks_only: bool = True, **filters) -> Cohort:
    """Paired first-vs-latest change per life-map area and per measure metric for a cohort
    of the viewer's place, published under the disclosure rules (docs/disclosure.md): the
    date windows widened to whole weeks, counts perturbed and rounded, the changes with
    noise, released once for the same people.

    Filters: front_door, referred_from / referred_to (when referred), period_from /
    period_to (check-ins in those dates, compared within them). Raises ValidationError
    naming the field when a range ends before it starts.

    `whole_weeks_only=False` keeps the dates as given: only for tests of what a period
    means, day by day; pages and the API never pass it."""
    if not viewer or not viewer.can_see_aggregates:
        raise PermissionDenied
    filters = published_filters(filters) if whole_weeks_only else _clean_filters(filters)
    place = viewer.place
    threshold = place.suppression_threshold
    residents = _cohort_residents(viewer, **filters)
    if _has_period(filters):
        start, end = period_bounds(filters["period_from"], filters["period_to"])
        histogram, people = period_histogram(place, residents, start, end)
    else:
        histogram = _track_histogram(viewer, residents, filters)
        totals = residents.aggregate(n=Count("pk"), keys=Sum("record_key"))
        people = Cell(totals["n"], totals["keys"] or 0)

    diffs, directions = {}, {}
    for (kind, code, higher_is, change), n in sorted(histogram.items()):
        values, counts = diffs.setdefault((kind, code), ([], []))
        values.append(change)
        counts.append(n)
        directions[(kind, code)] = higher_is

    names = dict(
        LifeArea.objects.filter(version__place=place)
        .order_by("version__number")
        .values_list("key", "name")
    )
    order = {area.key: area.position for area in current_lifemap(place).areas.all()}
    widths = {(ScoreTrack.AREA, key): width for key, width in _area_widths(place).items()}
    labels = {}
    for instrument in Instrument.objects.filter(Q(place=place) | Q(place__isnull=True)):
        for metric in instrument.definition["scoring"]["metrics"]:
            code = f"{instrument.code}.{metric['code']}"
            labels[code] = f"{instrument.name}: {metric.get('label', metric['code'])}"
            width = scoring.metric_width(instrument.definition, metric["code"])
            key = (ScoreTrack.MEASURE, code)
            widths[key] = max(widths.get(key, 0.0), width)

    area_codes = sorted(
        (code for kind, code in diffs if kind == ScoreTrack.AREA),
        key=lambda k: (order.get(k, 99), k),
    )
    measure_codes = sorted(code for kind, code in diffs if kind == ScoreTrack.MEASURE)
    wanted = [(ScoreTrack.AREA, code) for code in area_codes] + [
        (ScoreTrack.MEASURE, code) for code in measure_codes
    ]
    inputs = [
        ChangeInput(
            statistic=f"{kind}:{code}",
            values=tuple(diffs[(kind, code)][0]),
            counts=tuple(diffs[(kind, code)][1]),
            higher_is=directions[(kind, code)],
            # A scale no longer defined (an instrument removed): its changes bound it.
            width=widths.get((kind, code)) or max(abs(v) for v in diffs[(kind, code)][0]) or 1.0,
        )
        for kind, code in wanted
    ]
    published = publish_changes(place, inputs, threshold=threshold)
    group = publish_count(people, threshold=threshold)
    rows = []
    for (kind, code), result in zip(wanted, published, strict=True):
        label = names.get(code, code) if kind == ScoreTrack.AREA else labels.get(code, code)
        direction = directions[(kind, code)]
        exact = stats.change_from_counts(*diffs[(kind, code)], higher_is=direction)
        result = _no_more_than(result, group)
        rows.append(CohortRow(kind, code, label, direction, exact, result))
    answered = set(
        MeasureResponse.objects.filter(place=place)
        .values_list("instrument__code", flat=True)
        .distinct()
    )
    paired_instruments = {code.split(".")[0] for code in measure_codes}
    unpaired = sorted(
        label
        for code, label in labels.items()
        if code.split(".")[0] in answered and code.split(".")[0] not in paired_instruments
    )
    return Cohort(
        residents=group,
        areas=[row for row in rows if row.kind == ScoreTrack.AREA],
        measures=[row for row in rows if row.kind == ScoreTrack.MEASURE],
        filters=filters,
        budget=budget_status(place),
        unpaired_measures=unpaired,
    )


CHANGE_HEADER = [
    "kind",
    "code",
    "label",
    "higher_is",
    "people",
    "mean_change",
    "ci_95",
    "effect_size_dz",
    "improved",
    "same",
    "worse",
]


def change_rows(cohort: Cohort):
    """The published table as CSV rows: the same numbers as the page, nothing more."""
    yield ["group", "", "People in this group", "", cohort.residents.label, *[""] * 6]
    for row in cohort.areas + cohort.measures:
        p = row.published
        yield [
            row.kind,
            row.code,
            row.label,
            row.higher_is,
            p.n,
            p.mean_change,
            p.ci,
            p.dz,
            p.improved,
            p.same,
            p.worse,
        ]
