"""A resident's texts and a reply to them: the same rule as the pages (the holding
organisation's caseworkers only; anyone else gets the 404 of a record that does not
exist)."""

from datetime import datetime
from typing import Annotated

from ninja import Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.core.api.schemas import Detail, Errors, Input
from commonweave.core.visibility import Level, shown
from commonweave.people.access import Access, resident_get, resident_open

from .. import phones, selectors, services

router = Router(tags=["Messages"])


class TextOut(Schema):
    id: str
    direction: str
    kind: str
    status: str
    urgent: bool
    at: datetime
    body: str
    number: str  # masked: enough to recognise, not to ring
    sent_by: str | None = None


class TextList(Schema):
    items: list[TextOut]


class ReplyIn(Input):
    body: Annotated[str, Field(min_length=1, max_length=612)]  # at most 4 texts


def _out(text) -> dict:
    row = shown(text, Level.FULL)
    return {
        "id": row.public_id,
        "direction": row.direction,
        "kind": row.kind,
        "status": row.status,
        "urgent": row.urgent,
        "at": row.at,
        "body": row.body,
        "number": phones.masked(row.phone),
        "sent_by": str(row.sent_by) if row.sent_by else None,
    }


@router.get(
    "/messages/residents/{public_id}",
    response={200: TextList, 404: Detail},
    summary="A resident's texts",
)
def resident_texts(request, public_id: str):
    """Every text to and from the resident, oldest first, for the caseworkers of the
    organisation holding them. Writes one audit event (a VIEW of their record)."""
    viewer = request.auth
    resident, _access = resident_open(viewer, public_id, need=Access.FULL)
    return {"items": [_out(t) for t in selectors.texts_of(viewer, resident)]}


@router.post(
    "/messages/residents/{public_id}/reply",
    response={201: TextOut, 400: Errors, 404: Detail},
    summary="Text a resident",
)
def resident_reply(request, public_id: str, payload: ReplyIn):
    """Send a text to the resident's number, as the worker replying from their record.
    Refused (400) when they have no number or texted STOP."""
    viewer = request.auth
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    text = services.text_reply(viewer=viewer, resident=resident, body=payload.body)
    return Status(201, _out(text))
