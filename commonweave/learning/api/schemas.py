"""What the learning API accepts and returns."""

from datetime import date, datetime

from ninja import Schema
from pydantic import Field, field_validator

from commonweave.api.schemas import Input, Text, Versioned

from ..enums import ActionStatus, Level, Quadrant


class Named(Schema):
    id: int
    name: str


class PublishedOut(Schema):
    value: int | None = Field(description="Null when suppressed (1 to the threshold - 1)")
    label: str = Field(description='For example "fewer than 8", "15"')


class ResidentRef(Schema):
    public_id: str
    name: str


class StoryOut(Schema):
    public_id: str
    version: int
    title: str
    text: str
    resident: ResidentRef | None = Field(
        description="Only while their story consent is given and you may see them"
    )
    barriers: list[str]


class AttendeeOut(Schema):
    name: str
    organisation: str


class ActionOut(Schema):
    public_id: str
    version: int
    barrier_id: str
    description: str
    owner: str
    owner_organisation: Named
    due_on: date
    status: ActionStatus
    overdue: bool


class SessionSummary(Schema):
    public_id: str
    title: str
    held_on: date
    stories: PublishedOut = Field(description="Stories are counted as people are")


class SessionPage(Schema):
    items: list[SessionSummary]
    count: int
    page: int
    pages: int


class SessionOut(Schema):
    public_id: str
    version: int
    title: str
    held_on: date
    notes: str
    decisions: str
    attendees: list[AttendeeOut]
    stories: list[StoryOut]
    actions: list[ActionOut]


class SessionIn(Input):
    title: Text(200, required=True)
    held_on: date
    notes: Text(20000) = ""
    decisions: Text(20000) = ""


def _not_null(value):
    if value is None:
        raise ValueError("Send a value here, or leave the field out")
    return value


class SessionPatch(Versioned):
    title: Text(200, required=True) = None
    held_on: date = None
    notes: Text(20000) = None
    decisions: Text(20000) = None

    _present = field_validator("title", "held_on", "notes", "decisions", mode="before")(_not_null)


class StoryIn(Input):
    title: Text(200, required=True)
    text: Text(20000, required=True)
    resident_id: Text(12) = Field("", description="Link only with story consent")


class StoryPatch(Versioned):
    title: Text(200, required=True) = None
    text: Text(20000, required=True) = None
    resident_id: Text(12) = Field(
        None, description='Link with story consent; "" removes the link; leave out to keep it'
    )

    _present = field_validator("title", "text", "resident_id", mode="before")(_not_null)


class BarrierSummary(Schema):
    public_id: str
    version: int
    title: str
    quadrant: Quadrant
    service_area: str
    level: Level
    cases: PublishedOut = Field(description="Cases are stories, counted as people are")
    withdrawn: bool
    updated_at: datetime


class BarrierPage(Schema):
    items: list[BarrierSummary]
    count: int
    page: int
    pages: int


class LevelChangeOut(Schema):
    from_level: Level
    to_level: Level
    evidence: str
    at: datetime


class BarrierChangeOut(Schema):
    kind: str
    changes: dict[str, list[str | None]]
    note: str
    at: datetime


class MonthCount(Schema):
    month: date
    cases: PublishedOut


class BarrierOut(BarrierSummary):
    description: str
    withdrawn_reason: str
    same_as: str | None = Field(description="The barrier it was the same as, if withdrawn so")
    trend: list[MonthCount]
    history: list[LevelChangeOut]
    changes: list[BarrierChangeOut]
    stories: list[StoryOut]
    actions: list[ActionOut]


class BarrierIn(Input):
    title: Text(200, required=True)
    description: Text(5000) = ""
    quadrant: Quadrant
    service_area: Text(100) = ""
    story_id: Text(12) = ""


class BarrierPatch(Versioned):
    title: Text(200, required=True) = None
    description: Text(5000) = None
    quadrant: Quadrant = None
    service_area: Text(100) = None

    _present = field_validator("title", "description", "quadrant", "service_area", mode="before")(
        _not_null
    )


class WithdrawIn(Versioned):
    reason: Text(5000, required=True)
    same_as_id: Text(12) = Field("", description="The barrier it duplicates: cases move there")


class SimilarIn(Input):
    text: Text(5000, required=True)


class SimilarOut(Schema):
    public_id: str
    title: str
    score: float


class LevelIn(Input):
    level: Level
    evidence: Text(5000, required=True)


class ActionIn(Input):
    description: Text(5000, required=True)
    owner_organisation_id: int
    owner_id: int | None = None
    owner_name: Text(150) = ""
    due_on: date


class ActionPatch(Versioned):
    """Any of the fields; what is left out stays as it is."""

    status: ActionStatus = None
    description: Text(5000, required=True) = None
    owner_organisation_id: int = None
    owner_id: int | None = None
    owner_name: Text(150) = None
    due_on: date = None

    _present = field_validator(
        "status", "description", "owner_organisation_id", "owner_name", "due_on", mode="before"
    )(_not_null)


class ActionPage(Schema):
    items: list[ActionOut]
    count: int
    page: int
    pages: int


class ActionFilters(Schema):
    organisation_id: int | None = None
    open: bool = Field(False, description="Only open actions")
    overdue: bool = Field(False, description="Only overdue actions")


class BarrierFilters(Schema):
    q: str = Field("", max_length=100)
    quadrant: Quadrant | None = None
    level: Level | None = None
    withdrawn: bool = Field(False, description="Withdrawn barriers instead of the register")


class ConflictOut(Schema):
    detail: str
    version: int = Field(description="The version saved now: redo your change on top of it")
    current: dict
