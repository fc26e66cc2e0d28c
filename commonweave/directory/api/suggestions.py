"""Suggestions: anyone may suggest a new entry or a correction without an account (with the
suggest page's spam trap and hourly limit per address); coordinators and place admins see
each one beside the current entry and accept or reject it with a reason."""

from django.http import Http404
from ninja import Query, Router
from ninja.responses import Status

from commonweave.core.api.errors import InvalidInput
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.tenancy.models import Place

from .. import services
from ..enums import SuggestionStatus
from ..forms import SuggestionForm
from ..models import Service, Suggestion
from ..views.common import over_rate_limit
from ._common import editor, named, raise_form_errors
from .schemas import (
    Message,
    ReviewIn,
    SuggestionDetail,
    SuggestionFilter,
    SuggestionIn,
    SuggestionOut,
    SuggestionPage,
)

router = Router(tags=["Directory: suggestions"])

THANKS = {"detail": "Thank you. A coordinator will check your suggestion."}
LIMITED = {"detail": "Too many suggestions from this address in the last hour: try again later."}


@router.post(
    "/directory/suggestions",
    auth=None,
    response={202: Message, 400: Errors, 429: Message},
    summary="Suggest an entry or a correction (no account needed)",
)
def suggestion_submit(request, payload: SuggestionIn):
    """Open to anyone, like the suggest page, with its protections: a filled-in
    `website_address` (a trap for robots) is thanked and dropped, and one address may make
    20 suggestions an hour (then 429). Nothing shows until a coordinator accepts it."""
    place = Place.objects.filter(slug=payload.place).first()
    if place is None:
        raise InvalidInput({"place": "There is no directory with this name"})
    service = None
    if payload.entry_id is not None:
        service = Service.objects.filter(place=place, pk=payload.entry_id).first()
        if service is None:
            raise InvalidInput({"entry_id": "This directory has no entry with this id"})
    if payload.website_address:
        return Status(202, THANKS)
    # As on the page: a correction starts from the entry as it is, a new entry from a group.
    if service is not None:
        data = {f: getattr(service, f) for f in SuggestionForm.base_fields if hasattr(service, f)}
    else:
        data = {"kind": "group"}
    sent = payload.model_dump(exclude_unset=True, exclude={"place", "entry_id", "website_address"})
    data.update({name: getattr(value, "value", value) for name, value in sent.items()})
    form = SuggestionForm(data)
    if not form.is_valid():
        raise_form_errors(form)
    if over_rate_limit(request):
        return Status(429, LIMITED)
    proposed = {k: v for k, v in form.cleaned_data.items() if k != "comment"}
    services.suggestion_create(
        place=place, service=service, proposed=proposed, comment=form.cleaned_data["comment"]
    )
    return Status(202, THANKS)


def _suggestion_out(suggestion):
    return {
        "id": suggestion.public_id,
        "entry": named(suggestion.service),
        "status": suggestion.status,
        "proposed": suggestion.proposed,
        "comment": suggestion.comment,
        "created_at": suggestion.created_at,
        "reason": suggestion.reason,
        "reviewed_at": suggestion.reviewed_at,
    }


def _suggestion_get(viewer, public_id):
    suggestion = (
        Suggestion.objects.select_related("service")
        .filter(place=viewer.place, public_id=public_id)
        .first()
    )
    if suggestion is None:
        raise Http404
    return suggestion


def _rows(suggestion):
    """Each proposed field beside the entry's current value ("" for a new entry)."""
    rows = []
    for name in services.SERVICE_FIELDS:
        if name not in suggestion.proposed:
            continue
        current = getattr(suggestion.service, name) if suggestion.service else ""
        rows.append(
            {
                "field": name,
                "label": str(Service._meta.get_field(name).verbose_name).capitalize(),
                "current": current,
                "proposed": suggestion.proposed[name],
            }
        )
    return rows


@router.get(
    "/directory/suggestions",
    response={200: SuggestionPage, 400: Errors, 404: Detail},
    summary="Suggestions to review",
)
def suggestion_list(request, paging: PageParams, filters: Query[SuggestionFilter]):
    """Coordinators and place admins: the place's suggestions, oldest first (those waiting
    for review unless `status` says otherwise)."""
    viewer = editor(request.auth)
    found = Suggestion.objects.filter(place=viewer.place, status=filters.status).select_related(
        "service"
    )
    rows, envelope = paginate(found.order_by("created_at", "pk"), paging)
    return {**envelope, "items": [_suggestion_out(s) for s in rows]}


@router.get(
    "/directory/suggestions/{public_id}",
    response={200: SuggestionDetail, 404: Detail},
    summary="A suggestion beside the current entry",
)
def suggestion_detail(request, public_id: str):
    viewer = editor(request.auth)
    suggestion = _suggestion_get(viewer, public_id)
    return {**_suggestion_out(suggestion), "rows": _rows(suggestion)}


@router.post(
    "/directory/suggestions/{public_id}/review",
    response={200: SuggestionOut, 400: Errors, 404: Detail},
    summary="Accept or reject a suggestion",
)
def suggestion_review(request, public_id: str, payload: ReviewIn):
    """Accepting applies it to the entry (or adds the new entry), recorded in the entry's
    history with the reason; rejecting keeps the reason. A suggestion is reviewed once."""
    viewer = editor(request.auth)
    suggestion = _suggestion_get(viewer, public_id)
    if suggestion.status != SuggestionStatus.PENDING:
        raise InvalidInput({"__all__": "This suggestion has already been reviewed"})
    services.suggestion_review(
        viewer=viewer,
        suggestion=suggestion,
        accept=payload.decision == "accept",
        reason=payload.reason,
    )
    return _suggestion_out(suggestion)
