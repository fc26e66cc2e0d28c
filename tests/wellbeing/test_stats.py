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


GROUPS = ("improved", "same", "worse")


def round5(n):
    return 5 * ((n + 2) // 5)


def implied_counts(published, change):
    """What a reader can work out from one published row: each shown group's count as
    share x people. None where the row shows nothing."""
    if not published.enough:
        return {}
    whole = int(published.n.replace(",", ""))
    return {
        name: round(int(getattr(published, name).rstrip("%")) * whole / 100)
        for name in GROUPS
        if getattr(published, name).endswith("%")
    }


def assert_published_row_is_safe(change, published, threshold):
    n = change.n
    # The count: 0, "fewer than <threshold>", or a multiple of 5 - never the exact number.
    if n == 0:
        assert published.n == "0"
    elif n < threshold:
        assert published.n == f"fewer than {threshold}"
    else:
        assert published.n == f"{round5(n):,}"
    # No change, mean or share with fewer than 30 paired people.
    if n < max(30, threshold):
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
        return
    counts = {name: getattr(change, name) for name in GROUPS}
    shown = {name for name in GROUPS if getattr(published, name).endswith("%")}
    hidden = set(GROUPS) - shown
    # No group of 1 to threshold-1 is shown ...
    assert all(counts[name] == 0 or counts[name] >= threshold for name in shown)
    # ... nor can be worked out as "the rest": the hidden groups together hold 0 or at
    # least the threshold.
    together = sum(counts[name] for name in hidden)
    assert together == 0 or together >= threshold
    # Shares carry rounded counts only: the same numbers whatever the exact counts
    # within their rounding.
    for name in shown:
        expected = round(100 * round5(counts[name]) / round5(n)) if counts[name] else 0
        assert getattr(published, name) == f"{expected}%"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 10), st.integers(0, 10)), min_size=0, max_size=80),
    st.sampled_from(["better", "worse"]),
    st.integers(8, 15),
)
def test_published_change_never_breaks_the_rules(pairs, direction, threshold):
    change = stats.paired_change(pairs, higher_is=direction)
    published = stats.publish_change(change, threshold=threshold)
    assert_published_row_is_safe(change, published, threshold)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=25, max_size=70),
    st.tuples(st.integers(1, 5), st.integers(1, 5)),
    st.sampled_from(["better", "worse"]),
)
def test_one_more_person_never_reveals_a_suppressed_cell(pairs, extra, direction):
    """Two cohorts differing by one person. Each output alone obeys the rules; and
    subtracting what one shows from what the other shows never gives an exact count of
    1-7 (every number a reader can work out is a rounded count), so a group hidden in one
    output is not uncovered by the other."""
    before_change = stats.paired_change(pairs, higher_is=direction)
    after_change = stats.paired_change([*pairs, extra], higher_is=direction)
    before = stats.publish_change(before_change)
    after = stats.publish_change(after_change)
    assert_published_row_is_safe(before_change, before, 8)
    assert_published_row_is_safe(after_change, after, 8)
    seen_before = implied_counts(before, before_change)
    seen_after = implied_counts(after, after_change)
    for name in set(seen_before) & set(seen_after):
        assert (seen_after[name] - seen_before[name]) % 5 == 0
    for seen in (seen_before, seen_after):
        assert all(count % 5 == 0 for count in seen.values())
    # A group of 1-7 in either cohort is hidden there.
    for change, published in ((before_change, before), (after_change, after)):
        for name in GROUPS:
            if 0 < getattr(change, name) < 8:
                assert getattr(published, name) == "not enough people yet"


def test_a_single_hidden_group_takes_the_next_smallest_with_it():
    # 25 better, 10 the same, 5 worse: showing 62% and 25% would give worse as 12%.
    pairs = [(2, 3)] * 25 + [(3, 3)] * 10 + [(3, 2)] * 5
    published = stats.publish_change(stats.paired_change(pairs))
    assert (published.improved, published.same, published.worse) == (
        "62%",
        "not enough people yet",
        "not enough people yet",
    )


def test_two_small_hidden_groups_are_not_left_as_the_rest():
    # 30 better, 2 the same, 3 worse: "better 86%" would leave 5 people as the rest.
    pairs = [(2, 3)] * 30 + [(3, 3)] * 2 + [(3, 2)] * 3
    published = stats.publish_change(stats.paired_change(pairs))
    assert {published.improved, published.same, published.worse} == {"not enough people yet"}


def test_shares_come_from_rounded_counts():
    # 34 people -> 35; 17 better -> 15, 17 worse -> 15: 43% each (not 50%).
    pairs = [(2, 3)] * 17 + [(3, 2)] * 17
    published = stats.publish_change(stats.paired_change(pairs))
    assert (published.n, published.improved, published.same, published.worse) == (
        "35",
        "43%",
        "0%",
        "43%",
    )


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
