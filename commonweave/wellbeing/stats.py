"""Paired before/after statistics for a cohort: first versus latest per person.

For each person with at least two answers: change = latest - first. Reported: n, mean
change, its 95% confidence interval (Student's t, n-1 degrees of freedom), Cohen's d_z
(mean change / SD of the changes), the Wilcoxon signed-rank p-value (scipy, two-sided,
zero differences dropped as in Wilcoxon's method) and how many improved, stayed the same
or got worse (direction-aware: for anxiety or loneliness, lower is better).

`publish_change` applies the published-number rules: nothing but "not enough people yet" under 30
pairs; the count rounded to 5. The shares improved / same / worse are worked out from the
protected counts only (each rounded to 5, over the rounded number of people), so no share
carries an exact count; a group of 1-7 is never shown, and never left as the only hidden
group either (it would be 100% minus the others): the next smallest is hidden with it
until the hidden groups together hold 0 or at least the threshold.
"""

import math
from dataclasses import dataclass

from scipy import special
from scipy import stats as scipy_stats

from commonweave.insights.disclosure import (
    DEFAULT_THRESHOLD,
    MIN_PAIRED_FOR_CHANGE,
    publish_count,
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


def hidden_groups(counts: dict, *, threshold: int = DEFAULT_THRESHOLD) -> set:
    """Which of these groups (name -> people) not to show: each of 1 to threshold-1
    people, and then, while the hidden ones together hold 1 to threshold-1 people (so they
    could be worked out from the total and the rest), the smallest shown group as well."""
    hidden = {name for name, k in counts.items() if 0 < k < threshold}
    while 0 < sum(counts[name] for name in hidden) < threshold:
        shown = [name for name, k in counts.items() if k > 0 and name not in hidden]
        if not shown:
            break
        hidden.add(min(shown, key=lambda name: (counts[name], name)))
    return hidden


def published_shares(change: PairedChange, *, threshold: int = DEFAULT_THRESHOLD) -> dict:
    """Shares improved / same / worse from protected counts only: each group rounded to 5
    over the number of people rounded to 5 (so they may not add up to exactly 100%)."""
    counts = {"improved": change.improved, "same": change.same, "worse": change.worse}
    hidden = hidden_groups(counts, threshold=threshold)
    whole = publish_count(change.n, threshold=threshold).value
    shares = {}
    for name, k in counts.items():
        part = publish_count(k, threshold=threshold).value
        if name in hidden or part is None or not whole:
            shares[name] = NOT_ENOUGH
        else:
            shares[name] = f"{round(100 * part / whole)}%"
    return shares


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
        **published_shares(change, threshold=threshold),
        mean_value=round(change.mean_change, 2),
        ci_values=(round(change.ci_low, 2), round(change.ci_high, 2)),
    )
