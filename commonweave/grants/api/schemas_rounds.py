"""The shapes of participatory rounds in the API (api/rounds.py). Amounts are strings in
pounds, as in the rest of the ledger's API; an answer carries what the matching page shows
the same person, and a public answer (the decision log) never a contact detail, a
panellist's name, or a group's name when the round anonymises applicants."""

from datetime import date, datetime
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Date, Input, Text, page_of

from ..enums import BallotChannel, RoundState
from .schemas import AmountIn, AmountOut, AwardSummaryOut

Ref = Annotated[str, Field(min_length=1, max_length=20)]
# A ballot: the projects ticked (approval, k-of-n) or points given to each (points rounds).
Ticks = Annotated[list[Ref], Field(max_length=500)]
Points = Annotated[dict[Ref, int], Field(max_length=500)]
Choices = Annotated[
    Ticks | Points,
    Field(
        description=(
            'The projects ticked, ["P001", "P003"], or, in a points round, the points given '
            'to each, {"P001": 3, "P002": 2}'
        )
    ),
]


class RoundMessage(Schema):
    detail: str


# --- rounds ------------------------------------------------------------------------------------


class RoundSummaryOut(Schema):
    id: str = Field(description="The round's public id")
    name: str
    state: RoundState
    budget: AmountOut
    rule: str = Field(description="The counting rule's key (docs/grants-voting.md)")
    opens_on: date | None
    closes_on: date | None
    vote_open: bool = Field(description="Residents vote (on the web with a code, or on paper)")


RoundPage = page_of(RoundSummaryOut, "RoundPage")


class PanellistOut(Schema):
    number: int = Field(description="The panellist's number in this round (for conflicts)")
    name: str
    hourly_rate: AmountOut | None = Field(description="Paid per hour; null if unpaid")


class RoundOut(RoundSummaryOut):
    fund: str = Field(description="The fund's public id")
    fund_name: str
    rule_label: str = Field(description="The counting rule in plain words")
    max_choices: int | None = Field(description="k-of-n: the most projects a voter may tick")
    points: int | None = Field(description="Points rounds: the points each voter shares out")
    rubric: list[str] = Field(description="What the panel marks, 0 to 5 each")
    anonymise_applicants: bool = Field(
        description="Groups' names are left off the public log, the vote and the score sheet"
    )
    ballots: int = Field(description="Ballots entered so far")
    winners: list[str] | None = Field(description="The latest decision's winners, by reference")
    panellists: list[PanellistOut]


class RoundIn(Input):
    name: Text(160) = ""  # type: ignore[valid-type]
    budget: AmountIn = Field(description="In whole pounds, as a string")
    rule: Text(40) = Field(description="approval, k_of_n, knapsack, equal_shares, …")  # type: ignore[valid-type]
    max_choices: int | None = Field(None, ge=1, le=99, description="k-of-n only")
    points: int | None = Field(None, ge=1, le=1000, description="Points rounds only")
    opens_on: Date | None = None
    closes_on: Date | None = None
    vote_open: bool = True
    anonymise_applicants: bool = False
    rubric: list[Text(120, required=True)] | None = Field(  # type: ignore[valid-type]
        None, max_length=10, description="The panel's criteria (default: the usual three)"
    )


class MoveIn(Input):
    state: RoundState = Field(description="The stage to move to (not decided: count instead)")


# --- applications ------------------------------------------------------------------------------


class ApplicationOut(Schema):
    """An application as the round's page shows it to its runners."""

    id: str = Field(description="The application's public id")
    ref: str = Field(description="Its reference on the ballot paper: P001, P002, …")
    group_name: str
    contact_name: str
    contact_email: str
    title: str
    what_for: str
    amount: AmountOut
    channel: str = Field(description="web, nomination or conversation")
    eligibility: str = Field(description="pending, eligible or not_eligible")
    eligibility_reason: str
    submitted_at: datetime


ApplicationPage = page_of(ApplicationOut, "ApplicationPage")


class ApplicationIn(Input):
    """The public application form, field for field."""

    group_name: Text(200) = ""  # type: ignore[valid-type]
    contact_name: Text(200) = ""  # type: ignore[valid-type]
    contact_email: Text(254) = Field("", description="Only the round's runners see it")  # type: ignore[valid-type]
    title: Text(200) = ""  # type: ignore[valid-type]
    what_for: Text(5000) = ""  # type: ignore[valid-type]
    amount: AmountIn
    website: Text(200) = Field("", description="Leave empty (a trap for robots)")  # type: ignore[valid-type]


class RecordIn(Input):
    """A nomination or a conversation, recorded by a runner."""

    channel: Literal["nomination", "conversation"]
    group_name: Text(200) = ""  # type: ignore[valid-type]
    contact_name: Text(200) = ""  # type: ignore[valid-type]
    contact_email: Text(254) = ""  # type: ignore[valid-type]
    title: Text(200) = ""  # type: ignore[valid-type]
    what_for: Text(5000) = ""  # type: ignore[valid-type]
    amount: AmountIn


