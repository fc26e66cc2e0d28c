"""How a one-time link reaches a resident: pluggable, by the WELLBEING_SENDER setting (a
dotted path to a class with `send(*, channel, to, message)`). The console sender, the
default, writes to standard output for development; a deployment plugs in its SMS or
email gateway. Tests use the in-memory sender."""

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

DEFAULT_SENDER = "commonweave.wellbeing.senders.ConsoleSender"


class ConsoleSender:
    def send(self, *, channel, to, message):
        sys.stdout.write(f"[wellbeing {channel}] to {to}:\n{message}\n")


class MemorySender:
    """Keeps what was sent in `outbox` (tests, demos)."""

    outbox: list = []

    def send(self, *, channel, to, message):
        MemorySender.outbox.append({"channel": channel, "to": to, "message": message})


class DjangoEmailSender:
    """Email through Django's configured mail backend; text messages need a gateway."""

    def send(self, *, channel, to, message):
        if channel != "email":
            raise ValueError("This sender only sends email")
        send_mail("Your check-in link", message, None, [to])


def get_sender():
    return import_string(getattr(settings, "WELLBEING_SENDER", DEFAULT_SENDER))()
