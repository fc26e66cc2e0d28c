"""Referrals through Commonweave to services that take them.

Sending: a caseworker of the organisation holding the resident, only with the resident's
consent to share their record with the receiving organisation, and only while the service
has places free. Receiving: that organisation's staff list the referrals sent to it, open
one (the resident's shared record: one audited read, and a 404 the moment consent is
withdrawn) and accept or decline it (declining needs a reason). Same services as the pages.
The referral and the person are answered through the field policy (directory/visibility.py)
at the receiving organisation's level, as the pages render them: a field that level does
not see is null.
"""

from ninja import Query, Router
from ninja.responses import Status

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams
from commonweave.core.api.schemas import Detail, Errors
from commonweave.core.visibility import shown
from commonweave.people.access import Access, resident_get, resident_open

from .. import referrals
from ..visibility import received_level
from ._common import caseworker, named, receiver
from .casework import entry_in_place
from .schemas_casework import (
    DecisionIn,
    DecisionOut,
    ReceivedFilter,
    ReceivedOut,
    ReceivedPage,
    ReferralSentOut,
    ServiceReferralIn,
)

router = Router(tags=["Directory: referrals to services"])

WRITE = {400: Errors, 404: Detail}


@router.post(
    "/directory/referrals",
    response={201: ReferralSentOut, **WRITE},
    summary="Refer a resident to a service",
)
def referral_send(request, payload: ServiceReferralIn):
    """Send a referral to the organisation that receives the service's referrals. Refused
    (400 naming `consent`) unless the resident agreed to their record being shared with it;
    refused when the service has no places free or one is already waiting. Records the
    consent, a connection with its follow-ups, and the referral: one audit event each."""
    viewer = caseworker(request.auth)
    resident, access = resident_get(viewer, payload.resident_id, need=Access.FULL)
    service = entry_in_place(viewer, payload.entry_id)
    if not referrals.takes_commonweave_referrals(service):
        raise InvalidInput({"entry_id": "This service does not take referrals through Commonweave"})
    with service_errors():
        referral = referrals.referral_send(
            viewer=viewer,
            resident=resident,
            service=service,
            reason=payload.reason,
            consent_given=payload.consent,
            consent_method=payload.consent_method,
        )
    record = shown(referral, access.level)
    return Status(
        201,
        {
            "id": record.public_id,
            "resident_id": shown(resident, access.level).public_id,
            "entry": named(record.service),
            "to_organisation": named(record.to_organisation),
            "status": record.status,
            "sent_at": record.sent_at,
        },
    )


def _received_item(viewer, r):
    level = received_level(viewer, r)
    record = shown(r, level)
    person = shown(r.resident, level) if r.visible else None
    return {
        "id": record.public_id,
        "entry": named(record.service),
        "from_organisation": named(record.from_organisation),
        "status": record.status,
        "sent_at": record.sent_at,
        "decided_at": record.value("decided_at"),
        "resident": {"public_id": person.public_id, "display_name": person.display_name}
        if person is not None
        else None,
    }


@router.get(
    "/directory/received-referrals",
    response={200: ReceivedPage, 400: Errors, 404: Detail},
    summary="Referrals your organisation received",
)
def received_list(request, paging: PageParams, filters: Query[ReceivedFilter]):
    """Referrals to the services your organisation runs, newest first. A resident is named
    only while their consent to share with you holds. One audit event (LIST) naming the
    residents on the page, when any."""
    viewer = receiver(request.auth)
    rows = referrals.referrals_received(viewer)
    if filters.status:
        rows = [r for r in rows if r.status == filters.status]
    count = len(rows)
    start = (paging.page - 1) * paging.size
    page = rows[start : start + paging.size]
    named_residents = sorted({r.resident.public_id for r in page if r.visible})
    if named_residents:
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.SHARED,
            object_type="directory.servicereferral",
            residents=named_residents,
        )
    return {
        "count": count,
        "page": paging.page,
        "pages": max(1, -(-count // paging.size)),
        "items": [_received_item(viewer, r) for r in page],
    }


@router.get(
    "/directory/received-referrals/{public_id}",
    response={200: ReceivedOut, 404: Detail},
    summary="One referral received",
)
def received_detail(request, public_id: str):
    """The referral and how to contact the person, as its page shows it. One audit event
    (VIEW of the shared record); 404 once their consent to share is withdrawn."""
    viewer = receiver(request.auth)
    referral = referrals.referral_for_receiver(viewer, public_id)
    resident, access = resident_open(viewer, referral.resident.public_id, need=Access.SHARED)
    record, person = shown(referral, access.level), shown(resident, access.level)
    return {
        "id": record.public_id,
        "entry": named(record.service),
        "from_organisation": named(record.from_organisation),
        "status": record.status,
        "sent_at": record.sent_at,
        "reason": record.value("reason"),
        "decided_at": record.value("decided_at"),
        "decision_note": record.value("decision_note"),
        "resident": {
            "public_id": person.public_id,
            "display_name": person.display_name,
            "contact_method": person.value("contact_method"),
            "contact_when": person.value("contact_when"),
        },
    }


@router.post(
    "/directory/received-referrals/{public_id}/decision",
    response={200: DecisionOut, **WRITE},
    summary="Accept or decline a referral",
)
def received_decide(request, public_id: str, payload: DecisionIn):
    """Accepting takes one of the service's places (if it counts them); declining needs a
    `note` saying why, and tells the caseworker the connection never started. One audit
    event. A referral is answered once."""
    viewer = receiver(request.auth)
    referral = referrals.referral_for_receiver(viewer, public_id)
    if payload.decision == "decline" and not payload.note:
        raise InvalidInput({"note": "Say why you are declining"})
    with service_errors():
        referral = referrals.referral_decide(
            viewer=viewer,
            referral=referral,
            accept=payload.decision == "accept",
            note=payload.note,
        )
    record = shown(referral, received_level(viewer, referral))
    return {
        "id": record.public_id,
        "status": record.status,
        "decided_at": record.value("decided_at"),
        "decision_note": record.value("decision_note"),
    }
