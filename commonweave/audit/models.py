import hashlib
import json

from django.conf import settings
from django.db import models
from django.utils import timezone

from .enums import Action, Purpose


class AuditEvent(models.Model):
    """One read or change of personal data. Append-only and hash-chained (SAFETY 17, 18).

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

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["place", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only")

    def compute_hash(self) -> str:
        payload = json.dumps(
            [
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
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class AuditChainHead(models.Model):
    """A single row locked while appending, so concurrent writers keep one unbroken chain."""

    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return self.last_hash
