from django.db import migrations, models


class Migration(migrations.Migration):
    """Which source each service was imported from, and whether an import is the whole of
    its source (a complete import retires the source's services it lacks)."""

    dependencies = [
        ("directory", "0008_service_version"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="import_source",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddIndex(
            model_name="service",
            index=models.Index(
                fields=["place", "import_source"], name="directory_service_source_idx"
            ),
        ),
        migrations.AddField(
            model_name="directoryimport",
            name="complete",
            field=models.BooleanField(
                default=False,
                help_text="The whole of its source: entries from the source that it lacks are "
                "retired.",
            ),
        ),
        migrations.AddField(
            model_name="directoryimport",
            name="source_key",
            field=models.CharField(
                blank=True,
                help_text="The source it imports (the address, or the name given); entries "
                "remember it.",
                max_length=300,
            ),
        ),
    ]
