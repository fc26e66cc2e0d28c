"""Published counts: the cell-key change, then "fewer than <threshold>", then rounding.

A count of people is published as: 0 stays 0; 1 to threshold-1 shows as "fewer than
<threshold>" (whatever the perturbation); anything else gets its cell-key change
(cellkey.py) and is then rounded to the nearest 5. A count passed as a Cell carries the
sum of the record keys of what it counts (people, network nodes, ties keyed by their two
ends, stories) and is perturbed; a bare number (a count of services or votes) is only
suppressed and rounded.

Totals are derived from the protected cells, so two tables differing by one person cannot
reveal a suppressed cell by subtraction.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from . import cellkey

DEFAULT_THRESHOLD = 8


@dataclass(frozen=True)
class Cell:
    """A count of people and the sum of their record keys (people.Resident.record_key)."""

    n: int
    keys: int

    def __add__(self, other):
        return Cell(self.n + other.n, self.keys + other.keys)


@dataclass(frozen=True)
class Published:
    value: int | None  # None when suppressed
    label: str

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def __str__(self):
        return self.label


def round_to_5(n: int) -> int:
    return 5 * ((n + 2) // 5)


def fewer_than(threshold: int) -> str:
    return _("fewer than %(threshold)s") % {"threshold": threshold}


def protected_value(n, *, threshold: int = DEFAULT_THRESHOLD) -> int | None:
    """The number a count is published as, or None when it is not shown."""
    keys = None
    if isinstance(n, Cell):
        n, keys = n.n, n.keys
    if n < 0:
        raise ValueError("Counts cannot be negative")
    if n == 0:
        return 0
    if n < threshold:
        return None
    if keys is not None:
        n = cellkey.perturb(n, keys, threshold=threshold)
    return round_to_5(n)


def publish_count(n, *, threshold: int = DEFAULT_THRESHOLD) -> Published:
    """`n` is a Cell for a count of people, or a plain int for anything else."""
    value = protected_value(n, threshold=threshold)
    if value is None:
        return Published(None, fewer_than(threshold))
    return Published(value, f"{value:,}")


@dataclass(frozen=True)
class PublishedRow:
    key: str
    label: str
    count: Published


@dataclass(frozen=True)
class PublishedTable:
    rows: list
    total: Published
    suppressed_cells: int


def publish_table(counts, labels=None, *, threshold: int = DEFAULT_THRESHOLD) -> PublishedTable:
    """Protect each cell (Cell or int), then derive the total from the protected cells only."""
    labels = labels or {}
    rows = [
        PublishedRow(key, labels.get(key, str(key)), publish_count(n, threshold=threshold))
        for key, n in counts.items()
    ]
    shown = sum(row.count.value or 0 for row in rows)
    suppressed = sum(1 for row in rows if row.count.suppressed)
    label = f"{shown:,}" + (_(" (plus suppressed groups)") if suppressed else "")
    return PublishedTable(rows=rows, total=Published(shown, label), suppressed_cells=suppressed)


def _count_of(n) -> int:
    return n.n if isinstance(n, Cell) else n


def publish_share(part, whole, *, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A percentage of two published counts (Cells or ints), only when the part, the whole
    and the rest are each publishable: worked out from the protected numbers, never the
    exact ones."""
    p, w = _count_of(part), _count_of(whole)
    if w < threshold or (0 < p < threshold) or (0 < w - p < threshold):
        return _("not enough people yet")
    shown_part = protected_value(part, threshold=threshold)
    shown_whole = protected_value(whole, threshold=threshold)
    if not shown_whole or shown_part is None:
        return _("not enough people yet")
    return f"{round(100 * shown_part / shown_whole)}%"
