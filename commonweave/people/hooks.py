"""What other apps ask to be told about people's records, registered at start-up.

A merge moves rows with QuerySet.update, which sends no model signals, so apps that keep
something derived from a resident's records (the relationship network) register here from
their AppConfig.ready and are called inside the merge's transaction. The call is explicit
in people.services.referral_merge: nothing listens to audit rows.
"""

from collections.abc import Callable

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
