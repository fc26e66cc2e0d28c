"""Network analysis on python-igraph: the numbers, free of Django.

`analyse(GraphInput)` takes a place's ties as arrays (node indices 0..n-1, strength, and
whether each tie has a direction) and returns per-node metrics and whole-network measures.

Conventions (each checked against NetworkX in tests/network/test_analysis.py):
- Parallel ties between the same two nodes collapse into one edge whose weight is the sum
  of their strengths. Shortest paths treat a stronger tie as shorter: distance = 1/weight.
- Undirected view (every tie both ways) for degree, strength, closeness, betweenness,
  eigenvector, two-step reach, clustering, core number, constraint, components and
  communities. Directed view (directed ties one way, others both ways) for in/out degree
  and PageRank. Reciprocity uses the directed ties alone.
- Closeness is NetworkX's (Wasserman–Faust for disconnected graphs); betweenness is
  normalised as NetworkX's; eigenvector centrality has unit Euclidean length.
- Clustering and core number are unweighted; diameter and average path length count hops
  over connected pairs.
- Components of more than `exact_limit` nodes have betweenness, closeness, diameter and
  average path length estimated from random starting points (sources), drawn without
  replacement: `pivots_for` of them for betweenness (thousands for a borough-sized
  network, about a hundred at 200,000 nodes), the first PIVOTS for closeness and paths.
  Each node's betweenness gets its own error (`betweenness_error`): the Chernoff bound
  for a mean of draws in [0, R] (Hoeffding 1963: the binomial relative entropy, tighter
  than Hoeffding's additive bound everywhere and much tighter for small values), made to
  hold for every node at once with probability `confidence` by a union bound over the
  nodes it is estimated for. Leaves (one tie) lie on no shortest path: exactly 0, error 0.
- Given each node's record key (`keys`), every whole-network count also gets the sum of
  the keys of what it counts, modulo 256 (`<count>_keys`), for the cell-key method
  (`key_sums`; docs/disclosure.md).
"""

import math
import random
import warnings
import zlib
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

EXACT_LIMIT = 20_000
PIVOTS = 64  # the fewest starting points; closeness and path lengths use this many
HOP_PIVOTS = 16
MAX_PIVOTS = 4096
# 128 starting points for a component of 200,000 nodes and 1,000,000 ties (about 13 s on
# the bench machine). A starting point costs about (nodes + ties) ** 1.5 (measured there:
# 2.3 ms at 109k, 101 ms at 1.2M), and about four times as much with weighted paths
# (Dijkstra), so scaling by both spends about the same time at any size.
PIVOT_REFERENCE = (128, 1_200_000)
WEIGHTED_COST = 4
CONFIDENCE = 0.95


@dataclass
class GraphInput:
    n: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    directed: np.ndarray

    @classmethod
    def from_edges(cls, n, edges):
        """edges: iterable of (u, v) or (u, v, weight) or (u, v, weight, directed)."""
        rows = [tuple(e) + (1.0, False)[len(e) - 2 :] for e in edges]
        if not rows:
            empty = np.zeros(0)
            return cls(n, empty.astype(np.int64), empty.astype(np.int64), empty, empty.astype(bool))
        u, v, w, d = zip(*rows, strict=True)
        return cls(
            n,
            np.asarray(u, dtype=np.int64),
            np.asarray(v, dtype=np.int64),
            np.asarray(w, dtype=float),
            np.asarray(d, dtype=bool),
        )


@dataclass
class Analysis:
    n: int
    metrics: dict  # name -> np.ndarray of length n
    summary: dict
    membership: list
    bridging: list = field(default_factory=list)  # (u, v, weight) between communities


def undirected_graph(inp: GraphInput) -> ig.Graph:
    pairs = np.column_stack([inp.src, inp.dst])
    g = ig.Graph(n=inp.n, edges=pairs, directed=False)
    g.es["weight"] = inp.weight.tolist()
    g.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    return g


