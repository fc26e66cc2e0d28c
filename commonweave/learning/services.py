"""Writes for the learning app: verbs with keyword-only arguments and the viewer.

Bad input raises django ValidationError naming the field; nothing is half-saved (each
service is one transaction). Linking a story to a resident is a change to what is held
about them, so it is audited with the resident; everything else here is about services
and organisations, not people, and is not audited per write.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record
from commonweave.people.access import resident_get
from commonweave.tenancy.enums import Phase
from commonweave.tenancy.models import Organisation

from .enums import OPEN_ACTION_STATUSES, ActionStatus, Column, EntryKind, Level, Quadrant
from .models import (
    Action,
    Attendee,
    Barrier,
    BarrierStory,
    Board,
    Card,
    LevelChange,
    LogEntry,
    Partnership,
    PhaseChange,
    Session,
    Story,
    Tag,
    Vote,
)
from .reminders import get_sender
from .selectors import require_staff, story_consented_ids

NO_STORY_CONSENT = (
    "They have not agreed to their story being used. Write the story without linking it "
    "to their record."
)


def _required(**fields):
    errors = {name: "Enter this" for name, value in fields.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def _own_place(viewer, obj):
    if obj is None or obj.place_id != viewer.place.pk:
        raise Http404


def _org_in_place(viewer, organisation, field):
    if organisation is not None and organisation.place_id != viewer.place.pk:
        raise ValidationError({field: "Choose an organisation in this partnership"})


# --- sessions, attendees, stories ---------------------------------------------------------


@transaction.atomic
def session_create(*, viewer, title, held_on, notes="", decisions="") -> Session:
    require_staff(viewer)
    _required(title=title)
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the session"})
    return Session.objects.create(
        place=viewer.place,
        title=title.strip(),
        held_on=held_on,
        notes=notes.strip(),
        decisions=decisions.strip(),
        created_by=viewer.user,
    )


@transaction.atomic
def session_record(*, viewer, session, notes, decisions) -> Session:
    """Record what was said and decided."""
    require_staff(viewer)
    _own_place(viewer, session)
    session.notes = (notes or "").strip()
    session.decisions = (decisions or "").strip()
    session.save(update_fields=["notes", "decisions"])
    return session


@transaction.atomic
def attendee_add(
    *, viewer, session, name="", user=None, organisation=None, organisation_name=""
) -> Attendee:
    """A member of staff (by user) or someone from outside (name and organisation in words)."""
    require_staff(viewer)
    _own_place(viewer, session)
    _org_in_place(viewer, organisation, "organisation")
    if user is not None:
        name = name or user.name or user.email
    _required(name=name)
    if organisation is None and not (organisation_name or "").strip():
        raise ValidationError({"organisation_name": "Enter the organisation they came from"})
    return Attendee.objects.create(
        session=session,
        user=user,
        name=name.strip(),
        organisation=organisation,
        organisation_name="" if organisation else organisation_name.strip(),
    )


@transaction.atomic
def story_add(*, viewer, session, title, text, resident_public_id="") -> Story:
    """Bring a story to a session. It links to a resident's record only when they agreed to
    their story being used and the viewer may see them; otherwise it stays anonymous.
    Side effects: Story; an audit event (CREATE, with the resident) when linked."""
    require_staff(viewer)
    _own_place(viewer, session)
    _required(title=title, text=text)
    resident = None
    if (resident_public_id or "").strip():
        try:
            resident, _ = resident_get(viewer, resident_public_id.strip())
        except Http404:
            raise ValidationError(
                {"resident": "There is no record with that id that you can see"}
            ) from None
        if resident.pk not in story_consented_ids({resident.pk}):
            raise ValidationError({"resident": NO_STORY_CONSENT})
    story = Story.objects.create(
        place=viewer.place,
        session=session,
        title=title.strip(),
        text=text.strip(),
        resident=resident,
        brought_by_id=viewer.primary_org_id,
        created_by=viewer.user,
    )
    if resident is not None:
        audit_record(
            viewer=viewer,
            action=AuditAction.CREATE,
            purpose=Purpose.CASEWORK,
            obj=story,
            resident=resident,
            detail={"linked": "story"},
        )
    return story


# --- barriers -----------------------------------------------------------------------------


def _touch(barrier, now=None):
    barrier.updated_at = now or timezone.now()
    barrier.save(update_fields=["updated_at"])


@transaction.atomic
def barrier_create(
    *, viewer, title, quadrant, description="", service_area="", story=None
) -> Barrier:
    require_staff(viewer)
    _required(title=title)
    if quadrant not in Quadrant.values:
        raise ValidationError({"quadrant": "Choose where the barrier sits"})
    barrier = Barrier.objects.create(
        place=viewer.place,
        title=title.strip(),
        description=(description or "").strip(),
        quadrant=quadrant,
        service_area=(service_area or "").strip(),
        created_by=viewer.user,
    )
    if story is not None:
        barrier_link_story(viewer=viewer, barrier=barrier, story=story)
    return barrier


@transaction.atomic
def barrier_link_story(*, viewer, barrier, story, seen_on=None) -> BarrierStory:
    """Record that the barrier appeared in this story (one more case)."""
    require_staff(viewer)
    _own_place(viewer, barrier)
    _own_place(viewer, story)
    if seen_on is None:
        seen_on = story.session.held_on if story.session_id else timezone.localdate()
    link, _ = BarrierStory.objects.get_or_create(
        barrier=barrier, story=story, defaults={"seen_on": seen_on}
    )
    _touch(barrier)
    return link


@transaction.atomic
def barrier_set_level(*, viewer, barrier, level, evidence) -> LevelChange:
    """Move a barrier to a learning level, with the evidence in words; history is kept."""
    require_staff(viewer)
    _own_place(viewer, barrier)
    if level not in Level.values:
        raise ValidationError({"level": "Choose a level"})
    _required(evidence=evidence)
    if level == barrier.level:
        raise ValidationError({"level": "The barrier is already at this level"})
    now = timezone.now()
    change = LevelChange.objects.create(
        barrier=barrier,
        from_level=barrier.level,
        to_level=level,
        evidence=evidence.strip(),
        changed_by=viewer.user,
        at=now,
    )
    barrier.level = level
    barrier.level_changed_at = now
    barrier.updated_at = now
    barrier.save(update_fields=["level", "level_changed_at", "updated_at"])
    return change


# --- actions ------------------------------------------------------------------------------


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
    _own_place(viewer, barrier)
    _required(description=description)
    if owner_organisation is None:
        raise ValidationError({"owner_organisation": "Choose the organisation that owns this"})
    _org_in_place(viewer, owner_organisation, "owner_organisation")
    if due_on is None:
        raise ValidationError({"due_on": "Enter the date it is due"})
    if owner is not None and not owner.memberships.filter(organisation=owner_organisation).exists():
        raise ValidationError({"owner": "Choose someone in the owning organisation"})
    if owner is None and not (owner_name or "").strip():
        raise ValidationError({"owner_name": "Enter who will do it"})
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
    _touch(barrier)
    return action


def can_change_action(viewer, action) -> bool:
    return bool(viewer) and (
        action.owner_organisation_id in viewer.member_org_ids
        or viewer.is_place_admin
        or (viewer.user_id is not None and viewer.user_id == action.created_by_id)
    )


@transaction.atomic
def action_set_status(*, viewer, action, status) -> Action:
    """Only the owning organisation, a place admin or whoever set the action may change it."""
    require_staff(viewer)
    _own_place(viewer, action)
    if not can_change_action(viewer, action):
        raise Http404
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Choose a status"})
    action.status = status
    action.done_at = timezone.now() if status == ActionStatus.DONE else None
    action.save(update_fields=["status", "done_at"])
    return action


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


# --- learning log and boards --------------------------------------------------------------


def _tags(place, raw):
    names = []
    for part in (raw or "").split(","):
        name = " ".join(part.split()).lower()[:60]
        if name and name not in names:
            names.append(name)
    return [Tag.objects.get_or_create(place=place, name=name)[0] for name in names]


@transaction.atomic
def log_entry_create(
    *,
    viewer,
    kind,
    title,
    body="",
    tried="",
    happened="",
    learnt="",
    will_change="",
    tags="",
    barriers=(),
) -> LogEntry:
    require_staff(viewer)
    if kind not in EntryKind.values:
        raise ValidationError({"kind": "Choose a reflection or a test-and-learn cycle"})
    _required(title=title)
    if kind == EntryKind.REFLECTION:
        _required(body=body)
    else:
        _required(tried=tried, learnt=learnt)
    for barrier in barriers:
        _own_place(viewer, barrier)
    entry = LogEntry.objects.create(
        place=viewer.place,
        kind=kind,
        title=title.strip(),
        body=(body or "").strip(),
        tried=(tried or "").strip(),
        happened=(happened or "").strip(),
        learnt=(learnt or "").strip(),
        will_change=(will_change or "").strip(),
        organisation_id=viewer.primary_org_id,
        created_by=viewer.user,
    )
    entry.tags.set(_tags(viewer.place, tags))
    entry.barriers.set(barriers)
    return entry


@transaction.atomic
def board_create(*, viewer, title, session=None) -> Board:
    require_staff(viewer)
    _required(title=title)
    if session is not None:
        _own_place(viewer, session)
    return Board.objects.create(
        place=viewer.place, title=title.strip(), session=session, created_by=viewer.user
    )


@transaction.atomic
def card_add(*, viewer, board, column, text) -> Card:
    require_staff(viewer)
    _own_place(viewer, board)
    if column not in Column.values:
        raise ValidationError({"column": "Choose Keep, Amplify, Discard or Create"})
    _required(text=text)
    if len(text.strip()) > 500:
        raise ValidationError({"text": "Use 500 characters or fewer"})
    return Card.objects.create(
        board=board, column=column, text=text.strip(), created_by=viewer.user
    )


@transaction.atomic
def card_vote(*, viewer, card) -> bool:
    """Toggle the viewer's vote on a card; returns True if they now vote for it."""
    require_staff(viewer)
    _own_place(viewer, card.board)
    if viewer.user is None:
        raise ValidationError({"card": "Votes come from people, not systems"})
    deleted, _ = Vote.objects.filter(card=card, user=viewer.user).delete()
    if deleted:
        return False
    Vote.objects.create(card=card, user=viewer.user)
    return True


# --- the partnership ----------------------------------------------------------------------


@transaction.atomic
def partnership_update(*, viewer, challenge, aims, values, partners, governance) -> Partnership:
    """Place admins and coordinators shape the partnership's set-up."""
    require_staff(viewer)
    if not viewer.is_place_admin:
        raise Http404
    partnership, _ = Partnership.objects.select_for_update().get_or_create(place=viewer.place)
    partnership.challenge = (challenge or "").strip()
    partnership.aims = (aims or "").strip()
    partnership.values = (values or "").strip()
    partnership.partners = (partners or "").strip()
    partnership.governance = (governance or "").strip()
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
        note=(note or "").strip(),
        changed_by=viewer.user,
    )
    place.phase = phase
    place.save(update_fields=["phase"])
    return change


def organisations_in(viewer):
    return Organisation.objects.filter(place=viewer.place).order_by("name")
