"""The seam between mutual aid and whatever tells someone about it.

An alert is a row (`Alert`) that the helper's own page lists, and a text to the helper's
phone through the messaging app (its provider, respecting STOP) once the need is saved.
A relayed message is a row on both sides' pages and a text to the other side's phone from
the partnership's number, so neither ever sees the other's number (texts back come in
through `texts.py`). A safeguarding note is a row for the place's safeguarding lead: staff
accounts hold no phone number, so it is not texted (docs/mutualaid.md).

Texts carry no address, no phone number and no name but a first name.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings as django_settings
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.messaging.enums import MessageKind
from commonweave.messaging.services import text_send

from .enums import Side
from .models import Alert, PlaceSettings, RelayMessage, RequestContact, SafeguardingNote


@dataclass(frozen=True)
class AlertSender:
    """Who sends an alert (or a relayed message): the partnership's mutual aid, for the
    organisation holding the helper (or the need). The audit log names it
    "mutual-aid:alerts" ("mutual-aid:relays" for relayed messages)."""

    place: Any
    organisation_id: int
    what: str = "alerts"

    @property
    def user_id(self) -> None:
        return None

    @property
    def label(self) -> str:
        return f"mutual-aid:{self.what}"

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
    """Tell the place's safeguarding lead: the row on the log's pages, and an email to the
    lead's account once the note is saved, saying only that a note waits and where (no
    names, no words of the note: email leaves Commonweave's access rules).

    Not texted: the lead is a staff account (`accounts.User`), and no staff account or
    membership holds a phone number. Were one added, the text would be sent as essential
    (`text_send(..., essential=True)`): a missed lone-working check-in means someone may be
    unsafe, and reading it is the lead's duty in their role, which a STOP sent to the
    partnership's number as a neighbour must not silence (docs/mutualaid.md).
    Side effects: sets `delivered_at`; after commit, one email if the place has a lead."""
    note.delivered_at = now or timezone.now()
    SafeguardingNote.objects.filter(pk=note.pk).update(delivered_at=note.delivered_at)
    settings_row = (
        PlaceSettings.objects.filter(place_id=note.place_id)
        .select_related("safeguarding_lead", "place")
        .first()
    )
    if settings_row is None or settings_row.safeguarding_lead is None:
        return
    lead = settings_row.safeguarding_lead
    if not lead.email:
        return
    path = reverse("mutualaid:safeguarding_note", kwargs={"public_id": note.public_id})
    base = (getattr(django_settings, "MESSAGING_PUBLIC_URL", "") or "").rstrip("/")
    subject = _("A safeguarding note needs you (%(place)s)") % {"place": settings_row.place.name}
    body = _(
        "A safeguarding note was raised in %(place)s's mutual aid and waits for you.\n\n"
        "Open it here (you will be asked to sign in): %(link)s\n\n"
        "This email says nothing more, on purpose: the note is only on Commonweave."
    ) % {"place": settings_row.place.name, "link": base + path}
    transaction.on_commit(lambda: send_mail(subject, body, None, [lead.email]))


def relay_text(message: RelayMessage, *, sender_name: str, to_helper: bool) -> str:
    """What the other side reads: the sender's first name, their own words, and how to
    answer; never a number or an address (the words are the sender's own)."""
    words = {"place": message.match.need.place.name, "name": sender_name, "text": message.text}
    if to_helper:
        template = _("%(place)s: from %(name)s, who you are helping: %(text)s (Reply to answer.)")
    else:
        template = _("%(place)s: from %(name)s, who is helping you: %(text)s (Reply to answer.)")
    return template % words


def _relay_recipient(message: RelayMessage) -> tuple[str, str, bool]:
    """(the other side's phone, the sender's first name, whether it goes to the helper)."""
    match = message.match
    if message.from_side == Side.NEED:
        return match.volunteer.phone, match.need.first_name, True
    contact = RequestContact.objects.filter(request_id=match.need_id).first()
    return (contact.phone if contact else ""), match.volunteer.first_name, False


def deliver_relay(message: RelayMessage, *, now=None) -> None:
    """Pass a message to the other side of a match: the row (both sides' pages and the
    coordinator's), and a text to the other side's phone from the partnership's number
    once the transaction that stored it commits (nothing if they have no phone; kept as
    "not sent" after their STOP, as `text_send` does).
    Side effects: sets `delivered_at`; after commit a TextMessage and its audit event."""
    message.delivered_at = now or timezone.now()
    RelayMessage.objects.filter(pk=message.pk).update(delivered_at=message.delivered_at)
    message = RelayMessage.objects.select_related("match__need__place", "match__volunteer").get(
        pk=message.pk
    )
    phone, sender_name, to_helper = _relay_recipient(message)
    if not phone:
        return
    body = relay_text(message, sender_name=sender_name, to_helper=to_helper)
    need = message.match.need
    sender = AlertSender(place=need.place, organisation_id=need.organisation_id, what="relays")

    def send():
        text_send(actor=sender, place=sender.place, phone=phone, body=body, kind=MessageKind.RELAY)

    transaction.on_commit(send)
