"""Receiving a text: stored once, offered to other apps' handlers (hooks.py), routed (a
known resident, or a new triage item), acknowledged once per conversation; STOP and
START; polling Notify."""

import logging
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people import services as people
from commonweave.people.enums import (
    ContactMethod,
    FrontDoor,
    ReferralStatus,
    ReferrerKind,
    Urgency,
)
from commonweave.people.models import Referral, Resident

from .. import hooks, phones, wording
from ..enums import Direction, MessageKind, MessageStatus, ProviderName
from ..models import TextMessage
from ..providers import PROVIDERS, InboundText, notify
from ..providers.fake import new_fake_id
from ._common import (
    TextFrontDoor,
    _opt_out,
    _queue,
    setup_for,
)
from .sending import _dispatch

logger = logging.getLogger(__name__)

# A new text is acknowledged unless this number was acknowledged this recently: one
# acknowledgement per conversation, not one per text.
CONVERSATION_QUIET = timedelta(hours=24)


def _residents_with(place, phone) -> list[Resident]:
    number_key = phones.key(phone)
    if not number_key:
        return []
    return list(
        Resident.objects.active()
        .filter(place=place, phone_key=number_key)
        .select_related("organisation")
        .order_by("-created_at", "-pk")[:20]
    )


def _resident_for(place, candidates: list[Resident]) -> Resident | None:
    """The one resident a number belongs to in this place. Several records with one
    number (held by different organisations): the one a text opened, if any; otherwise
    nobody, and the text opens a triage item of its own (offered as a duplicate there)
    rather than reaching an organisation that may not be theirs."""
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        return None
    opened = (
        Referral.objects.filter(
            place=place, resident__in=[r.pk for r in candidates], front_door=FrontDoor.TEXT
        )
        .order_by("-received_at", "-pk")
        .values_list("resident_id", flat=True)
        .first()
    )
    return next((r for r in candidates if r.pk == opened), None)


def _acknowledged_recently(place, phone, at) -> bool:
    return (
        TextMessage.objects.outbound()
        .filter(
            place=place,
            phone=phone,
            kind=MessageKind.ACKNOWLEDGEMENT,
            at__gt=at - CONVERSATION_QUIET,
        )
        .exists()
    )


def inbound_receive(*, place, provider: str, text: InboundText) -> tuple[TextMessage | None, bool]:
    """Receive one text: store it once, route it, acknowledge it.

    A text already stored (the same provider and message id) changes nothing and answers
    (that message, False). Otherwise: STOP or START records the number's choice and a
    consent event on each record with that number; any other text from a number we know
    is first offered to the handlers other apps registered (hooks.py): the first that
    takes it answers it (maybe with a reply, sent after commit) and nothing else happens
    to it. Otherwise a text from a number we know threads into that resident's record
    (and moves their open referral into the 3-hour queue if it holds an urgent word);
    from an unknown number it opens a triage item (a referral through the text front
    door) on the 24-hour clock, or the 3-hour one.
    Side effects: TextMessage (received), maybe a Referral and Resident, consent events,
    TextOptOut, at most one automatic reply (sent after commit), audit events, and
    whatever a handler does.
    """
    with transaction.atomic():
        message, created, replies = _store_and_route(place=place, provider=provider, text=text)
    for reply in replies:
        _dispatch(reply)
    return message, created


def _store_and_route(*, place, provider, text):
    provider = ProviderName(provider).value
    known = TextMessage.objects.filter(
        place=place, provider=provider, provider_message_id=text.provider_message_id
    ).first()
    if known is not None:
        return known, False, []
    phone = phones.normalise(text.phone)
    at = text.received_at or timezone.now()
    said = wording.keyword(text.body)
    kind = {"STOP": MessageKind.STOP, "START": MessageKind.START}.get(said, MessageKind.TEXT)
    try:
        with transaction.atomic():
            message = TextMessage.objects.create(
                place=place,
                direction=Direction.IN,
                kind=kind,
                provider=provider,
                provider_message_id=text.provider_message_id,
                phone=phone,
                body=text.body,
                status=MessageStatus.RECEIVED,
                at=at,
            )
    except IntegrityError:  # the same text, stored a moment ago by another request
        existing = TextMessage.objects.filter(
            place=place, provider=provider, provider_message_id=text.provider_message_id
        ).first()
        return existing, False, []

    actor = TextFrontDoor(place=place, provider=provider)
    candidates = _residents_with(place, phone)
    resident = _resident_for(place, candidates)
    if kind == MessageKind.TEXT:
        routed, replies = _route_text(actor, message, resident)
    else:
        routed, replies = _route_opt_out(actor, message, resident, candidates)
    message.save(update_fields=["resident", "referral", "urgent"])
    audit_record(
        viewer=actor,
        action=Action.CREATE,
        purpose=Purpose.INTAKE,
        obj=message,
        resident=message.resident,
        detail={"kind": kind, "routed": routed, "urgent": message.urgent},
        organisation_id=message.resident.organisation_id if message.resident else None,
    )
    return message, True, replies


