"""Network pages: resolve the viewer -> authorise -> call a selector or service -> render.

Everything works without JavaScript: the picture is an enhancement over the table.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_POST

from . import picture, selectors, services, words
from . import survey as survey_service
from .enums import NodeKind, Sector, SurveyState, TieSource
from .forms import (
    FiltersForm,
    NodeForm,
    RecomputeForm,
    SurveyReviewForm,
    SurveyUploadForm,
    TieForm,
)
from .jobs import can_recompute, recompute_start
from .models import SurveyImport

SURVEY_ROWS_PER_PAGE = 100
TIES_PER_PAGE = 50  # a node's ties table; the ties CSV has them all


def _viewer(request):
    viewer = request.viewer
    selectors.require_network(viewer)
    return viewer


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _picture_text():
    """The words the picture's script shows (hover and focus details), translated here."""
    return {
        "ties": _("ties"),
        "betweenness": _("betweenness"),
        "community": _("community"),
        "other": _("Other"),
        "isolates": _("No ties (set apart)"),
        "hint": _("Point at or tab to a node to see its details here."),
    }


@login_required
def index(request):
    viewer = _viewer(request)
    form = FiltersForm(request.GET or None, place=viewer.place)
    filters = form.filters()
    snapshot = selectors.latest_snapshot(viewer)
    legend = selectors.published_legend(
        viewer, selectors.community_legend(viewer, snapshot), snapshot
    )
    rows = selectors.node_table_page(
        viewer,
        order_by=filters.size_by,
        page=request.GET.get("page"),
        snapshot=snapshot,
        legend=legend,
    )
    kept = request.GET.copy()
    kept.pop("page", None)
    query = kept.urlencode()
    summary = snapshot.summary if snapshot else {}
    return _no_store(
        render(
            request,
            "network/index.html",
            {
                "form": form,
                "filters": filters,
                "snapshot": snapshot,
                "summary": selectors.published_summary(viewer, snapshot),
                # the table's "of N" says the node count as the summary does
                "rows_total": selectors.published_number(
                    viewer, rows.paginator.count, selectors.visible_key_sum(viewer, snapshot)
                )[1]
                if rows
                else "",
                "betweenness_statement": selectors.betweenness_statement(
                    snapshot.summary if snapshot else None
                ),
                "rows": rows,
                "page": rows,
                "page_range": rows.paginator.get_elided_page_range(rows.number) if rows else (),
                "page_query": f"{query}&" if query else "",
                "legend": legend,
                "picture_text": _picture_text(),
                "label_limit": picture.LABEL_LIMIT,
                "laid_out": bool(summary.get("layout")),
                # how many nodes the picture leaves out, as the summary counts nodes
                "not_placed": selectors.published_not_placed(viewer, snapshot),
                "density_words": words.density_words(summary.get("density")),
                "closeness_words": words.closeness_words(bool(summary.get("weighted"))),
                "meanings": words.MEANINGS,
                "size_label": selectors.SIZE_METRICS.get(filters.size_by, "Number of ties"),
                "query": query,
                "can_recompute": can_recompute(viewer),
                "can_record": services.can_record_ties(viewer),
                "recompute_form": RecomputeForm(),
            },
        )
    )


@login_required
@gzip_page
def data(request):
    """The network picture's nodes and ties as JSON, for the page's script.

    Compressed (BREACH does not apply): the answer holds no CSRF token and reflects no
    attacker-chosen text, only validated filters that choose which nodes are counted."""
    viewer = _viewer(request)
    form = FiltersForm(request.GET or None, place=viewer.place)
    payload = selectors.network_data(viewer, form.filters())
    return _no_store(JsonResponse(payload, json_dumps_params={"separators": (",", ":")}))


@login_required
def node_detail(request, public_id):
    viewer = _viewer(request)
    node = selectors.node_get(viewer, public_id)
    ego = selectors.ego_network(viewer, node)
    metric = ego["metric"]
    community = None
    if metric is not None:
        names = picture.group_labels(selectors.community_legend(viewer, ego["snapshot"]))
        community = names.get(metric.community, _("Other"))
    ties = Paginator(ego["ties"], TIES_PER_PAGE).get_page(request.GET.get("page"))
    return _no_store(
        render(
            request,
            "network/node.html",
            # ego["node"]: the node through the field policy, as the API answers it
            {
                "ego": ego,
                "node": ego["node"],
                "ties": ties,
                "page": ties,
                "page_range": ties.paginator.get_elided_page_range(ties.number),
                "page_query": "",
                "picture_text": _picture_text(),
                "is_org": node.kind != NodeKind.RESIDENT,
                "community": community,
                "meanings": words.MEANINGS,
                "closeness_words": words.closeness_words(
                    bool(ego["snapshot"] and ego["snapshot"].summary.get("weighted"))
                ),
            },
        )
    )


