"""The place's promise for a need ("matched within 24 hours"), shown and measured as the
referral clock is (people/clock.py). Pure functions of the times given."""

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from commonweave.people.clock import Clock, referral_clock

from .enums import AidUrgency


def promise_hours(settings, urgency: str) -> int:
    return settings.urgent_promise_hours if urgency == AidUrgency.URGENT else settings.promise_hours


def due_at(created_at: datetime, settings, urgency: str) -> datetime:
    return created_at + timedelta(hours=promise_hours(settings, urgency))


def need_clock(need, now: datetime | None = None) -> Clock | None:
    """How long until the need is due a proposed match; None once one was proposed."""
    if need.first_proposed_at is not None or need.due_at is None:
        return None
    return referral_clock(need.due_at, now or timezone.now())


def promise_kept(need) -> bool | None:
    """True or False once a match was proposed; None while still waiting."""
    if need.first_proposed_at is None:
        return None
    return need.first_proposed_at <= need.due_at


@dataclass(frozen=True)
class TimeToMatch:
    """Hours from creation to the first proposed match, over needs that have one."""

    matched: int
    waiting: int
    median_hours: float | None
    p90_hours: float | None
    within_promise: int

    @property
    def summary(self) -> str:
        if self.median_hours is None:
            return _("No needs matched yet")
        return _("Half were matched within %(median).1f hours, 9 in 10 within %(p90).1f hours") % {
            "median": self.median_hours,
            "p90": self.p90_hours,
        }


def time_to_match(rows) -> TimeToMatch:
    """`rows`: (created_at, first_proposed_at or None, due_at) for each need."""
    hours = []
    waiting = kept = 0
    for created, proposed, due in rows:
        if proposed is None:
            waiting += 1
            continue
        hours.append((proposed - created).total_seconds() / 3600)
        kept += int(due is not None and proposed <= due)
    if not hours:
        return TimeToMatch(0, waiting, None, None, 0)
    hours.sort()
    p90 = hours[min(len(hours) - 1, max(0, int(round(0.9 * len(hours))) - 1))]
    return TimeToMatch(len(hours), waiting, round(statistics.median(hours), 2), round(p90, 2), kept)
