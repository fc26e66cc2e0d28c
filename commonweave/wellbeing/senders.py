"""How a one-time link reaches a resident: pluggable, by the WELLBEING_SENDER setting (a
dotted path to a class with `send(*, channel, to, message)`). The console sender, the
default, writes to standard output for development; a deployment plugs in its SMS or
email gateway. Tests use the in-memory sender."""

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext

from .enums import LinkChannel

MASK = "\u2022"  # a bullet: "07••• ••• 123"

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


def address_for(channel, *, phone, email):
    """Where a link by this channel would go: the resident's phone for a text message,
    their email address for an email; "" when they have none."""
    return ((phone if channel == LinkChannel.TEXT else email) or "").strip()


def channels_for(*, phone, email):
    """The channels a resident can be sent a link by: only those they have an address for,
    text message first."""
    return [
        channel
        for channel in (LinkChannel.TEXT, LinkChannel.EMAIL)
        if address_for(channel, phone=phone, email=email)
    ]


def masked(channel, to):
    """Enough of an address for a worker to recognise it, not to read it out: a phone
    number keeps its first 2 and last 3 digits ("07••• ••• 123"), an email address its
    first letter and its domain ("m•••@example.org")."""
    to = (to or "").strip()
    if channel == LinkChannel.EMAIL:
        local, at, domain = to.rpartition("@")
        if not at:
            return MASK * 3
        return f"{local[:1]}{MASK * 3}@{domain}"
    digits = "".join(ch for ch in to if ch.isdigit())
    if len(digits) < 6:
        return MASK * 3
    return f"{digits[:2]}{MASK * 3} {MASK * 3} {digits[-3:]}"


def where_it_went(channel, to):
    """ "text message to 07••• ••• 123", "email to m•••@example.org": for the worker, after
    sending, so they can tell the resident where to look."""
    if channel == LinkChannel.EMAIL:
        return gettext("email to %(address)s") % {"address": masked(channel, to)}
    return gettext("text message to %(number)s") % {"number": masked(channel, to)}
