"""Safeguarding on the task: a helper is matched only to the risk tiers their recorded
checks allow. The rule is restated here, independently of eligibility.py, and the
property tests compare it with the code's Python rule, its query filter, the alerts and
match proposals."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commonweave.mutualaid import services
from commonweave.mutualaid.eligibility import eligible_q, highest_tier, may_take
from commonweave.mutualaid.enums import AidFrontDoor, DbsType, Kind, RiskTier
from commonweave.mutualaid.models import Alert, Volunteer, VolunteerChecks

from . import factories

TODAY = datetime.date(2026, 6, 1)

CATEGORY_OF_TIER = {
    RiskTier.NO_CONTACT: "phone-chat",
    RiskTier.DOORSTEP: "shopping",
    RiskTier.HOME_VISIT: "odd-jobs",
    RiskTier.AT_RISK: "befriending",
}

maybe_day = st.one_of(
    st.none(),
    st.integers(min_value=-800, max_value=800).map(lambda d: TODAY + datetime.timedelta(days=d)),
)
checks_strategy = st.fixed_dictionaries(
    {
        "dbs_type": st.sampled_from([c.value for c in DbsType]),
        "dbs_issued_on": maybe_day,
        "barred_list_checked_on": maybe_day,
        "update_service_checked_on": maybe_day,
        "references_checked_on": maybe_day,
        "training_completed_on": maybe_day,
        "recheck_due_on": maybe_day,
    }
)
tiers = st.sampled_from(list(RiskTier))


def restated_allows(checks: dict, tier: int, today: datetime.date) -> bool:
    """The safeguarding rule in words, written again for the test."""
    if tier == RiskTier.NO_CONTACT:
        return True
    vetted = (
        checks["references_checked_on"] is not None and checks["training_completed_on"] is not None
    )
    if tier == RiskTier.DOORSTEP:
        return vetted
    recheck = checks["recheck_due_on"]
    dbs_current = (
        checks["dbs_type"] in ("enhanced", "enhanced_barred")
        and checks["dbs_issued_on"] is not None
        and recheck is not None
        and not recheck < today
    )
    if tier == RiskTier.HOME_VISIT:
        return vetted and dbs_current
    barred = (
        checks["dbs_type"] == "enhanced_barred" and checks["barred_list_checked_on"] is not None
    )
    return vetted and dbs_current and barred


def missing_or_expired(checks: dict, today: datetime.date) -> bool:
    """Some check a high-risk task needs is missing, or its recheck date has passed."""
    needed = ("dbs_issued_on", "references_checked_on", "training_completed_on", "recheck_due_on")
    return (
        any(checks[name] is None for name in needed)
        or checks["dbs_type"] not in ("enhanced", "enhanced_barred")
        or checks["recheck_due_on"] < today
    )


@given(checks=checks_strategy, tier=tiers)
def test_the_python_rule_is_the_rule_in_words(checks, tier):
    row = VolunteerChecks(**checks)
    assert may_take(row, tier, TODAY) == restated_allows(checks, tier, TODAY)
    if tier >= RiskTier.HOME_VISIT and missing_or_expired(checks, TODAY):
        assert not may_take(row, tier, TODAY)


def test_no_checks_at_all_allows_only_no_contact():
    assert highest_tier(None, TODAY) == RiskTier.NO_CONTACT


@pytest.mark.django_db
@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(checks=checks_strategy, tier=tiers)
def test_the_query_filter_is_the_rule_in_words(world, checks, tier):
    volunteer = factories.helper(world.place, world.org_a, checks=checks)
    chosen = Volunteer.objects.filter(pk=volunteer.pk).filter(eligible_q(tier, TODAY)).exists()
    assert chosen == restated_allows(checks, tier, TODAY)


@pytest.mark.django_db
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(checks=checks_strategy, tier=tiers, days_later=st.integers(min_value=0, max_value=400))
def test_a_high_risk_need_is_never_matched_to_a_helper_with_a_missing_or_expired_check(
    world, public, coordinator, checks, tier, days_later
):
    """Alerts and proposals both: whatever the checks and whenever the need comes."""
    now = datetime.datetime.combine(
        TODAY + datetime.timedelta(days=days_later), datetime.time(12), tzinfo=datetime.UTC
    )
    today = now.date()
    Volunteer.objects.filter(place=world.place).update(available=False)
    cat = factories.category(world.place, CATEGORY_OF_TIER[tier])
    volunteer = factories.helper(world.place, world.org_a, checks=checks)
    factories.offer(volunteer, cat)
    need = services.request_create(
        viewer=public,
        kind=Kind.NEED,
        category=cat,
        what="Help please",
        first_name="Ada",
        front_door=AidFrontDoor.WEB,
        now=now,
    )
    alerted = Alert.objects.filter(need=need, volunteer=volunteer).exists()
    allowed = restated_allows(checks, tier, today)
    assert alerted == allowed
    if allowed:
        match = services.match_propose(actor=coordinator, need=need, volunteer=volunteer, now=now)
        assert match.volunteer == volunteer
    else:
        with pytest.raises(ValidationError):
            services.match_propose(actor=coordinator, need=need, volunteer=volunteer, now=now)
    if tier >= RiskTier.HOME_VISIT and missing_or_expired(checks, today):
        assert not alerted and not need.matches.exists()


def test_a_check_that_expires_between_proposal_and_acceptance_stops_the_match(world, coordinator):
    from commonweave.mutualaid.enums import Side

    today = datetime.date.today()
    cat = factories.category(world.place, "befriending")
    checks = factories.full_checks(today) | {"recheck_due_on": today + datetime.timedelta(days=1)}
    volunteer = factories.helper(world.place, world.org_a, checks=checks)
    from commonweave.tenancy.viewer import public_viewer

    need = services.request_create(
        viewer=public_viewer(world.place),
        kind=Kind.NEED,
        category=cat,
        what="A visit",
        first_name="Ada",
        front_door=AidFrontDoor.PHONE,
        alert=False,
    )
    match = services.match_propose(actor=coordinator, need=need, volunteer=volunteer)
    services.match_accept(actor=coordinator, match=match, side=Side.NEED)
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(days=3)
    with pytest.raises(ValidationError):
        services.match_accept(actor=coordinator, match=match, side=Side.HELPER, now=later)
