"""The theory of change in the JSON API (issue 18, parts 3 and 7), with the pages' rules
(impact/rules.py): everyone who sees the place's published numbers, and partner workers,
read it; coordinators and place admins save a new version; anyone else finds a 404.

    GET  /api/impact/theory                  the current version (version 0: none yet)
    GET  /api/impact/theory/versions         every version, newest first (who, when, why)
    GET  /api/impact/theory/versions/{n}     one version, as it was saved
    POST /api/impact/theory                  save the next version, whole

Input names in a 400 are the body's: "outcomes.2.indicators.0.source" is the first
indicator of the third outcome. Schema names start with "ImpactTheory"."""

from datetime import datetime
from typing import Annotated

from django.http import Http404
from ninja import Path, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors, Input, Text, page_of

from .. import rules, selectors, services_theory
from ..enums import IndicatorSource
from ..models import TheoryVersion
from ..services_theory import (
    LONG,
    MAX_ACTIVITIES,
    MAX_ASSUMPTIONS,
    MAX_INDICATORS,
    MAX_OUTCOMES,
    SHORT,
)
from . import router

LARGEST = 2_147_483_647
OutcomeNumber = Annotated[int, Field(ge=1, le=MAX_OUTCOMES)]


# --- out ----------------------------------------------------------------------------------


class ImpactTheoryIndicatorOut(Schema):
    name: str
    source: IndicatorSource = Field(description="Which of the partnership's numbers it reads")
    source_label: str = Field(description="The source in words, as the page shows it")
    target: str = Field(description='A target in words, e.g. "60% by 2028"; "" for none')


class ImpactTheoryActivityOut(Schema):
    number: int = Field(description="Its order in the version, from 1")
    title: str
    outcomes: list[int] = Field(description="The outcomes it is meant to lead to, by number")


class ImpactTheoryAssumptionOut(Schema):
    number: int
    text: str
    outcome: int | None = Field(description="The outcome it is about, by number; or null")
    activity: int | None = Field(description="The activity it is about, by number; or null")


class ImpactTheoryOutcomeOut(Schema):
    number: int = Field(description="Its order in the version, from 1")
    title: str
    description: str
    indicators: list[ImpactTheoryIndicatorOut]
    activities: list[int] = Field(description="The activities meant to lead to it, by number")
    assumptions: list[int] = Field(description="The assumptions about it, by number")


class ImpactTheoryVersionOut(Schema):
    version: int = Field(description="The version's number, from 1")
    change_note: str = Field(description='What changed and why ("" for the first version)')
    saved_by: str = Field(description="Who saved it: a person's name or an API token's")
    saved_at: datetime


class ImpactTheoryOut(Schema):
    version: int = Field(description="The version's number; 0 when none is saved yet")
    area_analysis: str = Field(description="The partnership's shared analysis of the area")
    change_note: str = Field(description="What changed since the version before, and why")
    saved_by: str
    saved_at: datetime | None = Field(description="null when no version is saved yet")
    outcomes: list[ImpactTheoryOutcomeOut]
    activities: list[ImpactTheoryActivityOut]
    assumptions: list[ImpactTheoryAssumptionOut]


class ImpactTheoryConflict(Conflict):
    current: ImpactTheoryOut  # type: ignore[assignment]  # narrows the generic dict


ImpactTheoryVersionPage = page_of(ImpactTheoryVersionOut, "ImpactTheoryVersionPage")


# --- in -----------------------------------------------------------------------------------


class ImpactTheoryIndicatorIn(Input):
    name: Text(SHORT, required=True)  # type: ignore[valid-type]
    source: IndicatorSource = Field(description="One of the partnership's own numbers")
    target: Text(SHORT) = Field("", description="Optional, in words: 60% by 2028")  # type: ignore[valid-type]


class ImpactTheoryOutcomeIn(Input):
    title: Text(SHORT, required=True)  # type: ignore[valid-type]
    description: Text(LONG) = ""  # type: ignore[valid-type]
    indicators: list[ImpactTheoryIndicatorIn] = Field(
        default_factory=list, max_length=MAX_INDICATORS
    )


class ImpactTheoryActivityIn(Input):
    title: Text(SHORT, required=True)  # type: ignore[valid-type]
    outcomes: list[OutcomeNumber] = Field(
        min_length=1,
        max_length=MAX_OUTCOMES,
        description="The outcomes it is meant to lead to, by number: 1 is the first of `outcomes`",
    )


class ImpactTheoryAssumptionIn(Input):
    text: Text(LONG, required=True)  # type: ignore[valid-type]
    outcome: OutcomeNumber | None = Field(None, description="The outcome it is about, by number")
    activity: Annotated[int, Field(ge=1, le=MAX_ACTIVITIES)] | None = Field(
        None, description="Or the activity it is about, by number (not both)"
    )


class ImpactTheoryIn(Input):
    version: int = Field(
        ge=0,
        le=LARGEST,
        description="The version you started from (0 when there is none): if another was "
        "saved since, nothing is saved and the answer is a 409 with the current one",
    )
    area_analysis: Text(LONG, required=True) = Field(  # type: ignore[valid-type]
        description="The partnership's shared analysis of the area, in its own words"
    )
    outcomes: list[ImpactTheoryOutcomeIn] = Field(min_length=1, max_length=MAX_OUTCOMES)
    activities: list[ImpactTheoryActivityIn] = Field(
        default_factory=list, max_length=MAX_ACTIVITIES
    )
    assumptions: list[ImpactTheoryAssumptionIn] = Field(
        default_factory=list, max_length=MAX_ASSUMPTIONS
    )
    change_note: Text(LONG) = Field(  # type: ignore[valid-type]
        "", description="What changed and why: needed from the second version on"
    )


