"""The place overview: published numbers only (docs/safety.md).

Raw counts never reach a template or a CSV: the page and the export both render the
PlaceOverview from commonweave.insights.selectors, whose every number has been through
commonweave.insights.disclosure.
"""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.export import csv_response
from commonweave.tenancy.viewer import viewer_or_404

from . import disclosure as disclosure_rules
from .disclosure import PublishedRow
from .selectors import DEFAULT_PERIOD, PERIODS, place_overview_for_period

PERIOD_LABELS = {
    "3": "Last 3 months",
    "6": "Last 6 months",
    "12": "Last 12 months",
    "all": "All time",
}

AS_OF_NOW = "As of now"

RESPONSE_LABELS = {
    "within": "Contacted within the promise",
    "late": "Contacted, but later than promised",
    "waiting": "Waiting, still within the promise",
    "overdue": "Waiting, past the promise (overdue)",
}


def _period(request) -> str:
    period = request.GET.get("period", DEFAULT_PERIOD)
    return period if period in PERIODS else DEFAULT_PERIOD


def _bars(rows):
    """Rows of a published table with the bar each gets, scaled to the largest published
    value. Suppressed cells get no bar: a bar would hint at the hidden number."""
    largest = max((row.count.value or 0 for row in rows), default=0) or 1
    return [{"row": row, "bar": row.count.value, "max": largest} for row in rows]


def _sections(overview):
    """The overview as (key, caption, first column heading, rows, total) sections, in the
    order the page and the CSV show them."""
    response_rows = [
        PublishedRow(key, label, overview.response[key]) for key, label in RESPONSE_LABELS.items()
    ]
    return [
        {
            "key": "stage",
            "caption": "Residents by stage of their journey",
            "as_of_now": True,
            "heading": "Stage",
            "rows": _bars(overview.by_stage.rows),
            "total": overview.by_stage.total,
        },
        {
            "key": "front_door",
            "caption": "Referrals by front door",
            "heading": "Front door",
            "rows": _bars(overview.by_front_door.rows),
            "total": overview.by_front_door.total,
        },
        {
            "key": "response",
            "caption": "First contact against the response promise",
            "heading": "First contact",
            "rows": _bars(response_rows),
            "total": None,
        },
        {
            "key": "graduations",
            "caption": "Graduations per month",
            "heading": "Month",
            "rows": _bars(overview.graduations.rows),
            "total": overview.graduations.total,
        },
    ] + [
        {
            "key": more.key,
            "caption": more.caption,
            "as_of_now": more.as_of_now,
            "heading": more.heading,
            "rows": _bars(more.table.rows),
            "total": more.table.total,
            "notes": more.notes,
        }
        for more in overview.more
    ]


@login_required
def overview(request):
    viewer = viewer_or_404(request, lambda v: v.can_see_aggregates)
    period = _period(request)
    data = place_overview_for_period(viewer, months=PERIODS[period])
    context = {
        "overview": data,
        "sections": _sections(data),
        "period": period,
        "period_label": PERIOD_LABELS[period],
        "periods": PERIOD_LABELS,
        "threshold": viewer.place.suppression_threshold,
    }
    return render(request, "insights/overview.html", context)


@login_required
def disclosure(request):
    """How published numbers are protected, in plain words, with this place's settings and
    how much of its privacy budget this quarter has used."""
    viewer = viewer_or_404(request, lambda v: v.can_see_aggregates)
    context = {
        "threshold": viewer.place.suppression_threshold,
        "highest_hidden": viewer.place.suppression_threshold - 1,
        "budget": disclosure_rules.budget_status(viewer.place),
        "epsilon_per_row": disclosure_rules.EPSILON_PER_ROW,
        "min_paired": disclosure_rules.MIN_PAIRED_FOR_CHANGE,
        "noise_on_10_point_scale": round(4 * 10 / disclosure_rules.change.EPSILON_MEAN),
    }
    return render(request, "insights/disclosure.html", context)


@login_required
def overview_csv(request):
    """The same published numbers as the page, as a CSV. Writes one EXPORT audit event."""
    viewer = viewer_or_404(request, lambda v: v.can_see_aggregates)
    period = _period(request)
    data = place_overview_for_period(viewer, months=PERIODS[period])
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="overview",
        object_id=viewer.place.slug[:40],
        detail={"period": period},
    )
    return csv_response(
        f"overview-{viewer.place.slug}-{period}.csv",
        ["Table", "Row", "Count", "Period"],
        list(overview_csv_rows(data, PERIOD_LABELS[period])),
    )


def overview_csv_rows(data, period_label):
    for section in _sections(data):
        when = AS_OF_NOW if section.get("as_of_now") else period_label
        for item in section["rows"]:
            row = item["row"]
            yield [section["caption"], row.label, row.count.label, when]
        if section["total"] is not None:
            yield [section["caption"], "Total", section["total"].label, when]
        for label, value in section.get("notes", []):
            yield [section["caption"], label, value, when]
    yield [
        "First contact against the response promise",
        "Share contacted within the promise",
        data.within_promise_share,
        period_label,
    ]
