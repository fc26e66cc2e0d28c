"""Published-number rules for every aggregate shown or exported.

Counts from 1 to threshold-1 show as "fewer than <threshold>", other counts are rounded
to the nearest 5, 0 stays 0. Means and medians need n >= threshold; before/after change
needs at least 30 paired people. Totals are derived from the protected cells, so two
tables differing by one person cannot reveal a suppressed cell by subtraction.
"""

from dataclasses import dataclass

DEFAULT_THRESHOLD = 8
MIN_PAIRED_FOR_CHANGE = 30


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


def publish_count(n: int, *, threshold: int = DEFAULT_THRESHOLD) -> Published:
    if n < 0:
        raise ValueError("Counts cannot be negative")
    if n == 0:
        return Published(0, "0")
    if n < threshold:
        return Published(None, f"fewer than {threshold}")
    rounded = round_to_5(n)
    return Published(rounded, f"{rounded:,}")


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
    """Protect each cell, then derive the total from the protected cells only."""
    labels = labels or {}
    rows = [
        PublishedRow(key, labels.get(key, str(key)), publish_count(n, threshold=threshold))
        for key, n in counts.items()
    ]
    shown = sum(row.count.value for row in rows if not row.count.suppressed)
    suppressed = sum(1 for row in rows if row.count.suppressed)
    label = f"{shown:,}" + (" (plus suppressed groups)" if suppressed else "")
    return PublishedTable(rows=rows, total=Published(shown, label), suppressed_cells=suppressed)


def publish_share(part: int, whole: int, *, threshold: int = DEFAULT_THRESHOLD) -> str:
    """A percentage, only when both the part and the whole are publishable counts."""
    if whole < threshold or (0 < part < threshold) or (0 < whole - part < threshold):
        return "not enough people yet"
    return f"{round(100 * part / whole)}%"


def publish_mean(values, *, threshold: int = DEFAULT_THRESHOLD, digits: int = 1) -> str:
    values = list(values)
    if len(values) < threshold:
        return "not enough people yet"
    return f"{sum(values) / len(values):.{digits}f}"
