"""Starting and running background jobs. The work of each kind of job lives in the app that
owns it and is registered in RUNNERS.

A job is a row (what, for which place, by whom, how far) plus a django.tasks task that runs
it: inline with the ImmediateBackend (development and tests), or in `manage.py db_worker`
when COMMONWEAVE_TASKS=db. Commands run the same code in the foreground with a terminal bar.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.functional import Promise

from commonweave.tenancy.viewer import viewer_for_user

from .enums import JobKind, JobStatus
from .models import STALE_AFTER, Job
from .progress import _DEFAULT_STREAM, error_summary, job_progress

logger = logging.getLogger(__name__)


# --- starting ------------------------------------------------------------------------------


def job_create(*, place, kind, started_by=None) -> Job:
    """A queued job row. Side effects: inserts a Job."""
    return Job.objects.create(place=place, kind=kind, started_by=started_by)


def job_enqueue(job: Job) -> Job:
    """Hand the job to the task backend.

    Call outside any transaction: with the database backend a worker may pick the task up
    at once, and must be able to see the job row. With the ImmediateBackend the job has
    run (done or failed) by the time this returns.
    Side effects: enqueues `run_job`; records the task id; marks the job failed if the
    backend refuses it.
    """
    from .tasks import run_job

    try:
        task_result = run_job.enqueue(job.public_id)
    except Exception as exc:
        summary = error_summary(exc)
        logger.error("Job %s could not be queued: %s", job.public_id, summary)
        Job.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED,
            error=f"Could not be queued: {summary}"[:300],
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    else:
        Job.objects.filter(pk=job.pk).update(task_id=str(task_result.id))
    job.refresh_from_db()
    return job


def active_job(*, place, kind) -> Job | None:
    """The queued or running job of this kind in the place, unless it has gone quiet."""
    return (
        Job.objects.filter(
            place=place,
            kind=kind,
            status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
            updated_at__gte=timezone.now() - STALE_AFTER,
        )
        .order_by("-created_at")
        .first()
    )


def recompute_keys_start(*, viewer) -> tuple[Job, bool]:
    """Start recomputing the duplicate keys of every resident in the viewer's place.

    Place admins only. If one is already under way there, that job is returned instead of
    starting a second. Returns (job, started).
    Side effects: a Job row and a queued task (see job_enqueue).
    """
    if not viewer or not viewer.is_place_admin:
        raise PermissionDenied
    existing = active_job(place=viewer.place, kind=JobKind.RECOMPUTE_KEYS)
    if existing is not None:
        return existing, False
    job = job_create(place=viewer.place, kind=JobKind.RECOMPUTE_KEYS, started_by=viewer.user)
    return job_enqueue(job), True


# --- running -------------------------------------------------------------------------------


def job_run(job: Job, *, stream=_DEFAULT_STREAM) -> Job:
    """Run the job's work in this process, recording progress (and a bar on `stream`).

    Exceptions from the work propagate after the job is marked failed.
    """
    runner = RUNNERS[job.kind]
    with job_progress(job, stream=stream) as progress:
        runner(job=job, progress=progress)
    return job


@dataclass(frozen=True)
class _JobActor:
    """Who the audit log names when a job has no signed-in starter (the command line)."""

    place: object
    label: str
    user = None
    user_id = None
    primary_org_id = None


def _audit_actor(job: Job):
    viewer = viewer_for_user(job.started_by, job.place) if job.started_by_id else None
    return viewer or _JobActor(place=job.place, label=f"job:{job.public_id}")


# The work of each job kind, registered by the app that owns it when that app is ready
# (people: RECOMPUTE_KEYS; network, directory, wellbeing, learning: theirs), so this app
# imports none of them, and a new kind needs no migration here.
RUNNERS: dict[str, Any] = {}
LABELS: dict[str, str | Promise] = {}


def register_kind(kind: str, runner: Any, *, label: str | Promise) -> None:
    """Make `kind` a job: `runner(job)` does its work; `label` names it on its pages."""
    RUNNERS.setdefault(str(kind), runner)
    LABELS.setdefault(str(kind), label)


def kind_label(kind: str) -> str:
    """What a job of this kind is called: as registered, else the older kinds' own names."""
    if kind in LABELS:
        return str(LABELS[kind])
    try:
        return str(JobKind(kind).label)
    except ValueError:
        return kind
