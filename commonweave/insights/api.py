"""The place overview in the JSON API (mounted in commonweave/api/urls.py): published
numbers only. Counts from 1 to the place's threshold - 1 come as "fewer than 8" with a null
value; others rounded to 5 (see disclosure.py)."""

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from commonweave.core.api.schemas import Detail

from .selectors import place_overview


class PublishedCount(Schema):
    value: int | None = Field(description="null when suppressed")
    label: str


class PublishedRowOut(Schema):
    key: str
    label: str
    count: PublishedCount


class PublishedTableOut(Schema):
    rows: list[PublishedRowOut]
    total: PublishedCount
    suppressed_cells: int


class NoteOut(Schema):
    label: str
    answer: str = Field(description='e.g. "24 hours", "80%", or "not enough people yet"')


class MoreTableOut(Schema):
    key: str
    caption: str
    as_of_now: bool
    table: PublishedTableOut
    notes: list[NoteOut] = Field(description="Read off the published values only")


class OverviewOut(Schema):
    place: str
    suppression_threshold: int
    residents_by_stage: PublishedTableOut
    referrals_by_front_door: PublishedTableOut
    response_times: dict[str, PublishedCount]
    within_promise_share: str
    graduations_by_month: PublishedTableOut
    more: list[MoreTableOut] = Field(
        description="Tables other parts of Commonweave add (e.g. mutual aid), as on the page"
    )


router = Router(tags=["Overview"])


def _count(published):
    return {"value": published.value, "label": published.label}


def _table(table):
    return {
        "rows": [
            {"key": str(row.key), "label": str(row.label), "count": _count(row.count)}
            for row in table.rows
        ],
        "total": _count(table.total),
        "suppressed_cells": table.suppressed_cells,
    }


@router.get("/overview", response={200: OverviewOut, 404: Detail}, summary="Place overview")
def overview(request):
    """Residents by stage, referrals by front door, response times against the promise
    and graduations per month, for analysts, place admins, coordinators and catalysts."""
    viewer = request.auth
    if not viewer.can_see_aggregates:
        raise Http404
    published = place_overview(viewer)
    return {
        "place": viewer.place.name,
        "suppression_threshold": viewer.place.suppression_threshold,
        "residents_by_stage": _table(published.by_stage),
        "referrals_by_front_door": _table(published.by_front_door),
        "response_times": {key: _count(value) for key, value in published.response.items()},
        "within_promise_share": published.within_promise_share,
        "graduations_by_month": _table(published.graduations),
        "more": [
            {
                "key": more.key,
                "caption": more.caption,
                "as_of_now": more.as_of_now,
                "table": _table(more.table),
                "notes": [{"label": label, "answer": answer} for label, answer in more.notes],
            }
            for more in published.more
        ],
    }
