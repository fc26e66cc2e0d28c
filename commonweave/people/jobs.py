"""Recomputing residents' duplicate keys as a background job (commonweave/jobs).

The runner for JobKind.RECOMPUTE_KEYS is registered with the jobs app's runners when this
app is ready, so the jobs app does not import this one.
"""

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.jobs.enums import JobKind
from commonweave.jobs.services import RUNNERS, _audit_actor

from .models import Resident

BATCH_SIZE = 1000
KEY_FIELDS = ["name_key", "phone_key", "email_key"]


def recompute_duplicate_keys(*, job, progress, batch_size: int = BATCH_SIZE):
    """Recompute every resident's normalised name/phone/email keys in the job's place.

    Idempotent. Walks residents in primary-key batches and bulk-updates only rows whose
    keys changed (the resident's version is not bumped: keys are derived, not edits).
    Side effects: updates Resident key columns; one audit event for the whole run.
    """
    residents = Resident.objects.filter(place_id=job.place_id)
    progress.set_total(residents.count())
    progress.set_message("Checking residents' duplicate keys")
    last_pk, changed = 0, 0
    while True:
        batch = list(
            residents.filter(pk__gt=last_pk)
            .order_by("pk")
            .only("pk", "full_name", "phone", "email", *KEY_FIELDS)[:batch_size]
        )
        if not batch:
            break
        stale = []
        for resident in batch:
            before = tuple(getattr(resident, f) for f in KEY_FIELDS)
            resident.refresh_keys()
            if tuple(getattr(resident, f) for f in KEY_FIELDS) != before:
                stale.append(resident)
            progress.advance()
        if stale:
            Resident.objects.bulk_update(stale, KEY_FIELDS, batch_size=batch_size)
            changed += len(stale)
        last_pk = batch[-1].pk
    progress.message = f"Checked {progress.done:,} residents; {changed:,} needed new keys"
    progress.result = {"residents": progress.done, "changed": changed}
    audit_record(
        viewer=_audit_actor(job),
        action=Action.UPDATE,
        purpose=Purpose.ADMIN,
        object_type="people.resident",
        object_id="",
        detail={"job": job.public_id, "kind": job.kind, **progress.result},
    )


def register():
    RUNNERS.setdefault(JobKind.RECOMPUTE_KEYS, recompute_duplicate_keys)
