"""Shapes for what came of the money: a community award's timeline, one new result, a
fund's community awards with how each stands, and the report of a CSV file of results.
Each carries what the pages show the same viewer."""

from datetime import date

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Date, Input, Text

from ..enums import ResultStatus
from ..results import NOTE_MAX


class AwardUpdateOut(Schema):
    id: str = Field(description="The result's public id")
    on: date = Field(description="The day it describes")
    status: str = Field(description="not_started, on_track, delayed, completed or stopped")
    status_label: str = Field(description="As the page shows it")
    progress: int | None = Field(description="How far along, in whole percent; null not given")
    note: str = Field(description="What happened")
    source: str = Field(description="page, csv or api")
    source_label: str = Field(description="As the page shows it")


class AwardTimelineOut(Schema):
    award: str = Field(description="The award's public id")
    title: str
    current: AwardUpdateOut | None = Field(description="The newest result: how it stands now")
    updates: list[AwardUpdateOut] = Field(description="Every result, oldest first")


class AwardUpdateIn(Input):
    on: Date = Field(description="The day it describes, like 2026-11-03; not in the future")
    status: ResultStatus
    progress: int | None = Field(None, ge=0, le=100, description="Whole percent, 0 to 100")
    note: Text(NOTE_MAX) = Field("", description="What happened")  # type: ignore[valid-type]


class FundResultOut(Schema):
    award: str = Field(description="The award's public id")
    title: str
    group: str = Field(description="The organisation or group it went to")
    status: str | None = Field(description="The newest result's status; null with none yet")
    status_label: str
    progress: int | None
    on: date | None = Field(description="The newest result's date")


class FundResultsOut(Schema):
    fund: str = Field(description="The fund's public id")
    awards: list[FundResultOut] = Field(description="Its approved community awards")


class RowProblemOut(Schema):
    row: int = Field(description="The row as a spreadsheet numbers it: the header is row 1")
    award: str = Field(description="The award id as written in the row, if any")
    reason: str


class ResultsImportOut(Schema):
    rows: int = Field(description="Rows with anything in them, below the header")
    added: int
    skipped: int = Field(
        description="Rows with only an award's id (as the template has them) or already recorded"
    )
    encoding: str = Field(description="How the file was read: UTF-8 or Windows-1252")
    delimiter: str = Field(description="The delimiter read: , ; or a tab")
    warnings: list[RowProblemOut] = Field(description="Rows read with a repair, and why")
    rejected: list[RowProblemOut] = Field(description="Rows not saved at all, and why")
    added_ids: list[str] = Field(description="The public ids of the results added")
