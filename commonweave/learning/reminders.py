"""Pluggable senders for action reminders.

settings.LEARNING_REMINDER_SENDER names a class by dotted path (like EMAIL_BACKEND);
the default prints to the console. A sender has one method, send(to, subject, body).
Reminders carry the action and barrier in plain words and never a resident's details.
"""

import sys

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string

DEFAULT_SENDER = "commonweave.learning.reminders.ConsoleSender"


class ConsoleSender:
    def __init__(self, stream=None):
        self.stream = stream or sys.stdout

    def send(self, to, subject, body):
        self.stream.write(f"To: {to}\nSubject: {subject}\n\n{body}\n---\n")


class EmailSender:
    """Sends through Django's configured email backend."""

    def send(self, to, subject, body):
        send_mail(subject, body, None, [to])


class MemorySender:
    """Keeps what was sent, for tests."""

    sent: list = []

    def send(self, to, subject, body):
        MemorySender.sent.append({"to": to, "subject": subject, "body": body})


def get_sender():
    return import_string(getattr(settings, "LEARNING_REMINDER_SENDER", DEFAULT_SENDER))()
