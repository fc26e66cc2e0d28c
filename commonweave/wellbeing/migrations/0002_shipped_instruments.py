"""Ship the open instruments: ONS4, UCLA-3 and the ONS direct loneliness question."""

import json
from pathlib import Path

from django.db import migrations

SHIPPED = ("ons4.json", "ucla3.json", "ons_loneliness.json")
FOLDER = Path(__file__).resolve().parent.parent / "instruments"


def load(apps, schema_editor):
    Instrument = apps.get_model("wellbeing", "Instrument")
    for name in SHIPPED:
        definition = json.loads((FOLDER / name).read_text(encoding="utf-8"))
        Instrument.objects.update_or_create(
            place=None,
            code=definition["code"],
            version=definition["version"],
            defaults={"name": definition["name"], "definition": definition, "active": True},
        )


def unload(apps, schema_editor):
    Instrument = apps.get_model("wellbeing", "Instrument")
    Instrument.objects.filter(place=None, code__in=["ons4", "ucla3", "ons_loneliness"]).delete()


class Migration(migrations.Migration):
    dependencies = [("wellbeing", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
