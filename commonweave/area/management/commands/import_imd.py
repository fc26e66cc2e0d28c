"""Import the English Indices of Deprivation (and the ONS LSOA 2011 -> 2021 lookup) from
files the deployer downloaded, for the place's local authorities or all of England.

    manage.py import_imd File_7_IoD2025_All_Ranks_Scores_Deciles_Population_Denominators.csv \
        --edition 2025 --lad E08000004 Tameside
    manage.py import_imd File_2_-_IoD2019_Domains_of_Deprivation.csv \
        File_6_-_IoD2019_Population_Denominators.csv --edition 2019 --lad E08000004 \
        --lookup LSOA11_LSOA21_LAD22_EW_LU.csv

With --place it runs as that place's job (seen on its jobs page). A progress bar goes to
stderr, and each refused row is named there with its row number and reason. Idempotent:
importing the same files again changes nothing.
"""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweave.jobs.progress import TerminalBar, job_progress
from commonweave.jobs.services import job_create
from commonweave.tenancy.models import Place

from ... import imports, jobs
from ...enums import Edition


class _Bar:
    """The terminal bar, fed rows done of rows in all, closed with the last count."""

    def __init__(self, stream, label):
        self.bar = TerminalBar(stream, label)
        self.done = self.total = 0

    def __call__(self, done, total):
        self.done, self.total = done, total
        self.bar.update(done, total)

    def close(self):
        self.bar.update(self.done, self.total, final=True, note="done")


class Command(BaseCommand):
    help = "Import the English Indices of Deprivation (File 7 CSV, IoD 2019 Files 1/2/6, "
    "or the England-wide extract) for chosen local authorities."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help="CSV files (plain or .gz) of one edition")
        parser.add_argument(
            "--edition", choices=Edition.values, default=Edition.IOD2025, help="2019 or 2025"
        )
        parser.add_argument(
            "--lad",
            nargs="+",
            default=[],
            metavar="CODE_OR_NAME",
            help="Only these local authorities (E08000004 or Oldham); default all",
        )
        parser.add_argument("--lookup", help="ONS's LSOA 2011 to 2021 lookup (CSV or .gz)")
        parser.add_argument("--place", help="The place's slug: run as its job")

    def handle(self, *args, files, edition, lad, lookup, place, **options):
        if not files and not lookup:
            raise CommandError("Name at least one file, or --lookup.")
        for name in [*files, *([lookup] if lookup else [])]:
            if not Path(name).is_file():
                raise CommandError(f"No file at {name}")
        stderr = options.get("stderr") or sys.stderr
        if place:
            self._as_job(place, files, edition, lad, lookup, stderr)
            return
        try:
            if files:
                bar = _Bar(stderr, f"IoD {edition}")
                report = imports.import_imd(files, edition=edition, lads=lad, on_progress=bar)
                bar.close()
                for rejected in report.rejected:
                    stderr.write(f"Refused: {rejected}\n")
                self.stdout.write(
                    f"IoD {edition}: {report.imported:,} neighbourhoods imported in "
                    f"{len(report.lad_codes)} local authorities ({report.removed:,} removed, "
                    f"{report.populations:,} with a population, {report.other_areas:,} rows "
                    f"of other areas left out, {len(report.rejected):,} refused)"
                )
                if not report.imported and not report.populations:
                    raise CommandError("Nothing was imported.")
            if lookup:
                bar = _Bar(stderr, "LSOA lookup")
                looked = imports.import_lsoa_lookup(lookup, lads=lad, on_progress=bar)
                bar.close()
                for rejected in looked.rejected:
                    stderr.write(f"Refused: {rejected}\n")
                self.stdout.write(
                    f"LSOA 2011 to 2021 lookup: {looked.imported:,} rows "
                    f"({looked.removed:,} removed, {len(looked.rejected):,} refused)"
                )
        except imports.ImdFileError as exc:
            raise CommandError(str(exc)) from None

    def _as_job(self, slug, files, edition, lads, lookup, stderr):
        found = Place.objects.filter(slug=slug).first()
        if found is None:
            raise CommandError(f"No place with the slug {slug!r}.")
        job = job_create(place=found, kind=jobs.IMPORT_IMD)
        try:
            with job_progress(job, stream=stderr) as progress:
                jobs.import_for_job(
                    job=job,
                    progress=progress,
                    paths=[Path(f) for f in files],
                    edition=edition,
                    lads=lads,
                    lookup=Path(lookup) if lookup else None,
                )
        except Exception:
            raise CommandError(f"Job {job.public_id} failed: {job.error}") from None
        for line in job.result.get("rejections", []):
            stderr.write(f"Refused: {line}\n")
        self.stdout.write(f"Job {job.public_id}: {job.message}")
        if not job.result.get("imported") and not job.result.get("populations"):
            raise CommandError("Nothing was imported.")
