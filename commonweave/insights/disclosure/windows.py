"""Date windows of published cohorts are widened to whole weeks, Monday to Sunday.

Otherwise windows ending a day apart can be asked by the hundred, each differing from the
last by a person or two; whole weeks leave one window per week edge, and with the noise
and the budget (change.py, budget.py) that is what bounds what comparing them can show.
"""

from datetime import date, timedelta


def week_start(day: date | None) -> date | None:
    return None if day is None else day - timedelta(days=day.weekday())


def week_end(day: date | None) -> date | None:
    return None if day is None else day + timedelta(days=6 - day.weekday())


def whole_weeks(start: date | None, end: date | None) -> tuple:
    """(the Monday on or before start, the Sunday on or after end); None stays None."""
    return week_start(start), week_end(end)
