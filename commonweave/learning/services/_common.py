"""Shared helpers for the learning services: input checks, place checks and the
optimistic-version update (core.versioning) that keeps a stale edit from overwriting
anyone's work."""

from django.core.exceptions import ValidationError
from django.http import Http404

NO_STORY_CONSENT = (
    "They have not agreed to their story being used. Write the story without linking it "
    "to their record."
)


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


def clean(value):
    return (value or "").strip()
