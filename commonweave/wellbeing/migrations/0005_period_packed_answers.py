"""Cohort change over a period from a few index reads per person (period.py), step one.

Check-ins get their ratings and their measure scores packed in one text each
(`area_values`, `measure_values`, packed.py) and `measured` when they have any measure
response; measure responses get the resident, place and completion time of their
check-in. Existing rows are filled here; 0006 makes the copied fields required and builds
the indexes (a separate migration, so that on PostgreSQL the tables are altered after
this backfill has committed).
"""

import django.db.models.deletion
from django.db import connection, migrations, models
from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from commonweave.wellbeing.packed import pack_areas, pack_measures

BATCH = 2000


class _Area:
    def __init__(self, key):
        self.key = key


def backfill(apps, schema_editor):
    CheckIn = apps.get_model("wellbeing", "CheckIn")
    LifeArea = apps.get_model("wellbeing", "LifeArea")
    AreaRating = apps.get_model("wellbeing", "AreaRating")
    MeasureResponse = apps.get_model("wellbeing", "MeasureResponse")
    Instrument = apps.get_model("wellbeing", "Instrument")

    checkin = CheckIn.objects.filter(pk=OuterRef("checkin_id"))
    MeasureResponse.objects.update(
        resident_id=Subquery(checkin.values("resident_id")[:1]),
        place_id=Subquery(checkin.values("place_id")[:1]),
        completed_at=Subquery(
            checkin.annotate(at=Coalesce(F("completed_at"), F("created_at"))).values("at")[:1]
        ),
    )

    areas_of, key_of = {}, {}
    rows = LifeArea.objects.order_by("version_id", "position")
    for pk, version_id, key in rows.values_list("pk", "version_id", "key"):
        areas_of.setdefault(version_id, []).append(_Area(key))
        key_of[pk] = key
    definitions = dict(Instrument.objects.values_list("pk", "definition"))
    qn = connection.ops.quote_name
    # Names from model metadata, quoted; every value is a parameter.
    update = (
        f"UPDATE {qn(CheckIn._meta.db_table)} SET {qn('area_values')} = %s, "  # noqa: S608
        f"{qn('measure_values')} = %s, {qn('measured')} = %s WHERE {qn('id')} = %s"
    )
    last = 0
    while True:
        batch = list(
            CheckIn.objects.filter(pk__gt=last, status="complete")
            .order_by("pk")
            .values_list("pk", "version_id")[:BATCH]
        )
        if not batch:
            break
        last = batch[-1][0]
        ids = [pk for pk, _ in batch]
        values, measures = {}, {}
        ratings = AreaRating.objects.filter(checkin_id__in=ids, value__isnull=False)
        for checkin_id, area_id, value in ratings.values_list("checkin_id", "area_id", "value"):
            values.setdefault(checkin_id, {})[key_of[area_id]] = value
        responses = MeasureResponse.objects.filter(checkin_id__in=ids)
        for checkin_id, instrument_id, scores in responses.values_list(
            "checkin_id", "instrument_id", "scores"
        ):
            measures.setdefault(checkin_id, []).append(
                (instrument_id, definitions[instrument_id], scores)
            )
        rows = [
            (
                pack_areas(areas_of.get(version_id, []), values.get(pk, {})),
                pack_measures(measures.get(pk, [])),
                pk in measures,
                pk,
            )
            for pk, version_id in batch
        ]
        with connection.cursor() as cursor:
            cursor.executemany(update, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_overview_covering_indexes"),
        ("tenancy", "0001_initial"),
        ("wellbeing", "0004_scoretrack_cohort_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="area_values",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="checkin",
            name="measure_values",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.AddField(
            model_name="checkin",
            name="measured",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="measureresponse",
            name="completed_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.AddField(
            model_name="measureresponse",
            name="place",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="tenancy.place",
            ),
        ),
        migrations.AddField(
            model_name="measureresponse",
            name="resident",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="people.resident",
            ),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
