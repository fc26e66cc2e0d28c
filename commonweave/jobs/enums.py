from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED})


class JobKind(models.TextChoices):
    """What a job does. Each kind has a runner in services.RUNNERS."""

    RECOMPUTE_KEYS = "recompute_keys", "Recompute duplicate keys"
