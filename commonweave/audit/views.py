"""The audit log for place admins, and "who has seen this record" for each resident
(SAFETY 17, 18): resolve -> authorise -> read -> render.

Searching the log is not a read of anyone's record; exporting it and opening a resident's
log are, and each writes one audit event. Anyone not allowed gets a 404.
"""

import datetime
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from commonweave.insights.export import csv_response
from commonweave.people.access import Access, access_level
from commonweave.people.models import Resident

from . import selectors
from .enums import Action, Purpose
from .forms import QUERY_KEYS, AuditSearchForm
from .services import audit_chain_verify, audit_record

PER_PAGE = 50


def _admin_viewer(request):
    """A place admin of the current place; anyone else finds nothing here."""
    viewer = request.viewer
    if not viewer or not viewer.is_place_admin:
        raise Http404
    return viewer


def _search(request, viewer):
    """The search form and the GET parameters to carry into page links (ids and codes)."""
    params = {key: request.GET[key] for key in QUERY_KEYS if request.GET.get(key)}
    form = AuditSearchForm(request.GET if params else None, viewer=viewer)
    if params:
        form.is_valid()
    return form, params


def _paginate(request, queryset, params):
    page = Paginator(queryset, PER_PAGE).get_page(request.GET.get("page"))
    return {
        "page": page,
        "page_range": list(page.paginator.get_elided_page_range(page.number, on_each_side=1)),
        "page_query": urlencode(params) + "&" if params else "",
    }


def _rows(viewer, events):
    """Events as the table shows them: who in words, labels for codes."""
    events = list(events)
    tokens = selectors.token_names(viewer.place, events)
    kinds = selectors.object_type_labels()
    return [
        {
            "event": event,
            "who": selectors.actor_name(event, tokens),
            "organisation": event.organisation.name if event.organisation else "",
            "object_type": kinds.get(event.object_type, event.object_type),
        }
        for event in events
    ]


@login_required
def log(request):
    viewer = _admin_viewer(request)
    form, params = _search(request, viewer)
    context = _paginate(request, selectors.audit_log(viewer, form.filters()), params)
    context.update(
        form=form,
        rows=_rows(viewer, context["page"].object_list),
        params=params,
        searching=bool(params),
        csv_query=urlencode(params),
    )
    if request.GET.get("verify") == "1":
        # Walks the whole chain: only when asked for.
        intact, broken_at = audit_chain_verify()
        context["chain"] = {"intact": intact, "broken_at": broken_at, "checked_at": timezone.now()}
    return render(request, "audit/log.html", context)


@login_required
def log_csv(request):
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


def _csv_rows(viewer, events, chunk=2000):
    batch = []
    for event in events.iterator(chunk_size=chunk):
        batch.append(event)
        if len(batch) == chunk:
            yield from _csv_batch(viewer, batch)
            batch = []
    yield from _csv_batch(viewer, batch)


def _csv_batch(viewer, events):
    for row in _rows(viewer, events):
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


@login_required
def resident_log(request, public_id):
    """Who has seen this resident's record: for place admins of the resident's place and
    the holding organisation's caseworkers. Opening it writes one audit event."""
    viewer = request.viewer
    if not viewer:
        raise Http404
    resident = (
        Resident.objects.select_related("organisation")
        .filter(public_id=public_id, place=viewer.place)
        .first()
    )
    if resident is None:
        raise Http404
    holds = access_level(viewer, resident) is Access.FULL
    if not (holds or viewer.is_place_admin):
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.ADMIN,
        object_type="audit.resident_log",
        object_id=resident.public_id,
        resident=resident,
    )
    context = _paginate(request, selectors.resident_audit_log(viewer, resident), {})
    context.update(
        resident=resident,
        holds=holds,
        rows=_rows(viewer, context["page"].object_list),
    )
    return render(request, "audit/resident_log.html", context)