def directed_graph(inp: GraphInput) -> ig.Graph:
    both = ~inp.directed
    src = np.concatenate([inp.src, inp.dst[both]])
    dst = np.concatenate([inp.dst, inp.src[both]])
    g = ig.Graph(n=inp.n, edges=np.column_stack([src, dst]), directed=True)
    g.es["weight"] = np.concatenate([inp.weight, inp.weight[both]]).tolist()
    g.simplify(multiple=True, loops=True, combine_edges={"weight": "sum"})
    return g


def reciprocity(inp: GraphInput):
    """Share of directed ties that are returned; None when there are no directed ties."""
    mask = inp.directed
    if not mask.any():
        return None
    g = ig.Graph(n=inp.n, edges=np.column_stack([inp.src[mask], inp.dst[mask]]), directed=True)
    g.simplify()
    return g.reciprocity(ignore_loops=True) if g.ecount() else None


def unique_ints(values) -> np.ndarray:
    """Sorted distinct integers. (np.unique hashes integer arrays, which is many times
    slower than sorting at a million values.)"""
    ordered = np.sort(np.asarray(values, dtype=np.int64))
    if ordered.size == 0:
        return ordered
    return ordered[np.concatenate(([True], ordered[1:] != ordered[:-1]))]


def _arr(values, n=None):
    a = np.asarray(values, dtype=float)
    return a if n is None else a.reshape(n)


def _path_weights(g):
    w = np.asarray(g.es["weight"], dtype=float) if g.ecount() else np.zeros(0)
    if w.size == 0 or np.all(w == 1.0):
        return None, False
    return (1.0 / w).tolist(), True


