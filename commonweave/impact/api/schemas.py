"""Social value API shapes. Money and shares travel as strings ("13000.00", "0.2"), in
and out, so nothing is rounded through a float. Schema names start with "Impact" or
"SocialValue": every schema name in the API is one class (tests/api/test_openapi.py)."""

from datetime import datetime
from typing import Annotated

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Input, Text, page_of

from ..enums import ChangeMeasure, ValueBasis, ValueKind
from ..recipes import MAX_PEOPLE, MAX_YEARS

Amount = Annotated[str, Field(description='Pounds to the penny, as a string: "13000.00"')]
NumberIn = Annotated[
    str,
    Field(
        min_length=1,
        max_length=20,
        pattern=r"^-?\d{1,5}(\.\d{1,4})?$",
        description='A decimal number as a string, up to 4 places: "0.5" (never a JSON number)',
        examples=["0.5"],
    ),
]
ShareIn = Annotated[
    str,
    Field(
        min_length=1,
        max_length=12,
        pattern=r"^\d(\.\d{1,6})?$",
        description='A share from 0 to 1 as a string, up to 6 places: "0.2" is 20%',
        examples=["0.2"],
    ),
]


class SocialValueSourceOut(Schema):
    title: str
    publisher: str
    url: str
    table: str = Field(description="The table, section or page the figure is on")
    note: str
    licence: str


class SocialValueOut(Schema):
    id: str = Field(description="The value's public id")
    key: str
    name: str
    value: Amount
    low: Amount
    high: Amount
    unit: str
    basis: ValueBasis
    kind: ValueKind = Field(description="context_only values are never multiplied by a count")
    measure: ChangeMeasure | None = Field(description="The one measure it applies to; null for any")
    price_year: int
    may_redistribute: bool
    shipped: bool = Field(description="Shipped with Commonweave (true) or loaded by the place")
    source: SocialValueSourceOut


SocialValuePage = page_of(SocialValueOut, "SocialValuePage")


class ImpactQuantityIn(Input):
    cohort_label: Text(200, required=True)  # type: ignore[valid-type]
    n: int = Field(ge=1, le=MAX_PEOPLE, description="People in the cohort")
    mean_change: NumberIn = Field(
        description="Points of the measure; for a value per person, the share who made the change"
    )
    ci_low: NumberIn = Field(description="95% confidence interval, low end")
    ci_high: NumberIn = Field(description="95% confidence interval, high end")
    measure: ChangeMeasure
    source: Text(1000, required=True) = Field(  # type: ignore[valid-type]
        description="Where the numbers come from (typed in: not yet read from a cohort)"
    )


class ImpactRecipeIn(Input):
    title: Text(200, required=True)  # type: ignore[valid-type]
    value: Text(80, required=True) = Field(  # type: ignore[valid-type]
        description="The value's public id or key, e.g. hmt-wellby-2021"
    )
    quantity: ImpactQuantityIn
    deadweight: ShareIn = "0"
    deadweight_source: Text(1000) = Field("", description="Blank: your assumption, today")  # type: ignore[valid-type]
    attribution: ShareIn = "1"
    attribution_source: Text(1000) = ""  # type: ignore[valid-type]
    duration_years: int = Field(1, ge=1, le=MAX_YEARS)
    duration_source: Text(1000) = ""  # type: ignore[valid-type]
    drop_off: ShareIn = "0"
    drop_off_source: Text(1000) = ""  # type: ignore[valid-type]
    uprate_to: int | None = Field(
        None, ge=1900, le=2100, description="Uprate to this year's prices with the GDP deflator"
    )
    previous: Text(12) | None = Field(  # type: ignore[valid-type]
        None, description="The public id of the figure this corrects: it becomes its next version"
    )


class ImpactReceiptRowOut(Schema):
    key: str
    factor: str
    value: str
    source: str
    url: str


class ImpactRecipeOut(Schema):
    id: str = Field(description="The recipe's public id")
    title: str
    version: int
    previous: str | None = Field(description="The public id of the version this replaced")
    cohort_label: str
    value: str = Field(description="The value's key")
    central: Amount
    low: Amount
    high: Amount
    by_year: list[Amount] = Field(description="The central figure of each year, after drop-off")
    prices_year: int
    price_basis: str = Field(description='"2019 prices", or how it was uprated and with what')
    receipt: list[ImpactReceiptRowOut]
    created_at: datetime


ImpactRecipePage = page_of(ImpactRecipeOut, "ImpactRecipePage")
