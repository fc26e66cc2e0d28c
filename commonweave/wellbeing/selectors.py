"""Reads for wellbeing pages. Every function takes the viewer; the resident passed in has
already been opened (and audited) by the view through people.access.resident_open."""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Prefetch, Q
from django.http import Http404

from commonweave.insights.disclosure import publish_count
from commonweave.people.access import Access, access_level
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent, Referral, Resident
from commonweave.tenancy.enums import Role

from . import stats
from .enums import CheckInStatus
from .models import AreaRating, CheckIn, Instrument, LifeArea, MeasureResponse, ScoreTrack
from .services import current_lifemap


@dataclass
class AreaRow:
    key: str
    name: str
    first: object = None  # AreaRating
    latest: object = None
    history: list = field(default_factory=list)  # value share per check-in (None if not rated)

    @property
    def change_words(self):
        if self.first is None or self.latest is None or self.first is self.latest:
            return ""
        before = self.first.area.share_of_scale(self.first.value)
        after = self.latest.area.share_of_scale(self.latest.value)
        if after > before:
            return "Better"
        if after < before:
            return "Harder"
        return "The same"


@dataclass
class MeasureRow:
    instrument: str
    metric: str
    label: str
    higher_is: str
    first: dict | None = None
    latest: dict | None = None


@dataclass
class Picture:
    checkins: list
    areas: list
    measures: list
    chart: dict
    drafts: list

    @property
    def first(self):
        return self.checkins[0] if self.checkins else None

    @property
    def latest(self):
        return self.checkins[-1] if self.checkins else None


def _scored(rating):
    return rating is not None and rating.value is not None


