"""The partnership's set-up and phase: everyone on the staff of the place reads them; place
admins change them, and every change is kept in the history."""

from django.http import Http404

from commonweave.core.api.conflicts import answers_conflict
from commonweave.core.api.errors import service_errors
from commonweave.core.api.schemas import Conflict, Detail, Errors

from .. import rules, selectors, services
from . import router
from ._out import partnership_out
from .schemas import PartnershipOut, PartnershipPatch, PhaseIn


def _current(request, _partnership):
    return partnership_out(request.auth)


@router.get("/learning/partnership", response={200: PartnershipOut, 404: Detail})
def partnership_detail(request):
    """The challenge, broad aims, values, partners, governance and phase, with the history
    of changes (newest first)."""
    viewer = selectors.require_staff(request.auth)
    return partnership_out(viewer)


@router.patch(
    "/learning/partnership",
    response={200: PartnershipOut, 400: Errors, 404: Detail, 409: Conflict},
)
@answers_conflict(_current)
def partnership_update(request, payload: PartnershipPatch):
    """Change parts of the set-up (place admins). `aims` and `values` are lists, one aim or
    value each; parts left out stay as they are. Send the version you started from."""
    viewer = selectors.require_staff(request.auth)
    if not rules.can_change_partnership(viewer):
        raise Http404
    given = payload.model_dump(exclude_unset=True, exclude={"version"})
    for part in ("aims", "values"):
        if part in given:
            given[part] = "\n".join(given[part])
    with service_errors():
        services.partnership_update(viewer=viewer, version=payload.version, **given)
    return partnership_out(viewer)


@router.post(
    "/learning/partnership/phase", response={200: PartnershipOut, 400: Errors, 404: Detail}
)
def partnership_phase(request, payload: PhaseIn):
    """Move the partnership to another phase, saying why (place admins)."""
    viewer = selectors.require_staff(request.auth)
    if not rules.can_change_partnership(viewer):
        raise Http404
    with service_errors():
        services.partnership_set_phase(viewer=viewer, phase=payload.phase, note=payload.note)
    return partnership_out(viewer)
