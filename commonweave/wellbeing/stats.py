"""Paired before/after statistics for a cohort: first versus latest per person.

For each person with at least two answers: change = latest - first. Reported: n, mean
change, its 95% confidence interval (Student's t, n-1 degrees of freedom), Cohen's d_z
(mean change / SD of the changes), the Wilcoxon signed-rank p-value (scipy, two-sided,
zero differences dropped as in Wilcoxon's method) and how many improved, stayed the same
or got worse (direction-aware: for anxiety or loneliness, lower is better).

`publish_change` applies SAFETY 19: nothing but "not enough people yet" under 30 pairs;
the count rounded to 5; shares only where both the part and the rest are publishable.
"""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from commonweave.insights.disclosure import (
    DEFAULT_THRESHOLD,
    MIN_PAIRED_FOR_CHANGE,
    publish_count,
    publish_share,
)

NOT_ENOUGH = "not enough people yet"


@dataclass(frozen=True)
class PairedChange:
    n: int
    mean_change: float | None
    sd: float | None
    ci_low: float | None
    ci_high: float | None
    dz: float | None
    wilcoxon_p: float | None
    improved: int
    same: int
    worse: int


def paired_change(pairs, *, higher_is="better") -> PairedChange:
    """`pairs` is an iterable of (first, latest) numbers, one per person."""
    return change_from_diffs(
        [float(latest) - float(first) for first, latest in pairs], higher_is=higher_is
    )


def change_from_diffs(diffs, *, higher_is="better") -> PairedChange:
    """The same, from each person's change (latest - first)."""
    diffs = list(diffs)
    n = len(diffs)
    sign = 1 if higher_is == "better" else -1
    improved = sum(1 for d in diffs if sign * d > 0)
    worse = sum(1 for d in diffs if sign * d < 0)
    same = n - improved - worse
    if n < 2:
        mean = diffs[0] if diffs else None
        return PairedChange(n, mean, None, None, None, None, None, improved, same, worse)
    mean = math.fsum(diffs) / n
    sd = math.sqrt(math.fsum((d - mean) ** 2 for d in diffs) / (n - 1))
    half = scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    dz = mean / sd if sd > 0 else None
    p = None
    if any(d != 0 for d in diffs):
        try:
            p = float(scipy_stats.wilcoxon(diffs).pvalue)
        except ValueError:  # e.g. too few non-zero differences for the test
            p = None
        if p is not None and math.isnan(p):
            p = None
    return PairedChange(n, mean, sd, mean - half, mean + half, dz, p, improved, same, worse)


def change_from_counts(values, counts, *, higher_is="better") -> PairedChange:
    """The same, from a histogram: each distinct change and how many people had it."""
    diffs = np.repeat(np.asarray(values, dtype=float), np.asarray(counts, dtype=np.int64))
    n = int(diffs.size)
    sign = 1 if higher_is == "better" else -1
    improved = int(np.count_nonzero(sign * diffs > 0))
    worse = int(np.count_nonzero(sign * diffs < 0))
    if n < 2:
        return change_from_diffs(diffs.tolist(), higher_is=higher_is)
    mean = float(diffs.mean())
    sd = float(diffs.std(ddof=1))
    half = scipy_stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    p = None
    if improved or worse:
        try:
            p = float(scipy_stats.wilcoxon(diffs).pvalue)
        except ValueError:
            p = None
        if p is not None and math.isnan(p):
            p = None
    return PairedChange(
        n,
        mean,
        sd,
        mean - half,
        mean + half,
        mean / sd if sd > 0 else None,
        p,
        improved,
        n - improved - worse,
        worse,
    )


@dataclass(frozen=True)
class PublishedChange:
    n: str
    enough: bool
    mean_change: str
    ci: str
    dz: str
    wilcoxon_p: str
    improved: str
    same: str
    worse: str
    # Numbers for charts, only when enough; None otherwise.
    mean_value: float | None = None
    ci_values: tuple | None = None


def _p_words(p):
    if p is None:
        return "–"
    if p < 0.001:
        return "< 0.001"
    return f"{p:.3f}"


def publish_change(change: PairedChange, *, threshold: int = DEFAULT_THRESHOLD) -> PublishedChange:
    n = publish_count(change.n, threshold=threshold).label
    if change.n < max(MIN_PAIRED_FOR_CHANGE, threshold):
        return PublishedChange(n, False, *([NOT_ENOUGH] * 7))
    ci = f"{change.ci_low:+.2f} to {change.ci_high:+.2f}"
    return PublishedChange(
        n=n,
        enough=True,
        mean_change=f"{change.mean_change:+.2f}",
        ci=ci,
        dz="–" if change.dz is None else f"{change.dz:.2f}",
        wilcoxon_p=_p_words(change.wilcoxon_p),
        improved=publish_share(change.improved, change.n, threshold=threshold),
        same=publish_share(change.same, change.n, threshold=threshold),
        worse=publish_share(change.worse, change.n, threshold=threshold),
        mean_value=round(change.mean_change, 2),
        ci_values=(round(change.ci_low, 2), round(change.ci_high, 2)),
    )
