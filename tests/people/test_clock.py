"""The response promise in words, at its boundaries."""

from datetime import UTC, datetime, timedelta

import time_machine

from commonweave.demo.factories import ReferralFactory
from commonweave.people.clock import (
    ON_TIME,
    OVERDUE,
    SOON,
    duration_words,
    partner_status,
    referral_clock,
)
from commonweave.people.enums import ReferralStatus, Urgency

NOON = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_exactly_due_is_due_now_not_overdue():
    with time_machine.travel(NOON, tick=False):
        clock = referral_clock(NOON)
    assert (clock.words, clock.state, clock.is_overdue) == ("Due now", SOON, False)


def test_one_minute_past_due_is_overdue_by_one_minute():
    with time_machine.travel(NOON + timedelta(minutes=1), tick=False):
        clock = referral_clock(NOON)
    assert (clock.words, clock.state, clock.tag) == ("Overdue by 1 minute", OVERDUE, "Overdue")


def test_a_few_seconds_past_due_is_already_overdue():
    with time_machine.travel(NOON + timedelta(seconds=5), tick=False):
        clock = referral_clock(NOON)
    assert (clock.words, clock.state) == ("Overdue by less than a minute", OVERDUE)


def test_urgent_referral_just_received_is_due_in_three_hours():
    with time_machine.travel(NOON, tick=False):
        clock = referral_clock(NOON + timedelta(hours=3))
    assert (clock.words, clock.state) == ("Due in 3 hours", ON_TIME)


def test_routine_referral_just_received_is_due_in_24_hours():
    assert referral_clock(NOON + timedelta(hours=24), now=NOON).words == "Due in 24 hours"


def test_the_last_hour_is_due_soon():
    exactly_an_hour = referral_clock(NOON + timedelta(hours=1), now=NOON)
    assert (exactly_an_hour.words, exactly_an_hour.state, exactly_an_hour.tag) == (
        "Due in 1 hour",
        SOON,
        "Due soon",
    )
    assert referral_clock(NOON + timedelta(minutes=61), now=NOON).state == ON_TIME


def test_durations_round_down_and_keep_minutes_under_three_hours():
    assert duration_words(timedelta(hours=2, minutes=59, seconds=59)) == "2 hours 59 minutes"
    assert duration_words(timedelta(hours=5, minutes=59)) == "5 hours"
    assert duration_words(timedelta(hours=2)) == "2 hours"
    assert duration_words(timedelta(days=3, hours=5)) == "3 days"
    assert duration_words(timedelta(minutes=1)) == "1 minute"


def test_partner_status_says_whether_the_promise_was_kept(world):
    referral = ReferralFactory(
        resident__organisation=world.org_a, urgency=Urgency.URGENT, received_at=NOON
    )
    with time_machine.travel(NOON + timedelta(hours=1), tick=False):
        assert partner_status(referral).promise == "Not yet: due within 3 hours"
    with time_machine.travel(NOON + timedelta(hours=4), tick=False):
        waiting = partner_status(referral)
    assert (waiting.label, waiting.promise) == (
        "Waiting for first contact",
        "Not yet: later than the 3 hours promised",
    )
    referral.first_contact_at = NOON + timedelta(hours=2)
    referral.status = ReferralStatus.CONTACTED
    contacted = partner_status(referral)
    assert (contacted.label, contacted.promise) == ("Contacted", "Yes, contacted within 3 hours")
    referral.first_contact_at = NOON + timedelta(hours=3, minutes=1)
    assert partner_status(referral).promise == "No, contacted later than the 3 hours promised"
