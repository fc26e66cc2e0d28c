from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    IN = "in", _("Received")
    OUT = "out", _("Sent")


class ProviderName(models.TextChoices):
    FAKE = "fake", _("Practice (nothing is really sent: an outbox in Commonweave)")
    NOTIFY = "notify", _("GOV.UK Notify (public bodies only)")
    TWILIO = "twilio", _("Twilio")


class MessageKind(models.TextChoices):
    TEXT = "text", _("Text from a resident")
    STOP = "stop", _("STOP: no more texts")
    START = "start", _("START: texts again")
    ACKNOWLEDGEMENT = "acknowledgement", _("Automatic acknowledgement")
    CONFIRMATION = "confirmation", _("STOP or START confirmed")
    REPLY = "reply", _("Reply from a worker")
    # The answer of another app that took a received text (messaging/hooks.py).
    ANSWER = "answer", _("Automatic answer to a text")
    # A message between two people passed on by the partnership, so neither sees the
    # other's number (mutual aid's relayed messages).
    RELAY = "relay", _("Message passed on")
    OTHER = "other", _("Other message")


class MessageStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    QUEUED = "queued", _("Waiting to send")
    SENT = "sent", _("Sent")
    SUPPRESSED = "suppressed", _("Not sent: they texted STOP")
    FAILED = "failed", _("Could not be sent")
