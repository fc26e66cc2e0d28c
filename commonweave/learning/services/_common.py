"""Shared helpers for the learning services: input checks, place checks and the
optimistic-version update that keeps a stale edit from overwriting anyone's work."""

from django.core.exceptions import ValidationError
from django.http import Http404

NO_STORY_CONSENT = (
    "They have not agreed to their story being used. Write the story without linking it "
    "to their record."
)


class Conflict(Exception):
    """Someone else saved this after the edit began; nothing was saved. Carries the
    object as it is now. (The learning twin of people.services.EditConflict, which
    the API answers for residents only.)"""

    def __init__(self, current):
        super().__init__("Changed by someone else")
        self.current = current


def required(**fields):
    errors = {name: "Enter this" for name, value in fields.items() if not (value or "").strip()}
    if errors:
        raise ValidationError(errors)


def own_place(viewer, obj):
    if obj is None or obj.place_id != viewer.place.pk:
        raise Http404


def org_in_place(viewer, organisation, field):
    if organisation is not None and organisation.place_id != viewer.place.pk:
        raise ValidationError({field: "Choose an organisation in this partnership"})


def allowed(rule, viewer, obj):
    """A rule that says no is a 404, like anything else the viewer cannot act on."""
    if not rule(viewer, obj):
        raise Http404


def guarded_update(obj, version, **changes):
    """UPDATE ... WHERE version = `version`: apply `changes` and bump the version, or raise
    Conflict with the current row if someone saved since. Sets the values on `obj`."""
    model = type(obj)
    if version is None:
        raise ValidationError({"version": "Send the version you started from"})
    done = model.objects.filter(pk=obj.pk, version=version).update(version=version + 1, **changes)
    if not done:
        current = model.objects.filter(pk=obj.pk).first()
        if current is None:
            raise Http404
        raise Conflict(current)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version = version + 1
    return obj


def check_version(obj, version):
    """For a removal: refuse if the object changed after the person looked at it."""
    if version is None:
        raise ValidationError({"version": "Send the version you started from"})
    current = type(obj).objects.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise Http404
    if current.version != version:
        raise Conflict(current)
    return current


def clean(value):
    return (value or "").strip()
