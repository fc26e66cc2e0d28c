"""Sampled betweenness states an error that is both correct (every node's estimate is
within its margin) and useful (at a borough's size, small next to the values that matter),
and the pages and API say it in words."""

import math

import networkx as nx
import numpy as np
import pytest

from commonweave.network import selectors
from commonweave.network.analysis import (
    EXACT_LIMIT,
    GraphInput,
    analyse,
    chernoff_halfwidth,
    pivots_for,
)

from .builders import place_like_graph

L95 = math.log(2 / 0.05)


def test_the_chernoff_margin_is_exact_at_zero_and_never_wider_than_hoeffdings():
    p = np.array([0.0, 0.001, 0.01, 0.1, 0.3, 0.5, 0.9, 1.0])
    for k in (40, 200, 3000):
        width = chernoff_halfwidth(p, k, L95)
        # nothing seen in k draws: the mean is at most 1 - exp(-L/k), and no more
        assert width[0] == pytest.approx(1 - math.exp(-L95 / k), rel=1e-9)
        assert (width <= math.sqrt(L95 / (2 * k)) + 1e-12).all()
    # far narrower than the additive bound for the small values most nodes have
    assert chernoff_halfwidth(np.array([0.001]), 3000, L95)[0] < 0.2 * math.sqrt(L95 / 6000)


@pytest.mark.parametrize("p", [0.02, 0.3])
def test_the_chernoff_margin_covers_the_true_mean_at_least_as_often_as_it_says(p):
    """Draws that take only 0 or 1 are the worst case for a mean of values in [0, 1]."""
    rng = np.random.default_rng(11)
    k, trials = 150, 4000
    means = rng.binomial(k, p, trials) / k
    covered = np.abs(means - p) <= chernoff_halfwidth(means, k, L95)
    assert covered.mean() >= 0.95


def _hubs_and_leaves(n=1500, seed=5):
    """Hubs with many one-tie members, some members tied to two hubs, weighted."""
    rng = np.random.default_rng(seed)
    hubs = 30
    edges = [(h, (h + 1) % hubs, 1.0) for h in range(hubs)]
    for v in range(hubs, n):
        edges.append((v, int(rng.zipf(1.5) % hubs), float(rng.integers(1, 4))))
        if rng.random() < 0.4:
            edges.append((v, int(rng.integers(0, hubs)), 1.0))
        if rng.random() < 0.2:
            edges.append((v, int(rng.integers(hubs, n)), 2.0))
    return n, [(u, v, w) for u, v, w in edges if u != v]


@pytest.mark.parametrize("graph", ["small_world", "hubs"])
def test_every_nodes_sampled_betweenness_is_within_its_own_margin(graph):
    if graph == "small_world":
        n = 400
        g = nx.connected_watts_strogatz_graph(n, 6, 0.2, seed=7)
        edges = list(g.edges())
        pivots = 40
    else:
        n, edges = _hubs_and_leaves()
        pivots = 150
    exact = analyse(GraphInput.from_edges(n, edges))
    sampled = analyse(GraphInput.from_edges(n, edges), exact_limit=100, pivots=pivots, seed=2)
    margin = sampled.metrics["betweenness_error"]
    error = np.abs(sampled.metrics["betweenness"] - exact.metrics["betweenness"])
    assert (error <= margin).all()
    assert sampled.summary["betweenness_error"] == margin.max()
    assert sampled.summary["betweenness_top"] == sampled.metrics["betweenness"].max()
    # a node with one tie is on no shortest path: exactly 0, no margin
    leaves = exact.metrics["degree"] == 1
    assert (sampled.metrics["betweenness"][leaves] == 0).all()
    assert (margin[leaves] == 0).all()
    # tighter than the single Hoeffding bound this replaced, for every node
    hoeffding = math.sqrt(math.log(2 * n / 0.05) / (2 * pivots))
    assert margin.max() < hoeffding


@pytest.mark.slow
def test_at_a_boroughs_size_the_stated_error_is_small_next_to_the_values_that_matter():
    """30,300 nodes (above the exact limit), weighted: the margin is under a fifth of the
    highest betweenness (before: a Hoeffding bound of ±0.33, larger than every value),
    so the nodes that hold the place together stand out from the rest."""
    graph = place_like_graph()
    assert graph.n > EXACT_LIMIT
    result = analyse(graph)
    s = result.summary
    assert s["sampled"] and s["weighted"]
    assert s["pivots"] >= 1000
    assert s["betweenness_error"] <= 0.08
    assert s["betweenness_error"] < s["betweenness_top"] / 5
    # most nodes' own margins are far smaller than the stated (largest) one
    assert np.median(result.metrics["betweenness_error"]) < s["betweenness_error"] / 4
    words = selectors.betweenness_statement(s)
    assert words.startswith(f"Betweenness is estimated from {s['pivots']:,} starting points")
    assert "with 95% confidence" in words
    assert "large next to the values" not in words


def test_more_starting_points_for_smaller_networks_and_unweighted_paths():
    assert pivots_for(200_000, 1_000_000) == 128
    assert pivots_for(30_000, 80_000) > 3000
    assert pivots_for(30_000, 80_000, weighted=True) > 1000
    assert pivots_for(2_000_000, 10_000_000) == 64  # never fewer
    assert pivots_for(50, 100) == 50  # never more than the nodes


def test_the_statement_says_when_the_margin_is_large_next_to_the_values():
    summary = {
        "sampled": True,
        "pivots": 128,
        "sampled_nodes": 200_001,
        "betweenness_error": 0.117,
        "betweenness_top": 0.0049,
        "confidence": 0.95,
    }
    words = selectors.betweenness_statement(summary)
    assert "estimated from 128 starting points of 200,001" in words
    assert "within ±0.12 of the exact value with 95% confidence" in words
    assert "The highest value is 0.0049." in words
    assert "use betweenness to pick out the nodes that stand out" in words
    assert selectors.betweenness_statement({"sampled": False}) is None
