"""The default provider: sends nothing. Every text "sent" is the outbound TextMessage row
itself, listed on the outbox page; inbound texts come from the "send a text as a
resident" page or `manage.py receive_text`."""

import secrets
from typing import ClassVar

from ..enums import ProviderName


class FakeProvider:
    name: ClassVar[str] = ProviderName.FAKE
    handles_opt_out: ClassVar[bool] = False

    def send(self, *, to: str, body: str) -> str:
        return new_fake_id("out")


def new_fake_id(direction: str) -> str:
    return f"fake-{direction}-{secrets.token_hex(8)}"
