"""Who sends and receives texts: one interface, a provider per place or by setting.

`provider_for(place)` answers the place's provider (its set-up, else the
MESSAGING_PROVIDER setting, else the fake one). Each provider sends with
`send(to=..., body=...)`, answering the provider's message id, and has a module that
verifies and reads what it posts to us (`notify.py`, `twilio.py`). The real providers'
client libraries are optional extras, imported only when a text is really sent; nothing
here touches the network at import, and tests never do.
"""

from django.conf import settings

from ..enums import ProviderName
from .base import InboundText, Provider, ProviderError
from .fake import FakeProvider
from .notify import NotifyProvider
from .twilio import TwilioProvider

PROVIDERS: dict[str, type] = {
    ProviderName.FAKE: FakeProvider,
    ProviderName.NOTIFY: NotifyProvider,
    ProviderName.TWILIO: TwilioProvider,
}


def provider_name_for(place) -> str:
    """The place's provider: its own choice, else the installation's default."""
    setup = getattr(place, "messaging_setup", None) if place is not None else None
    chosen = getattr(setup, "provider", "") or getattr(
        settings, "MESSAGING_PROVIDER", ProviderName.FAKE
    )
    return ProviderName(chosen).value


# The settings each provider needs to send and to receive (docs/messaging.md).
NEEDS = {
    ProviderName.FAKE: (),
    ProviderName.NOTIFY: ("NOTIFY_API_KEY", "NOTIFY_SMS_TEMPLATE_ID", "NOTIFY_CALLBACK_TOKEN"),
    ProviderName.TWILIO: ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM_NUMBER"),
}


def missing_settings(name: str) -> list[str]:
    """The settings provider `name` needs that this installation has not set."""
    return [each for each in NEEDS[ProviderName(name)] if not getattr(settings, each, "")]


def provider_for(place) -> Provider:
    return PROVIDERS[provider_name_for(place)]()


__all__ = [
    "PROVIDERS",
    "FakeProvider",
    "InboundText",
    "NotifyProvider",
    "Provider",
    "ProviderError",
    "TwilioProvider",
    "missing_settings",
    "provider_for",
    "provider_name_for",
]
