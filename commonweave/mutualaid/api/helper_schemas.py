"""Shapes of the helpers, safeguarding-log and lone-working endpoints. A helper is answered
without their phone or email (those come only from the audited contact endpoint), and
their checks only from the checks endpoint."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Date, DateTime, Input, Text, page_of

from ..enums import DbsType, When

# --- helpers ---------------------------------------------------------------------------------


class HelperAreaOut(Schema):
    id: int
    name: str


class HelperSummaryOut(Schema):
    id: str = Field(description="The helper's public id")
    first_name: str
    neighbourhood: str | None = Field(description="Their home area")
    available: bool = Field(description="False while paused: no alerts, not suggested")
    when: str
    languages: list[str]
    allowed_tier: int = Field(description="The highest risk tier their checks allow today")
    allowed: str = Field(description="That tier in words")


HelperPage = page_of(HelperSummaryOut, "HelperPage")


class HelperProfileOut(HelperSummaryOut):
    skills: list[str]
    home_id: int | None
    areas: list[HelperAreaOut] = Field(description="Other areas they cover")
    from_resident: bool = Field(description="They were a resident who became a helper")
    created_at: datetime


class HelperCreatedOut(HelperProfileOut):
    link: str = Field(
        description="The helper's own link. Answered once, here: only its hash is kept."
    )


class HelperIn(Input):
    first_name: Text(80, required=True)  # type: ignore[valid-type]
    phone: Text(30) = ""  # type: ignore[valid-type]
    email: Text(254) = ""  # type: ignore[valid-type]
    home_id: int | None = Field(None, description="A neighbourhood of the place")
    area_ids: list[int] = Field(default_factory=list, description="Other neighbourhoods covered")
    skills: list[Text(60)] = Field(default_factory=list)  # type: ignore[valid-type]
    when: When = When.ANY
    languages: list[Text(10)] = Field(default_factory=list, description='For example ["en", "ur"]')  # type: ignore[valid-type]


class HelperPatchIn(Input):
    """Only the fields sent change."""

    first_name: Text(80, required=True) | None = None  # type: ignore[valid-type]
    phone: Text(30) | None = None  # type: ignore[valid-type]
    email: Text(254) | None = None  # type: ignore[valid-type]
    home_id: int | None = None
    area_ids: list[int] | None = None
    skills: list[Text(60)] | None = None  # type: ignore[valid-type]
    when: When | None = None
    languages: list[Text(10)] | None = None  # type: ignore[valid-type]
    available: bool | None = Field(None, description="False pauses the helper; true resumes")


class HelperContactOut(Schema):
    phone: str
    email: str


class ChecksOut(Schema):
    dbs_type: str
    dbs_issued_on: date | None
    barred_list_checked_on: date | None
    update_service_checked_on: date | None
    references_checked_on: date | None
    training_completed_on: date | None
    recheck_due_on: date | None
    recorded_at: datetime | None
    allowed_tier: int
    allowed: str


class ChecksIn(Input):
    """Every check, as it stands now (a missing one is recorded as not done)."""

    dbs_type: DbsType = DbsType.NONE
    dbs_issued_on: Date | None = None
    barred_list_checked_on: Date | None = None
    update_service_checked_on: Date | None = None
    references_checked_on: Date | None = None
    training_completed_on: Date | None = None
    recheck_due_on: Date | None = None


# --- the safeguarding log --------------------------------------------------------------------


class NotePersonOut(Schema):
    id: str
    first_name: str
    neighbourhood: str | None


class SafeguardingNoteOut(Schema):
    id: str
    kind: str = Field(description="missed_checkin or concern")
    status: str = Field(description="open, acknowledged or closed")
    created_at: datetime
    raised_by: str = Field(description="system, staff or helper")
    need: NotePersonOut | None = Field(description="The person helped: first name and area")
    helper: NotePersonOut | None = Field(description="The helper: first name and area")
    match: str | None
    text: str
    acknowledged_at: datetime | None
    closed_at: datetime | None
    outcome: str


SafeguardingNotePage = page_of(SafeguardingNoteOut, "SafeguardingNotePage")


class NoteConcernIn(Input):
    text: Text(4000, required=True) = Field(description="What worries you")  # type: ignore[valid-type]
    need: Text(12) | None = Field(None, description="A need your organisation holds")  # type: ignore[valid-type]
    helper: Text(12) | None = Field(None, description="A helper your organisation holds")  # type: ignore[valid-type]
    match: Text(12) | None = Field(None, description="A match of a need you hold")  # type: ignore[valid-type]


class NoteCreatedOut(Schema):
    id: str
    kind: str
    created_at: datetime


class NoteCloseIn(Input):
    outcome: Text(4000, required=True) = Field(description="What was done")  # type: ignore[valid-type]


class NoteStatusOut(Schema):
    id: str
    status: str
    acknowledged_at: datetime | None
    closed_at: datetime | None


# --- lone working ----------------------------------------------------------------------------


class LoneWorkingIn(Input):
    starts_at: DateTime
    ends_at: DateTime


class LoneWorkingOut(Schema):
    match: str
    starts_at: datetime
    ends_at: datetime
    on_my_way_at: datetime | None
    safe_at: datetime | None
    escalated: bool = Field(description="A missed “safe” went to the safeguarding lead")
    escalated_at: datetime | None