def _route_opt_out(actor, message, resident, candidates):
    """STOP or START: the number's choice, a consent event on every record with that
    number, and a confirmation unless the provider sends its own."""
    stop = message.kind == MessageKind.STOP
    _opt_out(
        actor=actor,
        place=message.place,
        phone=message.phone,
        stop=stop,
        residents=candidates,
        at=message.at,
    )
    message.resident = resident
    if PROVIDERS[message.provider].handles_opt_out:
        return "known" if resident else "none", []
    confirm = wording.stop_confirmation if stop else wording.start_confirmation
    reply = _queue(
        place=message.place,
        provider=message.provider,
        phone=message.phone,
        body=confirm(message.place.name),
        kind=MessageKind.CONFIRMATION,
        resident=resident,
        at=message.at,
    )
    return "known" if resident else "none", [reply]


def _offer_to_handlers(message):
    """The first registered handler that takes the text, and its answer, or (None, None).
    Each handler runs in its own savepoint: one that raises is undone and passed over."""
    for handler in hooks.inbound_handlers():
        try:
            with transaction.atomic():
                handled = handler(message)
        except Exception:
            logger.exception("Inbound text handler %s failed", hooks.handler_name(handler))
            continue
        if handled is not None:
            return handler, handled
    return None, None


def _route_text(actor, message, resident):
    """Any other text: to the first handler that takes it (hooks.py), with its reply and
    no acknowledgement; otherwise onto the known resident's record (their open referral
    into the 3-hour queue when urgent), or a new triage item; then one acknowledgement
    per conversation."""
    place, at = message.place, message.at
    setup = setup_for(place)
    message.urgent = wording.is_urgent(message.body, setup)
    handler, handled = _offer_to_handlers(message)
    if handler is not None:
        message.resident, message.referral = None, None
        routed = f"handler:{hooks.handler_name(handler)}"
        if not handled.reply:
            return routed, []
        reply = _queue(
            place=place,
            provider=message.provider,
            phone=message.phone,
            body=handled.reply,
            kind=MessageKind.ANSWER,
            at=at,
        )
        return routed, [reply]
    if resident is not None:
        routed = "known"
        referral = (
            Referral.objects.filter(resident=resident, status=ReferralStatus.NEW)
            .order_by("-received_at", "-pk")
            .first()
        )
        if referral is not None and message.urgent:
            people.referral_mark_urgent(actor=actor, referral=referral, at=at)
    else:
        referral = _open_triage_item(actor, message)
        resident = referral.resident if referral else None
        routed = "new" if referral else "none"
    message.resident, message.referral = resident, referral
    if _acknowledged_recently(place, message.phone, at):
        return routed, []
    if referral is not None:
        urgency = referral.urgency
    else:
        urgency = Urgency.URGENT if message.urgent else Urgency.ROUTINE
    reply = _queue(
        place=place,
        provider=message.provider,
        phone=message.phone,
        body=wording.acknowledgement(setup, place_name=place.name, urgency=urgency, at=at),
        kind=MessageKind.ACKNOWLEDGEMENT,
        resident=resident,
        referral=referral,
        at=at,
    )
    return routed, [reply]


def _open_triage_item(actor, message):
    try:
        return people.referral_create(
            viewer=actor,
            front_door=FrontDoor.TEXT,
            person=people.PersonDetails(
                full_name=_("Texted from %(number)s") % {"number": phones.masked(message.phone)},
                phone=phones.national(message.phone),
                contact_method=ContactMethod.TEXT,
            ),
            referrer_kind=ReferrerKind.SELF,
            reason=message.body,
            urgency=Urgency.URGENT if message.urgent else Urgency.ROUTINE,
            received_at=message.at,
        )
    except ValidationError:  # the place has no lead organisation to hold it yet
        return None


def fake_inbound_id() -> str:
    return new_fake_id("in")


def notify_poll_page(*, place, page) -> tuple[int, str | None]:
    """Receive every text on one page of Notify's "get received texts" answer (its JSON,
    as a dict). Answers (how many were new, the id to ask for the next older page or None
    when there is none). Texts already stored are skipped, so polling twice is harmless."""
    texts, older_than = notify.read_received_page(page)
    created = 0
    for text in texts:
        _message, new = inbound_receive(place=place, provider=ProviderName.NOTIFY, text=text)
        created += int(new)
    return created, older_than


def notify_poll(*, place, fetch, max_pages=10) -> int:
    """Poll Notify: `fetch(older_than)` answers one page. Stops at the last page, at a page
    holding nothing new (everything older is stored too), or after `max_pages`."""
    older_than = None
    total = 0
    for _page in range(max_pages):
        created, older_than = notify_poll_page(place=place, page=fetch(older_than))
        total += created
        if not created or older_than is None:
            break
    return total
