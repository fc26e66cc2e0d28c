from django.db import models


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    DONE = "done", "Finished"
    FAILED = "failed", "Failed"


FINISHED_STATUSES = frozenset({JobStatus.DONE, JobStatus.FAILED})


class JobKind(models.TextChoices):
    """The kinds that came before services.register_kind: their names, kept for their jobs.
    A new kind registers itself with its label instead (no migration of this app)."""

    RECOMPUTE_KEYS = "recompute_keys", "Recompute duplicate keys"
    # Runners for these live in their own apps and register themselves when the app is ready,
    # so the jobs app never imports them.
    NETWORK_RECOMPUTE = "network_recompute", "Recompute the relationship network"
    DIRECTORY_IMPORT = "directory_import", "Import into the directory"
    WELLBEING_EXPORT = "wellbeing_export", "Build a wellbeing scores export"
    LEARNING_PACK = "learning_pack", "Build a session pack"
    NETWORK_SURVEY_IMPORT = "network_survey_import", "Import a network survey"
