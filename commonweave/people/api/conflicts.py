"""What a resident edit that lost a race answers with (core.api.conflicts.answers_conflict):
the record as it is now, so the client can redo its change on top of it."""

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people.services import PROFILE_FIELDS


def current_record(request, current) -> dict:
    """The record as it is now. Reading it is a read of a personal record: one audited VIEW
    (services only raise Conflict after checking the viewer holds the record in full)."""
    viewer = getattr(request, "auth", None)
    if viewer is not None:
        audit_record(
            viewer=viewer,
            action=Action.VIEW,
            purpose=Purpose.CASEWORK,
            obj=current,
            resident=current,
            detail={"conflict": True},
        )
    record = {name: getattr(current, name) for name in PROFILE_FIELDS}
    record.update(public_id=current.public_id, stage=current.stage, version=current.version)
    return record
