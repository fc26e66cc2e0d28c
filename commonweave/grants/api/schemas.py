"""The ledger API's shapes. Money travels as strings in pounds to the penny ("45.50"), in
and out, so nothing is ever rounded through a float. An answer carries the fields the
pages show the same viewer: a personal award names its resident by public id and display
name only."""

from datetime import date, datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Date, Input, Text, page_of

from ..enums import AidMoney, Decision, PaymentMethod

# An amount in: checked by the services (grants.services.money), so a bad one is a 400
# naming the field in the same words as the pages.
AmountIn = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        description='Pounds to the penny, as a string: "45.50" (never a JSON number)',
        examples=["45.50"],
    ),
]
AmountOut = Annotated[str, Field(description='Pounds to the penny, as a string: "45.50"')]


# --- funds -----------------------------------------------------------------------------------


class FundTotalsOut(Schema):
    pot: AmountOut = Field(description="Money in, less money in reversed")
    paid: AmountOut = Field(description="Payments, less payments reversed")
    committed: AmountOut = Field(description="Approved and not yet paid")
    balance: AmountOut = Field(description="What the fund holds: pot less paid")
    available: AmountOut = Field(description="What it can still award: balance less committed")


class FundOut(Schema):
    id: str = Field(description="The fund's public id")
    name: str
    programme: str
    funders: list[str]
    open_call: bool
    personal: bool
    community: bool
    mutual_aid: bool
    approval_threshold: AmountOut = Field(description="Two different approvers from this amount")
    starts_on: date | None
    ends_on: date | None
    closed: bool
    totals: FundTotalsOut


FundPage = page_of(FundOut, "FundPage")


class FundIn(Input):
    name: Text(160, required=True)  # type: ignore[valid-type]
    programme: Text(160) = ""  # type: ignore[valid-type]
    funders: list[Text(200, required=True)] = Field(default_factory=list, max_length=20)  # type: ignore[valid-type]
    open_call: bool = False
    personal: bool = True
    community: bool = False
    mutual_aid: bool = False
    approval_threshold: AmountIn | None = Field(
        None, description="Two different approvers from this amount (default £100)"
    )
    starts_on: Date | None = None
    ends_on: Date | None = None
    pot: AmountIn | None = Field(None, description="The first money in, if any")
    source: Text(200) = Field("", description="Who the first money in is from")  # type: ignore[valid-type]


class MoneyIn(Input):
    amount: AmountIn
    source: Text(200) = Field("", description="Who it is from")  # type: ignore[valid-type]
    note: Text(300) = ""  # type: ignore[valid-type]


class LedgerLineAwardOut(Schema):
    id: str = Field(description="The award's public id")
    title: str


class LedgerLineOut(Schema):
    id: str = Field(description="The ledger line's public id")
    kind: str = Field(description="funding, payment or reversal")
    amount: AmountOut = Field(description="Always positive: `kind` says which way it goes")
    paid_on: date
    award: LedgerLineAwardOut | None
    source: str
    method: str
    note: str
    reverses: str | None = Field(description="The public id of the line a reversal undoes")
    reversed: bool = Field(description="A later line reverses this one")


LedgerLinePage = page_of(LedgerLineOut, "LedgerLinePage")


class LedgerReversalIn(Input):
    reason: Text(300) = Field("", description="Why the line is being reversed (required)")  # type: ignore[valid-type]


# --- awards ----------------------------------------------------------------------------------


class AwardSummaryOut(Schema):
    """An award as the fund's page lists it: no recipient."""

    id: str = Field(description="The award's public id")
    title: str
    status: str
    amount_requested: AmountOut
    amount_awarded: AmountOut | None
    requested_at: datetime


AwardPage = page_of(AwardSummaryOut, "AwardPage")


class AwardResidentOut(Schema):
    id: str = Field(description="The resident's public id")
    display_name: str


class RecipientOut(Schema):
    kind: str = Field(description="resident, organisation or aid_request")
    resident: AwardResidentOut | None = Field(description="A personal grant's resident")
    name: str | None = Field(description="A community grant's organisation or group")
    charity_number: str | None
    company_number: str | None
    aid_money: str | None = Field(description="A mutual-aid cost: how the money reaches it")


class AwardApprovalOut(Schema):
    decision: str
    approver: str = Field(description="The approver's name (or email)")
    at: datetime
    amount: AmountOut | None
    evidence: str


class AwardPaymentOut(Schema):
    id: str = Field(description="The payment line's public id (reverse it at /money/ledger/…)")
    amount: AmountOut
    method: str
    paid_on: date
    has_receipt: bool = Field(description="A receipt was kept (download it from the page)")
    reversed: bool
    reversal_note: str | None


