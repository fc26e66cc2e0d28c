"""The response promise in words: how long until a referral's first contact is due, and
whether the promise was kept. Pure functions of the times given, so they test at exact
boundaries."""

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from .enums import ReferralStatus, Urgency

OVERDUE = "overdue"
SOON = "soon"
ON_TIME = "on_time"

# Inside this the clock is shown as "due soon", so the next hour's work stands out.
SOON_WITHIN = timedelta(hours=1)


@dataclass(frozen=True)
class Clock:
    words: str  # "Due in 5 hours", "Due now", "Overdue by 2 hours"
    state: str  # OVERDUE, SOON or ON_TIME

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE

    @property
    def tag(self) -> str:
        """The word shown in a tag, so colour is never the only signal."""
        return {OVERDUE: "Overdue", SOON: "Due soon"}.get(self.state, "")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


def duration_words(delta: timedelta) -> str:
    """A duration as people say it. Rounds down, so "due in" never sounds later than it
    is; minutes are kept under 3 hours, where an urgent referral's time matters."""
    minutes = int(delta.total_seconds() // 60)
    if minutes < 1:
        return "less than a minute"
    if minutes < 60:
        return _plural(minutes, "minute")
    hours, rest = divmod(minutes, 60)
    if hours < 3 and rest:
        return f"{_plural(hours, 'hour')} {_plural(rest, 'minute')}"
    if hours < 48:
        return _plural(hours, "hour")
    return _plural(hours // 24, "day")


def referral_clock(due_at, now=None) -> Clock:
    """The clock for a referral still waiting for first contact."""
    now = now or timezone.now()
    if now > due_at:
        return Clock(f"Overdue by {duration_words(now - due_at)}", OVERDUE)
    left = due_at - now
    if left < timedelta(minutes=1):
        return Clock("Due now", SOON)
    return Clock(f"Due in {duration_words(left)}", SOON if left <= SOON_WITHIN else ON_TIME)


@dataclass(frozen=True)
class PartnerStatus:
    """What a referring partner may know: where the referral is and whether the promise
    was kept. Never notes or the resident's journey."""

    label: str
    tag_class: str
    promise: str


def partner_status(referral, now=None) -> PartnerStatus:
    now = now or timezone.now()
    promised = "3 hours" if referral.urgency == Urgency.URGENT else "24 hours"
    if referral.first_contact_at is not None:
        kept = (
            f"Yes, contacted within {promised}"
            if referral.first_contact_at <= referral.due_at
            else f"No, contacted later than the {promised} promised"
        )
    elif now > referral.due_at:
        kept = f"Not yet: later than the {promised} promised"
    else:
        kept = f"Not yet: due within {promised}"
    if referral.status == ReferralStatus.CLOSED:
        return PartnerStatus("Closed", "govuk-tag--grey", kept)
    if referral.first_contact_at is not None or referral.status == ReferralStatus.CONTACTED:
        return PartnerStatus("Contacted", "govuk-tag--green", kept)
    return PartnerStatus("Waiting for first contact", "govuk-tag--blue", kept)
