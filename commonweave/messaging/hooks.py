"""What other apps ask to be told about received texts, registered at start-up.

Messaging sits below the domain apps (docs/architecture.md), so it cannot import them;
an app that answers some texts itself (mutual aid: a helper's YES, SAFE or a message to
pass on) registers a handler here from its AppConfig.ready, as people's `hooks.py` does
for merges.

`handler(message)` is called for every ordinary text (never STOP or START) inside the
transaction that stores it, after it is stored and before it is routed to a resident or
triage, in registration order. The first handler that answers `Handled` takes the text:
no triage item is opened, no acknowledgement is sent, and the handler's reply (if any) is
sent back to the number after the transaction commits (respecting STOP). A handler that
answers None leaves the text to the next handler, then to the usual routing.

A handler that raises is rolled back to its own savepoint and treated as if it answered
None (and the error is logged), so a fault in another app never loses a received text.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import TextMessage


@dataclass(frozen=True)
class Handled:
    """A handler took the text. `reply`: what to text back ("" for nothing)."""

    reply: str = ""


InboundHandler = Callable[["TextMessage"], Handled | None]

_inbound_handlers: list[InboundHandler] = []


def on_inbound(handler: InboundHandler) -> None:
    """Offer every ordinary received text to `handler(message)` (once per handler, however
    often this is called: ready() may run more than once in tests)."""
    if handler not in _inbound_handlers:
        _inbound_handlers.append(handler)


def inbound_handlers() -> list[InboundHandler]:
    """The registered handlers, in registration order."""
    return list(_inbound_handlers)


def handler_name(handler: InboundHandler) -> str:
    """How the audit log names a handler: its module and name."""
    module = getattr(handler, "__module__", "") or ""
    name = getattr(handler, "__qualname__", None) or type(handler).__qualname__
    return f"{module}.{name}" if module else name
