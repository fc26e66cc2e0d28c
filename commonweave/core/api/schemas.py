"""Schema types every app's endpoints build on. Inputs forbid unknown fields (a misspelt
field is a 400, not silently ignored) and strip whitespace; dates and date-times are
ISO 8601 only; the error bodies are the shapes errors.py answers with."""

import re
from datetime import date, datetime, time
from types import GenericAlias
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Schema
from pydantic import BeforeValidator, ConfigDict, Field, WithJsonSchema
from pydantic_core import PydanticCustomError


def Text(max_length: int | None = None, *, required: bool = False) -> Any:  # noqa: N802 - reads as a type
    return Annotated[str, Field(min_length=1 if required else 0, max_length=max_length)]


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?([Zz]|[+-]\d{2}(:?\d{2})?)?", re.ASCII
)


def _iso_date(value: object) -> object:
    """Only "1950-03-27" (or a date): pydantic alone would also take 0 as 1 January 1970,
    "1700000000" as a timestamp and a midnight date-time as a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return value
    raise PydanticCustomError("date_type", gettext("Enter a date like 1950-03-27"))


def _iso_datetime(value: object) -> object:
    """Only an ISO 8601 date and time (or a datetime), never a number of seconds."""
    if isinstance(value, datetime) or (isinstance(value, str) and _ISO_DATETIME.fullmatch(value)):
        return value
    raise PydanticCustomError(
        "datetime_type", gettext("Enter a date and time like 2025-03-27T14:30:00Z")
    )


# Every date and date-time an input schema or a query parameter takes is one of these.
Date = Annotated[date, BeforeValidator(_iso_date)]
DateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

# A time of day on the place's own clock, answered as "09:30:00". JSON Schema's "time"
# format is RFC 3339's full-time, which needs a UTC offset these times do not have.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$",
            "examples": ["09:30:00"],
        }
    ),
]


class Input(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Versioned(Input):
    version: int = Field(ge=1, description="The version the change started from")


# --- output ------------------------------------------------------------------------------


class FieldError(Schema):
    field: str
    message: str


class Errors(Schema):
    errors: list[FieldError]


class Detail(Schema):
    detail: str


class Conflict(Schema):
    """A lost race (409): nothing was saved; `current` is the record as it is now."""

    detail: str
    version: int = Field(description="The version saved now: redo your change on top of it")
    current: dict[str, Any]


class Named(Schema):
    id: int
    name: str


HIDDEN = "null when your access level does not show it (see the field policy in the README)"


def policy_field() -> Any:
    """A field the field policy may hide: present in every answer, null when hidden."""
    return Field(None, description=HIDDEN)


def page_of(item_schema: type[Schema], name: str) -> type[Schema]:
    """The pagination envelope: {"items": [...], "count": total, "page": n, "pages": n}."""
    return type(
        name,
        (Schema,),
        {
            "__annotations__": {
                "items": GenericAlias(list, (item_schema,)),  # list[item_schema]
                "count": int,
                "page": int,
                "pages": int,
            }
        },
    )
