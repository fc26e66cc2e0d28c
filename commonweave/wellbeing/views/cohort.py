"""Cohort change for evaluators (analysts, coordinators, catalysts, place admins: the
published numbers) and the pseudonymous scores export (analysts and place admins: a
background job, downloaded once by whoever asked for it)."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.export import csv_response
from commonweave.insights.disclosure import MIN_PAIRED_FOR_CHANGE
from commonweave.tenancy.viewer import viewer_or_404

from .. import cohort, exports
from ..forms import CohortForm


def _aggregate_viewer(request):
    return viewer_or_404(request, lambda viewer: viewer.can_see_aggregates)


def _cohort_form(request, data=None):
    data = request.GET if data is None else data
    params = {k: v for k, v in data.items() if v and k != "csrfmiddlewaretoken"}
    return CohortForm(params or None)


def _cohort_page(request, viewer, form):
    """The page; with wrong filters, their errors next to them (400) and no numbers."""
    result, chart, status, filters, shown = None, None, 200, {}, {}
    if form.is_bound and not form.is_valid():
        status = 400
    else:
        filters = form.filters()
        result = cohort.cohort_change(viewer, **filters)
        shown = result.filters
        enough = [row for row in result.areas if row.published.enough]
        chart = {
            "labels": [row.label for row in enough],
            "means": [row.published.mean_value for row in enough],
            "low": [row.published.ci_values[0] for row in enough],
            "high": [row.published.ci_values[1] for row in enough],
        }
    can_export = exports.can_export(viewer)
    context = {
        "form": form,
        "cohort": result,
        "chart": chart,
        "can_export": can_export,
        # An empty export is not offered: the page says why instead.
        "has_scores": can_export
        and result is not None
        and exports.scores_in_scope(viewer, cohort._clean_filters(filters)).exists(),
        "query": request.GET.urlencode(),
        "export_params": sorted((k, v) for k, v in (form.data or {}).items() if v),
        "threshold": viewer.place.suppression_threshold,
        "min_paired": MIN_PAIRED_FOR_CHANGE,
        # The dates the numbers are for (whole weeks), and whether that widened the asked ones.
        "period_from": shown.get("period_from"),
        "period_to": shown.get("period_to"),
        "widened": any(shown.get(k) != filters.get(k) for k in shown if "_from" in k or "_to" in k),
    }
    return render(request, "wellbeing/cohort.html", context, status=status)


def _audit_export(viewer, what, filters):
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="wellbeing.export",
        object_id=what,
        detail={k: str(v) for k, v in filters.items() if v},
    )


@login_required
def cohort_page(request):
    """Paired first-vs-latest change per area and measure, under the disclosure rules."""
    viewer = _aggregate_viewer(request)
    return _cohort_page(request, viewer, _cohort_form(request))


@login_required
def cohort_change_csv(request):
    """The page's table as CSV: the same published numbers and nothing more, at once.
    Everyone who sees the page may download it; one EXPORT audit event."""
    viewer = _aggregate_viewer(request)
    form = _cohort_form(request)
    if form.is_bound and not form.is_valid():
        return _cohort_page(request, viewer, form)
    filters = form.filters()
    result = cohort.cohort_change(viewer, **filters)
    _audit_export(viewer, "change", filters)
    return csv_response("wellbeing-change.csv", cohort.CHANGE_HEADER, cohort.change_rows(result))


# --- the scores export for evaluators: a background job ----------------------------------


def _export_viewer(request):
    viewer = _aggregate_viewer(request)
    if not exports.can_export(viewer):
        raise Http404
    return viewer


@login_required
@require_POST
def export_start(request):
    """Ask for every score of the cohort's residents who agreed to evaluation, with
    pseudonymous ids, as CSV. It is built in the background; the next page shows how far
    it has got. Analysts and place admins."""
    viewer = _export_viewer(request)
    form = _cohort_form(request, request.POST)
    if form.is_bound and not form.is_valid():
        return _cohort_page(request, viewer, form)
    export = exports.scores_export_start(viewer=viewer, **form.filters())
    return redirect("wellbeing:export", public_id=export.public_id)


@login_required
@never_cache
def export_detail(request, public_id):
    """How far the export has got, and its one download when ready. Only for the person
    who asked. htmx polls the status every second until the job ends."""
    viewer = _export_viewer(request)
    export = exports.scores_export_get(viewer=viewer, public_id=public_id)
    context = {
        "export": export,
        "job": export.job,
        "expired": export.expires_at <= timezone.now(),
        "filters": _filter_words(export.filters),
    }
    template = "wellbeing/export.html"
    if request.htmx:
        template += "#status"
    return render(request, template, context)


def _filter_words(filters) -> list:
    """The export's filters as (label, value) for the page."""
    form = CohortForm()
    words = []
    for name, value in filters.items():
        field = form.fields.get(name)
        if field is None:
            continue
        if name == "front_door":
            value = dict(field.choices).get(value, value)
        else:
            value = date_format(date.fromisoformat(value), "j F Y")
        words.append((field.label, value))
    return words


@login_required
@require_POST
def export_download(request, public_id):
    """The export's one download (then the file is deleted). One EXPORT audit event."""
    viewer = _export_viewer(request)
    export = exports.scores_export_get(viewer=viewer, public_id=public_id)
    if export.ready and export.rows == 0:
        # Nothing but headings: not offered, and not handed out (the page says why).
        messages.info(request, _("There is nothing to download: the file has no rows."))
        return redirect("wellbeing:export", public_id=export.public_id)
    try:
        file = exports.scores_export_download(viewer=viewer, export=export)
    except exports.ExportGone as error:
        if error.reason == "not ready":
            messages.info(request, "The file is not ready yet.")
        else:
            messages.error(request, "That file has gone: it can be downloaded once, for a day.")
        return redirect("wellbeing:export", public_id=export.public_id)
    response = FileResponse(
        file, as_attachment=True, filename="wellbeing-scores.csv", content_type="text/csv"
    )
    response["Cache-Control"] = "no-store, private"
    return response
