"""Cohort statistics agree with scipy on generated data (the exact internal path; what is
published is tested in tests/insights/test_published_change.py)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats

from commonweave.wellbeing import stats

TOL = 1e-9


def generated(seed, n, low=0, high=10):
    rng = np.random.default_rng(seed)
    first = rng.integers(low, high + 1, n)
    latest = np.clip(first + rng.integers(-3, 5, n), low, high)
    return first.tolist(), latest.tolist()


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("n", [2, 5, 30, 47, 200])
def test_paired_change_agrees_with_scipy(seed, n):
    first, latest = generated(seed, n)
    result = stats.paired_change(zip(first, latest, strict=True))
    diffs = np.array(latest, dtype=float) - np.array(first, dtype=float)
    assert result.n == n
    assert abs(result.mean_change - diffs.mean()) < TOL
    assert abs(result.sd - diffs.std(ddof=1)) < TOL
    if diffs.std(ddof=1) > 0:
        interval = scipy_stats.ttest_rel(latest, first).confidence_interval(0.95)
        assert abs(result.ci_low - interval.low) < TOL
        assert abs(result.ci_high - interval.high) < TOL
        assert abs(result.dz - diffs.mean() / diffs.std(ddof=1)) < TOL
    if np.any(diffs != 0):
        expected = scipy_stats.wilcoxon(latest, first).pvalue
        if math.isnan(expected):
            assert result.wilcoxon_p is None
        else:
            assert abs(result.wilcoxon_p - expected) < TOL
    assert result.improved == int((diffs > 0).sum())
    assert result.worse == int((diffs < 0).sum())
    assert result.same == int((diffs == 0).sum())


@pytest.mark.parametrize("seed", range(5))
def test_continuous_scores_agree_with_scipy(seed):
    rng = np.random.default_rng(100 + seed)
    first = rng.normal(45, 8, 80)
    latest = first + rng.normal(1.5, 4, 80)
    result = stats.paired_change(zip(first, latest, strict=True))
    interval = scipy_stats.ttest_rel(latest, first).confidence_interval(0.95)
    assert abs(result.ci_low - interval.low) < TOL
    assert abs(result.ci_high - interval.high) < TOL
    assert abs(result.wilcoxon_p - scipy_stats.wilcoxon(latest, first).pvalue) < TOL


def test_lower_is_better_counts_a_fall_as_improvement():
    result = stats.paired_change([(8, 3), (7, 7), (2, 6)], higher_is="worse")
    assert (result.improved, result.same, result.worse) == (1, 1, 1)
    assert result.mean_change == pytest.approx(-1 / 3)


def test_no_change_at_all_has_no_p_value_or_effect_size():
    result = stats.paired_change([(3, 3)] * 40)
    assert (result.mean_change, result.dz, result.wilcoxon_p) == (0.0, None, None)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("direction", ["better", "worse"])
def test_change_from_a_histogram_equals_change_from_every_person(seed, direction):
    first, latest = generated(seed, 120)
    diffs = [b - a for a, b in zip(first, latest, strict=True)]
    values = sorted(set(diffs))
    counts = [diffs.count(v) for v in values]
    a = stats.change_from_counts(values, counts, higher_is=direction)
    b = stats.paired_change(zip(first, latest, strict=True), higher_is=direction)
    assert (a.n, a.improved, a.same, a.worse) == (b.n, b.improved, b.same, b.worse)
    for field in ("mean_change", "sd", "ci_low", "ci_high", "dz", "wilcoxon_p"):
        assert abs(getattr(a, field) - getattr(b, field)) < TOL
    expected = scipy_stats.ttest_rel(latest, first).confidence_interval(0.95)
    assert abs(a.ci_low - expected.low) < TOL


def test_histogram_edge_cases():
    assert stats.change_from_counts([], []).n == 0
    one = stats.change_from_counts([2.0], [1])
    assert (one.n, one.mean_change, one.improved) == (1, 2.0, 1)
    flat = stats.change_from_counts([0.0], [40])
    assert (flat.dz, flat.wilcoxon_p, flat.same) == (None, None, 40)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.integers(-8, 8).map(lambda v: v / 2),  # halves too: ties of every kind
        st.integers(0, 400),
        min_size=1,
        max_size=17,
    ),
    st.sampled_from(["better", "worse"]),
)
def test_change_from_counts_agrees_with_scipy_at_any_size(histogram, direction):
    """The count-based statistics (used for whole places) equal scipy on the expanded
    list, zeros and ties included, within 1e-9."""
    values, counts = list(histogram), list(histogram.values())
    diffs = np.repeat(np.asarray(values, dtype=float), counts)
    result = stats.change_from_counts(values, counts, higher_is=direction)
    assert result.n == diffs.size
    if diffs.size < 2:
        return
    assert abs(result.mean_change - diffs.mean()) < TOL
    assert abs(result.sd - diffs.std(ddof=1)) < TOL
    if result.sd > 0:
        interval = scipy_stats.ttest_1samp(diffs, 0).confidence_interval(0.95)
        assert abs(result.ci_low - interval.low) < TOL
        assert abs(result.ci_high - interval.high) < TOL
    if np.count_nonzero(diffs):
        expected = scipy_stats.wilcoxon(diffs).pvalue
        if math.isnan(expected):
            assert result.wilcoxon_p is None
        else:
            assert abs(result.wilcoxon_p - expected) < TOL
    else:
        assert result.wilcoxon_p is None
