"""Public ids: what URLs, API answers and the audit log carry instead of a name or a
sequential primary key.

    class Resident(models.Model):
        public_id = PublicIdField()
"""

import secrets
from typing import Any

from django.db import models

# Unambiguous characters for ids people may read aloud on the phone.
ID_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"
LENGTH = 12


def new_public_id() -> str:
    """A random, unguessable id for URLs: no names, no sequence numbers."""
    return "".join(secrets.choice(ID_ALPHABET) for _ in range(LENGTH))


class PublicIdField(models.CharField[str, str]):
    """A unique, random, read-only public id, made when the row is created."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", LENGTH)
        kwargs.setdefault("unique", True)
        kwargs.setdefault("default", new_public_id)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, Any, Any]:
        # Migrations see the plain CharField the models declared before this class existed,
        # with every argument spelled out, so adopting the field writes no migration.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.CharField", args, kwargs
