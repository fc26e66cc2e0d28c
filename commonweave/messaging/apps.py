"""Text messages in and out: the provider interface, the inbound front door, STOP/START
(issue 16)."""

from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "commonweave.messaging"
    label = "messaging"

    def ready(self):
        from commonweave.people import hooks

        from . import checks, selectors, visibility  # noqa: F401 - visibility: the field policy

        hooks.on_timeline(selectors.timeline_texts)
