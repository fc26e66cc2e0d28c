import sys

from django.core.management.base import BaseCommand, CommandError

from commonweave.jobs.enums import JobKind
from commonweave.jobs.services import job_create, job_run
from commonweave.tenancy.models import Place


class Command(BaseCommand):
    help = (
        "Recompute the duplicate-finding keys of every resident in a place, in the foreground "
        "with a progress bar on stderr. Idempotent; recorded as a job like one started on the web."
    )

    def add_arguments(self, parser):
        parser.add_argument("--place", required=True, help="The place's slug.")

    def handle(self, *args, place, **options):
        found = Place.objects.filter(slug=place).first()
        if found is None:
            raise CommandError(f"No place with the slug {place!r}.")
        job = job_create(place=found, kind=JobKind.RECOMPUTE_KEYS)
        try:
            job_run(job, stream=options.get("stderr") or sys.stderr)
        except Exception:
            raise CommandError(f"Job {job.public_id} failed: {job.error}") from None
        self.stdout.write(f"Job {job.public_id}: {job.message}")
