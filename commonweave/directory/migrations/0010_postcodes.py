from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0009_import_source"),
    ]

    operations = [
        migrations.AddField(
            model_name="postcodelookup",
            name="lad_code",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="The local authority (e.g. E08000004).",
                max_length=9,
            ),
        ),
    ]