# --- wiring -------------------------------------------------------------------------------


def _reader(request):
    viewer = request.auth
    if not rules.may_read_theory(viewer):
        raise Http404
    return viewer


def _editor(request):
    viewer = request.auth
    if not rules.may_edit_theory(viewer):
        raise Http404
    return viewer


def summary_out(version: TheoryVersion) -> dict:
    return {
        "version": version.number,
        "change_note": version.change_note,
        "saved_by": version.created_by_label,
        "saved_at": version.created_at,
    }


def theory_out(version: TheoryVersion | None) -> dict:
    if version is None:
        return {
            "version": 0,
            "area_analysis": "",
            "change_note": "",
            "saved_by": "",
            "saved_at": None,
            "outcomes": [],
            "activities": [],
            "assumptions": [],
        }
    outcomes, _general = selectors.theory_outline(version)
    outcome_number = {row.outcome.pk: row.outcome.number for row in outcomes}
    activities = list(version.activities.all())
    activity_number = {activity.pk: activity.number for activity in activities}
    return {
        **summary_out(version),
        "area_analysis": version.area_analysis,
        "outcomes": [
            {
                "number": row.outcome.number,
                "title": row.outcome.title,
                "description": row.outcome.description,
                "indicators": [
                    {
                        "name": indicator.name,
                        "source": indicator.source,
                        "source_label": str(indicator.get_source_display()),
                        "target": indicator.target,
                    }
                    for indicator in row.indicators
                ],
                "activities": [shown.activity.number for shown in row.activities],
                "assumptions": [assumption.number for assumption in row.assumptions],
            }
            for row in outcomes
        ],
        "activities": [
            {
                "number": activity.number,
                "title": activity.title,
                "outcomes": [outcome.number for outcome in activity.outcomes.all()],
            }
            for activity in activities
        ],
        "assumptions": [
            {
                "number": assumption.number,
                "text": assumption.text,
                "outcome": outcome_number.get(assumption.outcome_id or 0),
                "activity": activity_number.get(assumption.activity_id or 0),
            }
            for assumption in version.assumptions.all()
        ],
    }


def _content(payload: ImpactTheoryIn) -> services_theory.TheoryIn:
    return services_theory.TheoryIn(
        area_analysis=payload.area_analysis,
        outcomes=tuple(
            services_theory.OutcomeIn(
                title=outcome.title,
                description=outcome.description,
                indicators=tuple(
                    services_theory.IndicatorIn(
                        name=indicator.name, source=indicator.source, target=indicator.target
                    )
                    for indicator in outcome.indicators
                ),
            )
            for outcome in payload.outcomes
        ),
        activities=tuple(
            services_theory.ActivityIn(title=activity.title, outcomes=tuple(activity.outcomes))
            for activity in payload.activities
        ),
        assumptions=tuple(
            services_theory.AssumptionIn(
                text=assumption.text, outcome=assumption.outcome, activity=assumption.activity
            )
            for assumption in payload.assumptions
        ),
        change_note=payload.change_note,
    )


@router.get("/impact/theory", response={200: ImpactTheoryOut, 404: Detail})
def theory_get(request):
    """Your place's theory of change as it stands: its shared analysis of the area, the
    outcomes it works towards (each with its indicators, the activities meant to lead to
    it and its assumptions), every activity and assumption. `version` 0 means none is
    saved yet. For everyone who sees the place's published numbers, and partner workers."""
    return theory_out(selectors.theory_current(_reader(request)))


@router.get("/impact/theory/versions", response={200: ImpactTheoryVersionPage, 404: Detail})
def theory_versions(request, paging: PageParams):
    """Every version of your place's theory of change, newest first: who saved it, when,
    and what changed and why. Each is kept as it was saved."""
    rows, envelope = paginate(selectors.theory_versions(_reader(request)), paging)
    return {**envelope, "items": [summary_out(version) for version in rows]}


@router.get("/impact/theory/versions/{number}", response={200: ImpactTheoryOut, 404: Detail})
def theory_version(request, number: Annotated[int, Path(ge=1, le=LARGEST)]):
    """One version of your place's theory of change, exactly as it was saved."""
    return theory_out(selectors.theory_version_open(_reader(request), number))


@router.post(
    "/impact/theory",
    response={201: ImpactTheoryOut, 400: Errors, 404: Detail, 409: ImpactTheoryConflict},
)
@answers_conflict(lambda request, current: theory_out(selectors.theory_current(_editor(request))))
def theory_save(request, payload: ImpactTheoryIn):
    """Save the next version of your place's theory of change, whole: everything it holds
    is sent, and the versions before are kept as they were. `change_note` (what changed
    and why) is needed from the second version on. Indicators read one of the
    partnership's own numbers (`source`). A bad input is a 400 naming it; nothing is saved.
    For coordinators and place admins."""
    viewer = _editor(request)
    version = services_theory.theory_save(
        viewer=viewer, content=_content(payload), based_on=payload.version
    )
    return Status(201, theory_out(selectors.theory_version_open(viewer, version.number)))
