"""Reads for wellbeing pages. Every function takes the viewer; the resident passed in has
already been opened (and audited) by the view through people.access.resident_open."""

import hashlib
import hmac
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q
from django.http import Http404

from commonweave.insights.disclosure import publish_count
from commonweave.people.access import Access, access_level
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent, Referral, Resident
from commonweave.tenancy.enums import Role

from . import stats
from .enums import CheckInStatus
from .models import AreaRating, CheckIn, Instrument, LifeArea, MeasureResponse
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
        .order_by("completed_at", "pk")
        .prefetch_related(
            Prefetch("ratings", AreaRating.objects.select_related("area")),
            Prefetch("measures", MeasureResponse.objects.select_related("instrument")),
        )
    )
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


def _first_and_latest(rows):
    """rows: (group, resident, value) in time order -> {group: [(first, latest), ...]} for
    everyone with at least two answers in that group."""
    seen = {}
    for group, resident, value in rows:
        entry = seen.get((group, resident))
        if entry is None:
            seen[(group, resident)] = [value, value, 1]
        else:
            entry[1] = value
            entry[2] += 1
    pairs = {}
    for (group, _), (first, latest, count) in seen.items():
        if count >= 2:
            pairs.setdefault(group, []).append((first, latest))
    return pairs


def cohort_change(viewer, *, front_door="", referred_from=None, referred_to=None) -> Cohort:
    """Paired first-vs-latest change per life-map area and per measure metric for a cohort
    of the viewer's place, published under the disclosure rules (SAFETY 19, 20)."""
    if not viewer or not viewer.can_see_aggregates:
        raise PermissionDenied
    threshold = viewer.place.suppression_threshold
    residents = _cohort_residents(
        viewer, front_door=front_door, referred_from=referred_from, referred_to=referred_to
    )
    complete = CheckIn.objects.filter(
        place=viewer.place, status=CheckInStatus.COMPLETE, resident__in=residents
    )
    ratings = (
        AreaRating.objects.filter(checkin__in=complete, value__isnull=False)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("area__key", "checkin__resident_id", "value")
    )
    area_pairs = _first_and_latest(ratings.iterator(chunk_size=5000))
    names = dict(
        LifeArea.objects.filter(version__place=viewer.place)
        .order_by("version__number")
        .values_list("key", "name")
    )
    order = {area.key: area.position for area in current_lifemap(viewer.place).areas.all()}
    areas = []
    for key in sorted(area_pairs, key=lambda k: (order.get(k, 99), k)):
        change = stats.paired_change(area_pairs[key], higher_is="better")
        published = stats.publish_change(change, threshold=threshold)
        areas.append(CohortRow("area", key, names.get(key, key), "better", change, published))

    responses = (
        MeasureResponse.objects.filter(checkin__in=complete, complete=True)
        .order_by("checkin__completed_at", "checkin_id")
        .values_list("instrument_id", "checkin__resident_id", "scores")
    )
    instruments = {
        i.pk: i for i in Instrument.objects.filter(Q(place=viewer.place) | Q(place__isnull=True))
    }
    directions = {}

    def metric_rows():
        for instrument_id, resident_id, scores in responses.iterator(chunk_size=5000):
            code = instruments[instrument_id].code
            for metric, score in scores.items():
                directions[(code, metric)] = score.get("higher_is", "better")
                yield (code, metric), resident_id, score["value"]

    measure_pairs = _first_and_latest(metric_rows())
    labels = {}
    for instrument in instruments.values():
        for metric in instrument.definition["scoring"]["metrics"]:
            labels[(instrument.code, metric["code"])] = (
                f"{instrument.name}: {metric.get('label', metric['code'])}"
            )
    measures = []
    for key in sorted(measure_pairs):
        direction = directions.get(key, "better")
        change = stats.paired_change(measure_pairs[key], higher_is=direction)
        published = stats.publish_change(change, threshold=threshold)
        measures.append(
            CohortRow(
                "measure", ".".join(key), labels.get(key, key[1]), direction, change, published
            )
        )
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
