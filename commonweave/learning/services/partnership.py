"""The partnership's set-up and its phase, with the history of phase changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.tenancy.enums import Phase
from commonweave.tenancy.models import Organisation

from ..models import Partnership, PhaseChange
from ..selectors import require_staff
from ._common import clean


@transaction.atomic
def partnership_update(*, viewer, challenge, aims, values, partners, governance) -> Partnership:
    """Place admins shape the partnership's set-up."""
    require_staff(viewer)
    if not viewer.is_place_admin:
        raise Http404
    partnership, _ = Partnership.objects.select_for_update().get_or_create(place=viewer.place)
    partnership.challenge = clean(challenge)
    partnership.aims = clean(aims)
    partnership.values = clean(values)
    partnership.partners = clean(partners)
    partnership.governance = clean(governance)
    partnership.updated_by = viewer.user
    partnership.updated_at = timezone.now()
    partnership.save()
    return partnership


@transaction.atomic
def partnership_set_phase(*, viewer, phase, note="") -> PhaseChange:
    """Move the place to a phase; the history of changes is kept here."""
    require_staff(viewer)
    if not viewer.is_place_admin:
        raise Http404
    if phase not in Phase.values:
        raise ValidationError({"phase": "Choose a phase"})
    place = viewer.place
    place.refresh_from_db(fields=["phase"])
    if place.phase == phase:
        raise ValidationError({"phase": "The partnership is already in this phase"})
    change = PhaseChange.objects.create(
        place=place,
        from_phase=place.phase,
        to_phase=phase,
        note=clean(note),
        changed_by=viewer.user,
    )
    place.phase = phase
    place.save(update_fields=["phase"])
    return change


def organisations_in(viewer):
    return Organisation.objects.filter(place=viewer.place).order_by("name")