def resident_picture(viewer, resident) -> Picture:
    """The life map over time: first and latest per area, every check-in, measures, and the
    numbers the charts draw (the same numbers as the tables)."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    checkins = list(
        CheckIn.objects.filter(resident=resident, status=CheckInStatus.COMPLETE)
        .select_related("version")
        .order_by("completed_at", "pk")
        .prefetch_related(
            Prefetch("ratings", AreaRating.objects.order_by("pk")),
            Prefetch("measures", MeasureResponse.objects.order_by("pk")),
        )
    )
    # Areas and instruments once each, not once per answer (their JSON is the cost).
    areas_by_id = {
        area.pk: area
        for area in LifeArea.objects.filter(version_id__in={c.version_id for c in checkins})
    }
    instrument_ids = {m.instrument_id for c in checkins for m in c.measures.all()}
    instruments_by_id = {i.pk: i for i in Instrument.objects.filter(pk__in=instrument_ids)}
    for checkin in checkins:
        for rating in checkin.ratings.all():
            rating.area = areas_by_id[rating.area_id]
        for response in checkin.measures.all():
            response.instrument = instruments_by_id[response.instrument_id]
    drafts = list(
        CheckIn.objects.filter(resident=resident, status=CheckInStatus.DRAFT).order_by(
            "-created_at"
        )[:5]
    )
    areas: dict[str, AreaRow] = {}
    # The latest wording names each area; areas keep their key across versions.
    for checkin in reversed(checkins):
        for rating in checkin.ratings.all():
            areas.setdefault(rating.area.key, AreaRow(rating.area.key, rating.area.name))
    order = {}
    for checkin in checkins:
        checkin.rating_by_key = {}
        for rating in checkin.ratings.all():
            checkin.rating_by_key[rating.area.key] = rating
            order.setdefault(rating.area.key, (rating.area.position, len(order)))
    rows = sorted(areas.values(), key=lambda row: order.get(row.key, (99, 99)))
    for row in rows:
        for checkin in checkins:
            rating = checkin.rating_by_key.get(row.key)
            if _scored(rating):
                row.first = row.first or rating
                row.latest = rating
            row.history.append(
                rating.area.share_of_scale(rating.value) if _scored(rating) else None
            )
    for checkin in checkins:
        checkin.rated = [checkin.rating_by_key.get(row.key) for row in rows]
        checkin.cells = ["–" if not _scored(r) else str(r.value) for r in checkin.rated]
        checkin.notes = [r for r in checkin.ratings.all() if r.better]

    measures: dict[tuple, MeasureRow] = {}
    for checkin in checkins:
        for response in checkin.measures.all():
            if not response.complete:
                continue
            definition = response.instrument.definition
            labels = {
                m["code"]: m.get("label", m["code"]) for m in definition["scoring"]["metrics"]
            }
            for code, value in response.scores.items():
                key = (response.instrument.code, code)
                row = measures.setdefault(
                    key,
                    MeasureRow(
                        response.instrument.name, code, labels.get(code, code), value["higher_is"]
                    ),
                )
                row.first = row.first or value
                row.latest = value

    first, latest = (checkins[0], checkins[-1]) if checkins else (None, None)

    def shares(checkin):
        found = [checkin.rating_by_key.get(row.key) for row in rows]
        return [r.area.share_of_scale(r.value) if _scored(r) else None for r in found]

    chart = {
        "areas": [row.name for row in rows],
        "dates": [c.completed_at.date().isoformat() for c in checkins],
        "first": shares(first) if first else [],
        "latest": shares(latest) if latest else [],
        "history": [row.history for row in rows],
    }
    return Picture(
        checkins=checkins,
        areas=rows,
        measures=list(measures.values()),
        chart=chart,
        drafts=drafts,
    )


# --- cohort change for evaluators --------------------------------------------------------


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


def _cohort_residents(viewer, *, front_door="", referred_from=None, referred_to=None):
    residents = Resident.objects.active().filter(place=viewer.place)
    if front_door or referred_from or referred_to:
        referrals = Referral.objects.filter(place=viewer.place)
        if front_door:
            referrals = referrals.filter(front_door=front_door)
        if referred_from:
            referrals = referrals.filter(received_at__date__gte=referred_from)
        if referred_to:
            referrals = referrals.filter(received_at__date__lte=referred_to)
        residents = residents.filter(pk__in=referrals.values("resident_id"))
    return residents


def cohort_change(viewer, *, front_door="", referred_from=None, referred_to=None) -> Cohort:
    """Paired first-vs-latest change per life-map area and per measure metric for a cohort
    of the viewer's place, published under the disclosure rules (SAFETY 19, 20).

    Reads ScoreTrack (each person's first and latest answer, kept by the services) grouped
    by the size of the change: one query however many check-ins there are; the changes
    are then expanded exactly from their counts for the statistics."""
    if not viewer or not viewer.can_see_aggregates:
        raise PermissionDenied
    threshold = viewer.place.suppression_threshold
    filtered = bool(front_door or referred_from or referred_to)
    residents = _cohort_residents(
        viewer, front_door=front_door, referred_from=referred_from, referred_to=referred_to
    )
    merged = Resident.objects.filter(place=viewer.place, merged_into__isnull=False)
    tracks = ScoreTrack.objects.filter(place=viewer.place, paired=True).exclude(
        resident_id__in=merged.values("pk")
    )
    if filtered:
        tracks = tracks.filter(resident__in=residents)
    # One ordered scan of the covering index wellbeing_track_cohort.
    histogram = (
        tracks.values_list("kind", "code", "higher_is", "change")
        .annotate(people=Count("*"))
        .order_by("kind", "code", "higher_is", "change")
    )
    diffs, directions = {}, {}
    for kind, code, higher_is, change, people in histogram:
        values, counts = diffs.setdefault((kind, code), ([], []))
        values.append(change)
        counts.append(people)
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
    count = publish_count(residents.count(), threshold=threshold)
    return Cohort(residents=count, areas=areas, measures=measures)


def pseudonym(place, resident_pk) -> str:
    """A stable pseudonymous id for evaluators: the same person has the same id in every
    export from this place, and it cannot be turned back into a record without the key."""
    message = f"wellbeing-export:{place.pk}:{resident_pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()[:16]


def export_rows(viewer, **filters):
    """Every score of residents who consented to evaluation, one row per answer, with
    pseudonymous ids (no names, no record ids). Analysts and place admins only."""
    if not viewer or not viewer.has_role(Role.ANALYST, Role.PLACE_ADMIN):
        raise PermissionDenied
    return _export_rows(viewer, **filters)


def _export_rows(viewer, **filters):
    consented = Consent.objects.filter(purpose=ConsentPurpose.EVALUATION, given=True).values(
        "resident_id"
    )
    residents = _cohort_residents(viewer, **filters).filter(pk__in=consented)
    complete = CheckIn.objects.filter(
        place=viewer.place, status=CheckInStatus.COMPLETE, resident__in=residents
    )
    ratings = (
        AreaRating.objects.filter(checkin__in=complete, value__isnull=False)
        .order_by("checkin__completed_at", "checkin_id", "area__position")
        .values_list(
            "checkin__resident_id",
            "checkin__completed_at",
            "area__key",
            "area__name",
            "value",
            "area__version__number",
        )
    )
    for resident_id, at, key, name, value, version in ratings.iterator(chunk_size=5000):
        yield [
            pseudonym(viewer.place, resident_id),
            at.date().isoformat(),
            "life map",
            f"v{version}",
            key,
            name,
            value,
            "",
        ]
    responses = (
        MeasureResponse.objects.filter(checkin__in=complete, complete=True)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list(
            "checkin__resident_id",
            "checkin__completed_at",
            "instrument__code",
            "instrument__version",
            "scores",
        )
    )
    for resident_id, at, code, version, scores in responses.iterator(chunk_size=5000):
        for metric, score in scores.items():
            yield [
                pseudonym(viewer.place, resident_id),
                at.date().isoformat(),
                "measure",
                f"{code} v{version}",
                metric,
                metric,
                score["value"],
                score.get("band", ""),
            ]


EXPORT_HEADER = ["person", "date", "kind", "instrument", "code", "label", "value", "band"]
