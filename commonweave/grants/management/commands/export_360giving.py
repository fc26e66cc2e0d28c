"""Write a place's awards as 360Giving 1.4.3 data to stdout (docs/grants.md, "Open data
(360Giving)"):

    manage.py export_360giving hartleyvale > grants.json
    manage.py export_360giving hartleyvale --csv > grants.csv

The same package and the same data-quality check as the open-data page: an export with
problems is refused, with the problems on stderr, and nothing is written. Each export is one
EXPORT audit event (no person acting: run from the command line). Reads only.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from commonweave.core.export import safe_csv_writer
from commonweave.tenancy.models import Place

from ... import giving360
from ...views_opendata import export_audit


class Command(BaseCommand):
    help = "Write a place's approved awards as 360Giving 1.4.3 JSON (or CSV) to stdout."

    def add_arguments(self, parser):
        parser.add_argument("place", help="The place's slug")
        parser.add_argument("--csv", action="store_true", help="CSV with 360Giving's columns")

    def handle(self, *args, place, csv: bool = False, **options):
        found = Place.objects.filter(slug=place).select_related("lead_organisation").first()
        if found is None:
            raise CommandError(f"No place {place!r}")
        export = giving360.build(
            found,
            prefix=giving360.prefix_for(found),
            publisher=giving360.publisher_for(found),
        )
        if not export.package["grants"]:
            raise CommandError("No approved awards to publish")
        problems = giving360.check(export.package)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"Refused: {len(problems)} problem(s) in the export")
        export_audit(None, found, export, "csv" if csv else "json")
        if csv:
            safe_csv_writer(self.stdout, lineterminator="\n").writerows(
                giving360.csv_rows(export.package)
            )
        else:
            self.stdout.write(json.dumps(export.package, ensure_ascii=False, indent=2))
