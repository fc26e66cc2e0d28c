"""Load a validated measure from a JSON definition, for one place or for every place.

    manage.py load_instrument path/to/swemwbs.json --place testford

Idempotent: loading the same code and version again replaces its definition. The file is
read as JSON only (no code runs). A deployer who holds an instrument's licence loads it
this way; no licensed content ships with Commonweave.
"""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commonweave.tenancy.models import Place
from commonweave.wellbeing import scoring, services

MAX_BYTES = 1_000_000


class Command(BaseCommand):
    help = "Load a wellbeing instrument (validated measure) from a JSON definition."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--place", help="the place's slug; without it, every place")

    def handle(self, *args, path, place=None, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"No such file: {path}")
        if file.stat().st_size > MAX_BYTES:
            raise CommandError("The definition is too large (1 MB at most)")
        try:
            definition = json.loads(file.read_text(encoding="utf-8"))
        except (ValueError, UnicodeDecodeError) as error:
            raise CommandError(f"Not valid JSON: {error}") from error
        target = None
        if place:
            target = Place.objects.filter(slug=place).first()
            if target is None:
                raise CommandError(f"No place with the slug {place!r}")
        try:
            instrument = services.instrument_load(definition=definition, place=target)
        except scoring.DefinitionError as error:
            raise CommandError(
                "The definition has problems:\n- " + "\n- ".join(error.problems)
            ) from error
        where = target.name if target else "every place"
        self.stdout.write(f"Loaded {instrument.name} (version {instrument.version}) for {where}.")
