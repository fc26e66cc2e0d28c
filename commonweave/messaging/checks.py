"""Loud configuration: a misspelt MESSAGING_PROVIDER fails `manage.py check` (and every
start), instead of the first text received."""

from django.conf import settings
from django.core.checks import Error, register

from .enums import ProviderName


@register()
def messaging_provider_check(app_configs, **kwargs):
    chosen = getattr(settings, "MESSAGING_PROVIDER", ProviderName.FAKE)
    if chosen in ProviderName.values:
        return []
    return [
        Error(
            f"MESSAGING_PROVIDER must be one of {', '.join(ProviderName.values)}, not {chosen!r}",
            id="messaging.E001",
        )
    ]
