"""Sessions, the people who came, and the stories brought to them.

A story linked to a resident is personal data: linking, changing and removing it is
audited with the resident. Removing a session removes its attendees and stories (and so
the cases they gave barriers); its barriers and actions stay in the register.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from commonweave.audit.enums import Action as AuditAction
from commonweave.audit.enums import Purpose
from commonweave.audit.services import audit_record
from commonweave.core.versioning import check_version, guarded_update
from commonweave.people.access import resident_get

from .. import rules
from ..models import Attendee, Barrier, Session, Story
from ..selectors import require_staff, story_consented_ids, story_link_alive
from ._common import NO_STORY_CONSENT, allowed, clean, org_in_place, own_place, required

KEEP = object()  # story_update: leave the resident link as it is


@transaction.atomic
def session_create(*, viewer, title, held_on, notes="", decisions="") -> Session:
    require_staff(viewer)
    required(title=title)
    if held_on is None:
        raise ValidationError({"held_on": "Enter the date of the session"})
    return Session.objects.create(
        place=viewer.place,
        title=title.strip(),
        held_on=held_on,
        notes=clean(notes),
        decisions=clean(decisions),
        created_by=viewer.user,
    )


@transaction.atomic
def session_update(
    *, viewer, session, version, title=None, held_on=None, notes=None, decisions=None
) -> Session:
    """Change what is given (None leaves a field as it is), guarded by `version`.
    Raises Conflict if someone saved the session since."""
    require_staff(viewer)
    own_place(viewer, session)
    allowed(rules.can_edit_session, viewer, session)
    changes = {}
    if title is not None:
        required(title=title)
        changes["title"] = title.strip()
    if held_on is not None:
        changes["held_on"] = held_on
    if notes is not None:
        changes["notes"] = clean(notes)
    if decisions is not None:
        changes["decisions"] = clean(decisions)
    return guarded_update(session, version, **changes)


def session_record(*, viewer, session, version, notes, decisions) -> Session:
    """Record what was said and decided (the session page's own form)."""
    return session_update(
        viewer=viewer, session=session, version=version, notes=notes, decisions=decisions
    )


@transaction.atomic
def session_delete(*, viewer, session, version) -> dict:
    """Remove a session with its attendees and stories. Barriers lose those cases (their
    history stays); actions and boards stay, no longer tied to the session.
    Side effects: one audit event for the session, one per story linked to a resident."""
    require_staff(viewer)
    own_place(viewer, session)
    allowed(rules.can_delete_session, viewer, session)
    check_version(session, version)
    stories = list(session.stories.select_related("resident"))
    attendees = session.attendees.count()
    for story in stories:
        _story_remove(viewer, story)
    summary = {"stories": len(stories), "attendees": attendees}
    audit_record(
        viewer=viewer, action=AuditAction.DELETE, purpose=Purpose.ADMIN, obj=session, detail=summary
    )
    session.delete()
    return summary


# --- attendees ----------------------------------------------------------------------------


@transaction.atomic
def attendee_add(
    *, viewer, session, name="", user=None, organisation=None, organisation_name=""
) -> Attendee:
    """A member of staff (by user) or someone from outside (name and organisation in words)."""
    require_staff(viewer)
    own_place(viewer, session)
    org_in_place(viewer, organisation, "organisation")
    if user is not None:
        name = name or user.name or user.email
    required(name=name)
    if organisation is None and not clean(organisation_name):
        raise ValidationError({"organisation_name": "Enter the organisation they came from"})
    return Attendee.objects.create(
        session=session,
        user=user,
        name=name.strip(),
        organisation=organisation,
        organisation_name="" if organisation else organisation_name.strip(),
    )


@transaction.atomic
def attendee_remove(*, viewer, attendee) -> None:
    """Take someone off a session's list (a name is personal data: audited, by id)."""
    require_staff(viewer)
    own_place(viewer, attendee.session)
    allowed(rules.can_edit_session, viewer, attendee.session)
    audit_record(
        viewer=viewer,
        action=AuditAction.DELETE,
        purpose=Purpose.ADMIN,
        obj=attendee,
        detail={"session": attendee.session.public_id},
    )
    attendee.delete()


# --- stories ------------------------------------------------------------------------------


def _consented_resident(viewer, public_id):
    """The resident to link, if the viewer may see them and they agreed to their story
    being used; otherwise a ValidationError on `resident`."""
    try:
        resident, _ = resident_get(viewer, public_id.strip())
    except Http404:
        raise ValidationError(
            {"resident": "There is no record with that id that you can see"}
        ) from None
    if resident.pk not in story_consented_ids({resident.pk}):
        raise ValidationError({"resident": NO_STORY_CONSENT})
    return resident


_STORY_AUDIT = {"linked": AuditAction.CREATE, "deleted": AuditAction.DELETE}


def _audit_story(viewer, story, resident, change):
    audit_record(
        viewer=viewer,
        action=_STORY_AUDIT.get(change, AuditAction.UPDATE),
        purpose=Purpose.CASEWORK,
        obj=story,
        resident=resident,
        detail={"story": change},
    )


@transaction.atomic
def story_add(*, viewer, session, title, text, resident_public_id="") -> Story:
    """Bring a story to a session. It links to a resident's record only when they agreed to
    their story being used and the viewer may see them; otherwise it stays anonymous.
    Side effects: Story; an audit event (CREATE, with the resident) when linked."""
    require_staff(viewer)
    own_place(viewer, session)
    required(title=title, text=text)
    resident = None
    if clean(resident_public_id):
        resident = _consented_resident(viewer, resident_public_id)
    now = timezone.now()
    story = Story.objects.create(
        place=viewer.place,
        session=session,
        title=title.strip(),
        text=text.strip(),
        resident=resident,
        resident_linked_at=now if resident else None,
        brought_by_id=viewer.primary_org_id,
        created_by=viewer.user,
        created_at=now,
    )
    if resident is not None:
        _audit_story(viewer, story, resident, "linked")
    return story


@transaction.atomic
def story_update(*, viewer, story, version, title, text, resident_public_id=KEEP) -> Story:
    """Change a story's words and, with the same consent rule as when it was written, who
    it is about ("" removes the link). Guarded by `version`.
    Side effects: an audit event with each resident whose story changed."""
    require_staff(viewer)
    own_place(viewer, story)
    allowed(rules.can_change_story, viewer, story)
    required(title=title, text=text)
    changes = {"title": title.strip(), "text": text.strip()}
    old = before = story.resident
    after = before
    if resident_public_id is not KEEP:
        wanted = clean(resident_public_id)
        alive = story_link_alive(story)
        if not alive:
            # A link ended by a withdrawal of consent is no link: naming the resident again
            # (with consent given since) makes a new one; anyone may clear it.
            before = after = None if wanted else before
        if alive and wanted != before.public_id:
            # Only someone who may see who it is about may move or remove the link.
            try:
                resident_get(viewer, before.public_id)
            except Http404:
                raise ValidationError(
                    {"resident": "You cannot change who this story is about"}
                ) from None
        if wanted and (before is None or wanted != before.public_id):
            after = _consented_resident(viewer, wanted)
        elif not wanted:
            after = None
    if after != before:
        changes["resident"] = after
        changes["resident_linked_at"] = timezone.now() if after else None
    guarded_update(story, version, **changes)
    if old is not None and after != old:
        _audit_story(viewer, story, old, "unlinked")
    if after is not None:
        _audit_story(viewer, story, after, "linked" if after != before else "changed")
    return story


def _story_remove(viewer, story):
    barrier_ids = list(story.barrier_links.values_list("barrier_id", flat=True))
    if story.resident_id is not None:
        _audit_story(viewer, story, story.resident, "deleted")
    story.delete()
    # Their case counts changed: the register shows them as recently touched.
    Barrier.objects.filter(pk__in=barrier_ids).update(updated_at=timezone.now())


@transaction.atomic
def story_delete(*, viewer, story, version) -> None:
    """Withdraw a story from its session: it and the cases it gave barriers go.
    Side effects: an audit event with the resident when it was linked to one."""
    require_staff(viewer)
    own_place(viewer, story)
    allowed(rules.can_change_story, viewer, story)
    check_version(story, version)
    _story_remove(viewer, story)
