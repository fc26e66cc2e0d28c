import hashlib
import hmac
import json
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from .enums import Action, Purpose, Scheme

GENESIS = "0" * 64


class AuditEvent(models.Model):
    """One read or change of personal data. Append-only and hash-chained: each event's hash
    is an HMAC, keyed with settings.AUDIT_KEY, over its fields and the previous hash.

    Holds ids and codes only, never names or notes, so the log itself leaks nothing.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    place = models.ForeignKey(
        "tenancy.Place", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(
        max_length=64, help_text="user:<id>, token:<prefix> or anonymous"
    )
    organisation = models.ForeignKey(
        "tenancy.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=12, choices=Action.choices)
    purpose = models.CharField(max_length=12, choices=Purpose.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=40, db_index=True)
    resident_id = models.CharField(
        max_length=12, blank=True, db_index=True, help_text="Public id of the resident concerned"
    )
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    scheme = models.PositiveSmallIntegerField(
        choices=Scheme.choices,
        default=Scheme.HMAC_SHA256,
        help_text="How `hash` was made: events from before the audit key existed are plain SHA-256",
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["place", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Audit events are append-only")

    def compute_hash(self, key: str | None = None) -> str:
        """The event's hash under its own scheme. `key` defaults to settings.AUDIT_KEY."""
        fields = [
            self.prev_hash,
            self.at.isoformat(),
            self.place_id,
            self.actor_label,
            self.organisation_id,
            self.action,
            self.purpose,
            self.object_type,
            self.object_id,
            self.resident_id,
            self.detail,
        ]
        if self.scheme == Scheme.SHA256:
            return hashlib.sha256(_canonical(fields)).hexdigest()
        return _mac(key, ["event", int(self.scheme), *fields])

    def listed_ids(self) -> list[str]:
        """Public ids of the residents this event showed on a list or in search results,
        as recorded in `detail` (which the hash covers). Events written before the key
        existed used "results" for the resident search page."""
        listed = self.detail.get("residents") if isinstance(self.detail, dict) else None
        if not isinstance(listed, list) and self.scheme == Scheme.SHA256:
            listed = self.detail.get("results") if isinstance(self.detail, dict) else None
        return sorted({str(pid) for pid in listed}) if isinstance(listed, list) else []


class AuditEventSubject(models.Model):
    """One resident shown by a list or search event: "who has seen my record" finds list
    and search events through this indexed table, not by matching JSON text.

    The same ids are in the event's `detail`, which its HMAC covers, and the chain check
    requires the two to agree, so a row added, changed or removed here is detected.
    """

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="subjects")
    resident_id = models.CharField(max_length=12, help_text="Public id of the resident shown")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["resident_id", "event"], name="audit_subject_once")
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.resident_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Audit events are append-only")


class AuditCheckpoint(models.Model):
    """A signed note of the chain's head at a moment: the newest event's id and hash.

    Written by `manage.py verify_audit` each time the chain checks out. Later checks
    require that event to still be there with that hash, so removing the newest events
    is detected. Signed with settings.AUDIT_KEY, so it cannot be forged or moved.
    """

    at = models.DateTimeField(default=timezone.now)
    seq = models.BigIntegerField(help_text="Id of the newest event at the time (0: empty log)")
    hash = models.CharField(max_length=64)
    signature = models.CharField(max_length=64)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.seq} {self.hash[:12]}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("Audit checkpoints are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ValueError("Audit checkpoints are append-only")

    def as_line(self) -> dict[str, Any]:
        """The checkpoint as one JSON-able record, for a copy kept outside the database."""
        return {
            "at": self.at.isoformat(),
            "seq": self.seq,
            "hash": self.hash,
            "signature": self.signature,
        }


def checkpoint_signature(*, seq: int, hash: str, at: str, key: str | None = None) -> str:
    """The HMAC of a checkpoint: binds the event id to its hash and the time it was taken.
    (A frozen copy lives in migration 0004, which seals the events from before the key.)"""
    return _mac(key, ["checkpoint", int(seq), hash, at])


def signature_matches(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode(), (given or "").encode())


def _canonical(value: object) -> bytes:
    return json.dumps(value, sort_keys=True, default=str).encode()


def _mac(key: str | None, value: object) -> str:
    key = settings.AUDIT_KEY if key is None else key
    return hmac.new(key.encode(), _canonical(value), hashlib.sha256).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers keep one unbroken chain."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return self.last_hash
