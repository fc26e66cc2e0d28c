"""The django.tasks entry point for every job kind (see services.job_run)."""

import logging

from django.tasks import task

from .enums import JobStatus
from .models import Job

logger = logging.getLogger(__name__)


class JobFailed(Exception):
    """Raised to the task backend instead of the original error.

    The backend stores and logs the traceback of whatever a task raises; the original
    error's message could quote personal data, so only its kind goes on from here. The job
    row holds the summary (kind and line) and the log has the stack, without values.
    """


@task
def run_job(job_id: str) -> dict:
    """Run the queued job with this public id. A job that is not queued is left alone."""
    from . import services

    job = Job.objects.select_related("place", "started_by").filter(public_id=job_id).first()
    if job is None or job.status != JobStatus.QUEUED:
        logger.warning("Job %s is not waiting to run; skipped", job_id)
        return {"job": job_id, "skipped": True}
    try:
        services.job_run(job)
    except Exception as exc:
        raise JobFailed(f"Job {job_id} failed: {type(exc).__name__}") from None
    return {"job": job_id, "status": job.status, **job.result}
