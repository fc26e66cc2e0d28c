"""Actions: list, change (status or anything else) and remove."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from ninja import Query
from ninja.responses import Status

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Conflict, Detail, Errors

from .. import rules, selectors, services
from . import router
from ._out import action_out
from .barriers import owner_from
from .schemas import ActionFilters, ActionOut, ActionPage, ActionPatch

CHANGE = {400: Errors, 404: Detail, 409: Conflict}


def _current(request, action):
    return action_out(selectors.action_get(request.auth, action.public_id))


@router.get("/learning/actions", response={200: ActionPage, 404: Detail})
def action_list(request, paging: PageParams, filters: Query[ActionFilters]):
    """Actions in the place, soonest due first; filter by organisation, open or overdue."""
    viewer = request.auth
    qs = selectors.actions_for(
        viewer, organisation_id=filters.organisation_id, only_open=filters.open
    )
    today = timezone.localdate()
    if filters.overdue:
        qs = qs.overdue(today)
    rows, envelope = paginate(qs, paging)
    return {**envelope, "items": [action_out(a, today) for a in rows]}


@router.patch("/learning/actions/{public_id}", response={200: ActionOut, **CHANGE})
@answers_conflict(_current)
def action_update(request, public_id: str, payload: ActionPatch):
    """Change an action's status or what, who and when: its owning organisation, a place
    admin or whoever set it. Fields left out stay as they are."""
    viewer = request.auth
    action = selectors.action_get(viewer, public_id)
    if not rules.can_change_action(viewer, action):
        raise Http404
    given = payload.model_dump(exclude_unset=True, exclude={"version"})
    version = payload.version
    details = set(given) - {"status"}
    # One change: both parts are saved, or neither.
    with (
        transaction.atomic(),
        service_errors(owner="owner_id", owner_organisation="owner_organisation_id"),
    ):
        if details:
            organisation, owner = owner_from(
                viewer,
                given.get("owner_organisation_id", action.owner_organisation_id),
                given.get("owner_id", action.owner_id),
            )
            services.action_update(
                viewer=viewer,
                action=action,
                version=version,
                description=given.get("description", action.description),
                owner_organisation=organisation,
                owner=owner,
                owner_name=given.get("owner_name", action.owner_name),
                due_on=given.get("due_on", action.due_on),
            )
            version = action.version
        if "status" in given:
            services.action_set_status(
                viewer=viewer, action=action, status=given["status"], version=version
            )
    return action_out(selectors.action_get(viewer, public_id))


@router.delete("/learning/actions/{public_id}", response={204: None, **CHANGE})
@answers_conflict(_current)
def action_delete(request, public_id: str, version: int):
    """Remove an action set by mistake: whoever set it, or a place admin. (Its owner marks
    it "dropped" instead, so the record of the commitment stays.)"""
    viewer = request.auth
    action = selectors.action_get(viewer, public_id)
    with service_errors():
        services.action_delete(viewer=viewer, action=action, version=version)
    return Status(204, None)
