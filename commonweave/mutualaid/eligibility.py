"""Which risk tiers a helper's recorded checks allow: one rule, as a Python predicate for
one helper and as a query filter for many, kept side by side so they cannot drift (the
tests restate the rule a third time and compare).

* No contact: anyone.
* Doorstep: references checked and safeguarding training done.
* Home visit or lone working: also an enhanced DBS certificate, with its date, and a
  recheck date that has not passed.
* Work with a person at risk: also the barred-list check (an enhanced certificate with the
  barred list, and the date of that check).

A check that is missing, or a recheck date that is missing or in the past, never allows the
two upper tiers.
"""

import datetime

from django.db.models import Q

from .enums import DbsType, RiskTier

ENHANCED = (DbsType.ENHANCED, DbsType.ENHANCED_BARRED)


def highest_tier(checks, today: datetime.date) -> int:
    """The highest tier a helper with these checks (a VolunteerChecks, or None) may take."""
    if checks is None or checks.references_checked_on is None:
        return RiskTier.NO_CONTACT
    if checks.training_completed_on is None:
        return RiskTier.NO_CONTACT
    current = (
        checks.dbs_type in ENHANCED
        and checks.dbs_issued_on is not None
        and checks.recheck_due_on is not None
        and checks.recheck_due_on >= today
    )
    if not current:
        return RiskTier.DOORSTEP
    if checks.dbs_type == DbsType.ENHANCED_BARRED and checks.barred_list_checked_on is not None:
        return RiskTier.AT_RISK
    return RiskTier.HOME_VISIT


def may_take(checks, tier: int, today: datetime.date) -> bool:
    return int(tier) <= highest_tier(checks, today)


def eligible_q(tier: int, today: datetime.date, prefix: str = "") -> Q:
    """Volunteers (through `prefix`, e.g. "volunteer__") whose checks allow `tier`."""
    c = f"{prefix}checks__"
    rule = Q()
    if tier >= RiskTier.DOORSTEP:
        rule &= Q(
            **{
                f"{c}references_checked_on__isnull": False,
                f"{c}training_completed_on__isnull": False,
            }
        )
    if tier >= RiskTier.HOME_VISIT:
        rule &= Q(
            **{
                f"{c}dbs_type__in": ENHANCED,
                f"{c}dbs_issued_on__isnull": False,
                f"{c}recheck_due_on__gte": today,
            }
        )
    if tier >= RiskTier.AT_RISK:
        rule &= Q(
            **{
                f"{c}dbs_type": DbsType.ENHANCED_BARRED,
                f"{c}barred_list_checked_on__isnull": False,
            }
        )
    return rule