class AwardOut(Schema):
    id: str = Field(description="The award's public id")
    fund: str = Field(description="The fund's public id")
    fund_name: str
    title: str
    status: str
    recipient: RecipientOut
    amount_requested: AmountOut
    requested_at: datetime
    amount_awarded: AmountOut | None
    paid: AmountOut
    left_to_pay: AmountOut | None = Field(description="While approved: what is left to pay")
    why: str
    goal: str | None = Field(description="The resident's goal it serves, in their words")
    supplier: str
    approvals: list[AwardApprovalOut]
    approvals_needed: int = Field(description="1 below the fund's threshold, 2 at or above it")
    payments: list[AwardPaymentOut]
    made_possible: str | None = Field(description="A personal grant: what it made possible")
    made_possible_shareable: bool | None


class AwardIn(Input):
    """Exactly one recipient: `resident`, or `group_name` (with a charity or company number
    where it has one), or `need`."""

    fund: Text(12, required=True) = Field(description="The fund's public id")  # type: ignore[valid-type]
    resident: Text(12) = Field("", description="A resident's public id: a personal grant")  # type: ignore[valid-type]
    group_name: Text(200) = Field("", description="An organisation or group: a community grant")  # type: ignore[valid-type]
    charity_number: Text(20) = ""  # type: ignore[valid-type]
    company_number: Text(20) = ""  # type: ignore[valid-type]
    need: Text(12) = Field("", description="A mutual-aid need's public id")  # type: ignore[valid-type]
    aid_money: AidMoney | None = Field(None, description="A mutual-aid cost: how it is paid")
    title: Text(200, required=True) = Field(description="What it is for")  # type: ignore[valid-type]
    why: Text(2000) = ""  # type: ignore[valid-type]
    goal_id: int | None = Field(None, description="One of the resident's goals")
    amount: AmountIn
    supplier: Text(200) = ""  # type: ignore[valid-type]
    purpose_code: Text(10) = Field("", description="360Giving grantToIndividualsPurpose code")  # type: ignore[valid-type]
    reason_code: Text(10) = Field("", description="360Giving grantToIndividualsReason code")  # type: ignore[valid-type]


class AwardDecisionIn(Input):
    decision: Decision
    amount: AmountIn | None = Field(
        None, description="The first approver may award another amount than was asked"
    )
    evidence: Text(2000) = Field("", description="On what evidence")  # type: ignore[valid-type]


class PaymentIn(Input):
    amount: AmountIn
    method: PaymentMethod
    paid_on: Date | None = Field(None, description="Today if left out")
    note: Text(300) = ""  # type: ignore[valid-type]


class MadePossibleIn(Input):
    made_possible: Text(4000) = Field("", description="In the resident's own words")  # type: ignore[valid-type]
    shareable: bool = Field(False, description="Only with their consent to share it as a story")


# --- the dashboard ---------------------------------------------------------------------------


class FundSpendOut(Schema):
    id: str = Field(description="The fund's public id")
    name: str
    closed: bool
    pot: AmountOut
    paid: AmountOut
    committed: AmountOut
    balance: AmountOut
    available: AmountOut
    spent: str = Field(description='Paid as a share of the pot, "40%"; "" with no pot')


class PaymentBandOut(Schema):
    key: str
    label: str
    awards: int | None = Field(description="Published count (cell-keyed, rounded); null hidden")
    shown: str = Field(description='As the page shows it, e.g. "fewer than 8"')


class TimeToPaymentOut(Schema):
    bands: list[PaymentBandOut]
    total: str
    median: str | None = Field(description="The band half the paid awards were paid within")
    p90: str | None = Field(description="The band 9 in 10 were paid within")


class GrantGroupOut(Schema):
    key: str = Field(description="The purpose code, or the neighbourhood's name")
    label: str
    grants: int | None = Field(description="Published count (cell-keyed, rounded); null hidden")
    shown: str
    amount: AmountOut | None = Field(
        description="Awarded, to the nearest £10; null unless enough people are behind it"
    )


class GoalBandOut(Schema):
    key: str
    label: str
    grants: int | None = Field(description="The published count; null when suppressed")
    shown: str


class GoalOutcomesOut(Schema):
    bands: list[GoalBandOut]
    total: str


class MoneyDashboardOut(Schema):
    suppression_threshold: int
    funds: list[FundSpendOut]
    time_to_payment: TimeToPaymentOut
    by_purpose: list[GrantGroupOut]
    by_neighbourhood: list[GrantGroupOut]
    goals: GoalOutcomesOut = Field(
        description="Approved personal grants linked to a goal, by how far the goal has come"
    )
    worked_out_at: datetime = Field(
        description="When these numbers were worked out (in the background, after the "
        "money changes, and at least every 10 minutes while someone is looking)"
    )
    updating: bool = Field(description="A newer work-out is on its way")
