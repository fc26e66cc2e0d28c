"""Actions on barriers: who does what by when, their status, and reminders.

Actions are commitments between organisations, not records about residents; they are not
audited per write. Every change is guarded by the action's version.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.core.versioning import check_version, guarded_update

from .. import rules
from ..enums import OPEN_ACTION_STATUSES, ActionStatus
from ..models import Action
from ..reminders import get_sender
from ..selectors import require_staff
from ._common import allowed, clean, org_in_place, own_place

can_change_action = rules.can_change_action


def _check_owner(viewer, *, description, owner_organisation, due_on, owner, owner_name):
    errors = {}
    if not clean(description):
        errors["description"] = "Enter this"
    if owner_organisation is None:
        errors["owner_organisation"] = "Choose the organisation that owns this"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due"
    if errors:
        raise ValidationError(errors)
    org_in_place(viewer, owner_organisation, "owner_organisation")
    if owner is not None and not owner.memberships.filter(organisation=owner_organisation).exists():
        raise ValidationError({"owner": "Choose someone in the owning organisation"})
    if owner is None and not clean(owner_name):
        raise ValidationError({"owner_name": "Enter who will do it"})


@transaction.atomic
def action_create(
    *,
    viewer,
    barrier,
    description,
    owner_organisation,
    due_on,
    owner=None,
    owner_name="",
    session=None,
) -> Action:
    require_staff(viewer)
    own_place(viewer, barrier)
    if barrier.withdrawn_at is not None:
        raise ValidationError({"barrier": "This barrier was withdrawn"})
    _check_owner(
        viewer,
        description=description,
        owner_organisation=owner_organisation,
        due_on=due_on,
        owner=owner,
        owner_name=owner_name,
    )
    action = Action.objects.create(
        place=viewer.place,
        barrier=barrier,
        session=session,
        description=description.strip(),
        owner=owner,
        owner_name="" if owner else owner_name.strip(),
        owner_organisation=owner_organisation,
        due_on=due_on,
        created_by=viewer.user,
    )
    barrier.updated_at = timezone.now()
    type(barrier).objects.filter(pk=barrier.pk).update(updated_at=barrier.updated_at)
    return action


@transaction.atomic
def action_update(
    *, viewer, action, version, description, owner_organisation, due_on, owner=None, owner_name=""
) -> Action:
    """Change what will be done, by whom and when. A new due date lets reminders start
    again. Raises Conflict if someone saved the action since `version`."""
    require_staff(viewer)
    own_place(viewer, action)
    allowed(rules.can_change_action, viewer, action)
    _check_owner(
        viewer,
        description=description,
        owner_organisation=owner_organisation,
        due_on=due_on,
        owner=owner,
        owner_name=owner_name,
    )
    changes = {
        "description": description.strip(),
        "owner_organisation": owner_organisation,
        "owner": owner,
        "owner_name": "" if owner else owner_name.strip(),
        "due_on": due_on,
    }
    if due_on != action.due_on:
        changes["last_reminded_on"] = None
    return guarded_update(action, version, **changes)


@transaction.atomic
def action_set_status(*, viewer, action, status, version) -> Action:
    """Only the owning organisation, a place admin or whoever set the action may change it."""
    require_staff(viewer)
    own_place(viewer, action)
    allowed(rules.can_change_action, viewer, action)
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status"})
    done_at = action.done_at if action.status == status else None
    if status == ActionStatus.DONE and done_at is None:
        done_at = timezone.now()
    return guarded_update(action, version, status=status, done_at=done_at)


@transaction.atomic
def action_delete(*, viewer, action, version) -> None:
    """Remove an action set by mistake: whoever set it, or a place admin. (Its owner marks
    it "no longer needed" instead, so the record of the commitment stays.)"""
    require_staff(viewer)
    own_place(viewer, action)
    allowed(rules.can_delete_action, viewer, action)
    check_version(action, version)
    action.delete()


def _reminder_text(action, today):
    days = (action.due_on - today).days
    when = (
        f"was due on {action.due_on:%-d %B %Y} ({-days} days ago)"
        if days < 0
        else "is due today"
        if days == 0
        else f"is due on {action.due_on:%-d %B %Y}"
    )
    subject = "Overdue action" if days < 0 else "Action due soon"
    body = (
        f"An action your organisation took on {when}.\n\n"
        f"Action: {action.description}\n"
        f"Barrier: {action.barrier.title}\n"
    )
    return subject, body


def action_reminders_send(*, today=None, within_days=7, sender=None, place=None) -> dict:
    """Remind owners of open actions that are overdue or due within `within_days`, at most
    once a day each. Owners written in by name (no account) cannot be reached and are
    counted. Returns {"sent": n, "unreachable": n}. Side effects: Action.last_reminded_on."""
    today = today or timezone.localdate()
    sender = sender or get_sender()
    qs = (
        Action.objects.filter(
            status__in=OPEN_ACTION_STATUSES, due_on__lte=today + datetime.timedelta(within_days)
        )
        .exclude(last_reminded_on=today)
        .select_related("owner", "barrier")
        .order_by("due_on", "pk")
    )
    if place is not None:
        qs = qs.filter(place=place)
    sent = unreachable = 0
    for action in qs:
        if action.owner is None or not action.owner.email or not action.owner.is_active:
            unreachable += 1
            continue
        subject, body = _reminder_text(action, today)
        sender.send(action.owner.email, subject, body)
        Action.objects.filter(pk=action.pk).update(last_reminded_on=today)
        sent += 1
    return {"sent": sent, "unreachable": unreachable}
