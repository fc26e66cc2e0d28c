"""Wellbeing endpoints: the life map and measures a place offers, submitting a check-in,
reading a resident's scores, published cohort change, and the pseudonymous scores for
evaluators one page at a time. Same access rules as the pages: a resident's wellbeing is
for their holding organisation only (a partner with a shared record gets the same 404 as
a stranger); cohort change follows the published-number rules; the scores are for analysts and place
admins, of people who agreed to take part in evaluation.
"""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Date, Detail, Errors
from commonweave.core.visibility import shown
from commonweave.people.access import Access, resident_get, resident_open
from commonweave.people.enums import FrontDoor

from . import exports, selectors, services
from .cohort import _clean_filters, cohort_change
from .enums import CheckInVia
from .scoring import item_choices

router = Router(tags=["Wellbeing"])


class PointOut(Schema):
    value: int
    label: str
    description: str = ""
    colour: str = ""


class AreaOut(Schema):
    key: str
    name: str
    question: str
    kind: str
    points: list[PointOut]


class ItemOut(Schema):
    code: str
    text: str
    answers: list[PointOut]


class InstrumentOut(Schema):
    code: str
    version: int
    name: str
    items: list[ItemOut]


class LifeMapOut(Schema):
    version: int
    areas: list[AreaOut]
    instruments: list[InstrumentOut]


def _whole_number(value: object) -> object:
    """An answer is a JSON number or null, never true/false or text. Left to itself pydantic
    would read `true` as 1 (a bool is an int in Python: on the loneliness question that
    records "Often/always") and "3" as 3. A number with a fraction (2.5) is refused after
    this by the int type itself; a whole one (2.0) is 2. Null is no answer."""
    if isinstance(value, bool):
        raise PydanticCustomError(
            "answer_type", gettext("Enter a number from the scale, not true or false")
        )
    if isinstance(value, str):
        raise PydanticCustomError(
            "answer_type", gettext("Enter a number from the scale, not text in quotes")
        )
    return value


# One answer to an area or a measure's item: a whole number from its scale, or null for
# not answered.
Answer = Annotated[int | None, BeforeValidator(_whole_number)]


class CheckInIn(Schema):
    ratings: dict[str, Answer] = Field(
        default_factory=dict,
        description="Area key -> the value of a point on its scale: a whole number (never "
        "true/false or text), or null for not rated",
    )
    better: dict[str, str] = Field(
        default_factory=dict, description="Area key -> what would make it better"
    )
    own_words: str = Field("", max_length=5000)
    measures: dict[str, dict[str, Answer]] = Field(
        default_factory=dict,
        description="Instrument code -> {item code: answer}. Optional. An answer is a whole "
        "number (never true/false or text), or null for not answered. A score needs every "
        "item it is made from: a UCLA-3 with an item unanswered has no score; ONS4 scores "
        "each of its four questions on its own.",
    )


class RatingOut(Schema):
    key: str
    name: str
    value: int | None
    label: str
    better: str | None = Field(description="null where your access does not show it")


class ScoreOut(Schema):
    instrument: str
    version: int
    complete: bool | None
    scores: dict[str, dict] | None


class CheckInOut(Schema):
    """A check-in through the field policy (wellbeing/visibility.py) at your access level:
    a field that level does not show is null, as on the resident's life map page."""

    id: str
    resident_id: str
    completed_at: datetime | None
    lifemap_version: int | None
    via: str | None
    own_words: str | None
    ratings: list[RatingOut]
    measures: list[ScoreOut]


class CheckInList(Schema):
    resident_id: str
    items: list[CheckInOut]


class CohortChangeOut(Schema):
    kind: str
    code: str
    label: str
    higher_is: str
    people: str = Field(
        description='Paired people, from the noisy counts, rounded to 5; or "fewer than 8"'
    )
    enough: bool = Field(
        description="False under 30 paired people, or when this quarter's privacy budget is "
        "spent and the row was not released before: nothing else is given"
    )
    state: str = Field(description='"released", "not enough" or "budget spent"')
    mean_change: str = Field(description="With Laplace noise (docs/disclosure.md)")
    ci_95: str = Field(description="Student's t interval widened by the noise's 95% range")
    effect_size_dz: str
    improved: str = Field(description="Share from noisy counts")
    same: str
    worse: str


class PrivacyBudgetOut(Schema):
    period: str = Field(description='The quarter, e.g. "2026-Q4"')
    spent: float = Field(description="Epsilon used by new releases this quarter")
    total: float
    renews: Date


