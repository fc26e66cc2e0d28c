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
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q

from commonweave.insights.disclosure import publish_count
from commonweave.people.models import Referral, Resident

from . import stats
from .enums import CheckInStatus
from .models import Instrument, LifeArea, ScoreTrack
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
    change: object  # stats.PairedChange: raw, never shown; use `published`
    published: object  # stats.PublishedChange


@dataclass
class Cohort:
    residents: object  # Published count of people in the cohort
    areas: list
    measures: list


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


def cohort_change(viewer, **filters) -> Cohort:
    """Paired first-vs-latest change per life-map area and per measure metric for a cohort
    of the viewer's place, published under the disclosure rules (docs/safety.md).

    Filters: front_door, referred_from / referred_to (when referred), period_from /
    period_to (check-ins in those dates, compared within them). Raises ValidationError
    naming the field when a range ends before it starts."""
    if not viewer or not viewer.can_see_aggregates:
        raise PermissionDenied
    filters = _clean_filters(filters)
    threshold = viewer.place.suppression_threshold
    residents = _cohort_residents(viewer, **filters)
    if _has_period(filters):
        start, end = period_bounds(filters["period_from"], filters["period_to"])
        histogram, people = period_histogram(viewer.place, residents, start, end)
    else:
        histogram = _track_histogram(viewer, residents, filters)
        people = residents.count()

    diffs, directions = {}, {}
    for (kind, code, higher_is, change), n in sorted(histogram.items()):
        values, counts = diffs.setdefault((kind, code), ([], []))
        values.append(change)
        counts.append(n)
        directions[(kind, code)] = higher_is

    names = dict(
        LifeArea.objects.filter(version__place=viewer.place)
        .order_by("version__number")
        .values_list("key", "name")
    )
    order = {area.key: area.position for area in current_lifemap(viewer.place).areas.all()}
    labels = {}
    for instrument in Instrument.objects.filter(Q(place=viewer.place) | Q(place__isnull=True)):
        for metric in instrument.definition["scoring"]["metrics"]:
            labels[f"{instrument.code}.{metric['code']}"] = (
                f"{instrument.name}: {metric.get('label', metric['code'])}"
            )

    def row(kind, code, label):
        direction = directions.get((kind, code), "better")
        change = stats.change_from_counts(*diffs[(kind, code)], higher_is=direction)
        published = stats.publish_change(change, threshold=threshold)
        return CohortRow(kind, code, label, direction, change, published)

    area_codes = sorted(
        (code for kind, code in diffs if kind == ScoreTrack.AREA),
        key=lambda k: (order.get(k, 99), k),
    )
    measure_codes = sorted(code for kind, code in diffs if kind == ScoreTrack.MEASURE)
    areas = [row(ScoreTrack.AREA, code, names.get(code, code)) for code in area_codes]
    measures = [row(ScoreTrack.MEASURE, c, labels.get(c, c)) for c in measure_codes]
    count = publish_count(people, threshold=threshold)
    return Cohort(residents=count, areas=areas, measures=measures)


CHANGE_HEADER = [
    "kind",
    "code",
    "label",
    "higher_is",
    "people",
    "mean_change",
    "ci_95",
    "effect_size_dz",
    "wilcoxon_p",
    "improved",
    "same",
    "worse",
]


def change_rows(cohort: Cohort):
    """The published table as CSV rows: the same numbers as the page, nothing more."""
    yield ["group", "", "People in this group", "", cohort.residents.label, *[""] * 7]
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
            p.wilcoxon_p,
            p.improved,
            p.same,
            p.worse,
        ]
