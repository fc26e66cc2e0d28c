"""One-time links: a resident opens one check-in alone, without an account."""

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from ..enums import CheckInStatus, LinkChannel
from ..models import CheckInLink
from ..senders import get_sender
from .checkins import _require_full

LINK_DAYS_DEFAULT = 7


class LinkUnavailable(Exception):
    def __init__(self, reason):
        self.reason = reason  # "unknown", "expired" or "used"
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def link_send(*, viewer, checkin, channel, url_for) -> CheckInLink:
    """Send the resident a one-time link to this draft check-in by text or email through
    the configured sender. `url_for(token)` builds the absolute address. Only the token's
    hash is kept. Side effects: a link, earlier unused links to it expire, a message, one
    audit event (no address or name in it)."""
    resident = checkin.resident
    _require_full(viewer, resident)
    if checkin.status == CheckInStatus.COMPLETE:
        raise ValidationError({"__all__": "This check-in has already been completed"})
    to = resident.phone if channel == LinkChannel.TEXT else resident.email
    if channel not in LinkChannel.values:
        raise ValidationError({"channel": "Choose text message or email"})
    if not (to or "").strip():
        what = "mobile number" if channel == LinkChannel.TEXT else "email address"
        raise ValidationError({"channel": f"There is no {what} on their record"})
    now = timezone.now()
    CheckInLink.objects.filter(checkin=checkin, used_at__isnull=True, expires_at__gt=now).update(
        expires_at=now
    )
    token = secrets.token_urlsafe(32)
    days = getattr(settings, "WELLBEING_LINK_DAYS", LINK_DAYS_DEFAULT)
    link = CheckInLink.objects.create(
        checkin=checkin,
        token_hash=hash_token(token),
        channel=channel,
        created_by=viewer.user,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    name = resident.preferred_name or resident.full_name.split(" ")[0]
    message = (
        f"Hello {name}, here is your link to check in on how things are going. "
        f"It works once and until {link.expires_at:%d %B}: {url_for(token)}"
    )
    get_sender().send(channel=channel, to=to, message=message)
    audit_record(
        viewer=viewer,
        action=Action.UPDATE,
        purpose=Purpose.CASEWORK,
        obj=checkin,
        resident=resident,
        detail={"link_sent": channel},
    )
    return link


def link_open(token: str) -> CheckInLink:
    """The link behind a token, if it can still be used; LinkUnavailable otherwise."""
    link = (
        CheckInLink.objects.select_related(
            "checkin__resident", "checkin__place", "checkin__version"
        )
        .filter(token_hash=hash_token(token or ""))
        .first()
    )
    if link is None:
        raise LinkUnavailable("unknown")
    if link.used_at is not None or link.checkin.status == CheckInStatus.COMPLETE:
        raise LinkUnavailable("used")
    if link.expires_at <= timezone.now():
        raise LinkUnavailable("expired")
    return link
