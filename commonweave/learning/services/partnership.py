"""The partnership's set-up and its phase, each with the history of its changes."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.core.versioning import guarded_update
from commonweave.tenancy.enums import Phase
from commonweave.tenancy.models import Organisation

from .. import rules
from ..models import Partnership, PartnershipChange, PhaseChange
from ..selectors import require_staff
from ._common import allowed, clean

SETUP_FIELDS = PartnershipChange.PARTS


@transaction.atomic
def partnership_update(*, viewer, version, **parts) -> Partnership:
    """Change the set-up (place admins). Parts left out (or None) stay as they are; the
    change is guarded by `version` (Conflict if someone saved since).
    Side effects: a PartnershipChange with each changed part's before and after."""
    require_staff(viewer)
    allowed(rules.can_change_partnership, viewer, None)
    unknown = set(parts) - set(SETUP_FIELDS)
    if unknown:
        raise TypeError(f"Unknown parts: {sorted(unknown)}")
    partnership, _ = Partnership.objects.get_or_create(place=viewer.place)
    wanted = {name: clean(value) for name, value in parts.items() if value is not None}
    changed = {k: v for k, v in wanted.items() if getattr(partnership, k) != v}
    before = {k: getattr(partnership, k) for k in changed}
    now = timezone.now()
    guarded_update(partnership, version, **changed, updated_by=viewer.user, updated_at=now)
    if changed:
        PartnershipChange.objects.create(
            place=viewer.place,
            changes={k: [before[k], changed[k]] for k in changed},
            changed_by=viewer.user,
            at=now,
        )
    return partnership


@transaction.atomic
def partnership_set_phase(*, viewer, phase, note="") -> PhaseChange:
    """Move the place to a phase; the history of changes is kept here."""
    require_staff(viewer)
    allowed(rules.can_change_partnership, viewer, None)
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
