"""What the directory's API accepts and returns. Inputs forbid unknown fields and carry the
page forms' limits; the forms themselves then apply the pages' rules. Outputs show a
confidential location by its area only, except where the edit page shows editors more."""

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Conflict, Input, LocalTime, Text, page_of

from ..enums import AssetKind, ServiceStatus, SuggestionStatus

# --- shared pieces -------------------------------------------------------------------------


class EntryRef(Schema):
    id: UUID
    name: str


class PartnerRef(Schema):
    """A partner organisation that uses Commonweave."""

    id: int
    name: str


class Message(Schema):
    detail: str


# --- entries -------------------------------------------------------------------------------


class LocationOut(Schema):
    """Where it happens. A confidential location (e.g. a refuge) is only its area: the
    address, postcode, coordinates and neighbourhood are null."""

    id: UUID
    name: str
    confidential: bool
    address_1: str | None = None
    city: str | None = None
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    neighbourhood: str | None = None


class MainLocationOut(Schema):
    """The entry's main location as its edit page shows it to editors (only to them)."""

    name: str
    address_1: str
    city: str
    postal_code: str
    confidential: bool
    area: str


class ScheduleOut(Schema):
    byday: str
    opens_at: LocalTime | None
    closes_at: LocalTime | None
    description: str


class EntryContactOut(Schema):
    name: str
    title: str
    email: str
    phone: str


class TermOut(Schema):
    id: UUID
    name: str


class EntryItem(Schema):
    id: UUID
    name: str
    kind: AssetKind
    status: ServiceStatus
    organization: EntryRef | None
    is_free: bool
    takes_referrals: bool
    last_checked_at: datetime
    locations: list[LocationOut]
    distance_m: int | None = Field(None, description="Metres from the point searched near")


class EntryOut(Schema):
    id: UUID
    name: str
    kind: AssetKind
    status: ServiceStatus
    organization: EntryRef | None
    description: str
    categories: list[TermOut]
    url: str
    email: str
    minimum_age: int | None
    maximum_age: int | None
    eligibility: str
    is_free: bool
    fees_description: str
    how_to_access: str
    accessibility: str
    languages: list[str]
    alert: str
    takes_referrals: bool
    capacity: str
    referral_organisation: PartnerRef | None
    referral_places: int | None
    takes_referrals_through_commonweave: bool
    places_free: int | None = Field(
        description="Places left for referrals through Commonweave (null: no limit)"
    )
    starts_at: datetime | None
    ends_at: datetime | None
    last_checked_at: datetime
    needs_review: bool = Field(description="Not checked for 12 months")
    updated_at: datetime
    version: int = Field(description="Send it back with a change to be told (409) if it is stale")
    locations: list[LocationOut]
    schedules: list[ScheduleOut]
    contacts: list[EntryContactOut]
    main_location: MainLocationOut | None = Field(
        None, description="Editors only: the main location as the edit page shows it"
    )


class EntryFilters(Schema):
    """The search page's filters (the address never carries a postcode: see /search)."""

    text: str = Field("", max_length=200, description="Words; typos and plurals are fine")
    category: UUID | None = Field(None, description="A taxonomy term id")
    kind: AssetKind | None = None
    age: int | None = Field(None, ge=0, le=130, description="Only what this age can go to")
    neighbourhood: int | None = Field(None, description="A neighbourhood id")
    free: bool = False
    open_now: bool = False
    takes_referrals: bool = False


class EntrySearch(Input):
    """The same filters, plus "near": a UK postcode, or a point. Sent in the body so a
    resident's postcode never reaches an address or a server log."""

    text: Text(200) = ""
    category: UUID | None = None
    kind: AssetKind | None = None
    age: int | None = Field(None, ge=0, le=130)
    neighbourhood: int | None = None
    free: bool = False
    open_now: bool = False
    takes_referrals: bool = False
    postcode: Text(10) = Field("", description="Near this UK postcode, nearest first")
    lat: float | None = Field(None, ge=-90, le=90, description="Or near this point")
    lon: float | None = Field(None, ge=-180, le=180)


class LocationIn(Input):
    name: Text(250) = ""
    address_1: Text(250) = ""
    city: Text(120) = ""
    postal_code: Text(10) = ""
    confidential: bool = Field(False, description="Only `area` is ever published")
    area: Text(200) = Field("", description="Required when confidential")


