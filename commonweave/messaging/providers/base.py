"""The provider interface and what every provider's inbound text becomes."""

from dataclasses import dataclass
from datetime import datetime
from typing import ClassVar, Protocol


class ProviderError(Exception):
    """A provider refused or failed to send. The message carries no personal data."""


@dataclass(frozen=True)
class InboundText:
    """A text a resident sent, as any provider tells us of it."""

    provider_message_id: str
    phone: str  # the resident's number, as the provider wrote it
    body: str
    received_at: datetime | None = None


class Provider(Protocol):
    name: ClassVar[str]
    # True when the provider itself answers STOP and blocks later sends (Twilio does):
    # Commonweave then records the STOP but sends no confirmation of its own.
    handles_opt_out: ClassVar[bool]

    def send(self, *, to: str, body: str) -> str:
        """Send `body` to `to` (E.164); answer the provider's message id or raise
        ProviderError."""
        ...