@login_required
@gzip_page
def node_data(request, public_id):
    """A node's own picture as JSON (404 for a node the viewer may not see).

    Compressed (BREACH does not apply): the answer holds no CSRF token and reflects no
    attacker-chosen text."""
    viewer = _viewer(request)
    node = selectors.node_get(viewer, public_id)
    return _no_store(JsonResponse(selectors.ego_data(viewer, node)))


@login_required
def sector_map(request, public_id):
    viewer = _viewer(request)
    node = selectors.node_get(viewer, public_id)
    if node.kind in (NodeKind.RESIDENT, NodeKind.PERSON):
        raise Http404
    return _no_store(
        render(request, "network/sector_map.html", {"map": selectors.sector_map(viewer, node)})
    )


@login_required
def change_makers(request):
    viewer = _viewer(request)
    return _no_store(
        render(
            request,
            "network/change_makers.html",
            {
                "rows": selectors.change_makers(viewer),
                "snapshot": selectors.latest_snapshot(viewer),
            },
        )
    )


@login_required
@require_POST
def recompute(request):
    viewer = _viewer(request)
    if not can_recompute(viewer):
        raise Http404
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        messages.info(request, "Enter a real date in the past, or leave the date empty.")
        return redirect("network:index")
    job, started = recompute_start(viewer=viewer, as_of=form.cleaned_data.get("as_of"))
    if not started:
        messages.info(request, "The network is already being recomputed: here is that job.")
    return redirect("jobs:detail", public_id=job.public_id)


def _require_recorder(viewer):
    if not services.can_record_ties(viewer):
        raise Http404


@login_required
def tie_new(request):
    viewer = _viewer(request)
    _require_recorder(viewer)
    form = TieForm(request.POST or None, place=viewer.place)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            tie = services.tie_record(
                viewer=viewer,
                source=data["source"],
                target=data["target"],
                tie_type=data["tie_type"],
                strength=data["strength"],
                directed=data["directed"],
                started_on=data.get("started_on"),
                note=data.get("note", ""),
                origin=TieSource.MANUAL,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "The tie is recorded.")
            return redirect("network:node", public_id=tie.source_node.public_id)
    return render(
        request, "network/tie_form.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
def node_new(request):
    viewer = _viewer(request)
    _require_recorder(viewer)
    form = NodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        node = services.node_create(viewer=viewer, **form.cleaned_data)
        messages.success(request, f"{node.label} is in the network.")
        return redirect("network:node", public_id=node.public_id)
    return render(
        request,
        "network/node_form.html",
        {"form": form, "sectors": Sector},
        status=400 if form.errors else 200,
    )


@login_required
def survey(request):
    """Upload a name-generator CSV: it is checked at once and kept for review."""
    viewer = _viewer(request)
    _require_recorder(viewer)
    form = SurveyUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imp = survey_service.survey_upload(
                viewer=viewer, data=upload.read(), file_name=upload.name
            )
        except ValidationError as error:
            form.add_error("file", error.message_dict.get("file", error.messages))
        else:
            return redirect("network:survey_detail", public_id=imp.public_id)
    recent = SurveyImport.objects.filter(place=viewer.place).select_related("job")[:10]
    return render(
        request,
        "network/survey.html",
        {"form": form, "recent": recent},
        status=400 if form.errors else 200,
    )


@login_required
def survey_detail(request, public_id):
    """Review (bad rows; a choice for each name not in the network), then the import's
    progress (polled by htmx, or a Refresh link), then its report."""
    viewer = _viewer(request)
    imp = survey_service.survey_get(viewer, public_id)
    form = None
    if imp.state == SurveyState.REVIEW:
        form = SurveyReviewForm(request.POST or None, findings=imp.findings)
        if request.method == "POST" and form.is_valid():
            try:
                survey_service.survey_confirm(viewer=viewer, imp=imp, **form.service_kwargs())
            except ValidationError as error:
                for name, problems in error.message_dict.items():
                    form.add_error(name if name in form.fields else None, problems)
            else:
                return redirect("network:survey_detail", public_id=imp.public_id)
    elif request.method == "POST" and imp.state == SurveyState.FAILED:
        try:
            survey_service.survey_restart(viewer=viewer, imp=imp)
        except ValidationError as error:
            messages.info(request, " ".join(error.messages))
        return redirect("network:survey_detail", public_id=imp.public_id)
    report = imp.report or {}
    not_imported = sorted(report.get("bad", []) + report.get("skipped", []))
    rows = Paginator(not_imported, SURVEY_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    template = "network/survey_detail.html"
    if request.htmx and imp.job and form is None:
        template += "#status"
    return render(
        request,
        template,
        {
            "imp": imp,
            "job": imp.job,
            "form": form,
            "page": rows,
            "page_range": rows.paginator.get_elided_page_range(rows.number),
        },
        status=400 if form is not None and form.errors else 200,
    )
