"""Load ONS's postcode directory (NSPL or ONSPD: a CSV, or the zip ONS publishes) so that
"near me" search and imports can place postcodes, offline.

    manage.py load_postcodes NSPL_MAY_2025_UK.zip --place oldham --lad E08000004
    manage.py load_postcodes oldham_postcodes.csv

With --place it runs as that place's job (seen on its jobs page) and then gives the place's
locations their coordinates; without, it loads for every place and geocodes them all.
Progress goes to stderr. Idempotent: loading the same file again changes nothing.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweave.jobs.progress import TerminalBar, job_progress
from commonweave.jobs.services import job_create
from commonweave.tenancy.models import Place

from ... import geo, postcodes


class Command(BaseCommand):
    help = "Load an ONS postcode directory (NSPL/ONSPD CSV or zip) for postcode search."

    def add_arguments(self, parser):
        parser.add_argument("file", help="The NSPL or ONSPD file: a .csv, or ONS's .zip")
        parser.add_argument("--place", help="The place's slug: run as its job")
        parser.add_argument(
            "--lad",
            nargs="+",
            default=[],
            metavar="CODE",
            help="Only these local authorities (e.g. E08000004); default every row",
        )

    def handle(self, *args, file, place, lad, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No file at {file}")
        try:
            lads = postcodes.clean_lad_codes(lad)
        except postcodes.PostcodeFileError as exc:
            raise CommandError(str(exc)) from None
        stderr = options.get("stderr") or sys.stderr
        if place:
            self._as_job(place, path, lads, stderr)
        else:
            self._for_every_place(path, lads, stderr)

    def _as_job(self, slug, path, lads, stderr):
        found = Place.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No place with the slug {slug!r}.")
        job = job_create(place=found, kind=postcodes.LOAD_POSTCODES)
        try:
            with job_progress(job, stream=stderr) as progress:
                postcodes.load_for_job(job=job, progress=progress, path=path, lads=lads)
        except Exception:
            raise CommandError(f"Job {job.public_id} failed: {job.error}") from None
        self.stdout.write(f"Job {job.public_id}: {job.message}")
        if not job.result.get("postcodes"):
            raise CommandError("No postcodes were loaded.")

    def _for_every_place(self, path, lads, stderr):
        bar = TerminalBar(stderr, "postcodes")
        try:
            report = postcodes.load_postcodes(
                path, lads=lads, on_progress=lambda percent, _: bar.update(percent, 100)
            )
        except postcodes.PostcodeFileError as exc:
            raise CommandError(str(exc)) from None
        bar.update(100, 100, final=True, note="done")
        located = sum(geo.geocode_missing(p) for p in Place.objects.all())
        self.stdout.write(
            f"{report.loaded:,} postcodes loaded in {len(report.lad_codes)} local authorities "
            f"({report.skipped:,} without coordinates skipped, {report.other_areas:,} in other "
            f"areas left out); {located:,} locations given coordinates"
        )
