"""Recompute: load the place's network as it stood on a date, analyse it, store the result.

Pages read the last finished NetworkSnapshot, so they keep serving while a new one runs
(as a background job: see jobs.py). A snapshot stores numbers and node ids only
(the picture's positions among them: layout.py).
"""

import datetime
import time
from collections import Counter
from datetime import date

import numpy as np
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from . import layout, metrics
from .analysis import EXACT_LIMIT, KEY_RANGE, GraphInput, analyse, unique_ints
from .enums import SnapshotStatus
from .models import NetworkSnapshot, Node, Tie

KEEP_SNAPSHOTS = 3


# One row per tie of the place, read straight into typed columns: the two ends, strength,
# direction, whether it had begun by the date, and whether it was active then.
_TIE_ROW = np.dtype(
    [
        ("src", np.int64),
        ("dst", np.int64),
        ("weight", np.float64),
        ("directed", np.bool_),
        ("begun", np.bool_),
        ("active", np.bool_),
    ]
)


def load_graph(place, as_of: date):
    """(node ids, GraphInput) for ties active on `as_of`.

    Nodes: everyone with a tie begun by then (a node whose ties have all ended is an
    isolate), and every node that existed by then (one with no tie yet is an isolate).
    One pass over the place's ties, straight from the cursor into numpy (no model
    instances, no per-row Python objects kept).
    """
    table = connection.ops.quote_name(Tie._meta.db_table)
    with connection.cursor() as cursor:
        # The dates are tested in the SELECT, not the WHERE: walking the place's ties in
        # table order is twice as fast as following the (place, started_on) index.
        cursor.execute(
            "SELECT source_node_id, target_node_id, strength, directed, "  # noqa: S608
            "started_on <= %s, started_on <= %s AND (ended_on IS NULL OR ended_on > %s) "
            f"FROM {table} WHERE place_id = %s",
            [as_of, as_of, as_of, place.pk],
        )
        ties = np.fromiter(cursor, dtype=_TIE_ROW)
    ties = ties[ties["begun"]]
    # created by the end of as_of (a datetime bound: no per-row date cast in SQLite)
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time())
    )
    existing = (
        Node.objects.filter(place=place, created_at__lt=end_of_day)
        .order_by()
        .values_list("pk", flat=True)
    )
    node_ids = unique_ints(
        np.concatenate(
            [ties["src"], ties["dst"], np.fromiter(existing.iterator(chunk_size=10_000), np.int64)]
        )
    )
    active = ties[ties["active"]]
    # In a canonical order (ends, then strength): the database returns rows in whatever
    # order it keeps them, and Leiden's seed and tie-breaks follow the edge order, so the
    # same network gives the same communities on every recompute.
    active = active[np.lexsort((active["weight"], active["dst"], active["src"]))]
    graph = GraphInput(
        n=int(node_ids.size),
        src=np.searchsorted(node_ids, active["src"]),
        dst=np.searchsorted(node_ids, active["dst"]),
        weight=active["weight"].copy(),
        directed=active["directed"].copy(),
    )
    return node_ids, graph


def node_keys(place, node_ids) -> np.ndarray:
    """Each node's record key, in the order of `node_ids` (sorted, as load_graph gives)."""
    rows = np.fromiter(
        Node.objects.filter(place=place).order_by("pk").values_list("pk", "record_key"),
        dtype=np.dtype([("pk", np.int64), ("key", np.int64)]),
    )
    keys = np.zeros(len(node_ids), dtype=np.int64)
    if rows.size and len(node_ids):
        at = np.minimum(np.searchsorted(rows["pk"], node_ids), rows.size - 1)
        found = rows["pk"][at] == node_ids
        keys[found] = rows["key"][at[found]]
    return keys