class CohortOut(Schema):
    people: str = Field(description='Cell-key perturbed, rounded to 5; or "fewer than 8"')
    rows: list[CohortChangeOut]
    filters: dict = Field(description="The filters the numbers are for: dates widened to weeks")
    privacy_budget: PrivacyBudgetOut


class CohortFilter(Schema):
    front_door: FrontDoor | None = None
    referred_from: Date | None = Field(None, description="Referred on or after")
    referred_to: Date | None = Field(None, description="Referred on or before")
    period_from: Date | None = Field(
        None, description="Check-ins on or after: compare first and latest within the period"
    )
    period_to: Date | None = Field(None, description="Check-ins on or before")


class ScoreOutRow(Schema):
    kind: str = Field(description='"life map" or "measure"')
    instrument: str = Field(description='The life map version ("v2") or "<code> v<version>"')
    code: str
    label: str
    value: float
    band: str


class ScoredCheckIn(Schema):
    person: str = Field(description="Pseudonymous id: the same in every export of the place")
    date: date
    scores: list[ScoreOutRow]


class ScorePage(Schema):
    items: list[ScoredCheckIn]
    count: int = Field(description="Check-ins in the whole list")
    page: int
    pages: int


def _points(points):
    return [
        {
            "value": p["value"],
            "label": p["label"],
            "description": p.get("description", ""),
            "colour": p.get("colour", ""),
        }
        for p in points
    ]


def _checkin_out(checkin, resident):
    """`checkin` a selectors.CheckInShown, `resident` a shown resident: only what the
    level may see, the rest null."""
    record = checkin.record
    ratings = [
        {
            "key": r.area.key,
            "name": r.area.name,
            "value": r.value,
            "label": r.area.label_for(r.value) if r.value is not None else "",
            "better": r.better,
        }
        for r in checkin.answers
        if r.area is not None
    ]
    measures = [
        {
            "instrument": m.instrument.code,
            "version": m.instrument.version,
            "complete": m.complete,
            "scores": m.scores,
        }
        for m in checkin.scored
        if m.instrument is not None
    ]
    version = record.value("version")
    return {
        "id": record.public_id,
        "resident_id": resident.public_id,
        "completed_at": record.value("completed_at"),
        "lifemap_version": version.number if version is not None else None,
        "via": record.value("via"),
        "own_words": record.value("own_words"),
        "ratings": ratings,
        "measures": measures,
    }


@router.get("/wellbeing/lifemap", response={200: LifeMapOut}, summary="The life map and measures")
def lifemap(request):
    """The place's current life map (areas with the words for each point) and the
    measures it offers, with every item and answer."""
    viewer = request.auth
    version = services.current_lifemap(viewer.place)
    instruments = [
        {
            "code": i.code,
            "version": i.version,
            "name": i.name,
            "items": [
                {
                    "code": item["code"],
                    "text": item["text"],
                    "answers": [{"value": v, "label": w} for v, w in item_choices(item)],
                }
                for item in i.definition["items"]
            ],
        }
        for i in services.instruments_for(viewer.place)
    ]
    areas = [
        {
            "key": a.key,
            "name": a.name,
            "question": a.question,
            "kind": a.kind,
            "points": _points(a.points),
        }
        for a in version.areas.all()
    ]
    return {"version": version.number, "areas": areas, "instruments": instruments}


@router.post(
    "/residents/{public_id}/wellbeing/checkins",
    response={201: CheckInOut, 400: Errors, 404: Detail},
    summary="Record a check-in",
)
def checkin_create(request, public_id: str, payload: CheckInIn):
    """Record a completed check-in for a resident your organisation holds. Every answer is
    checked first: a refused answer is a 400 naming it (e.g. `ratings.home`,
    `measures.ons4.anxiety`) and nothing is saved. Writes one audit event."""
    viewer = request.auth
    resident, access = resident_get(viewer, public_id, need=Access.FULL)
    with service_errors():
        checkin = services.checkin_record(
            viewer=viewer,
            resident=resident,
            via=CheckInVia.API,
            ratings=payload.ratings,
            better=payload.better,
            own_words=payload.own_words,
            measures=payload.measures,
        )
    checkin = type(checkin).objects.select_related("version").get(pk=checkin.pk)
    selectors.attach_answers([checkin], level=access.level)
    (out,) = selectors.checkins_shown([checkin], access.level)
    return Status(201, _checkin_out(out, shown(resident, access.level)))


