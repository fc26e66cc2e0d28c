"""One page of a list: {"items": [...], "count": total, "page": n, "pages": n}."""

from collections.abc import Iterable
from math import ceil
from typing import Protocol

from ninja import Query, Schema
from pydantic import Field

MAX_SIZE = 100
DEFAULT_SIZE = 50


class PageQuery(Schema):
    page: int = Field(1, ge=1, description="Page number, from 1")
    size: int = Field(DEFAULT_SIZE, ge=1, le=MAX_SIZE, description="Items per page (max 100)")


PageParams = Query[PageQuery]


class Countable[Row](Protocol):
    """A QuerySet, or anything else that counts its rows and slices like one."""

    def count(self) -> int: ...

    def __getitem__(self, key: slice, /) -> Iterable[Row]: ...


def paginate[Row](queryset: Countable[Row], params: PageQuery) -> tuple[list[Row], dict[str, int]]:
    """Returns (rows on this page, envelope without items). Beyond the last page is empty."""
    count = queryset.count()
    start = (params.page - 1) * params.size
    rows = list(queryset[start : start + params.size]) if start < count else []
    envelope = {"count": count, "page": params.page, "pages": max(1, ceil(count / params.size))}
    return rows, envelope
