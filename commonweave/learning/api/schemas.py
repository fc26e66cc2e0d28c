"""What the learning API accepts and returns."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import AfterValidator, Field, field_validator

from commonweave.core.api.schemas import Date, Input, Named, Text, Versioned
from commonweave.jobs.enums import JobStatus
from commonweave.tenancy.enums import OrganisationKind, Phase

from ..enums import ActionStatus, Column, EntryKind, Level, Quadrant


class PublishedOut(Schema):
    value: int | None = Field(description="Null when suppressed (1 to the threshold - 1)")
    label: str = Field(description='For example "fewer than 8", "15"')


class StoryResidentRef(Schema):
    public_id: str
    name: str


class StoryOut(Schema):
    public_id: str
    version: int
    title: str
    text: str
    resident: StoryResidentRef | None = Field(
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
    held_on: Date
    notes: Text(20000) = ""
    decisions: Text(20000) = ""


def _not_null(value):
    if value is None:
        raise ValueError("Send a value here, or leave the field out")
    return value


class SessionPatch(Versioned):
    title: Text(200, required=True) = None
    held_on: Date = None
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
    due_on: Date


class ActionPatch(Versioned):
    """Any of the fields; what is left out stays as it is."""

    status: ActionStatus = None
    description: Text(5000, required=True) = None
    owner_organisation_id: int = None
    owner_id: int | None = None
    owner_name: Text(150) = None
    due_on: Date = None

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


# --- the learning log ---------------------------------------------------------------------


def _one_line(value):
    if "\n" in value or "\r" in value or "," in value:
        raise ValueError("One item each, without commas or line breaks")
    return value


def _lines_only(value):
    if "\n" in value or "\r" in value:
        raise ValueError("One item each, without line breaks")
    return value


Tag = Annotated[Text(60, required=True), AfterValidator(_one_line)]
Line = Annotated[Text(500, required=True), AfterValidator(_lines_only)]


class BarrierRef(Schema):
    public_id: str
    title: str


class LogEntryOut(Schema):
    public_id: str
    version: int
    kind: EntryKind
    title: str
    body: str = Field(description="A reflection's words")
    tried: str = Field(description="A cycle: what we tried")
    happened: str = Field(description="A cycle: what happened")
    learnt: str = Field(description="A cycle: what we learnt")
    will_change: str = Field(description="A cycle: what we will change")
    tags: list[str]
    barriers: list[BarrierRef]
    organisation: Named | None
    created_at: datetime
    can_change: bool = Field(description="Whether you may change or remove it")


class LogEntryPage(Schema):
    items: list[LogEntryOut]
    count: int
    page: int
    pages: int


class LogFilters(Schema):
    q: str = Field("", max_length=200, description="Words to find, anywhere in the entry")
    tag: str = Field("", max_length=60, description="Only entries with this theme")
    kind: EntryKind | None = None
    barrier_id: str = Field("", max_length=12, description="Only entries about this barrier")


class LogEntryIn(Input):
    """A reflection needs `body`; a test-and-learn cycle needs `tried` and `learnt`."""

    kind: EntryKind
    title: Text(200, required=True)
    body: Text(20000) = ""
    tried: Text(20000) = ""
    happened: Text(20000) = ""
    learnt: Text(20000) = ""
    will_change: Text(20000) = ""
    tags: list[Tag] = Field([], max_length=20, description="Themes, e.g. discharge")
    barrier_ids: list[Text(12, required=True)] = Field([], max_length=50)


class LogEntryPatch(Versioned):
    """Any of the fields; what is left out stays as it is."""

    kind: EntryKind = None
    title: Text(200, required=True) = None
    body: Text(20000) = None
    tried: Text(20000) = None
    happened: Text(20000) = None
    learnt: Text(20000) = None
    will_change: Text(20000) = None
    tags: list[Tag] = Field(None, max_length=20)
    barrier_ids: list[Text(12, required=True)] = Field(None, max_length=50)

    _present = field_validator(
        "kind",
        "title",
        "body",
        "tried",
        "happened",
        "learnt",
        "will_change",
        "tags",
        "barrier_ids",
        mode="before",
    )(_not_null)


# --- Keep / Amplify / Discard / Create boards ---------------------------------------------


class CardOut(Schema):
    id: int
    version: int
    column: Column
    text: str
    votes: int = Field(description="Votes are counts of staff, shown as they are")
    voted: bool = Field(description="Whether you vote for it (always false for a token)")
    can_change: bool
    created_at: datetime


class ColumnOut(Schema):
    column: Column
    label: str
    cards: list[CardOut] = Field(description="Most votes first")


class BoardSummary(Schema):
    public_id: str
    title: str
    session_id: str | None
    cards: int
    created_at: datetime


class BoardPage(Schema):
    items: list[BoardSummary]
    count: int
    page: int
    pages: int


class BoardOut(Schema):
    public_id: str
    title: str
    session_id: str | None
    created_at: datetime
    columns: list[ColumnOut]


class BoardIn(Input):
    title: Text(200, required=True)
    session_id: Text(12) = Field("", description="The session it reviews, if any")


class CardIn(Input):
    column: Column
    text: Text(500, required=True)


class CardPatch(Versioned):
    """Move a card or change its words (its author or a place admin). New words clear
    its votes: people voted for what it said."""

    column: Column = None
    text: Text(500, required=True) = None

    _present = field_validator("column", "text", mode="before")(_not_null)


# --- the partnership ----------------------------------------------------------------------


class OrganisationOut(Schema):
    id: int
    name: str
    kind: OrganisationKind


class PartnershipChangeOut(Schema):
    kind: Literal["phase", "setup"]
    at: datetime
    from_phase: Phase | None = None
    to_phase: Phase | None = None
    note: str = ""
    changes: dict[str, list[str]] | None = Field(
        None, description="A set-up change: {part: [before, after]}"
    )


class PartnershipOut(Schema):
    version: int
    phase: Phase
    phase_label: str
    challenge: str
    aims: list[str] = Field(description="Broad aims, not fixed targets")
    values: list[str]
    partners: str = Field(description="Partners beyond the organisations listed")
    governance: str
    organisations: list[OrganisationOut]
    updated_at: datetime
    can_change: bool = Field(description="Place admins change the set-up and phase")
    history: list[PartnershipChangeOut] = Field(description="Newest first")


class PartnershipPatch(Versioned):
    """Any of the parts; what is left out stays as it is. Place admins only."""

    challenge: Text(5000) = None
    aims: list[Line] = Field(None, max_length=30)
    values: list[Line] = Field(None, max_length=30)
    partners: Text(5000) = None
    governance: Text(5000) = None

    _present = field_validator(
        "challenge", "aims", "values", "partners", "governance", mode="before"
    )(_not_null)


class PhaseIn(Input):
    phase: Phase
    note: Text(2000) = Field("", description="Why now")


# --- the session pack PDF -----------------------------------------------------------------


class PackJobOut(Schema):
    job_id: str
    session_id: str
    status: JobStatus
    percent: int | None = Field(description="Null while the size of the work is not known")
    message: str
    ready: bool = Field(description="Built and not yet downloaded: GET the `download` address")
    downloaded: bool
    expires_at: datetime = Field(description="When it is deleted if not downloaded")
    download: str | None = Field(description="The address of the PDF, once ready")
