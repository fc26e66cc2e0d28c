"""The API's one answer to a lost race: 409 with the record as it is now.

    {"detail": "...", "version": <the version saved now>, "current": {...}}

`current` is written by the endpoint's own writer, at the caller's access level, so a
conflict shows no more than a read would.
"""

import functools
from collections.abc import Callable
from typing import Any

from ninja.responses import Status

from commonweave.core.versioning import CONFLICT_MESSAGE, Conflict

Endpoint = Callable[..., Any]


def answers_conflict(
    current_out: Callable[[Any, Any], dict[str, Any]],
) -> Callable[[Endpoint], Endpoint]:
    """Decorator: a Conflict from the service becomes a 409 carrying the record as it is
    now (written by `current_out(request, current)`); nothing was saved."""

    def wrap(endpoint: Endpoint) -> Endpoint:
        @functools.wraps(endpoint)
        def run(request: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return endpoint(request, *args, **kwargs)
            except Conflict as conflict:
                current = conflict.current
                return Status(
                    409,
                    {
                        "detail": str(CONFLICT_MESSAGE),
                        "version": current.version,  # type: ignore[attr-defined]  # versioned models have it
                        "current": current_out(request, current),
                    },
                )

        return run

    return wrap
