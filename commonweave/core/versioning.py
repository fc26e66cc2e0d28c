"""Optimistic versions: an edit names the version it started from, and a save that finds
someone else saved since changes nothing and raises Conflict with the record as it is now.

Every edited record with a `version` field (residents, learning objects, directory entries)
saves through here, so a lost race reads the same on every page and in every API answer
(the API's 409 is `core.api.conflicts.answers_conflict`).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404
from django.utils.translation import gettext_lazy as _

# What the API says (a page says it in its own words: web/editing.py).
CONFLICT_MESSAGE = _(
    "Someone else changed this after you loaded it. Nothing was saved: look at it as it is "
    "now and make your change again."
)


class Conflict(Exception):
    """Someone else saved this after the edit began; nothing was saved. Carries the record
    as it is now."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("Changed by someone else")
        self.current = current


def _require(version: int | None) -> int:
    if version is None:
        raise ValidationError({"version": _("Send the version you started from")})
    return version


def guarded_update[Record: models.Model](
    obj: Record, version: int | None, **changes: Any
) -> Record:
    """UPDATE ... WHERE version = `version`: apply `changes` and bump the version, or raise
    Conflict with the current row if someone saved since (404 if it is gone). Sets the
    values on `obj`."""
    version = _require(version)
    model = type(obj)
    done = model._default_manager.filter(pk=obj.pk, version=version).update(
        version=version + 1, **changes
    )
    if not done:
        current = model._default_manager.filter(pk=obj.pk).first()
        if current is None:
            raise Http404
        raise Conflict(current)
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.version = version + 1  # type: ignore[attr-defined]  # every guarded model has one
    return obj


def check_version[Record: models.Model](obj: Record, version: int | None) -> Record:
    """Before a removal or a change saved through a form: lock the row and refuse if it
    changed after the person looked at it. Returns the locked row."""
    version = _require(version)
    current = type(obj)._default_manager.select_for_update().filter(pk=obj.pk).first()
    if current is None:
        raise Http404
    if current.version != version:  # type: ignore[attr-defined]  # as in guarded_update
        raise Conflict(current)
    return current
