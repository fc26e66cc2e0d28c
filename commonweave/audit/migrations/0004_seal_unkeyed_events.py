"""Events written before the audit key existed: list their residents in AuditEventSubject
(so "who has seen my record" finds them) and seal them with one signed checkpoint of the
newest event, so they cannot be re-chained later without the key.

The checkpoint signature below is a frozen copy of `checkpoint_signature()` in
commonweave/audit/models.py; the two must stay byte-for-byte the same.
"""

import hashlib
import hmac
import json

from django.conf import settings
from django.db import migrations
from django.db.models import Q
from django.utils import timezone


def _listed_ids(detail):
    # Before this migration the resident search page wrote "results", every other list
    # "residents"; jobs wrote counts under "residents", which are not lists.
    if not isinstance(detail, dict):
        return []
    listed = detail.get("residents")
    if not isinstance(listed, list):
        listed = detail.get("results")
    return sorted({str(pid) for pid in listed}) if isinstance(listed, list) else []


def _signature(seq, hash_, at):
    payload = json.dumps(["checkpoint", int(seq), hash_, at], sort_keys=True, default=str)
    return hmac.new(settings.AUDIT_KEY.encode(), payload.encode(), hashlib.sha256).hexdigest()


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditEventSubject = apps.get_model("audit", "AuditEventSubject")
    AuditCheckpoint = apps.get_model("audit", "AuditCheckpoint")
    listing = AuditEvent.objects.filter(Q(detail__has_key="residents") | Q(detail__has_key="results"))
    batch = []
    for pk, detail in listing.order_by("pk").values_list("pk", "detail").iterator(chunk_size=2000):
        batch.extend(AuditEventSubject(event_id=pk, resident_id=pid) for pid in _listed_ids(detail))
        if len(batch) >= 2000:
            AuditEventSubject.objects.bulk_create(batch)
            batch = []
    AuditEventSubject.objects.bulk_create(batch)

    newest = AuditEvent.objects.order_by("-pk").values_list("pk", "hash").first()
    if newest is not None:
        at = timezone.now()
        AuditCheckpoint.objects.create(
            at=at, seq=newest[0], hash=newest[1], signature=_signature(newest[0], newest[1], at.isoformat())
        )


class Migration(migrations.Migration):

    dependencies = [
        ("audit", "0003_keyed_chain_and_subjects"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