class EntryIn(Input):
    """A new entry. The edit page's rules apply (e.g. the oldest age is not below the
    youngest; a confidential location needs an area to publish)."""

    name: Text(250, required=True)
    kind: AssetKind = AssetKind.GROUP
    status: ServiceStatus = ServiceStatus.ACTIVE
    organization_id: UUID | None = Field(None, description="The organisation that runs it")
    description: str = ""
    category_ids: list[UUID] = Field(default_factory=list, description="Taxonomy term ids")
    eligibility: Text(1000) = ""
    minimum_age: int | None = Field(None, ge=0, le=130)
    maximum_age: int | None = Field(None, ge=0, le=130)
    is_free: bool = False
    fees_description: Text(500) = ""
    how_to_access: str = ""
    accessibility: Text(1000) = ""
    languages: list[Text(3, required=True)] = Field(
        default_factory=list, description="Codes such as en, ur, pl"
    )
    url: Text(500) = Field("", description="http:// or https:// only")
    email: Text(254) = ""
    takes_referrals: bool = False
    capacity: Text(200) = ""
    referral_organisation_id: int | None = Field(
        None, description="The partner that receives referrals made through Commonweave"
    )
    referral_places: int | None = Field(None, ge=0, le=100000)
    alert: Text(500) = ""
    location: LocationIn | None = Field(None, description="Its main place")


class LocationPatch(Input):
    name: Text(250) | None = None
    address_1: Text(250) | None = None
    city: Text(120) | None = None
    postal_code: Text(10) | None = None
    confidential: bool | None = None
    area: Text(200) | None = None


class EntryPatch(Input):
    """Only the fields sent change. Send `version` as you read it to be told (409) if
    someone saved the entry since, instead of overwriting their change."""

    version: int | None = Field(None, ge=1)
    name: Text(250, required=True) | None = None
    kind: AssetKind | None = None
    status: ServiceStatus | None = None
    organization_id: UUID | None = None
    description: str | None = None
    category_ids: list[UUID] | None = None
    eligibility: Text(1000) | None = None
    minimum_age: int | None = Field(None, ge=0, le=130)
    maximum_age: int | None = Field(None, ge=0, le=130)
    is_free: bool | None = None
    fees_description: Text(500) | None = None
    how_to_access: str | None = None
    accessibility: Text(1000) | None = None
    languages: list[Text(3, required=True)] | None = None
    url: Text(500) | None = None
    email: Text(254) | None = None
    takes_referrals: bool | None = None
    capacity: Text(200) | None = None
    referral_organisation_id: int | None = None
    referral_places: int | None = Field(None, ge=0, le=100000)
    alert: Text(500) | None = None
    location: LocationPatch | None = None


class EntryConflict(Conflict):
    current: EntryOut


class CheckedOut(Schema):
    id: UUID
    last_checked_at: datetime


class ReviewItem(Schema):
    id: UUID
    name: str
    status: ServiceStatus
    last_checked_at: datetime


class EntryChangeOut(Schema):
    """One change in the entry's history, as its page shows it: who, when, which fields."""

    at: datetime
    by: str
    action: str
    fields: list[str]
    note: str


EntryPage = page_of(EntryItem, "DirectoryEntryPage")
ReviewPage = page_of(ReviewItem, "DirectoryReviewPage")
ChangePage = page_of(EntryChangeOut, "DirectoryChangePage")

# --- suggestions ---------------------------------------------------------------------------

HONEYPOT_HELP = "Leave out or empty: a trap for automated spam"


class SuggestionIn(Input):
    """A new entry, or (with entry_id) a correction: fields left out keep their current
    values, and only what differs is sent to the coordinators."""

    place: Text(50, required=True) = Field(description="The place's short name, e.g. oldham")
    entry_id: UUID | None = Field(None, description="The entry this corrects")
    name: Text(250) | None = None
    kind: AssetKind | None = None
    description: str | None = None
    eligibility: Text(500) | None = None
    how_to_access: str | None = None
    url: Text(500) | None = None
    is_free: bool | None = None
    comment: str = Field("", description="Please do not include anyone's personal details")
    website_address: str = Field("", description=HONEYPOT_HELP)


class SuggestionOut(Schema):
    id: str
    entry: EntryRef | None = Field(description="null: a new entry")
    status: SuggestionStatus
    proposed: dict[str, Any]
    comment: str
    created_at: datetime
    reason: str
    reviewed_at: datetime | None


class SuggestionRow(Schema):
    field: str
    label: str
    current: Any
    proposed: Any


class SuggestionDetail(SuggestionOut):
    rows: list[SuggestionRow] = Field(description="Side by side with the current entry")


class SuggestionFilter(Schema):
    status: SuggestionStatus = SuggestionStatus.PENDING


class ReviewIn(Input):
    decision: Literal["accept", "reject"]
    reason: Text(500, required=True)


SuggestionPage = page_of(SuggestionOut, "DirectorySuggestionPage")
