"""Reads for a resident's wellbeing pages. Every function takes the viewer; the resident
passed in has already been opened (and audited) by the view through
people.access.resident_open. Cohort change and the export for evaluators are in cohort.py.

A resident's check-ins are rendered only through the field policy (wellbeing/visibility.py)
at the viewer's level: each check-in as `shown(checkin, level)`, its ratings and measure
scores with the fields that level may not see left empty (None), so the pages and the API
answer the same fields."""

from dataclasses import dataclass, field

from django.http import Http404

from commonweave.core.visibility import Level, Shown, shown, visible_fields
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
    first_on: object = None  # the dates of those check-ins
    latest_on: object = None


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
    """One rating of a check-in: its area (with the words it was answered with). A field
    the level may not see (AREA_RATING in wellbeing/visibility.py) is None."""

    area: LifeArea | None
    value: int | None
    better: str | None


@dataclass(slots=True)
class Scored:
    """One measure response of a check-in. `scores` holds only metrics whose items were
    all answered (scoring.score). A field the level may not see (MEASURE_RESPONSE) is None."""

    instrument: Instrument | None
    complete: bool | None
    scores: dict | None


def _through_policy(label, level, **values):
    """The values of one record's fields, each None unless `level` may see it: the field
    policy for rows read without a model instance (see attach_answers)."""
    visible = visible_fields(label, level)
    return {name: value if name in visible else None for name, value in values.items()}


def attach_answers(checkins, *, level=Level.FULL):
    """Give each check-in `answers` (Answer per rating, in the order saved) and `scored`
    (Scored per measure response), as `level` may see them: two queries for the answers
    and one each for the areas and instruments they use, without a model instance per
    answer (a resident with 50 check-ins has 400 ratings)."""
    level = Level(level)
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
        by_id[checkin_id].answers.append(
            Answer(
                **_through_policy(
                    "wellbeing.AreaRating", level, area=areas[area_id], value=value, better=better
                )
            )
        )
    responses = list(
        MeasureResponse.objects.filter(checkin_id__in=list(by_id))
        .order_by("pk")
        .values_list("checkin_id", "instrument_id", "complete", "scores")
    )
    # Each instrument once, not once per response (its JSON definition is the cost).
    instruments = {i.pk: i for i in Instrument.objects.filter(pk__in={row[1] for row in responses})}
    for checkin_id, instrument_id, complete, scores in responses:
        by_id[checkin_id].scored.append(
            Scored(
                **_through_policy(
                    "wellbeing.MeasureResponse",
                    level,
                    instrument=instruments[instrument_id],
                    complete=complete,
                    scores=scores,
                )
            )
        )
    return checkins


@dataclass
class CheckInShown:
    """One completed check-in as a level may see it: `record` is `shown(checkin, level)`
    (its own words, how and when it was done), `answers` and `scored` its ratings and
    measure scores through the same policy. `cells` (a value per area of the picture) and
    `notes` (ratings with words on what would make it better) are worked out from them."""

    record: Shown
    answers: list
    scored: list
    cells: list = field(default_factory=list)
    notes: list = field(default_factory=list)


def checkins_shown(checkins, level) -> list[CheckInShown]:
    """Check-ins with `answers` and `scored` attached (attach_answers at `level`) as the
    level may see them."""
    return [
        CheckInShown(
            record=shown(checkin, level),
            answers=checkin.answers,
            scored=checkin.scored,
            cells=getattr(checkin, "cells", []),
            notes=[r for r in checkin.answers if r.better],
        )
        for checkin in checkins
    ]


def resident_picture(viewer, resident) -> Picture:
    """The life map over time: first and latest per area, every check-in, measures, and the
    numbers the charts draw (the same numbers as the tables). Wellbeing is casework: only
    full access reaches it, and every record comes out through the field policy at that
    level (`Picture.checkins` are CheckInShown, `drafts` shown check-ins)."""
    access = access_level(viewer, resident)
    if access is not Access.FULL:
        raise Http404
    level = access.level
    checkins = attach_answers(
        list(
            CheckIn.objects.filter(resident=resident, status=CheckInStatus.COMPLETE)
            .select_related("version")
            .order_by("completed_at", "pk")
        ),
        level=level,
    )
    drafts = [
        shown(draft, level)
        for draft in CheckIn.objects.filter(resident=resident, status=CheckInStatus.DRAFT).order_by(
            "-created_at"
        )[:5]
    ]
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
        rated = [checkin.rating_by_key.get(row.key) for row in rows]
        checkin.cells = ["–" if not _scored(r) else str(r.value) for r in rated]

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
                if row.first is None:
                    row.first, row.first_on = value, checkin.completed_at.date()
                row.latest, row.latest_on = value, checkin.completed_at.date()

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
        checkins=checkins_shown(checkins, level),
        areas=rows,
        measures=list(measures.values()),
        chart=chart,
        drafts=drafts,
    )
