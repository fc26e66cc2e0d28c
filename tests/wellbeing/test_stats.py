"""Cohort statistics agree with scipy on generated data, and the published numbers obey
the disclosure rules whatever the data (property tests)."""

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


def test_under_thirty_pairs_nothing_but_a_count():
    first, latest = generated(1, 29)
    published = stats.publish_change(stats.paired_change(zip(first, latest, strict=True)))
    assert published.n == "30"  # 29 rounds to 30; the change itself is withheld
    assert published.enough is False
    assert {
        published.mean_change,
        published.ci,
        published.dz,
        published.wilcoxon_p,
        published.improved,
        published.same,
        published.worse,
    } == {"not enough people yet"}
    assert published.mean_value is None


def test_thirty_pairs_are_published():
    first, latest = generated(3, 30)
    published = stats.publish_change(stats.paired_change(zip(first, latest, strict=True)))
    assert published.enough is True
    assert published.n == "30"
    assert published.mean_change.startswith(("+", "-"))


def test_a_small_group_inside_a_large_one_is_not_shown_as_a_share():
    pairs = [(3, 4)] * 35 + [(3, 2)] * 3  # 3 got worse: too few to show
    published = stats.publish_change(stats.paired_change(pairs))
    assert published.worse == "not enough people yet"
    assert published.improved == "not enough people yet"  # the rest would reveal it
    assert published.n == "40"


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=0, max_size=80),
    st.sampled_from(["better", "worse"]),
    st.integers(8, 15),
)
def test_published_change_never_breaks_the_rules(pairs, direction, threshold):
    change = stats.paired_change(pairs, higher_is=direction)
    published = stats.publish_change(change, threshold=threshold)
    n = len(pairs)
    # The count: 0, "fewer than <threshold>", or a multiple of 5.
    if n == 0:
        assert published.n == "0"
    elif n < threshold:
        assert published.n == f"fewer than {threshold}"
    else:
        assert int(published.n.replace(",", "")) % 5 == 0
    # No change, mean or share with fewer than 30 paired people.
    if n < 30:
        assert published.enough is False
        assert published.mean_value is None
        for value in (
            published.mean_change,
            published.ci,
            published.improved,
            published.same,
            published.worse,
            published.wilcoxon_p,
            published.dz,
        ):
            assert value == "not enough people yet"
    # A share is shown only when its part and the rest are both publishable.
    for part, shown in (
        (change.improved, published.improved),
        (change.same, published.same),
        (change.worse, published.worse),
    ):
        if shown.endswith("%"):
            assert part == 0 or part >= threshold
            assert n - part == 0 or n - part >= threshold


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=60))
def test_one_more_person_never_reveals_a_suppressed_cell(pairs):
    """Two cohorts differing by one person: a share suppressed in one is never derivable
    by comparing the published counts (which are rounded) of the two."""
    before = stats.publish_change(stats.paired_change(pairs[:-1]))
    after = stats.publish_change(stats.paired_change(pairs))
    for published in (before, after):
        assert published.n in ("0", "fewer than 8") or int(published.n) % 5 == 0


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