@router.get(
    "/residents/{public_id}/wellbeing",
    response={200: CheckInList, 404: Detail},
    summary="A resident's check-ins and scores",
)
def checkin_list(request, public_id: str):
    """Every completed check-in with its ratings and measure scores, oldest first. For the
    holding organisation only. Writes one audit event (VIEW)."""
    viewer = request.auth
    resident, access = resident_open(viewer, public_id, need=Access.FULL)
    picture = selectors.resident_picture(viewer, resident)
    record = shown(resident, access.level)
    return {
        "resident_id": record.public_id,
        "items": [_checkin_out(c, record) for c in picture.checkins],
    }


@router.get(
    "/wellbeing/cohort",
    response={200: CohortOut, 400: Errors, 404: Detail},
    summary="Published change for a cohort",
)
def cohort(request, filters: Query[CohortFilter]):
    """Paired first-vs-latest change per area and measure, under the published-number
    rules (docs/disclosure.md): people perturbed and rounded to 5 (or "fewer than 8");
    nothing else under 30 paired people; the changes with noise, the same for the same
    people every time; date windows widened to whole weeks (`filters` gives the dates the
    numbers are for); each new row spends the place's quarterly privacy budget.
    With `period_from` / `period_to`, the people who checked in within those dates, each
    compared first to latest within them. A date that is not a date, or a range that ends
    before it starts, is a 400 naming the field."""
    viewer = request.auth
    try:
        with service_errors():
            result = cohort_change(
                viewer,
                front_door=filters.front_door or "",
                referred_from=filters.referred_from,
                referred_to=filters.referred_to,
                period_from=filters.period_from,
                period_to=filters.period_to,
            )
    except PermissionDenied as error:
        raise Http404 from error
    rows = [
        {
            "kind": row.kind,
            "code": row.code,
            "label": row.label,
            "higher_is": row.higher_is,
            "people": row.published.n,
            "enough": row.published.enough,
            "mean_change": row.published.mean_change,
            "ci_95": row.published.ci,
            "effect_size_dz": row.published.dz,
            "state": row.published.state,
            "improved": row.published.improved,
            "same": row.published.same,
            "worse": row.published.worse,
        }
        for row in result.areas + result.measures
    ]
    budget = result.budget
    return {
        "people": result.residents.label,
        "rows": rows,
        "filters": {k: str(v) for k, v in result.filters.items() if v},
        "privacy_budget": {
            "period": budget.period,
            "spent": budget.spent,
            "total": budget.total,
            "renews": budget.renews,
        },
    }


@router.get(
    "/wellbeing/scores",
    response={200: ScorePage, 400: Errors, 404: Detail},
    summary="Pseudonymous scores for evaluators, a page at a time",
)
def scores(request, paging: PageParams, filters: Query[CohortFilter]):
    """Every score of the people who agreed to take part in evaluation, grouped by
    check-in (oldest first), with pseudonymous ids: the same rows as the scores CSV the
    cohort page prepares in the background, but a page of up to 100 check-ins per request,
    so no request reads more than that. Filters as `/api/wellbeing/cohort`. Analysts and
    place admins (anyone else gets a 404). Writes one audit event (EXPORT) per page."""
    viewer = request.auth
    if not exports.can_export(viewer):
        raise Http404
    chosen = {
        "front_door": filters.front_door or "",
        "referred_from": filters.referred_from,
        "referred_to": filters.referred_to,
        "period_from": filters.period_from,
        "period_to": filters.period_to,
    }
    with service_errors():
        chosen = _clean_filters(chosen)
    in_scope = exports.scores_in_scope(viewer, chosen).only("pk", "resident_id", "completed_at")
    checkins, envelope = paginate(in_scope, paging)
    items = {
        checkin.pk: {
            "person": exports.pseudonym(viewer.place, checkin.resident_id),
            "date": timezone.localtime(checkin.completed_at).date(),
            "scores": [],
        }
        for checkin in checkins
    }
    for source in (exports.rating_rows, exports.measure_rows):
        for checkin_id, row in source(viewer.place, list(items)):
            _, _, kind, instrument, code, label, value, band = row
            items[checkin_id]["scores"].append(
                {
                    "kind": kind,
                    "instrument": instrument,
                    "code": code,
                    "label": label,
                    "value": value,
                    "band": band,
                }
            )
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="wellbeing.export",
        object_id="scores-api",
        detail={
            "page": envelope["page"],
            "check_ins": len(items),
            **{k: str(v) for k, v in chosen.items() if v},
        },
    )
    return {**envelope, "items": list(items.values())}
