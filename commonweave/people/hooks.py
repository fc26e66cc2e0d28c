"""What other apps ask to be told about people's records, registered at start-up.

A merge moves rows with QuerySet.update, which sends no model signals, so apps that keep
something derived from a resident's records (the relationship network) register here from
their AppConfig.ready and are called inside the merge's transaction. The call is explicit
in people.services.referral_merge: nothing listens to audit rows.

Apps that keep records on a resident's timeline (text messages) register a source with
`on_timeline`: `source(resident, level)` answers timeline items, each a dict with "at",
"kind", "obj" and the "template" that renders it on the record.
"""

from collections.abc import Callable
from typing import Any

from .models import Resident

MergeHook = Callable[[Resident, Resident], None]

_after_merge: list[MergeHook] = []


def on_merge(hook: MergeHook) -> None:
    """Call `hook(duplicate, kept)` after every merge (once per hook, however often this
    is called: ready() may run more than once in tests)."""
    if hook not in _after_merge:
        _after_merge.append(hook)


def merged(duplicate: Resident, kept: Resident) -> None:
    for hook in _after_merge:
        hook(duplicate, kept)


TimelineSource = Callable[[Resident, Any], list[dict[str, Any]]]

_timeline_sources: list[TimelineSource] = []


def on_timeline(source: TimelineSource) -> None:
    """Add `source(resident, level)`'s items to every resident's timeline (once per source)."""
    if source not in _timeline_sources:
        _timeline_sources.append(source)


def timeline_items(resident: Resident, level: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for source in _timeline_sources:
        items.extend(source(resident, level))
    return items
