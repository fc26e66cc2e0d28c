"""Front door and triage endpoints: a partner system refers someone and follows its
referrals; caseworkers work the triage queue. resolve viewer -> selector/service -> schema."""

from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.errors import InvalidInput, service_errors
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.core.visibility import shown
from commonweave.people import selectors, services
from commonweave.people.access import Access, referral_access, referral_open, resident_get
from commonweave.people.clock import partner_status, referral_clock
from commonweave.people.enums import FrontDoor

from .schemas import (
    AssignIn,
    AssignOut,
    ContactIn,
    ReferralCreated,
    ReferralIn,
    ReferralOut,
    ReferralPage,
    TriageContactOut,
    TriagePage,
)

router = Router(tags=["Referrals and triage"])

NOT_FOUND = {404: Detail}
BAD = {400: Errors, 404: Detail}


def _named(obj, name_attr="name"):
    return None if obj is None else {"id": obj.pk, "name": str(getattr(obj, name_attr))}


REFERRAL_FIELDS = (
    "public_id",
    "reference",
    "front_door",
    "referrer_kind",
    "referrer_name",
    "urgency",
    "received_at",
    "due_at",
    "status",
    "first_contact_at",
    "reason",
    "consent",
)


def _referral_out(referral, access, now):
    """The referral at the caller's level through the field policy: the holding
    organisation sees it whole, a referrer sees it as they sent it and where it has got
    to — the same fields as the referral's page."""
    level = access.level
    record = shown(referral, level)
    person = shown(referral.resident, level)
    status = partner_status(referral, now)
    return {
        **record.values(REFERRAL_FIELDS),
        "status_label": status.label,
        "promise": status.promise,
        "referring_organisation": _named(record.value("referring_organisation")),
        "person": person.values(("full_name", "preferred_name")),
    }


# --- the partner-system front door ------------------------------------------------------


@router.post("/referrals", response={201: ReferralCreated, **BAD}, summary="Refer someone")
def referral_create(request, payload: ReferralIn):
    """Refer a person through the API front door. The referral is made by the calling
    token's organisation and starts the response promise: first contact within 24 hours,
    or 3 hours if urgent."""
    viewer = request.auth
    problems = payload.contact_errors()
    if problems:
        raise InvalidInput(problems)
    data = payload.model_dump()
    person = services.PersonDetails(
        **{name: data[name] for name in services.PersonDetails.__dataclass_fields__}
    )
    with service_errors():
        referral = services.referral_create(
            viewer=viewer,
            front_door=FrontDoor.API,
            person=person,
            referrer_kind=payload.referrer_kind,
            reason=payload.reason,
            urgency=payload.urgency,
            consent=payload.consent,
            referrer_name=payload.referrer_name,
            referrer_contact=payload.referrer_contact,
            referring_organisation_id=viewer.primary_org_id if viewer.member_org_ids else None,
        )
    return Status(
        201,
        {
            "public_id": referral.public_id,
            "due_at": referral.due_at,
            "status": referral.status,
            "urgency": referral.urgency,
            "received_at": referral.received_at,
        },
    )


@router.get("/referrals", response=ReferralPage, summary="Referrals your organisation made")
def referral_list(request, paging: PageParams):
    """Referrals made by the caller's organisations, newest first: status and whether the
    response promise was kept, never notes or the person's journey."""
    viewer = request.auth
    rows, envelope = paginate(selectors.referrals_followed_by(viewer), paging)
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.REFERRER,
        object_type="people.referral",
        residents=[r.resident.public_id for r in rows],
    )
    now = timezone.now()
    return {
        **envelope,
        "items": [_referral_out(r, referral_access(viewer, r), now) for r in rows],
    }


@router.get("/referrals/{public_id}", response={200: ReferralOut, **NOT_FOUND})
def referral_detail(request, public_id: str):
    """One referral the caller made (or whose person their organisation holds)."""
    referral, access = referral_open(request.auth, public_id)
    return _referral_out(referral, access, timezone.now())


