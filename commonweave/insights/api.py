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


class OverviewOut(Schema):
    place: str
    suppression_threshold: int
    residents_by_stage: PublishedTableOut
    referrals_by_front_door: PublishedTableOut
    response_times: dict[str, PublishedCount]
    within_promise_share: str
    graduations_by_month: PublishedTableOut


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
    }
