"""Twilio: sending by its API, receiving by a signed form post.

Twilio signs each webhook with X-Twilio-Signature: base64(HMAC-SHA1(auth token, the full
URL it called + each POST parameter's name and value, sorted by name; a pair sent
twice counts once)). This module
computes it itself (the `twilio` library is an optional extra, needed only to send), and
compares in constant time. Twilio answers STOP itself and blocks later sends to that
number; Commonweave records the STOP as well, so every sender respects it.
"""

import base64
import hashlib
import hmac
import importlib
from collections.abc import Iterable
from typing import Any, ClassVar

from django.conf import settings

from ..enums import ProviderName
from .base import InboundText, ProviderError


class TwilioProvider:
    name: ClassVar[str] = ProviderName.TWILIO
    handles_opt_out: ClassVar[bool] = True

    def send(self, *, to: str, body: str) -> str:  # pragma: no cover - network
        try:
            client_class = importlib.import_module("twilio.rest").Client
        except ImportError as error:
            raise ProviderError("Install twilio to send texts with Twilio") from error
        if not (settings.TWILIO_ACCOUNT_SID and settings.TWILIO_AUTH_TOKEN):
            raise ProviderError("TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN must be set")
        client = client_class(settings.TWILIO_ACCOUNT_SID, settings.TWILIO_AUTH_TOKEN)
        try:
            message = client.messages.create(to=to, from_=settings.TWILIO_FROM_NUMBER, body=body)
        except Exception as error:
            raise ProviderError(f"Twilio refused the text ({type(error).__name__})") from error
        return str(message.sid)


def signature(url: str, params: Iterable[tuple[str, str]], auth_token: str) -> str:
    """The X-Twilio-Signature Twilio sends for a form post of `params` to `url`."""
    # As Twilio's own validator: each distinct (name, value) once, sorted by name then value.
    payload = url + "".join(name + value for name, value in sorted(set(params)))
    digest = hmac.new(auth_token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def signature_matches(url: str, params: Iterable[tuple[str, str]], given: str | None) -> bool:
    """Whether `given` is Twilio's signature of this post. No auth token configured, or no
    signature sent, refuses everything."""
    token = settings.TWILIO_AUTH_TOKEN or ""
    if not token or not given:
        return False
    expected = signature(url, list(params), token)
    return hmac.compare_digest(expected.encode(), given.encode())


def read_form(params: Any) -> InboundText:
    """A Twilio incoming-message webhook's form fields. Raises ValueError when one is missing."""
    try:
        return InboundText(
            provider_message_id=str(params["MessageSid"]),
            phone=str(params["From"]),
            body=str(params.get("Body", "")),
        )
    except KeyError as error:
        raise ValueError(f"missing {error.args[0]}") from None