# --- triage ------------------------------------------------------------------------------


class TriageFilter(Schema):
    show: Literal["all", "mine", "unassigned"] = Field("all", description="Which referrals")


def _casework(viewer):
    if not viewer.can_do_casework:
        raise Http404
    return viewer


@router.get("/triage", response={200: TriagePage, **BAD}, summary="The triage queue")
def triage_list(request, paging: PageParams, filters: Query[TriageFilter]):
    """Referrals waiting for first contact, soonest due first, each with its clock."""
    viewer = _casework(request.auth)
    if filters.show == "mine" and viewer.user is None:
        raise InvalidInput({"show": "Only a signed-in person has referrals assigned to them"})
    queue = selectors.triage_queue(
        viewer, assigned_to=viewer.user if filters.show == "mine" else None
    )
    if filters.show == "unassigned":
        queue = queue.filter(assigned_to__isnull=True)
    rows, envelope = paginate(queue, paging)
    flagged = selectors.residents_with_possible_duplicates(viewer, [r.resident for r in rows])
    audit_record(
        viewer=viewer,
        action=Action.LIST,
        purpose=Purpose.TRIAGE,
        object_type="people.referral",
        residents=[r.resident.public_id for r in rows],
    )
    now = timezone.now()
    items = []
    for referral in rows:
        clock = referral_clock(referral.due_at, now)
        items.append(
            {
                "public_id": referral.public_id,
                "resident_id": referral.resident.public_id,
                "display_name": referral.resident.display_name,
                "urgency": referral.urgency,
                "received_at": referral.received_at,
                "due_at": referral.due_at,
                "overdue": clock.is_overdue,
                "clock": clock.words,
                "front_door": referral.front_door,
                "assigned_to": _named(referral.assigned_to),
                "possible_duplicate": referral.resident_id in flagged,
            }
        )
    return {**envelope, "items": items}


def _triage_referral(viewer, public_id):
    referral = selectors.referral_for_triage(_casework(viewer), public_id)
    if referral is None:
        raise Http404
    resident_get(viewer, referral.resident.public_id, need=Access.FULL)
    return referral


@router.post("/triage/{public_id}/assign", response={200: AssignOut, **BAD})
def triage_assign(request, public_id: str, payload: AssignIn):
    """Assign the referral (and the person's casework) to a catalyst of the holding
    organisation, named by email or id."""
    viewer = request.auth
    referral = _triage_referral(viewer, public_id)
    given = [(name, value) for name, value in payload.model_dump().items() if value is not None]
    if len(given) != 1:
        raise InvalidInput({"catalyst_email": "Give either catalyst_email or catalyst_id"})
    field, value = given[0]
    candidates = services.catalysts_for(referral.resident.organisation_id)
    lookup = {"email__iexact": value} if field == "catalyst_email" else {"pk": value}
    catalyst = candidates.filter(**lookup).first()
    if catalyst is None:
        raise InvalidInput({field: "Choose someone who works with this organisation's residents"})
    with service_errors(catalyst=field):
        services.referral_assign(viewer=viewer, referral=referral, catalyst=catalyst)
    return {
        "public_id": referral.public_id,
        "status": referral.status,
        "assigned_to": _named(catalyst),
        "assigned_at": referral.assigned_at,
    }


@router.post("/triage/{public_id}/contact", response={200: TriageContactOut, **BAD})
def triage_contact(request, public_id: str, payload: ContactIn):
    """Record an attempt at first contact. Speaking to them or leaving a message stops the
    clock; other outcomes are kept and the clock keeps running."""
    viewer = request.auth
    referral = _triage_referral(viewer, public_id)
    with service_errors():
        services.referral_record_contact(
            viewer=viewer, referral=referral, outcome=payload.outcome, note=payload.note
        )
    return {
        "public_id": referral.public_id,
        "status": referral.status,
        "first_contact_at": referral.first_contact_at,
        "first_contact_outcome": referral.first_contact_outcome,
        "resident_stage": referral.resident.stage,
    }
