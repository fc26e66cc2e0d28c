"""Reads for a resident's wellbeing pages. Every function takes the viewer; the resident
passed in has already been opened (and audited) by the view through
people.access.resident_open. Cohort change and the export for evaluators are in cohort.py."""

from dataclasses import dataclass, field

from django.http import Http404

from commonweave.people.access import Access, access_level

from .enums import CheckInStatus
from .models import AreaRating, CheckIn, Instrument, LifeArea, MeasureResponse


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


@dataclass(slots=True)
class Answer:
    """One rating of a check-in: its area (with the words it was answered with)."""

    area: LifeArea
    value: int | None
    better: str


@dataclass(slots=True)
class Scored:
    """One measure response of a check-in. `scores` holds only metrics whose items were
    all answered (scoring.score)."""

    instrument: Instrument
    complete: bool
    scores: dict


def attach_answers(checkins):
    """Give each check-in `answers` (Answer per rating, in the order saved) and `scored`
    (Scored per measure response): two queries for the answers and one each for the areas
    and instruments they use, without a model instance per answer (a resident with 50
    check-ins has 400 ratings)."""
    by_id = {checkin.pk: checkin for checkin in checkins}
    for checkin in checkins:
        checkin.answers, checkin.scored = [], []
    if not by_id:
        return checkins
    areas = {
        area.pk: area
        for area in LifeArea.objects.filter(version_id__in={c.version_id for c in checkins})
    }
    ratings = (
        AreaRating.objects.filter(checkin_id__in=list(by_id))
        .order_by("pk")
        .values_list("checkin_id", "area_id", "value", "better")
    )
    for checkin_id, area_id, value, better in ratings:
        by_id[checkin_id].answers.append(Answer(areas[area_id], value, better))
    responses = list(
        MeasureResponse.objects.filter(checkin_id__in=list(by_id))
        .order_by("pk")
        .values_list("checkin_id", "instrument_id", "complete", "scores")
    )
    # Each instrument once, not once per response (its JSON definition is the cost).
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in={row[1] for row in responses})}
    for checkin_id, instrument_id, complete, scores in responses:
        by_id[checkin_id].scored.append(Scored(instruments[instrument_id], complete, scores))
    return checkins


def resident_picture(viewer, resident) -> Picture:
    """The life map over time: first and latest per area, every check-in, measures, and the
    numbers the charts draw (the same numbers as the tables)."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    checkins = attach_answers(
        list(
            CheckIn.objects.filter(resident=resident, status=CheckInStatus.COMPLETE)
            .select_related("version")
            .order_by("completed_at", "pk")
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
        for rating in checkin.answers:
            areas.setdefault(rating.area.key, AreaRow(rating.area.key, rating.area.name))
    order = {}
    for checkin in checkins:
        checkin.rating_by_key = {}
        for rating in checkin.answers:
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
        checkin.notes = [r for r in checkin.answers if r.better]

    measures: dict[tuple, MeasureRow] = {}
    for checkin in checkins:
        for response in checkin.scored:
            # `scores` holds only metrics whose items were all answered (scoring.score).
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
