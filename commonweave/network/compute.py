"""Recompute: load the place's network as it stood on a date, analyse it, store the result.

Pages read the last finished NetworkSnapshot, so they keep serving while a new one runs
(as a background job: see jobs.py). A snapshot stores numbers and node ids only.
"""

import datetime
import itertools
import time
from collections import Counter
from datetime import date

import numpy as np
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from .analysis import EXACT_LIMIT, PIVOTS, GraphInput, analyse
from .enums import SnapshotStatus
from .models import NetworkSnapshot, Node, NodeMetric, Tie

KEEP_SNAPSHOTS = 3
METRIC_FIELDS = [
    "degree",
    "in_degree",
    "out_degree",
    "strength",
    "closeness",
    "betweenness",
    "eigenvector",
    "pagerank",
    "reach2",
    "clustering",
    "core",
    "constraint",
    "community",
    "component",
    "communities_reached",
    "holds_together",
]
_INTS = {"degree", "in_degree", "out_degree", "reach2", "core", "community", "component"}


def _fetch(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def load_graph(place, as_of: date):
    """(node ids, GraphInput) for ties active on `as_of`.

    Nodes: everyone with a tie begun by then (a node whose ties have all ended is an
    isolate), and every node that existed by then (one with no tie yet is an isolate).
    """
    table = Tie._meta.db_table
    rows = _fetch(
        f"SELECT source_node_id, target_node_id, strength, directed FROM {table} "  # noqa: S608
        "WHERE place_id = %s AND started_on <= %s AND (ended_on IS NULL OR ended_on > %s)",
        [place.pk, as_of, as_of],
    )
    ended = _fetch(
        f"SELECT source_node_id, target_node_id FROM {table} "  # noqa: S608
        "WHERE place_id = %s AND started_on <= %s AND ended_on <= %s",
        [place.pk, as_of, as_of],
    )
    # created by the end of as_of (a datetime bound: no per-row date cast in SQLite)
    end_of_day = timezone.make_aware(
        datetime.datetime.combine(as_of + datetime.timedelta(days=1), datetime.time())
    )
    existing = Node.objects.filter(place=place, created_at__lt=end_of_day).values_list(
        "pk", flat=True
    )
    arr = np.array(rows, dtype=float).reshape(-1, 4)
    src_ids, dst_ids = arr[:, 0].astype(np.int64), arr[:, 1].astype(np.int64)
    node_ids = np.unique(
        np.concatenate(
            [
                src_ids,
                dst_ids,
                np.array(ended, dtype=np.int64).reshape(-1),
                np.fromiter(existing.iterator(chunk_size=10_000), dtype=np.int64),
            ]
        )
    )
    graph = GraphInput(
        n=int(node_ids.size),
        src=np.searchsorted(node_ids, src_ids),
        dst=np.searchsorted(node_ids, dst_ids),
        weight=arr[:, 2].copy(),
        directed=arr[:, 3].astype(bool),
    )
    return node_ids, graph


def _as_date(value):
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def growth(place, as_of: date) -> list[dict]:
    """New ties per month, and the ties existing when each month began (the
    increasing-returns curve plots one against the other). Grouped by day in the database
    (a few hundred rows), then by month here."""
    ties = Tie.objects.filter(place=place, started_on__lte=as_of).order_by()
    started, ended = Counter(), Counter()
    for day, n in (
        ties.values_list("started_on").annotate(n=Count("pk")).values_list("started_on", "n")
    ):
        started[_as_date(day).replace(day=1)] += n
    for day, n in (
        ties.filter(ended_on__isnull=False, ended_on__lte=as_of)
        .values_list("ended_on")
        .annotate(n=Count("pk"))
        .values_list("ended_on", "n")
    ):
        ended[_as_date(day).replace(day=1)] += n
    series, existing = [], 0
    for month in sorted(set(started) | set(ended)):
        new = started[month]
        series.append(
            {
                "month": month.isoformat()[:7],
                "existing": existing,
                "new": new,
                "ended": ended[month],
                "rate": (new / existing) if existing else None,
            }
        )
        existing += new - ended[month]
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
    pivots=PIVOTS,
) -> NetworkSnapshot:
    """Analyse the network on `as_of` (today by default) and store a finished snapshot.

    Side effects: a NetworkSnapshot and one NodeMetric per node (bulk); older snapshots of
    the place beyond the last KEEP_SNAPSHOTS are deleted.
    """
    as_of = as_of or timezone.localdate()
    began = time.perf_counter()
    snapshot = NetworkSnapshot.objects.create(place=place, as_of=as_of, job=job)
    say = (lambda text: progress.set_message(text)) if progress is not None else (lambda t: None)
    say("Loading the network")
    node_ids, graph = load_graph(place, as_of)
    say(f"Analysing {graph.n:,} nodes and {graph.src.size:,} ties")
    result = analyse(graph, exact_limit=exact_limit, pivots=pivots, progress=say)
    say("Storing the results")
    store_metrics(snapshot, node_ids, result.metrics)
    series = growth(place, as_of)
    communities = Counter(result.membership)
    summary = dict(result.summary)
    summary.update(
        growth=series,
        increasing_returns=increasing_returns(series),
        community_sizes=[[int(c), int(s)] for c, s in communities.most_common(50)],
        bridging=[[int(node_ids[u]), int(node_ids[v]), w] for u, v, w in result.bridging],
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


def store_metrics(snapshot, node_ids, metrics, batch_size=5000):
    """Insert one NodeMetric row per node, in batches through the cursor (a model
    instance per row costs more than the analysis at 200,000 nodes)."""
    columns = []
    for name in METRIC_FIELDS:
        values = metrics[name]
        if name == "constraint":
            columns.append([None if np.isnan(v) else float(v) for v in values])
        elif name == "holds_together":
            columns.append([bool(v) for v in values])
        elif name in _INTS or name == "communities_reached":
            columns.append(np.asarray(values, dtype=np.int64).tolist())
        else:
            columns.append(np.asarray(values, dtype=float).tolist())
    quote = connection.ops.quote_name
    table = quote(NodeMetric._meta.db_table)
    names = [quote(n) for n in ("snapshot_id", "node_id", *METRIC_FIELDS)]
    sql = (
        f"INSERT INTO {table} ({', '.join(names)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(names))})"
    )
    rows = zip(itertools.repeat(snapshot.pk), node_ids.tolist(), *columns, strict=False)
    with transaction.atomic(), connection.cursor() as cursor:
        while batch := list(itertools.islice(rows, batch_size)):
            cursor.executemany(sql, batch)
