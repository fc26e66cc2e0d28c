"""Writes for text messages: a text received (stored once, routed, acknowledged), a text
sent (respecting STOP), a worker's reply, a phone number revealed, a place's set-up.

Each service runs in one transaction and writes its audit event. A text is handed to its
provider only after the transaction that created it has committed, so a slow or failing
provider never holds a lock or loses a received text.
"""

from ._common import TextFrontDoor, may_send, setup_for
from .inbound import (
    CONVERSATION_QUIET,
    fake_inbound_id,
    inbound_receive,
    notify_poll,
    notify_poll_page,
)
from .sending import phone_reveal, text_reply, text_send
from .setup import SETUP_FIELDS, setup_save

__all__ = [
    "CONVERSATION_QUIET",
    "SETUP_FIELDS",
    "TextFrontDoor",
    "fake_inbound_id",
    "inbound_receive",
    "may_send",
    "notify_poll",
    "notify_poll_page",
    "phone_reveal",
    "setup_for",
    "setup_save",
    "text_reply",
    "text_send",
]