class ScreenIn(Input):
    eligible: bool
    reason: Text(300) = Field("", description="Required when not eligible")  # type: ignore[valid-type]


# --- the panel ---------------------------------------------------------------------------------


class PanellistIn(Input):
    name: Text(200) = Field("", description="A resident panellist's name")  # type: ignore[valid-type]
    email: Text(254) = Field(  # type: ignore[valid-type]
        "", description="A worker of this place who scores as themselves: their account's email"
    )
    hourly_rate: AmountIn | None = Field(None, description="Paid per hour; empty if unpaid")
    resident: Text(12) = Field(  # type: ignore[valid-type]
        "", description="A paid resident panellist's record: its public id"
    )


class ConflictIn(Input):
    application: Ref = Field(description="Its reference (P001) or public id")
    reason: Text(300) = ""  # type: ignore[valid-type]
    panellist: int | None = Field(
        None,
        description="A runner recording it for a resident panellist without an account "
        "(their number); else yourself",
    )


class ConflictOut(Schema):
    panellist: int
    application: str
    reason: str
    declared_at: datetime


class ScoreIn(Input):
    application: Ref = Field(description="Its reference (P001) or public id")
    marks: Annotated[dict[Text(120), int], Field(max_length=20)] = Field(  # type: ignore[valid-type]
        description="0 to 5 for each criterion of the rubric, by its name"
    )
    note: Text(5000) = ""  # type: ignore[valid-type]
    panellist: int | None = Field(
        None,
        description="A runner entering the marks of a resident panellist without an account "
        "(their number); else yourself",
    )


class RoundScoreOut(Schema):
    panellist: int
    application: str
    marks: dict[str, int]
    note: str
    scored_at: datetime


class ScoreSheetRowOut(Schema):
    ref: str
    title: str
    group_name: str | None = Field(description="null when the round anonymises applicants")
    what_for: str
    amount: AmountOut
    conflicted: bool = Field(description="You declared a conflict: you cannot score it")
    marks: dict[str, int] | None = Field(description="Your marks, if you have scored it")
    note: str | None


class ScoreSheetOut(Schema):
    panellist: int
    rubric: list[str]
    applications: list[ScoreSheetRowOut]


# --- the vote and the decision ----------------------------------------------------------------


class BallotIn(Input):
    ref: Text(40) = Field("", description="The ballot's reference (the number on the paper)")  # type: ignore[valid-type]
    channel: BallotChannel
    choices: Choices


class BallotOut(Schema):
    ref: str
    channel: str
    choices: list[str] | dict[str, int]
    entered_at: datetime


class RoundDecisionOut(Schema):
    kind: str = Field(description="count, add or remove")
    rule: str
    winners: list[str] = Field(description="The winners after this line, by reference")
    tallies: dict[str, int] = Field(description="Each project's votes (ticks or points)")
    application: str | None = Field(description="An override's application (reference)")
    reason: str = Field(description="An override's written reason")
    at: datetime


class OverrideIn(Input):
    application: Ref = Field(description="Its reference (P001) or public id")
    action: Literal["add", "remove"]
    reason: Text(5000) = Field("", description="Required: it is published")  # type: ignore[valid-type]


class CodesIn(Input):
    how_many: int = Field(description="1 to 2000 codes")


class CodeCountsOut(Schema):
    issued: int
    used: int


class CodesOut(CodeCountsOut):
    codes: list[str] = Field(
        description="The new codes, answered this once: only their digests are kept"
    )


class VoteIn(Input):
    code: Text(40, required=True) = Field(description="A voter code, like KX7F-M2QP")  # type: ignore[valid-type]
    choices: Choices


# --- the public decision log -------------------------------------------------------------------


class RuleOut(Schema):
    key: str
    label: str
    description: str
    note: str


class CriterionScoreOut(Schema):
    criterion: str
    average: float | None = Field(description="The panel's average mark, 0 to 5")
    scores: int = Field(description="How many panellists scored it")


class LogApplicationOut(Schema):
    ref: str
    title: str
    group_name: str | None = Field(description="null when the round anonymises applicants")
    amount: AmountOut
    eligible: bool
    eligibility: str
    eligibility_reason: str | None = Field(description="Why it is not eligible")
    scores: list[CriterionScoreOut]
    votes: int | None = Field(description="Its votes in the latest decision")
    winner: bool


class LogLineOut(Schema):
    kind: str = Field(description="count, add or remove")
    at: datetime
    application: str | None
    winners: list[str]
    reason: str


class DecisionLogOut(Schema):
    id: str
    name: str
    fund_name: str
    state: RoundState
    budget: AmountOut
    rule: RuleOut | None
    anonymise_applicants: bool
    ballots: int
    applications: list[LogApplicationOut]
    decisions: list[LogLineOut]


class PanelTimeIn(Input):
    panellist: int = Field(description="The panellist's number on the round")
    hours: Text(10, required=True) = Field(description='Hours, like "2" or "2.5"')  # type: ignore[valid-type]


class WinnerAwardsOut(Schema):
    awards: list[AwardSummaryOut] = Field(
        description="The community grants asked for now, one per winner that had none"
    )
