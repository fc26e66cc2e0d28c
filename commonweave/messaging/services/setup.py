"""A place's text set-up."""

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from ..models import MessagingSetup

SETUP_FIELDS = (
    "provider",
    "urgent_words",
    "acknowledgement",
    "acknowledgement_out_of_hours",
    "opens_at",
    "closes_at",
    "open_days",
)


@transaction.atomic
def setup_save(*, viewer, data) -> MessagingSetup:
    """Save the place's text set-up (place admins only; others Http404).
    Side effects: MessagingSetup, audit event naming the fields."""
    if not viewer.is_place_admin:
        raise Http404
    setup, _created = MessagingSetup.objects.update_or_create(
        place=viewer.place,
        defaults={**{f: data[f] for f in SETUP_FIELDS if f in data}, "updated_at": timezone.now()},
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="messaging.messagingsetup",
        object_id=str(setup.pk),
        detail={"fields": sorted(f for f in SETUP_FIELDS if f in data)},
    )
    return setup
