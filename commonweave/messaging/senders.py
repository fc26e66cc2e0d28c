"""A sender for the other apps' pluggable settings that respects STOP.

`WELLBEING_SENDER = "commonweave.messaging.senders.StopRespectingSender"` sends check-in
links by text through the installation's text provider (MESSAGING_PROVIDER), never to a
number that texted STOP to any place (or whose consent to texts was withdrawn), and by
email through Django's mail. The sender interface names no place, so STOP to any place
counts. A text not sent for STOP is dropped with a log line that names no one.
"""

import logging

from django.core.mail import send_mail
from django.utils.translation import gettext as _

from . import phones
from .providers import PROVIDERS, ProviderError, provider_name_for
from .services import may_send

log = logging.getLogger(__name__)


class StopRespectingSender:
    def send(self, *, channel, to, message):
        if channel == "email":
            send_mail(_("Your check-in link"), message, None, [to])
            return
        number = phones.normalise(to)
        if not may_send(number):
            log.info("text not sent: the number texted STOP")
            return
        try:
            PROVIDERS[provider_name_for(None)]().send(to=number, body=message)
        except ProviderError:
            log.warning("text not sent: the provider refused it")
            raise
