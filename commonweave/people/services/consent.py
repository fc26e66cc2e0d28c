"""Consent: recorded as events (who, when, how, the wording shown), never edited."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.tenancy.models import Organisation

from ..enums import (
    ConsentPurpose,
)
from ..models import (
    Consent,
    ConsentEvent,
)
from ._common import _require_full


def _consent_write(
    *, resident, purpose, organisation, given, method, wording, recorded_by_id, at=None
):
    at = at or timezone.now()
    event = ConsentEvent.objects.create(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        given=given,
        method=method,
        wording=wording,
        recorded_by_id=recorded_by_id,
        recorded_at=at,
    )
    Consent.objects.update_or_create(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        defaults={"given": given, "since": at},
    )
    return event


@transaction.atomic
def consent_record(
    *, viewer, resident, purpose, given, method, wording, organisation=None
) -> ConsentEvent:
    """Record consent given or withdrawn. Takes effect on the very next request: access
    checks read the current Consent row, which this updates in the same transaction.
    Side effects: ConsentEvent (append-only), Consent state, audit event."""
    _require_full(viewer, resident)
    purpose = ConsentPurpose(purpose)
    if purpose == ConsentPurpose.SHARE:
        if organisation is None or organisation.place_id != resident.place_id:
            raise ValidationError(
                {"organisation": "Choose the partner organisation to share with."}
            )
        if organisation.pk == resident.organisation_id:
            raise ValidationError({"organisation": "This organisation already holds the record."})
    else:
        organisation = None
    if not (wording or "").strip():
        raise ValidationError({"wording": "Record the words shown or read to them."})
    event = _consent_write(
        resident=resident,
        purpose=purpose,
        organisation=organisation,
        given=given,
        method=method,
        wording=wording.strip(),
        recorded_by_id=viewer.user_id,
    )
    audit_record(
        viewer=viewer,
        action=Action.CONSENT,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={
            "purpose": purpose.value,
            "given": given,
            "organisation": organisation.pk if organisation else None,
        },
    )
    return event


def organisations_to_share_with(resident):
    return Organisation.objects.filter(place_id=resident.place_id).exclude(
        pk=resident.organisation_id
    )


@transaction.atomic
def consent_record_by_resident(
    *, actor, resident, purpose, given, method, wording, at=None
) -> ConsentEvent:
    """Record consent the person gave or withdrew themselves, with no worker in between
    (a text saying STOP or START): `actor` is the front door it came through.
    Side effects: ConsentEvent (append-only), Consent state, audit event."""
    purpose = ConsentPurpose(purpose)
    if purpose == ConsentPurpose.SHARE:
        raise ValueError("Sharing with an organisation is recorded by a caseworker")
    event = _consent_write(
        resident=resident,
        purpose=purpose,
        organisation=None,
        given=given,
        method=method,
        wording=wording,
        recorded_by_id=None,
        at=at,
    )
    audit_record(
        viewer=actor,
        action=Action.CONSENT,
        purpose=Purpose.INTAKE,
        obj=resident,
        resident=resident,
        detail={"purpose": purpose.value, "given": given, "organisation": None},
        organisation_id=resident.organisation_id,
    )
    return event
