"""Tables other apps add to the place overview, registered at start-up.

The overview belongs to this app, but some of its figures come from apps above it (mutual
aid: how fast needs are matched, residents who became helpers), which this app may not
import. Such an app registers a source with `on_overview` from its AppConfig.ready:
`source(place, since, now)` answers OverviewTables whose every number has already been
through commonweave.insights.disclosure (a PublishedTable, and notes written only from
its published values). The page, the CSV and the API show them after the built-in tables.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .disclosure import PublishedTable


@dataclass(frozen=True)
class OverviewTable:
    key: str
    caption: str
    heading: str
    table: PublishedTable
    # (label, value) read off the published values only, e.g. ("Half were matched
    # within", "24 hours"): shown under the table, and as rows of the CSV.
    notes: list[tuple[str, str]] = field(default_factory=list)
    as_of_now: bool = False


OverviewSource = Callable[[Any, datetime | None, datetime], list[OverviewTable]]

_sources: list[OverviewSource] = []


def on_overview(source: OverviewSource) -> None:
    """Add `source(place, since, now)`'s tables to every overview (once per source)."""
    if source not in _sources:
        _sources.append(source)


def overview_tables(place, *, since: datetime | None, now: datetime) -> list[OverviewTable]:
    tables: list[OverviewTable] = []
    for source in _sources:
        tables.extend(source(place, since, now))
    return tables