# A tie's record key is its ends' (analysis.pair_keys), summed here in the database.
_TIE_KEYS = Sum(F("source_node__record_key") + F("target_node__record_key"))


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def growth(place, as_of: date) -> list[dict]:
    """New ties per month, and the ties existing when each month began (the
    increasing-returns curve plots one against the other). Grouped by day in the database
    (a few hundred rows), then by month here. Each count has the sum of its ties' record
    keys, modulo 256, beside it ("<count>_keys") for the cell-key method."""
    ties = Tie.objects.filter(place=place, started_on__lte=as_of).order_by()
    started, ended = Counter(), Counter()
    started_keys, ended_keys = Counter(), Counter()
    for day, n, keys in (
        ties.values_list("started_on")
        .annotate(n=Count("pk"), keys=_TIE_KEYS)
        .values_list("started_on", "n", "keys")
    ):
        month = _as_date(day).replace(day=1)
        started[month] += n
        started_keys[month] += keys or 0
    for day, n, keys in (
        ties.filter(ended_on__isnull=False, ended_on__lte=as_of)
        .values_list("ended_on")
        .annotate(n=Count("pk"), keys=_TIE_KEYS)
        .values_list("ended_on", "n", "keys")
    ):
        month = _as_date(day).replace(day=1)
        ended[month] += n
        ended_keys[month] += keys or 0
    series, existing, existing_keys = [], 0, 0
    for month in sorted(set(started) | set(ended)):
        new = started[month]
        series.append(
            {
                "month": month.isoformat()[:7],
                "existing": existing,
                "new": new,
                "ended": ended[month],
                "rate": (new / existing) if existing else None,
                "existing_keys": existing_keys % KEY_RANGE,
                "new_keys": started_keys[month] % KEY_RANGE,
                "ended_keys": ended_keys[month] % KEY_RANGE,
            }
        )
        existing += new - ended[month]
        existing_keys += started_keys[month] - ended_keys[month]
    return series


def increasing_returns(series) -> float | None:
    """Elasticity of new ties to existing ties (slope of log new on log existing).
    Above 1: each tie brings more new ties than the last — increasing returns."""
    points = [(p["existing"], p["new"]) for p in series if p["existing"] > 0 and p["new"] > 0]
    if len(points) < 3:
        return None
    x = np.log([p[0] for p in points])
    y = np.log([p[1] for p in points])
    if np.ptp(x) == 0:
        return None
    return float(np.polyfit(x, y, 1)[0])


def snapshot_compute(
    place,
    *,
    as_of: date | None = None,
    job=None,
    progress=None,
    exact_limit=EXACT_LIMIT,
    pivots=None,
) -> NetworkSnapshot:
    """Analyse the network on `as_of` (today by default) and store a finished snapshot.

    Side effects: a NetworkSnapshot and its metric columns (metrics.py), with each node's
    place in the picture (layout.py: the "x" and "y" columns, the box in the summary) and
    its record key (the "record_key" column, for published counts of the nodes a viewer
    may see); beside each count in the summary, the sum of the record keys of what it
    counts, modulo 256 ("<count>_keys", analysis.key_sums), for the cell-key method;
    older snapshots of the place beyond the last KEEP_SNAPSHOTS are deleted.
    """
    as_of = as_of or timezone.localdate()
    began = time.perf_counter()
    snapshot = NetworkSnapshot.objects.create(place=place, as_of=as_of, job=job)
    say = (lambda text: progress.set_message(text)) if progress is not None else (lambda t: None)
    try:
        say("Loading the network")
        node_ids, graph = load_graph(place, as_of)
        keys = node_keys(place, node_ids)
        say(f"Analysing {graph.n:,} nodes and {graph.src.size:,} ties")
        result = analyse(graph, keys=keys, exact_limit=exact_limit, pivots=pivots, progress=say)
        say("Laying out the picture")
        placed = layout.compute(graph.n, graph.src, graph.dst, result.metrics["degree"])
        say("Storing the results")
        metrics.store(
            snapshot,
            node_ids,
            result.metrics,
            {"x": placed.x, "y": placed.y},
            record_keys=keys,
        )
    except Exception:
        # pages go on showing the last finished snapshot; this one says it failed
        NetworkSnapshot.objects.filter(pk=snapshot.pk).update(status=SnapshotStatus.FAILED)
        raise
    series = growth(place, as_of)
    communities = Counter(result.membership)
    summary = dict(result.summary)
    by_community = summary.pop("community_keys")
    largest = communities.most_common(50)
    summary.update(
        growth=series,
        increasing_returns=increasing_returns(series),
        community_sizes=[[int(c), int(s)] for c, s in largest],
        # the record keys of each community's nodes, in the order of community_sizes
        community_sizes_keys=[int(by_community[c]) for c, _s in largest],
        bridging=[[int(node_ids[u]), int(node_ids[v]), w] for u, v, w in result.bridging],
        layout=placed.box,
        # the record keys of the nodes the picture leaves out (layout.py: not placed)
        not_placed_keys=int(keys[np.isnan(placed.x)].sum() % KEY_RANGE),
    )
    NetworkSnapshot.objects.filter(pk=snapshot.pk).update(
        status=SnapshotStatus.DONE,
        summary=summary,
        seconds=time.perf_counter() - began,
        finished_at=timezone.now(),
    )
    snapshot.refresh_from_db()
    old = NetworkSnapshot.objects.filter(place=place, status=SnapshotStatus.DONE).values_list(
        "pk", flat=True
    )[KEEP_SNAPSHOTS:]
    NetworkSnapshot.objects.filter(Q(pk__in=list(old))).delete()
    return snapshot
