from django.db import transaction
from django.utils import timezone

from .models import AuditChainHead, AuditEvent

GENESIS = "0" * 64


def audit_record(
    *,
    viewer,
    action,
    purpose,
    obj=None,
    object_type="",
    object_id="",
    resident=None,
    detail=None,
    organisation_id=None,
) -> AuditEvent:
    """Append one audit event for what `viewer` did, chained to the previous event.

    Side effects: inserts an AuditEvent and advances the chain head (row-locked).
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(getattr(obj, "public_id", obj.pk))
    if organisation_id is None and viewer is not None:
        organisation_id = viewer.primary_org_id
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        event = AuditEvent(
            at=timezone.now(),
            place=viewer.place if viewer is not None else None,
            actor_id=viewer.user_id if viewer is not None else None,
            actor_label=viewer.label if viewer is not None else "anonymous",
            organisation_id=organisation_id,
            action=action,
            purpose=purpose,
            object_type=object_type,
            object_id=object_id,
            resident_id=getattr(resident, "public_id", "") or "",
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save()
        AuditChainHead.objects.filter(pk=head.pk).update(last_hash=event.hash)
    return event


def audit_chain_verify() -> tuple[bool, int | None]:
    """Walk the chain in order. Returns (intact, pk of the first broken event or None)."""
    prev = GENESIS
    for event in AuditEvent.objects.order_by("pk").iterator(chunk_size=2000):
        if event.prev_hash != prev or event.compute_hash() != event.hash:
            return False, event.pk
        prev = event.hash
    return True, None
