"""The message back to the GP and referrer in the API: the same rules as the pages (the
holding organisation's caseworkers only; anyone else gets the 404 of a missing record),
the same message, the same audit (an EXPORT per message read)."""

from typing import Annotated, Any

from django.http import Http404
from ninja import Router, Schema
from pydantic import Field

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.api.schemas import Detail, Errors, Input
from commonweave.people.access import Access, resident_get, resident_open

from . import message
from .models import GPRegistration
from .services import gp_registration_save

router = Router(tags=["Social prescribing"])


class MessageBackOut(Schema):
    valid: bool = Field(description="True when the message meets the derived PRSB schema")
    problems: list[str] = Field(description="What is missing or wrong, in words")
    message: dict[str, Any] = Field(
        description="The message back, in the JSON Schema derived from the PRSB Social "
        "Prescribing Information Standard v1.1 (docs/prescribing.md)"
    )


PracticeCode = Annotated[str, Field(min_length=1, max_length=6)]
PracticeName = Annotated[str, Field(max_length=150)]
GPName = Annotated[str, Field(max_length=70)]
NHSNumber = Annotated[str, Field(max_length=14, description="10 digits; spaces allowed")]


class GPRegistrationIn(Input):
    practice_code: PracticeCode
    practice_name: PracticeName = ""
    gp_name: GPName = ""
    nhs_number: NHSNumber = ""


class GPRegistrationOut(Schema):
    practice_code: str
    practice_name: str
    gp_name: str
    nhs_number: str


@router.get(
    "/residents/{public_id}/message-back",
    response={200: MessageBackOut, 404: Detail},
    summary="Message back to GP and referrer",
)
def message_back(request, public_id: str, codes_only: bool = False):
    """The message back for one resident, as JSON to file or send. `codes_only` leaves out
    every piece of free text. Writes one audit event (EXPORT)."""
    viewer = request.auth
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    built = message.build(viewer, resident, codes_only=codes_only)
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"export": "message_back", "format": "api", "codes_only": codes_only},
    )
    return {"valid": built.valid, "problems": built.problems, "message": built.data}


@router.get(
    "/residents/{public_id}/gp-registration",
    response={200: GPRegistrationOut, 404: Detail},
    summary="Their GP practice and NHS number",
)
def gp_registration_get(request, public_id: str):
    """Where the resident is registered with a GP; a 404 when none is recorded. Writes one
    audit event (VIEW)."""
    resident, _access = resident_open(request.auth, public_id, need=Access.FULL)
    registration = GPRegistration.objects.filter(resident=resident).first()
    if registration is None:
        raise Http404
    return registration


@router.put(
    "/residents/{public_id}/gp-registration",
    response={200: GPRegistrationOut, 400: Errors, 404: Detail},
    summary="Record their GP practice and NHS number",
)
def gp_registration_put(request, public_id: str, payload: GPRegistrationIn):
    """Record or replace where the resident is registered with a GP. A wrong ODS code or
    an NHS number whose check digit fails is a 400 naming the field. Audited."""
    viewer = request.auth
    resident, _access = resident_get(viewer, public_id, need=Access.FULL)
    return gp_registration_save(viewer, resident, payload.dict())
