"""The barrier register: record, link to stories, learn, correct and withdraw.

Barriers describe how services work, not people, so they are not audited per write; their
own history (LevelChange, BarrierChange) keeps every change, and a barrier is withdrawn,
never deleted.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.core.versioning import check_version, guarded_update

from .. import rules
from ..enums import Level, Quadrant
from ..models import Action, Barrier, BarrierChange, BarrierStory, LevelChange
from ..selectors import require_staff
from ._common import allowed, clean, own_place, required

EDITABLE = ("title", "description", "quadrant", "service_area")


def _active(barrier):
    if barrier.withdrawn_at is not None:
        raise ValidationError({"barrier": "This barrier was withdrawn"})


def _touch(barrier, now=None):
    barrier.updated_at = now or timezone.now()
    Barrier.objects.filter(pk=barrier.pk).update(updated_at=barrier.updated_at)


def _check_words(title, quadrant):
    required(title=title)
    if quadrant not in Quadrant.values:
        raise ValidationError({"quadrant": "Choose where the barrier sits"})


@transaction.atomic
def barrier_create(
    *, viewer, title, quadrant, description="", service_area="", story=None
) -> Barrier:
    require_staff(viewer)
    _check_words(title, quadrant)
    barrier = Barrier.objects.create(
        place=viewer.place,
        title=title.strip(),
        description=clean(description),
        quadrant=quadrant,
        service_area=clean(service_area),
        created_by=viewer.user,
        created_by_token=viewer.token,
    )
    if story is not None:
        barrier_link_story(viewer=viewer, barrier=barrier, story=story)
    return barrier


@transaction.atomic
def barrier_update(
    *, viewer, barrier, version, title=None, description=None, quadrant=None, service_area=None
) -> Barrier:
    """Correct the words or classification (None leaves a field as it is), guarded by
    `version`. Side effects: a BarrierChange with each field's before and after."""
    require_staff(viewer)
    own_place(viewer, barrier)
    allowed(rules.can_edit_barrier, viewer, barrier)
    wanted = {
        "title": title.strip() if title is not None else barrier.title,
        "description": clean(description) if description is not None else barrier.description,
        "quadrant": quadrant if quadrant is not None else barrier.quadrant,
        "service_area": clean(service_area) if service_area is not None else barrier.service_area,
    }
    _check_words(wanted["title"], wanted["quadrant"])
    changed = {k: v for k, v in wanted.items() if getattr(barrier, k) != v}
    before = {k: getattr(barrier, k) for k in changed}
    now = timezone.now()
    guarded_update(barrier, version, **changed, updated_at=now)
    if changed:
        words = {k: [before[k], changed[k]] for k in changed}
        if "quadrant" in words:
            words["quadrant"] = [Quadrant(q).label for q in words["quadrant"]]
        BarrierChange.objects.create(
            barrier=barrier,
            kind=BarrierChange.Kind.EDITED,
            changes=words,
            changed_by=viewer.user,
            at=now,
        )
    return barrier


@transaction.atomic
def barrier_withdraw(*, viewer, barrier, version, reason, same_as=None) -> Barrier:
    """Take a barrier out of the register, with the reason in words. If it is the same as
    another barrier, its stories, actions and log entries move there, so that barrier's
    count and trend include them. Side effects: a BarrierChange (kind withdrawn)."""
    require_staff(viewer)
    own_place(viewer, barrier)
    allowed(rules.can_withdraw_barrier, viewer, barrier)
    required(reason=reason)
    if same_as is not None:
        own_place(viewer, same_as)
        if same_as.pk == barrier.pk or same_as.withdrawn_at is not None:
            raise ValidationError({"same_as": "Choose another barrier that is in the register"})
    check_version(barrier, version)
    now = timezone.now()
    moved = {}
    if same_as is not None:
        moved = _move_to(barrier, same_as)
        _touch(same_as, now)
    guarded_update(
        barrier,
        version,
        withdrawn_at=now,
        withdrawn_reason=reason.strip(),
        same_as=same_as,
        updated_at=now,
    )
    BarrierChange.objects.create(
        barrier=barrier,
        kind=BarrierChange.Kind.WITHDRAWN,
        changes={"same_as": [None, same_as.public_id]} if same_as else {},
        note=reason.strip(),
        changed_by=viewer.user,
        at=now,
    )
    if moved:
        BarrierChange.objects.create(
            barrier=same_as,
            kind=BarrierChange.Kind.EDITED,
            changes={"merged_from": [None, barrier.public_id]},
            note=f"Took over {moved['stories']} stories and {moved['actions']} actions.",
            changed_by=viewer.user,
            at=now,
        )
    return barrier


def _move_to(barrier, target) -> dict:
    already = set(target.story_links.values_list("story_id", flat=True))
    links = list(barrier.story_links.exclude(story_id__in=already))
    BarrierStory.objects.filter(pk__in=[link.pk for link in links]).update(barrier=target)
    actions = Action.objects.filter(barrier=barrier).update(barrier=target)
    for entry in barrier.log_entries.all():
        entry.barriers.add(target)
    return {"stories": len(links), "actions": actions}


@transaction.atomic
def barrier_link_story(*, viewer, barrier, story, seen_on=None) -> BarrierStory:
    """Record that the barrier appeared in this story (one more case)."""
    require_staff(viewer)
    own_place(viewer, barrier)
    own_place(viewer, story)
    _active(barrier)
    if seen_on is None:
        seen_on = story.session.held_on if story.session_id else timezone.localdate()
    link, _ = BarrierStory.objects.get_or_create(
        barrier=barrier, story=story, defaults={"seen_on": seen_on}
    )
    _touch(barrier)
    return link


@transaction.atomic
def barrier_set_level(*, viewer, barrier, level, evidence) -> LevelChange:
    """Move a barrier to a learning level, with the evidence in words; history is kept.
    Appending learning never conflicts with an edit of the words, so it takes no version."""
    require_staff(viewer)
    own_place(viewer, barrier)
    _active(barrier)
    if level not in Level.values:
        raise ValidationError({"level": "Choose a level"})
    required(evidence=evidence)
    current = Barrier.objects.select_for_update().get(pk=barrier.pk)
    if level == current.level:
        raise ValidationError({"level": "The barrier is already at this level"})
    now = timezone.now()
    change = LevelChange.objects.create(
        barrier=barrier,
        from_level=current.level,
        to_level=level,
        evidence=evidence.strip(),
        changed_by=viewer.user,
        at=now,
    )
    Barrier.objects.filter(pk=barrier.pk).update(level=level, level_changed_at=now, updated_at=now)
    barrier.level, barrier.level_changed_at, barrier.updated_at = level, now, now
    return change
