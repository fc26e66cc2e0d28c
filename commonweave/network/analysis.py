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
  average path length estimated from `pivots` random sources; the stated error is a
  Hoeffding bound holding for every node at once with probability `confidence`.
"""

import math
import warnings
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

EXACT_LIMIT = 20_000
PIVOTS = 64
HOP_PIVOTS = 16


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


def _sampled_paths(comp, n_total, weights, pivots, rng, delta):
    """Estimates for one large component: closeness, betweenness, and path statistics."""
    r = comp.vcount()
    k = min(pivots, r)
    sources = sorted(rng.choice(r, size=k, replace=False).tolist())
    # Betweenness: igraph counts each pair once in an undirected graph, so the subset
    # betweenness from k sources scales by r/k to the whole component.
    subset = _arr(comp.betweenness(directed=False, weights=weights, sources=sources))
    scale = 2.0 / ((n_total - 1) * (n_total - 2))
    betweenness = subset * (r / k) * scale
    span = r * (r - 2) * scale / 2.0  # = r(r-2)/((n-1)(n-2)), the range of b(v)
    error = span * math.sqrt(math.log(2 * r / delta) / (2 * k))
    # Closeness: distance sums estimated from the sampled sources (Eppstein–Wang).
    dist = np.asarray(comp.distances(source=sources, weights=weights), dtype=float)
    total = dist.sum(axis=0) * (r / k)
    with np.errstate(divide="ignore", invalid="ignore"):
        closeness = np.where(total > 0, (r - 1) / total, 0.0) * (r - 1) / (n_total - 1)
    # Path length and diameter count steps: with weighted paths, a further breadth-first
    # search from the first HOP_PIVOTS sources (the mean settles fast).
    hop_sources = sources if weights is None else sources[:HOP_PIVOTS]
    hops = dist if weights is None else np.asarray(comp.distances(source=hop_sources), float)
    mean_hops = float(hops.sum() / (len(hop_sources) * (r - 1))) if r > 1 else 0.0
    pairs = r * (r - 1) // 2
    return closeness, betweenness, (pairs, mean_hops * pairs, int(hops.max())), error


def analyse(
    inp: GraphInput,
    *,
    exact_limit=EXACT_LIMIT,
    pivots=PIVOTS,
    seed=0,
    confidence=0.95,
    progress=None,
) -> Analysis:
    """Every metric of the network described by `inp` (see the module docstring)."""
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
    comp_of = np.asarray(components.membership, dtype=np.int64)
    metrics["component"] = comp_of.astype(float)

    closeness = np.zeros(n)
    betweenness = np.zeros(n)
    pairs_total, hop_total, diameter = 0, 0.0, 0
    sampled_error, sampled = 0.0, False
    rng = np.random.default_rng(seed)
    small = np.flatnonzero(sizes[comp_of] <= exact_limit)
    if small.size:
        sub = g.induced_subgraph(small.tolist(), implementation="create_from_scratch")
        sub_w, _ = _path_weights(sub) if weighted else (None, False)
        c, b, (p, h, d) = _exact_paths(sub, n, sub_w)
        closeness[small], betweenness[small] = c, b
        pairs_total, hop_total, diameter = p, h, d
    for comp_id in np.flatnonzero(sizes > exact_limit):
        members = np.flatnonzero(comp_of == comp_id)
        comp = g.induced_subgraph(members.tolist(), implementation="create_from_scratch")
        comp_w, _ = _path_weights(comp) if weighted else (None, False)
        c, b, (p, h, d), err = _sampled_paths(comp, n, comp_w, pivots, rng, delta=1 - confidence)
        closeness[members], betweenness[members] = c, b
        pairs_total, hop_total, diameter = pairs_total + p, hop_total + h, max(diameter, d)
        sampled_error, sampled = max(sampled_error, err), True
    metrics["closeness"] = closeness
    metrics["betweenness"] = betweenness
    step("paths")

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
    step("centrality")

    if g.ecount():
        clusters = g.community_leiden(
            objective_function="modularity", weights="weight", n_iterations=-1 if n <= 50_000 else 2
        )
        membership = list(clusters.membership)
        modularity = g.modularity(membership, weights="weight")
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
    metrics["community"] = member.astype(float)
    metrics["communities_reached"] = reached
    holds = np.zeros(n)
    holds[g.articulation_points()] = 1
    metrics["holds_together"] = holds
    step("communities")

    m = g.ecount()
    summary = {
        "nodes": n,
        "ties": int(inp.src.size),
        "edges": m,
        "density": (2 * m / (n * (n - 1))) if n > 1 else 0.0,
        "components": int(len(sizes)),
        "largest_component": int(sizes.max()) if n else 0,
        "isolates": int((metrics["degree"] == 0).sum()),
        "reciprocity": reciprocity(inp),
        "diameter": int(diameter),
        "diameter_is_lower_bound": sampled,
        "average_path_length": (hop_total / pairs_total) if pairs_total else 0.0,
        "communities": int(len(set(membership))) if n else 0,
        "modularity": float(modularity),
        "bridging_ties": bridging_count,
        "cut_ties": len(g.bridges()) if m else 0,
        "weighted": bool(weighted),
        "sampled": sampled,
        "pivots": int(pivots) if sampled else None,
        "betweenness_error": sampled_error if sampled else 0.0,
        "confidence": confidence if sampled else None,
    }
    return Analysis(n=n, metrics=metrics, summary=summary, membership=membership, bridging=bridging)
