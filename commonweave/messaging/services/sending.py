"""Sending texts: after commit, through the provider, never after STOP unless essential;
a worker's reply; revealing a number."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.people import services as people
from commonweave.people.access import Access, access_level
from commonweave.people.enums import ContactOutcome, ConversationKind, ReferralStatus

from .. import phones
from ..enums import MessageKind, MessageStatus
from ..models import TextMessage
from ..providers import PROVIDERS, ProviderError, provider_name_for
from ._common import _queue, may_send


def _dispatch(message: TextMessage) -> TextMessage:
    """Hand a queued text to its provider (outside any transaction) and record the result."""
    essential = message.kind in {MessageKind.ACKNOWLEDGEMENT, MessageKind.CONFIRMATION}
    if not may_send(message.phone, essential, place=message.place):
        message.status = MessageStatus.SUPPRESSED
        message.save(update_fields=["status"])
        return message
    provider = PROVIDERS[message.provider]()  # the one it came in by, or the place's
    try:
        message.provider_message_id = provider.send(to=message.phone, body=message.body)
        message.status = MessageStatus.SENT
    except ProviderError:
        message.status = MessageStatus.FAILED
    message.save(update_fields=["provider_message_id", "status"])
    return message


def text_send(
    *, actor, place, phone, body, kind=MessageKind.OTHER, resident=None, essential=False
) -> TextMessage:
    """Send a text from any part of Commonweave, respecting STOP: a number that texted
    STOP (or a resident whose consent to texts is withdrawn) gets nothing that is not
    essential, and the text is kept as "not sent".
    Side effects: TextMessage (sent, failed or suppressed), audit event, the provider's send."""
    number = phones.normalise(phone)
    with transaction.atomic():
        message = _queue(
            place=place,
            provider=provider_name_for(place),
            phone=number,
            body=body,
            kind=kind,
            resident=resident,
            by=getattr(actor, "user_id", None),
        )
        if not may_send(number, essential, place=place):
            message.status = MessageStatus.SUPPRESSED
            message.save(update_fields=["status"])
        audit_record(
            viewer=actor,
            action=Action.CREATE,
            purpose=Purpose.CASEWORK,
            obj=message,
            resident=resident,
            detail={"kind": kind, "status": message.status},
        )
    if message.status == MessageStatus.QUEUED:
        _dispatch(message)
    return message


def text_reply(*, viewer, resident, body) -> TextMessage:
    """A caseworker's text to a resident, from their record (holding organisation only;
    anyone else gets Http404). Refused, with the reason, when they have no number or
    texted STOP. A reply to someone still waiting for first contact is that contact (a
    message left, by text): it stops their referral's clock as a call would.
    Side effects: TextMessage, audit event, the provider's send; maybe the referral's
    first contact (people.referral_record_contact)."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Enter the text to send")})
    number = phones.normalise(resident.phone)
    if not number:
        raise ValidationError({"body": _("There is no phone number on their record")})
    if not may_send(number, place=viewer.place):
        raise ValidationError(
            {"body": _("They texted STOP, so we cannot text them until they text START")}
        )
    with transaction.atomic():
        open_referral = resident.referrals.filter(status=ReferralStatus.NEW).first()
        message = _queue(
            place=viewer.place,
            provider=provider_name_for(viewer.place),
            phone=number,
            body=body,
            kind=MessageKind.REPLY,
            resident=resident,
            referral=open_referral,
            by=viewer.user_id,
        )
        audit_record(
            viewer=viewer,
            action=Action.CREATE,
            purpose=Purpose.CASEWORK,
            obj=message,
            resident=resident,
            detail={"kind": MessageKind.REPLY.value},
        )
        if open_referral is not None and open_referral.first_contact_at is None:
            people.referral_record_contact(
                viewer=viewer,
                referral=open_referral,
                outcome=ContactOutcome.MESSAGE,
                note=_("Replied by text."),
                at=timezone.now(),
                kind=ConversationKind.TEXT,
            )
    return _dispatch(message)


def phone_reveal(*, viewer, resident) -> str:
    """A resident's phone number in full, for a caseworker of the holding organisation
    (others: Http404). Side effects: one audit event naming the field revealed."""
    if access_level(viewer, resident) is not Access.FULL:
        raise Http404
    audit_record(
        viewer=viewer,
        action=Action.VIEW,
        purpose=Purpose.CASEWORK,
        obj=resident,
        resident=resident,
        detail={"field": "phone"},
    )
    return resident.phone
