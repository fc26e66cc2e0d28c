"""What the resident and referral endpoints accept and return. Inputs carry the same limits
as the models; outputs say only what the caller may know (a field the field policy hides
from the caller's access level is null)."""

from datetime import date, datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.utils import timezone
from ninja import Schema
from pydantic import Field, field_validator

from commonweave.core.api.schemas import (
    Date,
    DateTime,
    Input,
    Named,
    Text,
    Versioned,
    page_of,
    policy_field,
)
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
    date_of_birth: Date | None = None
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


class ProfilePatch(Versioned):
    full_name: Text(150, required=True) = None
    preferred_name: Text(80) = None
    date_of_birth: Date | None = None
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
    happened_at: DateTime | None = None
    next_action: Text(200) = ""
    next_action_due: Date | None = None

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
    made_on: Date | None = None


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


class ReferralCreated(Schema):
    public_id: str
    due_at: datetime
    status: str
    urgency: str
    received_at: datetime


class ReferredPerson(Schema):
    full_name: str | None = policy_field()
    preferred_name: str | None = policy_field()


class ReferralOut(Schema):
    """A referral as its referrer sent it and where it has got to, never the person's
    journey; the holding organisation's caseworkers see it whole."""

    public_id: str
    reference: str | None = policy_field()
    front_door: str | None = policy_field()
    referrer_kind: str | None = policy_field()
    referrer_name: str | None = policy_field()
    urgency: str | None = policy_field()
    received_at: datetime | None = policy_field()
    due_at: datetime | None = policy_field()
    status: str | None = policy_field()
    status_label: str
    promise: str
    first_contact_at: datetime | None = policy_field()
    reason: str | None = policy_field()
    consent: str | None = policy_field()
    referring_organisation: Named | None = None
    person: ReferredPerson


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


class TriageContactOut(Schema):
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


class SharedResidentOut(Schema):
    """A resident shared with the caller's organisation by the person's consent: the same
    fields the "Shared with us" page shows, through the field policy at the shared level."""

    public_id: str
    full_name: str | None = policy_field()
    preferred_name: str | None = policy_field()
    stage: str | None = policy_field()
    stage_changed_at: datetime | None = policy_field()
    organisation: Named | None = policy_field()
    updated_at: datetime | None = policy_field()


class GoalOut(Schema):
    id: int
    text: str | None = policy_field()
    progress: int | None = policy_field()
    progress_label: str | None = policy_field()
    created_at: datetime | None = policy_field()
    achieved_at: datetime | None = policy_field()


class ConnectionOut(Schema):
    id: int
    kind: str | None = policy_field()
    name: str | None = policy_field()
    description: str | None = policy_field()
    status: str | None = policy_field()
    made_on: date | None = policy_field()


class ConsentOut(Schema):
    purpose: str | None = policy_field()
    organisation: Named | None = None
    given: bool | None = policy_field()
    since: datetime | None = policy_field()


class StageChangeOut(Schema):
    from_stage: str | None = policy_field()
    to_stage: str | None = policy_field()
    changed_at: datetime | None = policy_field()
    note: str | None = policy_field()


class ConversationOut(Schema):
    id: int
    kind: str | None = policy_field()
    happened_at: datetime | None = policy_field()
    notes: str | None = policy_field()
    next_action: str | None = policy_field()
    next_action_due: date | None = policy_field()
    author: Named | None = None


class ResidentReferralOut(Schema):
    public_id: str | None = policy_field()
    front_door: str | None = policy_field()
    received_at: datetime | None = policy_field()
    urgency: str | None = policy_field()
    first_contact_at: datetime | None = policy_field()
    reason: str | None = policy_field()


class ResidentOut(Schema):
    """A resident's record at the caller's access level. Every field is in every answer;
    a field the policy hides from that level is null, and a list of records the level
    sees nothing of (conversations and consents, for consented sharing) is null."""

    public_id: str
    access: str = Field(description="full (held by your organisation) or shared (by consent)")
    version: int | None = policy_field()
    organisation: Named | None = policy_field()
    catalyst: Named | None = policy_field()
    stage: str | None = policy_field()
    stage_changed_at: datetime | None = policy_field()
    full_name: str | None = policy_field()
    preferred_name: str | None = policy_field()
    date_of_birth: date | None = policy_field()
    phone: str | None = policy_field()
    email: str | None = policy_field()
    address: str | None = policy_field()
    postcode: str | None = policy_field()
    contact_method: str | None = policy_field()
    contact_when: str | None = policy_field()
    what_matters: str | None = policy_field()
    strengths: str | None = policy_field()
    has_to_give: str | None = policy_field()
    graduated_at: datetime | None = policy_field()
    graduation_words: str | None = policy_field()
    giving_back: str | None = policy_field()
    closed_at: datetime | None = policy_field()
    closed_reason: str | None = policy_field()
    closed_note: str | None = policy_field()
    next_action: str | None = policy_field()
    next_action_due: date | None = policy_field()
    created_at: datetime | None = policy_field()
    updated_at: datetime | None = policy_field()
    goals: list[GoalOut] | None = policy_field()
    connections: list[ConnectionOut] | None = policy_field()
    consents: list[ConsentOut] | None = policy_field()
    stages: list[StageChangeOut] | None = policy_field()
    referrals: list[ResidentReferralOut] | None = policy_field()
    conversations: list[ConversationOut] | None = policy_field()


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


ReferralPage = page_of(ReferralOut, "ReferralPage")
TriagePage = page_of(TriageItem, "TriagePage")
ResidentPage = page_of(ResidentItem, "ResidentPage")
SharedResidentPage = page_of(SharedResidentOut, "SharedResidentPage")
