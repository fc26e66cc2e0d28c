"""GOV.UK Notify: sending by its API, receiving by callback or by polling.

Only public sector bodies may use Notify (central and local government, the NHS and other
public bodies): a partnership led by a charity picks another provider (docs/messaging.md).

* Callback: Notify POSTs JSON ({"id", "source_number", "destination_number", "message",
  "date_received"}) with `Authorization: Bearer <the token set in Notify>`, which is
  NOTIFY_CALLBACK_TOKEN here, compared in constant time.
* Polling: the "get received text messages" API answers pages of
  {"received_text_messages": [{"id", "created_at", "notify_number", "user_number",
  "service_id", "content"}], "links": {...}}, newest first; `read_received_page` reads one.
* Sending: `send_sms_notification` with a template whose whole content is ((body))
  (NOTIFY_SMS_TEMPLATE_ID); the library `notifications-python-client` is an optional
  extra, imported only here.
"""

import hmac
import importlib
from datetime import datetime
from typing import Any, ClassVar

from django.conf import settings
from django.utils.dateparse import parse_datetime

from ..enums import ProviderName
from .base import InboundText, ProviderError


class NotifyProvider:
    name: ClassVar[str] = ProviderName.NOTIFY
    handles_opt_out: ClassVar[bool] = False

    def client(self) -> Any:
        try:
            module = importlib.import_module("notifications_python_client.notifications")
        except ImportError as error:  # pragma: no cover - depends on the optional extra
            raise ProviderError("Install notifications-python-client to use Notify") from error
        if not settings.NOTIFY_API_KEY:
            raise ProviderError("NOTIFY_API_KEY is not set")
        return module.NotificationsAPIClient(settings.NOTIFY_API_KEY)

    def send(self, *, to: str, body: str) -> str:  # pragma: no cover - network
        if not settings.NOTIFY_SMS_TEMPLATE_ID:
            raise ProviderError("NOTIFY_SMS_TEMPLATE_ID is not set")
        try:
            answer = self.client().send_sms_notification(
                phone_number=to,
                template_id=settings.NOTIFY_SMS_TEMPLATE_ID,
                personalisation={"body": body},
            )
        except Exception as error:
            raise ProviderError(f"Notify refused the text ({type(error).__name__})") from error
        return str(answer["id"])

    def received_page(self, older_than: str | None = None) -> dict:  # pragma: no cover
        """One page of received texts from Notify's API (network)."""
        return self.client().get_received_texts(older_than=older_than)


def token_matches(authorization: str | None) -> bool:
    """Whether the Authorization header carries the callback token, compared in constant
    time. No token configured refuses everything."""
    expected = settings.NOTIFY_CALLBACK_TOKEN or ""
    scheme, _, token = (authorization or "").partition(" ")
    if not expected or scheme.lower() != "bearer" or not token.strip():
        return False
    return hmac.compare_digest(token.strip().encode(), expected.encode())


def _when(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def read_callback(data: Any) -> InboundText:
    """A received-text callback's JSON. Raises ValueError when a field is missing."""
    if not isinstance(data, dict):
        raise ValueError("not an object")
    try:
        return InboundText(
            provider_message_id=str(data["id"]),
            phone=str(data["source_number"]),
            body=str(data["message"]),
            received_at=_when(data.get("date_received")),
        )
    except KeyError as error:
        raise ValueError(f"missing {error.args[0]}") from None


def read_received_page(page: Any) -> tuple[list[InboundText], str | None]:
    """One page of "get received texts": the texts on it and the id to ask for the next
    (older) page with, or None when it is the last."""
    items = page.get("received_text_messages", []) if isinstance(page, dict) else []
    texts = [
        InboundText(
            provider_message_id=str(item["id"]),
            phone=str(item["user_number"]),
            body=str(item["content"]),
            received_at=_when(item.get("created_at")),
        )
        for item in items
        if isinstance(item, dict) and {"id", "user_number", "content"} <= item.keys()
    ]
    has_next = bool((page.get("links") or {}).get("next")) if isinstance(page, dict) else False
    return texts, (texts[-1].provider_message_id if texts and has_next else None)
