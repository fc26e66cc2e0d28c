"""Paired before/after statistics for a cohort: first versus latest per person.

For each person with at least two answers: change = latest - first. Reported: n, mean
change, its 95% confidence interval (Student's t, n-1 degrees of freedom), Cohen's d_z
(mean change / SD of the changes), the Wilcoxon signed-rank p-value (scipy, two-sided,
zero differences dropped as in Wilcoxon's method) and how many improved, stayed the same
or got worse (direction-aware: for anxiety or loneliness, lower is better).

These are the exact statistics, for the internal functions and the checks against scipy.
Nothing here is shown as it is: published change goes through the published-number module
(commonweave.insights.disclosure.change), which adds calibrated noise.
"""

import math
from dataclasses import dataclass

from scipy import special
from scipy import stats as scipy_stats


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
    """The same, from a histogram: each distinct change and how many people had it.

    Works on the distinct values only (a place's cohort is thousands of people but a few
    dozen distinct changes), so it costs microseconds; it equals change_from_diffs on the
    expanded list (tested against scipy). Above 50 people the Wilcoxon p-value is scipy's
    own normal approximation, worked out from the counts; at 50 or fewer, where scipy may
    choose an exact or permutation test, scipy is called on the expanded list."""
    merged = {}
    for value, count in zip(values, counts, strict=True):
        if count:
            merged[float(value)] = merged.get(float(value), 0) + int(count)
    n = sum(merged.values())
    if n <= 50:
        diffs = [value for value, count in sorted(merged.items()) for _ in range(count)]
        return change_from_diffs(diffs, higher_is=higher_is)
    sign = 1 if higher_is == "better" else -1
    improved = sum(c for v, c in merged.items() if sign * v > 0)
    worse = sum(c for v, c in merged.items() if sign * v < 0)
    mean = math.fsum(v * c for v, c in merged.items()) / n
    sd = math.sqrt(math.fsum(c * (v - mean) ** 2 for v, c in merged.items()) / (n - 1))
    half = float(special.stdtrit(n - 1, 0.975)) * sd / math.sqrt(n)  # = t.ppf(0.975, n - 1)
    return PairedChange(
        n,
        mean,
        sd,
        mean - half,
        mean + half,
        mean / sd if sd > 0 else None,
        _wilcoxon_asymptotic(merged) if improved or worse else None,
        improved,
        n - improved - worse,
        worse,
    )


def _wilcoxon_asymptotic(merged) -> float | None:
    """scipy.stats.wilcoxon(d).pvalue for more than 50 differences (its defaults: zeros
    dropped, normal approximation with the tie correction, no continuity correction),
    from {difference: people}."""
    by_size = {}  # |d| -> [people with d > 0, people with d < 0]
    for value, count in merged.items():
        if value != 0:
            by_size.setdefault(abs(value), [0, 0])[0 if value > 0 else 1] += count
    count = sum(up + down for up, down in by_size.values())
    r_plus, below, ties = 0.0, 0, 0.0
    for size in sorted(by_size):
        up, down = by_size[size]
        t = up + down
        r_plus += up * (below + (t + 1) / 2)  # the average rank of a group of ties
        below += t
        ties += t**3 - t
    mn = count * (count + 1.0) * 0.25
    se = math.sqrt((count * (count + 1.0) * (2.0 * count + 1.0) - ties / 2) / 24)
    if se == 0:
        return None
    z = (r_plus - mn) / se
    return float(2 * special.ndtr(-abs(z)))
