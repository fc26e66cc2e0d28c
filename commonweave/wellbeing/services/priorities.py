"""Priorities a resident picks among their areas of life, and marking them met."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from ..enums import AchievementKind
from ..models import Achievement, Priority
from .checkins import _require_full
from .lifemap import current_lifemap


@transaction.atomic
def priority_add(*, viewer, resident, area_key, why_now, will_do, by_when=None) -> Priority:
    """A priority the resident picked. Side effects: a priority, one audit event."""
    _require_full(viewer, resident)
    area = current_lifemap(resident.place).areas.filter(key=area_key).first()
    errors = {}
    if area is None:
        errors["area"] = "Choose an area of life"
    if not (why_now or "").strip():
        errors["why_now"] = "Say why it matters now"
    if not (will_do or "").strip():
        errors["will_do"] = "Say what they will do"
    if errors:
        raise ValidationError(errors)
    priority = Priority.objects.create(
        resident=resident,
        area_key=area.key,
        area_name=area.name,
        why_now=why_now.strip(),
        will_do=will_do.strip(),
        by_when=by_when,
        created_by=viewer.user,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        object_type="wellbeing.priority",
        object_id=str(priority.pk),
        resident=resident,
    )
    return priority


@transaction.atomic
def priority_met(*, viewer, priority) -> Priority:
    """Mark a priority met. Side effects: met_at, an achievement, one audit event."""
    _require_full(viewer, priority.resident)
    if priority.met_at is not None:
        return priority
    priority.met_at = timezone.now()
    priority.save(update_fields=["met_at"])
    Achievement.objects.create(
        resident=priority.resident,
        kind=AchievementKind.PRIORITY_MET,
        area_key=priority.area_key,
        description=f"Priority met: {priority.area_name}",
        at=priority.met_at,
        priority=priority,
    )
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        object_type="wellbeing.priority",
        object_id=str(priority.pk),
        resident=priority.resident,
    )
    return priority
