"""The shipped value library (impact/values.py): the Green Book WELLBY, DCMS's value of
reducing severe loneliness and the EIF's context-only cost of late intervention. Written
once, by key; a later edition of a source is a new key in a new migration."""

from django.db import migrations


def ship_values(apps, schema_editor):
    from commonweave.impact.values import library_sync

    library_sync(apps.get_model("impact", "SocialValue"))


class Migration(migrations.Migration):
    dependencies = [("impact", "0001_initial")]

    operations = [migrations.RunPython(ship_values, migrations.RunPython.noop)]
