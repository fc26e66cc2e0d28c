"""The barrier register: list, suggest, record, correct, withdraw, learn, act."""

from django.utils import timezone
from ninja import Query
from ninja.responses import Status

from commonweave.accounts.models import User
from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors
from commonweave.tenancy.models import Organisation

from .. import selectors, services
from ..models import Barrier, Story
from . import router
from ._out import action_out, barrier_out, barrier_summary
from .schemas import (
    ActionIn,
    ActionOut,
    BarrierFilters,
    BarrierIn,
    BarrierOut,
    BarrierPage,
    BarrierPatch,
    LevelIn,
    SimilarIn,
    SimilarOut,
    WithdrawIn,
)

NOT_FOUND = {404: Detail}
BAD = {400: Errors, 404: Detail}
CHANGE = {400: Errors, 404: Detail, 409: Conflict}


def _current(request, barrier):
    return barrier_out(request.auth, barrier)


@router.get("/learning/barriers", response={200: BarrierPage, 404: Detail})
def barrier_list(request, paging: PageParams, filters: Query[BarrierFilters]):
    """The barrier register with how many cases each has (published), most recently
    touched first; `withdrawn=true` lists the withdrawn ones instead."""
    viewer = request.auth
    qs = selectors.barriers_for(
        viewer,
        q=filters.q,
        quadrant=filters.quadrant or "",
        level=filters.level or "",
        withdrawn=filters.withdrawn,
    )
    rows, envelope = paginate(qs, paging)
    cases = selectors.case_counts([b.pk for b in rows], keyed=True)
    return {**envelope, "items": [barrier_summary(viewer, b, cases[b.pk]) for b in rows]}


@router.post("/learning/barriers/similar", response={200: list[SimilarOut], **BAD})
def barrier_similar(request, payload: SimilarIn):
    """Barriers already in the register that read like this text, best first."""
    found = selectors.similar_barriers(request.auth, payload.text)
    return [{"public_id": b.public_id, "title": b.title, "score": score} for b, score in found]


@router.post("/learning/barriers", response={201: BarrierOut, **BAD})
def barrier_create(request, payload: BarrierIn):
    viewer = request.auth
    selectors.require_staff(viewer)
    story = None
    if payload.story_id:
        story = Story.objects.filter(place=viewer.place, public_id=payload.story_id).first()
        if story is None:
            raise InvalidInput({"story_id": "There is no story with that id"})
    with service_errors():
        barrier = services.barrier_create(
            viewer=viewer,
            title=payload.title,
            description=payload.description,
            quadrant=payload.quadrant,
            service_area=payload.service_area,
            story=story,
        )
    return Status(201, barrier_out(viewer, barrier))


@router.get("/learning/barriers/{public_id}", response={200: BarrierOut, **NOT_FOUND})
def barrier_detail(request, public_id: str):
    viewer = request.auth
    return barrier_out(viewer, selectors.barrier_get(viewer, public_id))


@router.patch("/learning/barriers/{public_id}", response={200: BarrierOut, **CHANGE})
@answers_conflict(_current)
def barrier_update(request, public_id: str, payload: BarrierPatch):
    """Correct the words or classification; each change is kept in its history."""
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    with service_errors():
        services.barrier_update(
            viewer=viewer, barrier=barrier, **payload.model_dump(exclude_unset=True)
        )
    return barrier_out(viewer, barrier)


@router.post("/learning/barriers/{public_id}/withdraw", response={200: BarrierOut, **CHANGE})
@answers_conflict(_current)
def barrier_withdraw(request, public_id: str, payload: WithdrawIn):
    """Withdraw a barrier (whoever recorded it, or a place admin). It is never deleted: it
    leaves the register with its history kept. With `same_as_id`, its stories, actions
    and log entries move to that barrier."""
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    same_as = None
    if payload.same_as_id:
        same_as = Barrier.objects.filter(place=viewer.place, public_id=payload.same_as_id).first()
        if same_as is None:
            raise InvalidInput({"same_as_id": "There is no barrier with that id"})
    with service_errors(same_as="same_as_id"):
        services.barrier_withdraw(
            viewer=viewer,
            barrier=barrier,
            version=payload.version,
            reason=payload.reason,
            same_as=same_as,
        )
    return barrier_out(viewer, barrier)


@router.post("/learning/barriers/{public_id}/level", response={200: BarrierOut, **BAD})
def barrier_level(request, public_id: str, payload: LevelIn):
    """Move the barrier to a learning level with the evidence in words."""
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    with service_errors():
        services.barrier_set_level(
            viewer=viewer, barrier=barrier, level=payload.level, evidence=payload.evidence
        )
    return barrier_out(viewer, barrier)


def owner_from(viewer, organisation_id, owner_id):
    """The owning organisation (and person) named by id, or a 400 naming the field."""
    organisation = Organisation.objects.filter(place=viewer.place, pk=organisation_id).first()
    if organisation is None:
        raise InvalidInput({"owner_organisation_id": "Choose an organisation in this place"})
    owner = None
    if owner_id is not None:
        owner = User.objects.filter(
            pk=owner_id, memberships__organisation=organisation, is_active=True
        ).first()
        if owner is None:
            raise InvalidInput({"owner_id": "Choose someone in the owning organisation"})
    return organisation, owner


@router.post("/learning/barriers/{public_id}/actions", response={201: ActionOut, **BAD})
def action_create(request, public_id: str, payload: ActionIn):
    viewer = request.auth
    barrier = selectors.barrier_get(viewer, public_id)
    organisation, owner = owner_from(viewer, payload.owner_organisation_id, payload.owner_id)
    with service_errors(owner="owner_id", owner_organisation="owner_organisation_id"):
        action = services.action_create(
            viewer=viewer,
            barrier=barrier,
            description=payload.description,
            owner_organisation=organisation,
            owner=owner,
            owner_name=payload.owner_name,
            due_on=payload.due_on,
        )
    return Status(201, action_out(action, timezone.localdate()))