def _exact_paths(sub, n_total, weights):
    """Closeness, normalised betweenness, and (pairs, hop sum, diameter) for a subgraph
    made of whole components."""
    k = sub.vcount()
    if k == 0:
        return np.zeros(0), np.zeros(0), (0, 0.0, 0)
    parts = sub.connected_components()
    comp_size = np.asarray(parts.sizes())[parts.membership]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        raw_close = _arr(sub.closeness(weights=weights, normalized=True))
    raw_close = np.nan_to_num(raw_close)
    closeness = raw_close * (comp_size - 1) / max(n_total - 1, 1)
    bet = _arr(sub.betweenness(directed=False, weights=weights))
    scale = 2.0 / ((n_total - 1) * (n_total - 2)) if n_total > 2 else 0.0
    pairs = int(sum(s * (s - 1) // 2 for s in parts.sizes()))
    if pairs:
        apl = sub.average_path_length(directed=False, unconn=True)
        diameter = sub.diameter(directed=False, unconn=True)
    else:
        apl, diameter = 0.0, 0
    return closeness, bet * scale, (pairs, apl * pairs, diameter)


def pivots_for(nodes: int, edges: int, *, weighted=False) -> int:
    """How many starting points to sample for betweenness in a component of this size:
    thousands for a borough-sized network, about a hundred at 200,000 nodes."""
    k_ref, size_ref = PIVOT_REFERENCE
    k = k_ref * (size_ref / max(nodes + edges, 1)) ** 1.5 / (WEIGHTED_COST if weighted else 1)
    return min(nodes, max(PIVOTS, min(int(k), MAX_PIVOTS)))


def _bernoulli_kl(p, q):
    """KL(p || q) of Bernoulli distributions, elementwise (0 log 0 = 0)."""
    q = np.clip(q, 1e-300, 1 - 1e-16)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.where(p > 0, p * np.log(p / q), 0.0)
        b = np.where(p < 1, (1 - p) * np.log((1 - p) / (1 - q)), 0.0)
    return a + b


def chernoff_halfwidth(p_hat, k, log_term, steps=50):
    """For means `p_hat` of k draws in [0, 1]: the furthest true mean q on either side with
    k * KL(p_hat || q) <= log_term. Each side then fails with probability at most
    exp(-log_term) (Chernoff-Hoeffding; draws without replacement are no worse, Hoeffding
    1963). Solved by bisection, once per distinct value."""
    values, inverse = np.unique(np.clip(np.asarray(p_hat, float), 0.0, 1.0), return_inverse=True)
    up_lo, up_hi = values.copy(), np.ones_like(values)
    down_lo, down_hi = np.zeros_like(values), values.copy()
    bound = log_term / k
    for _ in range(steps):
        mid = (up_lo + up_hi) / 2
        out = _bernoulli_kl(values, mid) > bound
        up_hi, up_lo = np.where(out, mid, up_hi), np.where(out, up_lo, mid)
        mid = (down_lo + down_hi) / 2
        out = _bernoulli_kl(values, mid) > bound
        down_lo, down_hi = np.where(out, mid, down_lo), np.where(out, down_hi, mid)
    width = np.maximum(up_hi - values, values - down_lo)
    return width[inverse]


def _sampled_paths(comp, n_total, weights, pivots, rng, log_term):
    """Estimates for one large component: closeness, betweenness and its error per node,
    path statistics, and the number of starting points used for betweenness."""
    r = comp.vcount()
    k = min(pivots, r)
    order = rng.permutation(r)
    # Betweenness: igraph counts each pair once in an undirected graph, so the subset
    # betweenness from k sources scales by r/k to the whole component.
    subset = _arr(comp.betweenness(directed=False, weights=weights, sources=order[:k].tolist()))
    scale = 2.0 / ((n_total - 1) * (n_total - 2))
    betweenness = subset * (r / k) * scale
    # Each source's share of b(v) lies in [0, span]: span = r(r-2)/((n-1)(n-2)).
    span = r * (r - 2) * scale / 2.0
    if k >= r:
        error = np.zeros(r)  # every source: exact
    else:
        error = chernoff_halfwidth(betweenness / span, k, log_term) * span
        error[np.asarray(comp.degree()) < 2] = 0.0  # a leaf is on no shortest path
    # Closeness: distance sums estimated from the first PIVOTS sources (Eppstein-Wang),
    # or every source when all were sampled.
    sources = order[: r if k >= r else min(k, PIVOTS)].tolist()
    dist = np.asarray(comp.distances(source=sources, weights=weights), dtype=float)
    total = dist.sum(axis=0) * (r / len(sources))
    with np.errstate(divide="ignore", invalid="ignore"):
        closeness = np.where(total > 0, (r - 1) / total, 0.0) * (r - 1) / (n_total - 1)
    # Path length and diameter count steps: with weighted paths, a further breadth-first
    # search from the first HOP_PIVOTS sources (the mean settles fast).
    hop_sources = sources if weights is None else sources[:HOP_PIVOTS]
    hops = dist if weights is None else np.asarray(comp.distances(source=hop_sources), float)
    mean_hops = float(hops.sum() / (len(hop_sources) * (r - 1))) if r > 1 else 0.0
    pairs = r * (r - 1) // 2
    return closeness, betweenness, error, (pairs, mean_hops * pairs, int(hops.max())), k


@dataclass
class _Paths:
    """Shortest-path results over every component: exact for the small ones, sampled
    (with an error bound) for the large."""

    closeness: np.ndarray
    betweenness: np.ndarray
    error: np.ndarray
    pairs: int
    hops: float
    diameter: int
    pivots_used: list
    in_large: np.ndarray


def _paths(g, n, weighted, degree, *, exact_limit, pivots, seed, confidence) -> _Paths:
    components = g.connected_components()
    sizes = np.asarray(components.sizes(), dtype=np.int64)
    comp_of = np.asarray(components.membership, dtype=np.int64)
    closeness = np.zeros(n)
    betweenness = np.zeros(n)
    error = np.zeros(n)
    pairs_total, hop_total, diameter = 0, 0.0, 0
    used = []  # starting points of each sampled component
    rng = np.random.default_rng(seed)
    small = np.flatnonzero(sizes[comp_of] <= exact_limit)
    if small.size:
        sub = g.induced_subgraph(small.tolist(), implementation="create_from_scratch")
        sub_w, _ = _path_weights(sub) if weighted else (None, False)
        c, b, (p, h, d) = _exact_paths(sub, n, sub_w)
        closeness[small], betweenness[small] = c, b
        pairs_total, hop_total, diameter = p, h, d
    large = np.flatnonzero(sizes > exact_limit)
    in_large = np.isin(comp_of, large) if large.size else np.zeros(n, bool)
    # One union bound over every node whose betweenness is estimated (leaves are exact),
    # each side of each node failing with probability at most (1 - confidence) / (2 * that).
    estimated = int((in_large & (degree >= 2)).sum())
    log_term = math.log(2 * max(estimated, 1) / (1 - confidence))
    for comp_id in large:
        members = np.flatnonzero(comp_of == comp_id)
        comp = g.induced_subgraph(members.tolist(), implementation="create_from_scratch")
        comp_w, _ = _path_weights(comp) if weighted else (None, False)
        k = pivots or pivots_for(comp.vcount(), comp.ecount(), weighted=comp_w is not None)
        c, b, e, (p, h, d), k = _sampled_paths(comp, n, comp_w, k, rng, log_term)
        closeness[members], betweenness[members], error[members] = c, b, e
        pairs_total, hop_total, diameter = pairs_total + p, hop_total + h, max(diameter, d)
        used.append(k)
    return _Paths(closeness, betweenness, error, pairs_total, hop_total, diameter, used, in_large)


def _centrality(g, gd) -> dict:
    """Eigenvector, PageRank, Burt's constraint, two-step reach, clustering and coreness."""
    n = g.vcount()
    metrics = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if g.ecount():
            eig = _arr(g.eigenvector_centrality(weights="weight"))
            norm = np.linalg.norm(eig)
            metrics["eigenvector"] = eig / norm if norm else eig
        else:
            metrics["eigenvector"] = np.zeros(n)
        metrics["pagerank"] = _arr(
            gd.pagerank(weights="weight" if gd.ecount() else None, directed=True)
        )
        metrics["constraint"] = _arr(g.constraint(weights="weight" if g.ecount() else None))
    metrics["reach2"] = _arr(g.neighborhood_size(order=2)) - 1
    metrics["clustering"] = _arr(g.transitivity_local_undirected(mode="zero"))
    metrics["core"] = _arr(g.coreness())
    return metrics


@dataclass
class _Communities:
    membership: list
    modularity: float
    reached: np.ndarray  # communities each node reaches: its own plus its neighbours'
    bridging: list  # the strongest ties between communities: (lo, hi, weight)
    bridging_count: int


# Leiden starts from random choices: seeded from the network itself, the same data gives
# the same communities (and the same reasons a node is a change-maker) on every recompute.
# The best of a few seeded runs, as one run can stop short of the structure that is there.
LEIDEN_RUNS = 5


def _leiden(g, inp: GraphInput, n):
    data = np.concatenate([[n], inp.src, inp.dst]).astype("<i8").tobytes()
    seed = zlib.crc32(data + np.asarray(inp.weight, dtype="<f8").tobytes())
    runs = LEIDEN_RUNS if n <= 50_000 else 1
    best = None
    try:
        for run in range(runs):
            ig.set_random_number_generator(random.Random(seed + run))
            clusters = g.community_leiden(
                objective_function="modularity",
                weights="weight",
                n_iterations=-1 if n <= 50_000 else 2,
            )
            membership = list(clusters.membership)
            modularity = g.modularity(membership, weights="weight")
            if best is None or modularity > best[1] + 1e-12:
                best = (membership, modularity)
    finally:
        ig.set_random_number_generator(random)
    return best


def _communities(g, inp: GraphInput, n) -> _Communities:
    if g.ecount():
        membership, modularity = _leiden(g, inp, n)
    else:
        membership, modularity = list(range(n)), 0.0
    member = np.asarray(membership, dtype=np.int64)
    # Work from the input arrays (no round trip of the edge list through Python).
    real = inp.src != inp.dst
    src, dst, wts = inp.src[real], inp.dst[real], inp.weight[real]
    reached = np.ones(n)
    bridging, bridging_count = [], 0
    if src.size:
        # distinct (node, neighbour's community) pairs, as one int64 key each
        node = np.concatenate([src, dst])
        other = member[np.concatenate([dst, src])]
        foreign = member[node] != other
        width = int(member.max()) + 1
        keys = unique_ints(node[foreign] * width + other[foreign])
        reached += np.bincount(keys // width, minlength=n)
        # ties between communities, parallel ties summed, strongest first
        crossing = member[src] != member[dst]
        lo = np.minimum(src[crossing], dst[crossing])
        hi = np.maximum(src[crossing], dst[crossing])
        pair_keys, inverse = np.unique(lo * n + hi, return_inverse=True)
        pair_weight = np.bincount(inverse, weights=wts[crossing])
        bridging_count = int(pair_keys.size)
        top = np.argsort(-pair_weight, kind="stable")[:200]
        bridging = [
            (int(pair_keys[i] // n), int(pair_keys[i] % n), float(pair_weight[i])) for i in top
        ]
    return _Communities(membership, float(modularity), reached, bridging, bridging_count)


KEY_RANGE = 256  # record keys and cell keys are 0..255 (insights/disclosure/cellkey.py)


def pair_keys(keys, u, v) -> np.ndarray:
    """The record key of a tie (or of a pair of tied nodes): the sum of its two ends' record
    keys, modulo 256.

    Derived rather than stored on each tie, because the counts that are about ties count
    different things: rows of the tie table (ties, growth), and pairs of tied nodes with
    parallel ties collapsed into one (edges, ties bridging communities, cut ties). A key
    from the ends is the same for both and for every tie between the same two nodes, so
    the same ties always give the same cell key, and nothing has to be filled in for ties
    imported in bulk. The sum of two independent uniform keys modulo 256 is uniform, and a
    tie added to a node that is already counted adds its other end's key, unknown to
    anyone who cannot read the keys, so a new tie still moves the cell key at random."""
    keys = np.asarray(keys, dtype=np.int64)
    return (keys[np.asarray(u, dtype=np.int64)] + keys[np.asarray(v, dtype=np.int64)]) % KEY_RANGE


def _key_sum(values) -> int:
    return int(np.asarray(values, dtype=np.int64).sum() % KEY_RANGE)


def key_sums(g, inp: GraphInput, keys, *, component, community, degree, cut_edges, largest) -> dict:
    """For each whole-network count, the sum (modulo 256) of the record keys of the records
    it counts: nodes and isolates by their own keys; ties and pairs of tied nodes by
    `pair_keys`; a component by the key of its first node (the lowest node id: the
    component's one record, as adding a node to it does not change the count); the largest
    component and each community by the keys of their nodes."""
    keys = np.asarray(keys, dtype=np.int64) % KEY_RANGE
    if keys.size != inp.n:
        raise ValueError("One record key is needed for each node")
    edges = np.asarray(g.get_edgelist(), dtype=np.int64).reshape(-1, 2)
    member = np.asarray(community, dtype=np.int64)
    crossing = edges[member[edges[:, 0]] != member[edges[:, 1]]] if edges.size else edges
    cut = edges[np.asarray(cut_edges, dtype=np.int64)] if len(cut_edges) else edges[:0]
    comp = np.asarray(component, dtype=np.int64)
    _ids, first = np.unique(comp, return_index=True)
    sizes = np.bincount(comp, minlength=1) if comp.size else np.zeros(1, dtype=np.int64)
    biggest = int(np.argmax(sizes)) if comp.size else -1
    per_community = (
        np.bincount(member, weights=keys, minlength=1).astype(np.int64) % KEY_RANGE
        if member.size
        else np.zeros(0, dtype=np.int64)
    )
    return {
        "nodes_keys": _key_sum(keys),
        "ties_keys": _key_sum(pair_keys(keys, inp.src, inp.dst)),
        "edges_keys": _key_sum(pair_keys(keys, edges[:, 0], edges[:, 1])),
        "isolates_keys": _key_sum(keys[np.asarray(degree) == 0]),
        "components_keys": _key_sum(keys[first]),
        "largest_component_keys": _key_sum(keys[comp == biggest]) if largest else 0,
        "bridging_ties_keys": _key_sum(pair_keys(keys, crossing[:, 0], crossing[:, 1])),
        "cut_ties_keys": _key_sum(pair_keys(keys, cut[:, 0], cut[:, 1])),
        # by community number (the "community" metric), for the community sizes
        "community_keys": per_community.tolist(),
    }


def analyse(
    inp: GraphInput,
    *,
    keys=None,
    exact_limit=EXACT_LIMIT,
    pivots=None,
    seed=0,
    confidence=CONFIDENCE,
    progress=None,
) -> Analysis:
    """Every metric of the network described by `inp` (see the module docstring).
    `pivots`: starting points for sampled betweenness (None: pivots_for each component).
    `keys`: each node's record key (None: the summary has no key sums)."""
    n = inp.n
    step = progress or (lambda label: None)
    g = undirected_graph(inp)
    gd = directed_graph(inp)
    weights, weighted = _path_weights(g)
    metrics = {
        "degree": _arr(g.degree()),
        "strength": _arr(g.strength(weights="weight")) if g.ecount() else np.zeros(n),
        "in_degree": _arr(gd.degree(mode="in")),
        "out_degree": _arr(gd.degree(mode="out")),
    }
    step("degree")
    components = g.connected_components()
    sizes = np.asarray(components.sizes(), dtype=np.int64)
    metrics["component"] = np.asarray(components.membership, dtype=np.int64).astype(float)

    paths = _paths(
        g,
        n,
        weighted,
        metrics["degree"],
        exact_limit=exact_limit,
        pivots=pivots,
        seed=seed,
        confidence=confidence,
    )
    sampled = bool(paths.pivots_used)
    metrics["closeness"] = paths.closeness
    metrics["betweenness"] = paths.betweenness
    metrics["betweenness_error"] = paths.error
    step("paths")

    metrics.update(_centrality(g, gd))
    step("centrality")

    found = _communities(g, inp, n)
    metrics["community"] = np.asarray(found.membership, dtype=np.int64).astype(float)
    metrics["communities_reached"] = found.reached
    holds = np.zeros(n)
    holds[g.articulation_points()] = 1
    metrics["holds_together"] = holds
    step("communities")

    m = g.ecount()
    cut_edges = g.bridges() if m else []
    summary = {
        "nodes": n,
        "ties": int(inp.src.size),
        "edges": m,
        "density": (2 * m / (n * (n - 1))) if n > 1 else 0.0,
        "components": int(len(sizes)),
        "largest_component": int(sizes.max()) if n else 0,
        "isolates": int((metrics["degree"] == 0).sum()),
        "reciprocity": reciprocity(inp),
        "diameter": int(paths.diameter),
        "diameter_is_lower_bound": sampled,
        "average_path_length": (paths.hops / paths.pairs) if paths.pairs else 0.0,
        "communities": int(len(set(found.membership))) if n else 0,
        "modularity": found.modularity,
        "bridging_ties": found.bridging_count,
        "cut_ties": len(cut_edges),
        "weighted": bool(weighted),
        "sampled": sampled,
        "pivots": min(paths.pivots_used) if sampled else None,
        "sampled_nodes": int(paths.in_large.sum()),
        "betweenness_error": float(paths.error.max()) if sampled else 0.0,
        "betweenness_top": float(paths.betweenness.max()) if n else 0.0,
        "confidence": confidence if sampled else None,
    }
    if keys is not None:
        summary.update(
            key_sums(
                g,
                inp,
                keys,
                component=components.membership,
                community=found.membership,
                degree=metrics["degree"],
                cut_edges=cut_edges,
                largest=summary["largest_component"],
            )
        )
    return Analysis(
        n=n, metrics=metrics, summary=summary, membership=found.membership, bridging=found.bridging
    )
