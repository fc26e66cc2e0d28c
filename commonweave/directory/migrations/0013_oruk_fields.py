"""ORUK 3.0 fields kept so an imported feed is published back as it came (issue 13 item 4):
service accreditations, assurance, cost options, service areas, funding, language and attribute
rows; schedule RRULE parts, link, attending type and notes; location identifiers, address
id/attention/region/type and accessibility; organisation parent and identifiers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0011_related_words"),
    ]

    operations = [
        migrations.AddField(
            model_name="location",
            name="accessibility",
            field=models.JSONField(
                blank=True, default=list, help_text="ORUK accessibility rows, as given."
            ),
        ),
        migrations.AddField(
            model_name="location",
            name="address_id",
            field=models.UUIDField(blank=True, help_text="The feed's address id.", null=True),
        ),
        migrations.AddField(
            model_name="location",
            name="address_type",
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name="location",
            name="attention",
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.AddField(
            model_name="location",
            name="external_identifier",
            field=models.CharField(blank=True, help_text="e.g. a UPRN.", max_length=100),
        ),
        migrations.AddField(
            model_name="location",
            name="external_identifier_type",
            field=models.CharField(blank=True, max_length=50),
        ),
        migrations.AddField(
            model_name="location",
            name="region",
            field=models.CharField(blank=True, max_length=120),
        ),
        migrations.AddField(
            model_name="organization",
            name="identifiers",
            field=models.JSONField(
                blank=True, default=list, help_text="ORUK organization_identifiers, as given."
            ),
        ),
        migrations.AddField(
            model_name="organization",
            name="parent_organization_id",
            field=models.UUIDField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="schedule",
            name="attending_type",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="schedule",
            name="bymonthday",
            field=models.CharField(blank=True, help_text="e.g. 1,15", max_length=100),
        ),
        migrations.AddField(
            model_name="schedule",
            name="dtstart",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="schedule",
            name="interval",
            field=models.PositiveSmallIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="schedule",
            name="notes",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="schedule",
            name="schedule_link",
            field=models.URLField(blank=True, max_length=500),
        ),
        migrations.AddField(
            model_name="service",
            name="accreditations",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="service",
            name="assured_date",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="service",
            name="assurer_email",
            field=models.EmailField(blank=True, max_length=254),
        ),
        migrations.AddField(
            model_name="service",
            name="attribute_rows",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="ORUK attribute rows without their term (id, link_type, value).",
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="cost_options",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="service",
            name="funding",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name="service",
            name="language_rows",
            field=models.JSONField(
                blank=True, default=list, help_text="ORUK language rows (ids, names, notes)."
            ),
        ),
        migrations.AddField(
            model_name="service",
            name="service_areas",
            field=models.JSONField(blank=True, default=list),
        ),
    ]
