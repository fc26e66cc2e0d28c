"""A reference for each referral that the person can quote on the phone ("CW-7K4P-9RX3").

Added empty, filled in for every existing referral (each its own, never repeated), then
made unique and required with new referrals given one when they are created."""

import secrets

from django.db import migrations, models

import commonweave.people.models

# A copy of the alphabet in commonweave.people.models, so this migration stays as it is
# even if the model's rule changes later.
ALPHABET = "CDFHJKMNPRTWXY34679"


def _reference():
    chars = "".join(secrets.choice(ALPHABET) for _ in range(8))
    return f"CW-{chars[:4]}-{chars[4:]}"


def backfill(apps, schema_editor):
    Referral = apps.get_model("people", "Referral")
    taken = set(Referral.objects.exclude(reference=None).values_list("reference", flat=True))
    batch = []
    for referral in Referral.objects.filter(reference=None).only("pk").iterator():
        reference = _reference()
        while reference in taken:
            reference = _reference()
        taken.add(reference)
        referral.reference = reference
        batch.append(referral)
        if len(batch) >= 1000:
            Referral.objects.bulk_update(batch, ["reference"])
            batch = []
    if batch:
        Referral.objects.bulk_update(batch, ["reference"])


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_overview_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="reference",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="referral",
            name="reference",
            field=models.CharField(
                default=commonweave.people.models.new_referral_reference,
                editable=False,
                max_length=12,
                unique=True,
            ),
        ),
    ]
