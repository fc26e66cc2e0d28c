"""More feed fields kept so an imported feed is published back as it came: the service's
source last_modified and required documents; every phone of a contact and its department;
an organisation's funding, contacts, phones and programs; a taxonomy term's parent id when
that term is not in the directory."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0013_oruk_fields"),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="department",
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name="contact",
            name="phones",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Phone rows (number, extension, type, description, languages).",
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="contacts",
            field=models.JSONField(
                blank=True, default=list, help_text="Contact rows, each with its phones."
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="funding",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="organization",
            name="phones",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="organization",
            name="programs",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="service",
            name="required_documents",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="HSDS 3.0 rows (document, uri); not in the UK profile.",
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="source_modified",
            field=models.DateTimeField(
                blank=True,
                help_text="The feed's last_modified, until the entry is changed here.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="taxonomyterm",
            name="parent_ref",
            field=models.UUIDField(blank=True, null=True),
        ),
    ]
