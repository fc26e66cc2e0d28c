"""What the import endpoints accept and return: the import, its job's progress, and its
report (counts and each rejected record's number, id and reason; never its content)."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from commonweave.api.schemas import Input, Text, page_of

from ..enums import ImportSource, ImportState

# --- imports -------------------------------------------------------------------------------


class ImportIn(Input):
    """Exactly one of `feed` (source oruk_json), `csv` (source csv) or `url` (source url)."""

    source: ImportSource
    feed: Any = Field(
        None, description="oruk_json: the feed itself (a Page, a list or one service)"
    )
    csv: str | None = Field(None, description="csv: the file's text, with a header row")
    mapping: dict[str, str] | None = Field(
        None,
        description="csv: our field -> column name. Fields left out are guessed from the "
        "header row; the name column is needed",
    )
    url: Text(500) | None = Field(None, description="url: the feed's http(s) address")
    file_name: Text(200) = ""


class JobOut(Schema):
    id: str
    status: str
    percent: int | None
    done: int
    total: int
    message: str
    error: str


class RejectedRow(Schema):
    record: int = Field(description="The record's number in the feed (or row in the CSV)")
    id: str
    reason: str


class RejectedPage(Schema):
    items: list[RejectedRow]
    count: int
    page: int
    pages: int


class ImportReportOut(Schema):
    created: int
    updated: int
    unchanged: int
    rejected: RejectedPage
    warnings: list[list[Any]]


class ImportOut(Schema):
    id: str
    source: ImportSource
    state: ImportState
    file_name: str
    url: str
    mapping: dict[str, str]
    created_at: datetime
    job: JobOut | None
    report: ImportReportOut | None = Field(description="When the import has finished")


class ImportItem(Schema):
    id: str
    source: ImportSource
    state: ImportState
    file_name: str
    created_at: datetime
    job_id: str | None


ImportPage = page_of(ImportItem, "DirectoryImportPage")
