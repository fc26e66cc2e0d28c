"""Regenerate data/message_back.schema.json from the PRSB Social Prescribing model file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand

from commonweave.prescribing import prsb


class Command(BaseCommand):
    help = "Derive the message-back JSON Schema from PRSB's Social Prescribing model (JSON)."

    def add_arguments(self, parser):
        parser.add_argument("model", help="PRSB's simplified JSON of the Social Prescribing model")

    def handle(self, *args, model, **options):
        data = json.loads(Path(model).read_text(encoding="utf-8"))
        prsb.SCHEMA_PATH.write_text(prsb.schema_json(data), encoding="utf-8")
        self.stdout.write(f"Wrote {prsb.SCHEMA_PATH}")
