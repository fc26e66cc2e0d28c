"""The learning log: reflections and test-and-learn cycles, searchable, tagged to themes
and barriers. Everyone on the staff of the place reads and adds; changing or removing an
entry is for its author, their organisation or a place admin (learning.rules)."""

from django.http import Http404
from ninja import Query
from ninja.responses import Status

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors

from .. import rules, selectors, services
from ..models import Barrier
from . import router
from ._out import log_entry_out
from .schemas import LogEntryIn, LogEntryOut, LogEntryPage, LogEntryPatch, LogFilters

BAD = {400: Errors, 404: Detail}
CHANGE = {400: Errors, 404: Detail, 409: Conflict}
TEXTS = ("body", "tried", "happened", "learnt", "will_change")


def _current(request, entry):
    return log_entry_out(request.auth, selectors.log_entry_get(request.auth, entry.public_id))


def _barriers(viewer, public_ids, *, already=()):
    """The barriers named by id, in the place; a withdrawn one only if already linked."""
    wanted = list(dict.fromkeys(public_ids))
    found = {
        b.public_id: b for b in Barrier.objects.filter(place=viewer.place, public_id__in=wanted)
    }
    for public_id in wanted:
        barrier = found.get(public_id)
        if barrier is None:
            raise InvalidInput({"barrier_ids": f"There is no barrier with the id {public_id}"})
        if barrier.withdrawn_at is not None and barrier.pk not in already:
            raise InvalidInput({"barrier_ids": f"The barrier {public_id} was withdrawn"})
    return [found[p] for p in wanted]


@router.get("/learning/log", response={200: LogEntryPage, **BAD})
def log_list(request, paging: PageParams, filters: Query[LogFilters]):
    """The back catalogue, newest first: every word of `q` must appear somewhere in an
    entry (its words or themes); `tag`, `kind` and `barrier_id` narrow it further."""
    viewer = request.auth
    barrier = None
    if filters.barrier_id:
        barrier = Barrier.objects.filter(place=viewer.place, public_id=filters.barrier_id).first()
        if barrier is None:
            raise InvalidInput({"barrier_id": "There is no barrier with that id"})
    qs = selectors.log_search(
        viewer, q=filters.q, tag=filters.tag, kind=filters.kind or "", barrier=barrier
    )
    rows, envelope = paginate(qs, paging)
    return {**envelope, "items": [log_entry_out(viewer, e) for e in rows]}


@router.post("/learning/log", response={201: LogEntryOut, **BAD})
def log_create(request, payload: LogEntryIn):
    viewer = request.auth
    selectors.require_staff(viewer)
    barriers = _barriers(viewer, payload.barrier_ids)
    with service_errors():
        entry = services.log_entry_create(
            viewer=viewer,
            kind=payload.kind,
            title=payload.title,
            tags=payload.tags,
            barriers=barriers,
            **{name: getattr(payload, name) for name in TEXTS},
        )
    return Status(201, log_entry_out(viewer, selectors.log_entry_get(viewer, entry.public_id)))


@router.get("/learning/log/{public_id}", response={200: LogEntryOut, 404: Detail})
def log_detail(request, public_id: str):
    viewer = request.auth
    return log_entry_out(viewer, selectors.log_entry_get(viewer, public_id))


@router.patch("/learning/log/{public_id}", response={200: LogEntryOut, **CHANGE})
@answers_conflict(_current)
def log_update(request, public_id: str, payload: LogEntryPatch):
    """Rewrite an entry, its themes or barriers: its author, their organisation or a place
    admin. Fields left out stay as they are; `tags` and `barrier_ids` replace the lists."""
    viewer = request.auth
    entry = selectors.log_entry_get(viewer, public_id)
    if not rules.can_change_entry(viewer, entry):
        raise Http404
    given = payload.model_dump(exclude_unset=True, exclude={"version"})
    linked = {b.pk for b in entry.barriers.all()}
    barriers = (
        _barriers(viewer, given["barrier_ids"], already=linked)
        if "barrier_ids" in given
        else list(entry.barriers.all())
    )
    with service_errors():
        services.log_entry_update(
            viewer=viewer,
            entry=entry,
            version=payload.version,
            kind=given.get("kind", entry.kind),
            title=given.get("title", entry.title),
            tags=given.get("tags", [t.name for t in entry.tags.all()]),
            barriers=barriers,
            **{name: given.get(name, getattr(entry, name)) for name in TEXTS},
        )
    return log_entry_out(viewer, selectors.log_entry_get(viewer, public_id))


@router.delete("/learning/log/{public_id}", response={204: None, **CHANGE})
@answers_conflict(_current)
def log_delete(request, public_id: str, version: int):
    """Remove an entry (its author, their organisation or a place admin). Send the version
    you last saw."""
    viewer = request.auth
    entry = selectors.log_entry_get(viewer, public_id)
    with service_errors():
        services.log_entry_delete(viewer=viewer, entry=entry, version=version)
    return Status(204, None)
