"""The published-number module: every aggregate a page, export, API answer or report shows
goes through here (docs/disclosure.md says what each rule protects against).

- counts of people: the ONS cell-key method, then "fewer than <threshold>", then rounding
  to 5 (counts.py, cellkey.py);
- means, changes, intervals and shares: Laplace noise through OpenDP, released once for
  the same people and charged to a per-place, per-quarter budget (change.py, budget.py);
- cohort date windows: widened to whole weeks (windows.py).

A worker's own casework screens are exact; evaluators under a data-sharing agreement get
the pseudonymous scores export (audited) instead of exact aggregates.
"""

from .budget import BudgetStatus
from .budget import status as budget_status
from .change import (
    EPSILON_PER_ROW,
    MIN_PAIRED_FOR_CHANGE,
    ChangeInput,
    PublishedChange,
    publish_changes,
)
from .counts import (
    DEFAULT_THRESHOLD,
    Cell,
    Published,
    PublishedRow,
    PublishedTable,
    fewer_than,
    protected_value,
    publish_count,
    publish_share,
    publish_table,
    round_to_5,
)
from .windows import whole_weeks

__all__ = [
    "DEFAULT_THRESHOLD",
    "EPSILON_PER_ROW",
    "MIN_PAIRED_FOR_CHANGE",
    "BudgetStatus",
    "Cell",
    "ChangeInput",
    "Published",
    "PublishedChange",
    "PublishedRow",
    "PublishedTable",
    "budget_status",
    "fewer_than",
    "protected_value",
    "publish_changes",
    "publish_count",
    "publish_share",
    "publish_table",
    "round_to_5",
    "whole_weeks",
]
