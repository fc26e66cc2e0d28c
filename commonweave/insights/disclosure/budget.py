"""The privacy budget: how much epsilon new noisy releases may use per place and quarter.

Each release of a cohort row (its mean change, spread and shares) spends EPSILON_PER_ROW.
A release already made is given again for nothing (Release.fingerprint). When a quarter's
budget is spent, rows not released before show that the budget is spent until the next
quarter begins; numbers already released stay available. The budget is a setting
(COMMONWEAVE_PRIVACY_BUDGET, per place per quarter).
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.utils import timezone

from ..models import PrivacyBudget

DEFAULT_BUDGET = 400.0


def total() -> float:
    return float(getattr(settings, "COMMONWEAVE_PRIVACY_BUDGET", DEFAULT_BUDGET))


def period_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def current_period() -> str:
    return period_of(timezone.localdate())


def next_period_start(day: date) -> date:
    quarter = (day.month - 1) // 3
    year, month = (day.year + 1, 1) if quarter == 3 else (day.year, 3 * (quarter + 1) + 1)
    return date(year, month, 1)


@dataclass(frozen=True)
class BudgetStatus:
    period: str
    spent: float
    total: float
    renews: date

    @property
    def left(self) -> float:
        return max(self.total - self.spent, 0.0)

    @property
    def percent_spent(self) -> int:
        return min(100, round(100 * self.spent / self.total)) if self.total else 100

    @property
    def exhausted(self) -> bool:
        return self.left <= 0


def status(place) -> BudgetStatus:
    period = current_period()
    spent = (
        PrivacyBudget.objects.filter(place=place, period=period)
        .values_list("spent", flat=True)
        .first()
    )
    return BudgetStatus(
        period, round(spent or 0.0, 6), total(), next_period_start(timezone.localdate())
    )
