"""What a caseworker records on the way: conversations, goals and connections."""

from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from ..enums import (
    GoalProgress,
)
from ..models import (
    Connection,
    Conversation,
    Goal,
    Resident,
)
from ._common import _require_full


@transaction.atomic
def conversation_add(
    *, viewer, resident, kind, notes, happened_at=None, next_action="", next_action_due=None
) -> Conversation:
    """Add a 1-to-1 conversation note; its next action becomes the resident's next action.
    Side effects: updates resident.next_action(_due); audit event."""
    _require_full(viewer, resident)
    conversation = Conversation.objects.create(
        resident=resident,
        author_id=viewer.user_id,
        happened_at=happened_at or timezone.now(),
        kind=kind,
        notes=notes,
        next_action=next_action,
        next_action_due=next_action_due,
    )
    Resident.objects.filter(pk=resident.pk).update(
        next_action=next_action, next_action_due=next_action_due, updated_at=timezone.now()
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=conversation,
        object_id=str(conversation.pk),
        resident=resident,
    )
    return conversation


@transaction.atomic
def goal_add(*, viewer, resident, text, progress=GoalProgress.NOT_STARTED) -> Goal:
    _require_full(viewer, resident)
    goal = Goal.objects.create(
        resident=resident, text=text, progress=progress, created_by_id=viewer.user_id
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=goal,
        object_id=str(goal.pk),
        resident=resident,
    )
    return goal


@transaction.atomic
def goal_set_progress(*, viewer, goal, progress) -> Goal:
    """Record progress on a goal; reaching 'done' marks it achieved."""
    _require_full(viewer, goal.resident)
    now = timezone.now()
    goal.progress = GoalProgress(int(progress))
    goal.updated_at = now
    goal.achieved_at = now if goal.progress == GoalProgress.DONE else None
    goal.save(update_fields=["progress", "updated_at", "achieved_at"])
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=goal,
        object_id=str(goal.pk),
        resident=goal.resident,
        detail={"progress": int(progress)},
    )
    return goal


@transaction.atomic
def connection_add(
    *, viewer, resident, kind, name, description="", made_on=None, status="made"
) -> Connection:
    """Record a connection made for the resident (free text until the directory exists)."""
    _require_full(viewer, resident)
    connection = Connection.objects.create(
        resident=resident,
        kind=kind,
        name=name,
        description=description,
        status=status,
        made_on=made_on or timezone.localdate(),
        recorded_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CREATE,
        purpose=Purpose.CASEWORK,
        obj=connection,
        object_id=str(connection.pk),
        resident=resident,
    )
    return connection
