"""Import an ORUK/HSDS JSON feed (file or URL) or a CSV into a place's directory.

    manage.py import_directory oldham feed.json
    manage.py import_directory oldham assets.csv --map name=Title --map postcode=Post\\ code
    manage.py import_directory oldham --postcodes ONSPD.csv
    manage.py import_directory oldham --boundaries wards.geojson --kind ward
    manage.py import_directory oldham --taxonomy categories.csv --taxonomy-name "Oldham"

Idempotent: ids in the feed are kept, so running it again changes nothing. A CSV is read as
the import page reads an upload: UTF-8 (with or without a byte-order mark) or else Excel's
Windows-1252, and the command says which.
"""

import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from commonweave.jobs.progress import TerminalBar
from commonweave.tenancy.models import Place

from ... import importer, neighbourhoods
from ...importer.sources import load_csv
from ...services import ensure_default_taxonomy


class Command(BaseCommand):
    help = "Import a directory feed (ORUK JSON or CSV), a postcode file or boundaries."

    def add_arguments(self, parser):
        parser.add_argument("place", help="The place's slug")
        parser.add_argument("source", nargs="?", help="A .json/.csv file, or an http(s) URL")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN")
        parser.add_argument("--postcodes", help="An ONS Postcode Directory-style CSV")
        parser.add_argument("--boundaries", help="A GeoJSON FeatureCollection of polygons")
        parser.add_argument("--kind", default="ward", help="What the boundaries are")
        parser.add_argument(
            "--taxonomy", help="A CSV of categories: name, description, code, parent"
        )
        parser.add_argument("--taxonomy-name", default="Local categories")

    def handle(self, *args, place, source, map, postcodes, boundaries, kind, taxonomy, **options):
        place = Place.objects.filter(slug=place).first()
        if place is None:
            raise CommandError("No place with that slug")
        ensure_default_taxonomy(place)
        if postcodes:
            # The same loader as `manage.py load_postcodes` (NSPL or ONSPD, any column names).
            call_command("load_postcodes", postcodes, stdout=self.stdout, stderr=self.stderr)
        if boundaries:
            report = neighbourhoods.import_boundaries(place, boundaries, kind=kind)
            self.stdout.write(report.summary())
        if taxonomy:
            try:
                text, encoding = load_csv(taxonomy)
            except (importer.Invalid, OSError) as exc:
                raise CommandError(f"Could not read the categories: {exc}") from None
            self.stdout.write(f"Read {taxonomy} as {encoding}")
            report = importer.import_taxonomy_csv(place, text, name=options["taxonomy_name"])
            for number, record_id, reason in report.errors + report.warnings:
                self.stdout.write(f"term {number} {record_id}: {reason}")
            self.stdout.write(f"categories: {report.summary()}")
        if not source:
            return
        bar = TerminalBar(sys.stderr, "import")

        def progress(done, total):
            bar.update(done, total, final=done == total)

        try:
            if source.lower().endswith(".csv"):
                mapping = dict(pair.split("=", 1) for pair in map)
                text, encoding = load_csv(source)
                self.stdout.write(f"Read {source} as {encoding}")
                report = importer.import_csv(place, text, mapping, on_progress=progress)
            else:
                data = importer.load_json(source)
                report = importer.import_oruk(place, data, on_progress=progress)
        except importer.Invalid as exc:
            raise CommandError(f"Could not read the feed: {exc}") from None
        except OSError as exc:
            raise CommandError(f"Could not read the feed: {type(exc).__name__}") from None
        for number, record_id, reason in report.errors:
            self.stdout.write(f"record {number} {record_id}: {reason}")
        for number, record_id, reason in report.warnings:
            self.stdout.write(f"record {number} {record_id}: warning: {reason}")
        self.stdout.write(report.summary())
