from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from commonweave.core.publicid import PublicIdField

from .enums import FINISHED_STATUSES, JobStatus

# A queued or running job with no progress for this long is taken to have died with its worker.
STALE_AFTER = timedelta(minutes=15)


class Job(models.Model):
    """One piece of long work (an import, a recompute, a report build) and how far it has got.

    Holds no personal data: `message` is a sentence about counts, `result` holds ids and
    counts only, and `error` names the kind of failure and where, never its text.
    """

    public_id = PublicIdField()
    place = models.ForeignKey("tenancy.Place", on_delete=models.CASCADE, related_name="jobs")
    # A kind registered by its app (services.register_kind): no choices here, so a new kind
    # needs no migration of this app.
    kind = models.CharField(max_length=40)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs_started",
        help_text="Empty when started from the command line.",
    )
    status = models.CharField(max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED)
    total = models.PositiveIntegerField(default=0, help_text="0 while the size is not known.")
    done = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=200, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    task_id = models.CharField(
        max_length=64, blank=True, help_text="The id of the django.tasks result that runs it."
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last progress write.")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["place", "-created_at"]),
            models.Index(fields=["started_by", "-created_at"]),
            models.Index(fields=["place", "kind", "status"]),
        ]

    def __str__(self):
        return f"{self.kind_label} ({self.public_id})"

    @property
    def kind_label(self) -> str:
        from .services import kind_label

        return kind_label(self.kind)

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_stale(self) -> bool:
        """Unfinished but silent for STALE_AFTER: its worker has probably stopped."""
        return not self.is_finished and timezone.now() - self.updated_at > STALE_AFTER

    @property
    def should_poll(self) -> bool:
        return not self.is_finished and not self.is_stale

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the size is not known."""
        if self.status == JobStatus.DONE:
            return 100
        if not self.total:
            return None
        return min(100, self.done * 100 // self.total)
