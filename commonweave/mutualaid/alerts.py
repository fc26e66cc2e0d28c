"""The seam between mutual aid and whatever tells a helper about a need.

An alert is a row (`Alert`) that the helper's own page lists, and a text to the helper's
phone through the messaging app (its provider, respecting STOP) once the need is saved.
Safeguarding notes and relayed messages are rows on the pages that show them; sending
them by text is still to come (docs/mutualaid.md).
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.messaging.enums import MessageKind
from commonweave.messaging.services import text_send

from .models import Alert, RelayMessage, SafeguardingNote


@dataclass(frozen=True)
class AlertSender:
    """Who sends an alert: the partnership's mutual aid, for the helper's organisation.
    The audit log names it "mutual-aid:alerts"."""

    place: Any
    organisation_id: int

    @property
    def user_id(self) -> None:
        return None

    @property
    def label(self) -> str:
        return "mutual-aid:alerts"

    @property
    def primary_org_id(self) -> int:
        return self.organisation_id

    @property
    def is_place_admin(self) -> bool:
        return False


def alert_text(alert: Alert) -> str:
    """What the helper reads: the first name, the area and the kind of help; never an
    address, a phone number or the words the person wrote."""
    need = alert.need
    area = need.neighbourhood.name if need.neighbourhood is not None else _("your area")
    return _(
        "%(place)s: %(name)s in %(area)s would like help with %(help)s. "
        "Open your helper link to say yes or no. Text STOP to stop these texts."
    ) % {
        "place": need.place.name,
        "name": need.first_name,
        "area": area,
        "help": need.category.name.lower(),
    }


def deliver_alert(alert: Alert, *, now=None) -> None:
    """Deliver one alert: marked delivered now, and texted to the helper (if they have a
    phone) once the transaction that made it commits, so a rolled-back need sends nothing.
    Side effects: sets `delivered_at`; after commit a TextMessage and its audit event."""
    alert.delivered_at = now or timezone.now()
    Alert.objects.filter(pk=alert.pk).update(delivered_at=alert.delivered_at)
    volunteer = alert.volunteer
    if not volunteer.phone:
        return
    body = alert_text(alert)
    sender = AlertSender(place=alert.need.place, organisation_id=volunteer.organisation_id)

    def send():
        text_send(
            actor=sender,
            place=sender.place,
            phone=volunteer.phone,
            body=body,
            kind=MessageKind.OTHER,
        )

    transaction.on_commit(send)


def deliver_safeguarding_note(note: SafeguardingNote, *, now=None) -> None:
    """Tell the place's safeguarding lead (today: the row, on their page; later: a text and
    an email through messaging). Side effects: sets `delivered_at`."""
    note.delivered_at = now or timezone.now()
    SafeguardingNote.objects.filter(pk=note.pk).update(delivered_at=note.delivered_at)


def deliver_relay(message: RelayMessage, *, now=None) -> None:
    """Pass a message to the other side of a match (today: their page and the coordinator's;
    later: a text from the partnership's number). Side effects: sets `delivered_at`."""
    message.delivered_at = now or timezone.now()
    RelayMessage.objects.filter(pk=message.pk).update(delivered_at=message.delivered_at)
