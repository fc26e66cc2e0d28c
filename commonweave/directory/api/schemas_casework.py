"""What the connections, follow-ups and referrals endpoints accept and return. A resident
appears by public id and the name the pages show, and only where the pages show it."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Input, Text, page_of, policy_field
from commonweave.people.enums import ConsentMethod

from ..enums import FollowUpOutcome, ReferralStatus
from .schemas import EntryRef, PartnerRef

# --- connections and follow-ups ------------------------------------------------------------


class ConnectIn(Input):
    resident_id: Text(12, required=True)
    entry_id: UUID


class FollowUpBrief(Schema):
    id: int
    months: int
    due_on: date
    outcome: str = Field(description='"" while unanswered')
    why: str
    answered_at: datetime | None


class DirectoryConnectionOut(Schema):
    id: int
    resident_id: str
    entry: EntryRef
    made_on: date
    status: str
    follow_ups: list[FollowUpBrief]


class SentReferralBrief(Schema):
    id: str
    entry: EntryRef
    to_organisation: PartnerRef
    status: ReferralStatus
    sent_at: datetime
    decided_at: datetime | None
    decision_note: str


class ResidentDirectoryOut(Schema):
    resident_id: str
    connections: list[DirectoryConnectionOut]
    referrals: list[SentReferralBrief]


class DirectoryResidentRef(Schema):
    public_id: str
    display_name: str


class FollowUpItem(Schema):
    id: int
    months: int
    due_on: date
    made_on: date
    resident: DirectoryResidentRef
    entry: EntryRef


class FollowUpOut(FollowUpItem):
    outcome: str
    why: str
    answered_at: datetime | None


class FollowUpFilter(Schema):
    who: Literal["all", "mine"] = Field(
        "all", description="mine: residents on your own caseload (signed-in people only)"
    )


class AnswerIn(Input):
    outcome: FollowUpOutcome
    why: Text(1000) = ""


class AnswerOut(Schema):
    id: int
    resident_id: str
    outcome: FollowUpOutcome
    why: str
    answered_at: datetime


FollowUpPage = page_of(FollowUpItem, "DirectoryFollowUpPage")

# --- referrals to services -----------------------------------------------------------------

ReferralConsentMethod = Literal[
    tuple(m.value for m in ConsentMethod if m != ConsentMethod.REFERRER)  # noqa: C409
]


class ServiceReferralIn(Input):
    resident_id: Text(12, required=True)
    entry_id: UUID
    reason: Text(2000, required=True) = Field(
        description="Why this service would help them: the service reads this"
    )
    consent: bool = Field(
        description="They agreed to their record being shared with the receiving "
        "organisation for this referral. Without it nothing is sent"
    )
    consent_method: ReferralConsentMethod = Field(description="How they told you")


class ReferralSentOut(Schema):
    id: str
    resident_id: str
    entry: EntryRef
    to_organisation: PartnerRef
    status: ReferralStatus
    sent_at: datetime


class ReceivedItem(Schema):
    id: str
    entry: EntryRef
    from_organisation: PartnerRef
    status: ReferralStatus
    sent_at: datetime
    decided_at: datetime | None
    resident: DirectoryResidentRef | None = Field(
        description="null once consent to share is withdrawn"
    )


class ReceivedFilter(Schema):
    status: ReferralStatus | None = None


class ReceivedResident(DirectoryResidentRef):
    contact_method: str | None = policy_field()
    contact_when: str | None = policy_field()


class ReceivedOut(Schema):
    id: str
    entry: EntryRef
    from_organisation: PartnerRef
    status: ReferralStatus
    sent_at: datetime
    reason: str | None = policy_field()
    decided_at: datetime | None
    decision_note: str | None = policy_field()
    resident: ReceivedResident


class DecisionIn(Input):
    decision: Literal["accept", "decline"]
    note: Text(1000) = Field("", description="Needed when you decline: why, what might help")


class DecisionOut(Schema):
    id: str
    status: ReferralStatus
    decided_at: datetime
    decision_note: str | None = policy_field()


ReceivedPage = page_of(ReceivedItem, "DirectoryReceivedReferralPage")
