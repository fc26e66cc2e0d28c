"""The mutual-aid API's shapes. A need is answered without its address or phone; those
come only from the audited contact endpoint."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Input, Text, page_of

from ..enums import AidFrontDoor, AidUrgency, Side, When


class NeedOut(Schema):
    id: str = Field(description="The need's public id")
    category: str
    risk_tier: int
    what: str
    first_name: str
    neighbourhood: str | None
    when: str
    language: str
    urgency: str
    front_door: str
    status: str
    created_at: datetime
    due_at: datetime | None
    first_proposed_at: datetime | None
    clock: str | None = Field(description="Time left on the promise, while no helper is proposed")


NeedPage = page_of(NeedOut, "NeedPage")


class NeedIn(Input):
    category: Text(40, required=True) = Field(description="The category's slug")  # type: ignore[valid-type]
    what: Text(1000, required=True)  # type: ignore[valid-type]
    first_name: Text(80, required=True)  # type: ignore[valid-type]
    front_door: AidFrontDoor = AidFrontDoor.PHONE
    neighbourhood_id: int | None = None
    when: When = When.ANY
    language: Text(10) = ""  # type: ignore[valid-type]
    urgency: AidUrgency = AidUrgency.ROUTINE
    address: Text(500) = ""  # type: ignore[valid-type]
    phone: Text(30) = ""  # type: ignore[valid-type]


class ContactOut(Schema):
    address: str
    phone: str


class HelperOut(Schema):
    id: str
    first_name: str
    neighbourhood: str | None


class ProposeIn(Input):
    helper: Text(12, required=True) = Field(description="The helper's public id")  # type: ignore[valid-type]


class MatchOut(Schema):
    id: str
    need: str
    helper: str
    status: str
    proposed_at: datetime
    need_accepted_at: datetime | None
    helper_accepted_at: datetime | None
    accepted_at: datetime | None
    done_at: datetime | None
    thanked_at: datetime | None


class MatchActionIn(Input):
    side: Side = Side.NEED
    thanks: Text(1000) = ""  # type: ignore[valid-type]


class TimeToMatchOut(Schema):
    matched: int
    waiting: int
    within_promise: int
    median_hours: float | None
    p90_hours: float | None


class OfferOut(Schema):
    """An offer of help: the helper's first name and area, never a phone or an address."""

    id: str = Field(description="The offer's public id")
    helper: str = Field(description="The helper's public id")
    helper_first_name: str
    category: str = Field(description="The category's slug")
    risk_tier: int
    what: str
    skills: list[str]
    neighbourhood: str | None
    when: str
    language: str
    status: str
    created_at: datetime


OfferPage = page_of(OfferOut, "OfferPage")


class OfferIn(Input):
    helper: Text(12, required=True) = Field(description="The public id of one of your helpers")  # type: ignore[valid-type]
    category: Text(40, required=True) = Field(description="The category's slug")  # type: ignore[valid-type]
    what: Text(1000, required=True)  # type: ignore[valid-type]
    skills: list[Text(60, required=True)] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    neighbourhood_id: int | None = Field(
        None, description="Leave out for the helper's home neighbourhood"
    )
    when: When = When.ANY
    language: Text(10) = ""  # type: ignore[valid-type]


class SettingsOut(Schema):
    alerts_per_need: int = Field(description="How many helpers each new need alerts")
    promise_hours: int = Field(description="A helper proposed within this many hours")
    urgent_promise_hours: int = Field(description="The promise for needs that are for today")
    reach_km: float = Field(description="Helpers further away are alerted only to fill a gap")
    peer_to_peer: bool = Field(
        description="A helper who says yes to an alert is proposed straight away"
    )
    safeguarding_lead: int | None = Field(
        description="The user id of the place's safeguarding lead"
    )


class SettingsPatch(Input):
    """Only the settings sent change."""

    alerts_per_need: int | None = Field(None, ge=1, le=20)
    promise_hours: int | None = Field(None, ge=1, le=168)
    urgent_promise_hours: int | None = Field(None, ge=1, le=72)
    reach_km: float | None = Field(None, ge=0.1, le=50)
    peer_to_peer: bool | None = None
    safeguarding_lead: int | None = Field(
        None, description="A user id of someone with a role in the place; null for nobody"
    )
