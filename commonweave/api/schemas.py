"""What the API accepts and returns. Inputs forbid unknown fields (a misspelt field is a
400, not silently ignored), strip whitespace and carry the same limits as the models.
Outputs say only what the caller may know: shared records carry no notes."""

from datetime import date, datetime
from typing import Annotated

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Schema
from pydantic import ConfigDict, Field, field_validator

from commonweave.people.enums import (
    CloseReason,
    ConnectionKind,
    ConnectionStatus,
    ConsentMethod,
    ConsentPurpose,
    ContactMethod,
    ContactOutcome,
    ConversationKind,
    GoalProgress,
    ReferralConsent,
    ReferrerKind,
    Stage,
    Urgency,
)

EMAIL_MESSAGE = "Enter an email address like name@example.com"


def Text(max_length=None, *, required=False):  # noqa: N802 - reads as a type
    return Annotated[str, Field(min_length=1 if required else 0, max_length=max_length)]


class Input(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _email(value):
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError(EMAIL_MESSAGE) from None
    return value


def _postcode(value):
    value = " ".join((value or "").upper().split())
    if len(value) > 10:
        raise ValueError("Enter a postcode like SW1A 1AA")
    return value


def _past(value):
    if value is not None and value >= timezone.localdate():
        raise ValueError("Date of birth must be in the past")
    return value


# --- input: referrals and triage ---------------------------------------------------------


class ReferralIn(Input):
    full_name: Text(150, required=True)
    preferred_name: Text(80) = ""
    date_of_birth: date | None = None
    phone: Text(30) = ""
    email: Text(254) = ""
    address: Text(1000) = ""
    postcode: str = ""
    contact_method: ContactMethod = ContactMethod.PHONE
    contact_when: Text(200) = ""
    referrer_kind: ReferrerKind
    reason: Text(5000, required=True)
    urgency: Urgency = Urgency.ROUTINE
    consent: ReferralConsent
    referrer_name: Text(150) = ""
    referrer_contact: Text(200) = ""

    _check_email = field_validator("email")(_email)
    _check_postcode = field_validator("postcode")(_postcode)
    _check_born = field_validator("date_of_birth")(_past)

    def contact_errors(self) -> dict:
        """The same rule as the referral forms: at least one way to reach them, and the
        one they prefer."""
        if not (self.phone or self.email or self.address or self.postcode):
            return {
                "phone": "Give at least one way to contact them: a phone number, email or address"
            }
        method = self.contact_method
        if method in (ContactMethod.PHONE, ContactMethod.TEXT) and not self.phone:
            return {"phone": "Enter a phone number, or choose another way to contact them"}
        if method == ContactMethod.EMAIL and not self.email:
            return {"email": "Enter an email address, or choose another way to contact them"}
        if method == ContactMethod.VISIT and not (self.address or self.postcode):
            return {"address": "Enter their address, or choose another way to contact them"}
        return {}


class AssignIn(Input):
    catalyst_email: Text(254) | None = None
    catalyst_id: int | None = None


class ContactIn(Input):
    outcome: ContactOutcome
    note: Text(5000) = ""


# --- input: residents --------------------------------------------------------------------


class Versioned(Input):
    version: int = Field(ge=1, description="The version the change started from")


class ProfilePatch(Versioned):
    full_name: Text(150, required=True) = None
    preferred_name: Text(80) = None
    date_of_birth: date | None = None
    phone: Text(30) = None
    email: Text(254) = None
    address: Text(1000) = None
    postcode: str = None
    contact_method: ContactMethod = None
    contact_when: Text(200) = None
    what_matters: Text(5000) = None
    strengths: Text(5000) = None
    has_to_give: Text(5000) = None

    _check_email = field_validator("email")(_email)
    _check_postcode = field_validator("postcode")(_postcode)
    _check_born = field_validator("date_of_birth")(_past)

    @field_validator(
        "full_name",
        "preferred_name",
        "phone",
        "email",
        "address",
        "postcode",
        "contact_method",
        "contact_when",
        "what_matters",
        "strengths",
        "has_to_give",
        mode="before",
    )
    @classmethod
    def _not_null(cls, value):
        if value is None:
            raise ValueError("Send text here, or leave the field out")
        return value

    def changes(self) -> dict:
        return self.model_dump(exclude_unset=True, exclude={"version"})


class ConversationIn(Input):
    kind: ConversationKind
    notes: Text(20000, required=True)
    happened_at: datetime | None = None
    next_action: Text(200) = ""
    next_action_due: date | None = None

    @field_validator("happened_at")
    @classmethod
    def _not_future(cls, value):
        if value is not None and value > timezone.now():
            raise ValueError("A conversation cannot have happened in the future")
        return value


class GoalIn(Input):
    text: Text(1000, required=True)
    progress: GoalProgress = GoalProgress.NOT_STARTED


class GoalProgressIn(Input):
    progress: GoalProgress


class ConnectionIn(Input):
    kind: ConnectionKind
    name: Text(200, required=True)
    description: Text(5000) = ""
    status: ConnectionStatus = ConnectionStatus.MADE
    made_on: date | None = None


class ConsentIn(Input):
    purpose: ConsentPurpose
    given: bool
    method: ConsentMethod
    wording: Text(5000, required=True) = Field(
        description="The words shown or read to the person, kept with the record"
    )
    organisation_id: int | None = Field(
        None, description="Required when sharing: the partner organisation"
    )

    @field_validator("method")
    @classmethod
    def _not_by_referrer(cls, value):
        if value == ConsentMethod.REFERRER:
            raise ValueError("Record how the person told you themselves")
        return value


class StageIn(Versioned):
    to_stage: Stage
    note: Text(1000) = ""


class GraduateIn(Versioned):
    words: Text(5000, required=True)
    giving_back: Text(5000) = ""


class CloseIn(Versioned):
    reason: CloseReason
    note: Text(2000) = ""


# --- output ------------------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str


class Errors(Schema):
    errors: list[FieldError]


class Detail(Schema):
    detail: str


class Conflict(Schema):
    detail: str
    version: int
    current: dict


class Named(Schema):
    id: int
    name: str


class ReferralCreated(Schema):
    public_id: str
    due_at: datetime
    status: str
    urgency: str
    received_at: datetime


class ReferralOut(Schema):
    """What a referrer may follow: where it has got to, never notes or the journey."""

    public_id: str
    front_door: str
    urgency: str
    received_at: datetime
    due_at: datetime
    status: str
    status_label: str
    promise: str
    first_contact_at: datetime | None
    referring_organisation: Named | None


class TriageItem(Schema):
    public_id: str
    resident_id: str
    display_name: str
    urgency: str
    received_at: datetime
    due_at: datetime
    overdue: bool
    clock: str
    front_door: str
    assigned_to: Named | None
    possible_duplicate: bool


class AssignOut(Schema):
    public_id: str
    status: str
    assigned_to: Named
    assigned_at: datetime


class ContactOut(Schema):
    public_id: str
    status: str
    first_contact_at: datetime | None
    first_contact_outcome: str
    resident_stage: str


class ResidentItem(Schema):
    public_id: str
    full_name: str
    preferred_name: str
    stage: str
    access: str
    organisation: Named
    updated_at: datetime


class GoalOut(Schema):
    id: int
    text: str
    progress: int
    progress_label: str
    created_at: datetime
    achieved_at: datetime | None


class ConnectionOut(Schema):
    id: int
    kind: str
    name: str
    description: str
    status: str
    made_on: date


class ConsentOut(Schema):
    purpose: str
    organisation: Named | None
    given: bool
    since: datetime


class StageChangeOut(Schema):
    from_stage: str
    to_stage: str
    changed_at: datetime
    note: str | None = Field(None, description="Left out for consented sharing")


class ConversationOut(Schema):
    id: int
    kind: str
    happened_at: datetime
    notes: str
    next_action: str
    next_action_due: date | None
    author: Named | None


class ResidentReferralOut(Schema):
    public_id: str
    front_door: str
    received_at: datetime
    urgency: str
    first_contact_at: datetime | None
    reason: str | None = Field(None, description="Left out for consented sharing")


class ResidentOut(Schema):
    public_id: str
    version: int
    access: str = Field(description="full (held by your organisation) or shared (by consent)")
    organisation: Named
    catalyst: Named | None
    stage: str
    stage_changed_at: datetime
    full_name: str
    preferred_name: str
    date_of_birth: date | None
    phone: str
    email: str
    address: str
    postcode: str
    contact_method: str
    contact_when: str
    what_matters: str
    strengths: str
    has_to_give: str
    graduated_at: datetime | None
    graduation_words: str
    giving_back: str
    closed_at: datetime | None
    closed_reason: str
    created_at: datetime
    updated_at: datetime
    goals: list[GoalOut]
    connections: list[ConnectionOut]
    consents: list[ConsentOut]
    stages: list[StageChangeOut]
    referrals: list[ResidentReferralOut]
    # Only for the holding organisation: notes and what they lead to.
    next_action: str | None = None
    next_action_due: date | None = None
    closed_note: str | None = None
    conversations: list[ConversationOut] | None = None


class ProfileOut(Schema):
    public_id: str
    version: int
    stage: str
    full_name: str
    preferred_name: str
    date_of_birth: date | None
    phone: str
    email: str
    address: str
    postcode: str
    contact_method: str
    contact_when: str
    what_matters: str
    strengths: str
    has_to_give: str


class JourneyOut(Schema):
    public_id: str
    stage: str
    version: int


class Created(Schema):
    id: int
    resident_id: str


class PublishedCount(Schema):
    value: int | None = Field(description="null when suppressed")
    label: str


class PublishedRowOut(Schema):
    key: str
    label: str
    count: PublishedCount


class PublishedTableOut(Schema):
    rows: list[PublishedRowOut]
    total: PublishedCount
    suppressed_cells: int


class OverviewOut(Schema):
    place: str
    suppression_threshold: int
    residents_by_stage: PublishedTableOut
    referrals_by_front_door: PublishedTableOut
    response_times: dict[str, PublishedCount]
    within_promise_share: str
    graduations_by_month: PublishedTableOut


def page_of(item_schema, name):
    """The pagination envelope: {"items": [...], "count": total, "page": n, "pages": n}."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "items": list[item_schema],
                "count": int,
                "page": int,
                "pages": int,
            }
        },
    )


ReferralPage = page_of(ReferralOut, "ReferralPage")
TriagePage = page_of(TriageItem, "TriagePage")
ResidentPage = page_of(ResidentItem, "ResidentPage")
