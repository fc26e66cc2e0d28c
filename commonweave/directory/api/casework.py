"""Connecting a resident to a directory entry, and the follow-ups at 3 and 6 months that ask
whether it took. For the caseworkers (catalysts, coordinators) of the organisation that
holds the resident; anyone else finds nothing (404), as on the connect pages.

Audited as the pages are: a change is audited by its service (one event); an answer that
shows a resident's record or lists residents writes one VIEW or one LIST.
"""

from django.http import Http404
from ninja import Query, Router
from ninja.responses import Status

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.errors import InvalidInput
from commonweave.core.api.pagination import PageParams, paginate
from commonweave.core.api.schemas import Detail, Errors
from commonweave.people.access import Access, resident_get, resident_open

from .. import connecting, referrals
from ..models import ConnectionLink, FollowUp, Service
from ._common import caseworker, named
from .schemas_casework import (
    AnswerIn,
    AnswerOut,
    ConnectIn,
    DirectoryConnectionOut,
    FollowUpFilter,
    FollowUpOut,
    FollowUpPage,
    ResidentDirectoryOut,
)

router = Router(tags=["Directory: connections and follow-ups"])

WRITE = {400: Errors, 404: Detail}


def entry_in_place(viewer, entry_id, field="entry_id"):
    """The entry named in a request body, or a 400 naming that field."""
    service = (
        Service.objects.select_related("referral_organisation")
        .filter(place=viewer.place, pk=entry_id)
        .first()
    )
    if service is None:
        raise InvalidInput({field: "This place's directory has no entry with this id"})
    return service


def _follow_up_brief(f):
    return {
        "id": f.pk,
        "months": f.months,
        "due_on": f.due_on,
        "outcome": f.outcome,
        "why": f.why,
        "answered_at": f.answered_at,
    }


def _connection_out(link, resident_id):
    return {
        "id": link.pk,
        "resident_id": resident_id,
        "entry": named(link.service),
        "made_on": link.connection.made_on,
        "status": link.connection.status,
        "follow_ups": [_follow_up_brief(f) for f in link.follow_ups.all()],
    }


@router.post(
    "/directory/connections",
    response={201: DirectoryConnectionOut, **WRITE},
    summary="Connect a resident to an entry",
)
def connection_create(request, payload: ConnectIn):
    """Record that the resident was connected to the entry today; follow-ups fall due at 3
    and 6 months. For the caseworkers of the resident's organisation (else 404). One audit
    event (the connection)."""
    viewer = caseworker(request.auth)
    resident, _ = resident_get(viewer, payload.resident_id, need=Access.FULL)
    service = entry_in_place(viewer, payload.entry_id)
    link = connecting.connect_resident(viewer=viewer, resident=resident, service=service)
    link = (
        ConnectionLink.objects.select_related("service", "connection")
        .prefetch_related("follow_ups")
        .get(pk=link.pk)
    )
    return Status(201, _connection_out(link, resident.public_id))


@router.get(
    "/residents/{public_id}/directory",
    response={200: ResidentDirectoryOut, 404: Detail},
    summary="A resident's connections to the directory and referrals sent",
)
def resident_directory(request, public_id: str):
    """What the connect page shows of the resident: their connections to entries with each
    follow-up, and the referrals sent for them. One audit event (VIEW)."""
    viewer = caseworker(request.auth)
    resident, _ = resident_open(viewer, public_id, need=Access.FULL)
    links = (
        ConnectionLink.objects.filter(connection__resident=resident)
        .select_related("service", "connection")
        .prefetch_related("follow_ups")
        .order_by("-connection__made_on", "-pk")
    )
    sent = [
        {
            "id": r.public_id,
            "entry": named(r.service),
            "to_organisation": named(r.to_organisation),
            "status": r.status,
            "sent_at": r.sent_at,
            "decided_at": r.decided_at,
            "decision_note": r.decision_note,
        }
        for r in referrals.referrals_for_resident(resident)
    ]
    return {
        "resident_id": resident.public_id,
        "connections": [_connection_out(link, resident.public_id) for link in links],
        "referrals": sent,
    }


def _follow_up_item(f):
    resident = f.link.connection.resident
    return {
        "id": f.pk,
        "months": f.months,
        "due_on": f.due_on,
        "made_on": f.link.connection.made_on,
        "resident": {"public_id": resident.public_id, "display_name": resident.display_name},
        "entry": named(f.link.service),
    }


@router.get(
    "/directory/follow-ups",
    response={200: FollowUpPage, 400: Errors, 404: Detail},
    summary="Follow-ups due",
)
def follow_up_list(request, paging: PageParams, filters: Query[FollowUpFilter]):
    """Unanswered 3- and 6-month follow-ups now due, for residents your organisation holds,
    soonest first. One audit event (LIST) naming the residents on the page, when any."""
    viewer = caseworker(request.auth)
    if filters.who == "mine" and viewer.user is None:
        raise InvalidInput({"who": "Only a signed-in person has a caseload of their own"})
    due = connecting.follow_ups_due(viewer, mine_only=filters.who == "mine")
    rows, envelope = paginate(due, paging)
    if rows:
        audit_record(
            viewer=viewer,
            action=Action.LIST,
            purpose=Purpose.CASEWORK,
            object_type="directory.followup",
            residents=[f.link.connection.resident.public_id for f in rows],
        )
    return {**envelope, "items": [_follow_up_item(f) for f in rows]}


def _follow_up_get(viewer, follow_up_id):
    item = (
        FollowUp.objects.select_related("link__service", "link__connection__resident")
        .filter(pk=follow_up_id, link__service__place=viewer.place)
        .first()
    )
    if item is None:
        raise Http404
    return item


@router.get(
    "/directory/follow-ups/{int:follow_up_id}",
    response={200: FollowUpOut, 404: Detail},
    summary="One follow-up",
)
def follow_up_detail(request, follow_up_id: int):
    """The follow-up and its answer so far. One audit event (VIEW of the resident)."""
    viewer = caseworker(request.auth)
    item = _follow_up_get(viewer, follow_up_id)
    resident_open(viewer, item.link.connection.resident.public_id, need=Access.FULL)
    return {
        **_follow_up_item(item),
        "outcome": item.outcome,
        "why": item.why,
        "answered_at": item.answered_at,
    }


@router.post(
    "/directory/follow-ups/{int:follow_up_id}/answer",
    response={200: AnswerOut, **WRITE},
    summary="Answer a follow-up: did the connection take?",
)
def follow_up_answer(request, follow_up_id: int, payload: AnswerIn):
    """Still going, stopped or never started, and why. The resident's connection shows the
    answer. One audit event (the change)."""
    viewer = caseworker(request.auth)
    item = _follow_up_get(viewer, follow_up_id)
    resident, _ = resident_get(viewer, item.link.connection.resident.public_id, need=Access.FULL)
    connecting.follow_up_answer(
        viewer=viewer, follow_up=item, outcome=payload.outcome.value, why=payload.why
    )
    return {
        "id": item.pk,
        "resident_id": resident.public_id,
        "outcome": item.outcome,
        "why": item.why,
        "answered_at": item.answered_at,
    }
