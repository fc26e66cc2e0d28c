"""What the import endpoints accept and return: the import, its job's progress, and its
report (counts and each rejected record's number, id and reason; never its content)."""

from datetime import datetime
from typing import Any

from ninja import Schema
from pydantic import Field

from commonweave.core.api.schemas import Input, Text, page_of

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
    complete: bool = Field(
        False,
        description="The feed is the whole of its source: the source's services it lacks are "
        "made inactive (never deleted) and listed as retired. False for additions or changes",
    )
    source_name: Text(300) = Field(
        "",
        description="The source's name, the same each time; left out, the url or file_name",
    )


class ImportUploadIn(Schema):
    """The form fields sent with an uploaded file (multipart/form-data)."""

    source: ImportSource = Field(
        description="oruk_json (JSON, GeoJSON or a datapackage .zip) or csv"
    )
    mapping: str = Field(
        "",
        description="csv: our field -> column name, as a JSON object. Fields left out are "
        "guessed from the header row; the name column is needed",
    )
    complete: bool = Field(False, description="As for POST /directory/imports")
    source_name: Text(300) = Field("", description="The source's name; left out, the file's")


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
    field: str = Field("", description="The field the reason is about, where there is one")


class ServiceRef(Schema):
    id: str
    name: str


class RejectedPage(Schema):
    items: list[RejectedRow]
    count: int
    page: int
    pages: int


class ImportReportOut(Schema):
    records: int = Field(description="Records in the feed: stored + rejected")
    stored: int = Field(description="created + updated + unchanged")
    stored_with_warnings: int = Field(description="Stored, with a field or record left out")
    created: int
    updated: int
    unchanged: int
    rejected: RejectedPage
    warnings: list[list[Any]] = Field(description="[record, id, reason, field] per warning")
    warned: list[RejectedRow] = Field(description="The warnings, one object each")
    retired: list[ServiceRef] = Field(description="Complete feeds: absent, made inactive")
    restored: list[ServiceRef] = Field(description="Inactive, and active again in this feed")


class ImportOut(Schema):
    id: str
    source: ImportSource
    state: ImportState
    file_name: str
    url: str
    mapping: dict[str, str]
    complete: bool
    source_key: str
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
