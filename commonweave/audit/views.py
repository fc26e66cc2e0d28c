"""The audit log for place admins: resolve -> authorise -> read -> render.

Searching the log is not a read of anyone's record; exporting it is, and writes one audit
event. Anyone not allowed gets a 404. "Who has seen this record", one resident's log, is
a people page (commonweave/people/views/audit_log.py): it opens the resident.
"""

import datetime
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone

from commonweave.core.export import csv_response

from . import selectors
from .actors import Actor, ActorRequest
from .enums import Action, Purpose
from .forms import QUERY_KEYS, AuditSearchForm
from .models import AuditEvent
from .services import audit_record, audit_verify

PER_PAGE = 50


def _admin_viewer(request: ActorRequest) -> Actor:
    """A place admin of the current place; anyone else finds nothing here."""
    viewer = request.viewer
    if not viewer or not viewer.is_place_admin:
        raise Http404
    return viewer


def _search(request: ActorRequest, viewer: Actor) -> tuple[AuditSearchForm, dict[str, str]]:
    """The search form and the GET parameters to carry into page links (ids and codes)."""
    params = {key: request.GET[key] for key in QUERY_KEYS if request.GET.get(key)}
    form = AuditSearchForm(request.GET if params else None, viewer=viewer)
    if params:
        form.is_valid()
    return form, params


def _paginate(
    request: ActorRequest, queryset: QuerySet[AuditEvent], params: dict[str, str]
) -> dict[str, Any]:
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }


@login_required
def log(request: ActorRequest) -> HttpResponse:
    viewer = _admin_viewer(request)
    form, params = _search(request, viewer)
    context = _paginate(request, selectors.audit_log(viewer, form.filters()), params)
    context.update(
        form=form,
        rows=selectors.event_rows(viewer, context["page"].object_list),
        params=params,
        searching=bool(params),
        csv_query=urlencode(params),
    )
    if request.GET.get("verify") == "1":
        # Walks the whole chain: only when asked for.
        report = audit_verify()
        context["chain"] = {
            "intact": report.intact,
            "broken_at": report.broken_at,
            "problems": report.problems,
            "checked_at": timezone.now(),
        }
    return render(request, "audit/log.html", context)


@login_required
def log_csv(request: ActorRequest) -> StreamingHttpResponse:
    """The searched log as a CSV download. Writes one EXPORT audit event."""
    viewer = _admin_viewer(request)
    form, params = _search(request, viewer)
    events = selectors.audit_log(viewer, form.filters())
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type="audit.auditevent",
        detail={"filters": params},
    )
    return csv_response(
        f"audit-log-{viewer.place.slug}.csv",
        [
            "When (UTC)",
            "Who",
            "Actor",
            "Organisation",
            "Action",
            "Purpose",
            "Object type",
            "Object",
            "Resident reference",
        ],
        _csv_rows(viewer, events),
    )


def _csv_rows(
    viewer: Actor, events: QuerySet[AuditEvent], chunk: int = 2000
) -> Iterator[list[object]]:
    batch = []
    for event in events.iterator(chunk_size=chunk):
        batch.append(event)
        if len(batch) == chunk:
            yield from _csv_batch(viewer, batch)
            batch = []
    yield from _csv_batch(viewer, batch)


def _csv_batch(viewer: Actor, events: list[AuditEvent]) -> Iterator[list[object]]:
    for row in selectors.event_rows(viewer, events):
        event = row["event"]
        yield [
            event.at.astimezone(datetime.UTC).isoformat(timespec="seconds"),
            row["who"],
            event.actor_label,
            row["organisation"],
            event.get_action_display(),
            event.get_purpose_display(),
            row["object_type"],
            event.object_id,
            event.resident_id,
        ]
