"""Reads of the network, always for a viewer.

Privacy (SAFETY 21, issue 5): residents appear only as pseudonymous nodes ("Resident
R-…", a keyed hash of their id) — their names are never read here, so no picture, table,
export or API answer carries them. People a resident knows appear as "Person R-…".
Organisations, groups, services and professional contacts are labelled. Anyone without
a role in the place sees nothing (404).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from . import metrics as stored
from .enums import NodeKind, Sector, SnapshotStatus, TieType
from .models import NetworkSnapshot, Node, Tie

SIZE_METRICS = {
    "degree": "Number of ties",
    "strength": "Strength of ties",
    "betweenness": "Betweenness (bridging)",
    "closeness": "Closeness",
    "eigenvector": "Eigenvector (well connected to the well connected)",
    "pagerank": "PageRank",
    "reach2": "Two-step reach",
    "core": "Core number",
}
VIEW_LIMIT = 5000
TABLE_LIMIT = 200


def can_see_network(viewer) -> bool:
    return bool(viewer)


def require_network(viewer):
    if not can_see_network(viewer):
        raise Http404


def display_label(kind, label, pseudonym) -> str:
    if kind == NodeKind.RESIDENT:
        return f"Resident {pseudonym}"
    if not label and pseudonym:
        # a private person a resident knows, or a group only a resident named
        return f"{'Person' if kind == NodeKind.PERSON else 'Group'} {pseudonym}"
    return label or "Unnamed"


def _figure(x) -> str:
    """Two significant figures, written out (0.041, 0.0049), never as 4.9e-03."""
    return np.format_float_positional(
        float(x), precision=2, unique=False, fractional=False, trim="-"
    )


def betweenness_statement(summary) -> str | None:
    """How sure the analysis is of betweenness, in words (pages and API), or None when it
    was worked out exactly."""
    if not summary or not summary.get("sampled"):
        return None
    error, top = summary.get("betweenness_error") or 0.0, summary.get("betweenness_top") or 0.0
    words = (
        f"Betweenness is estimated from {summary['pivots']:,} starting points"
        + (f" of {summary['sampled_nodes']:,}" if summary.get("sampled_nodes") else "")
        + f"; each value is within ±{_figure(error)} of the exact value with "
        f"{round(100 * (summary.get('confidence') or 0.95))}% confidence (for all nodes at "
        f"once; a node's own margin, often smaller, is in the node downloads). "
        f"The highest value is {_figure(top)}."
    )
    if error * 2 > top:
        words += (
            " At this size the margin is large next to the values: use betweenness to pick "
            "out the nodes that stand out, not to rank the others."
        )
    return words


def latest_snapshot(viewer):
    require_network(viewer)
    return (
        NetworkSnapshot.objects.filter(place=viewer.place, status=SnapshotStatus.DONE)
        .order_by("-finished_at", "-pk")
        .first()
    )


def node_get(viewer, public_id) -> Node:
    require_network(viewer)
    node = Node.objects.filter(place=viewer.place, public_id=public_id).first()
    if node is None:
        raise Http404
    return node


@dataclass
class Filters:
    as_of: datetime.date = field(default_factory=timezone.localdate)
    tie_types: tuple = ()
    sectors: tuple = ()
    kinds: tuple = ()
    neighbourhood: str = ""
    size_by: str = "degree"
    limit: int = VIEW_LIMIT


_NODE_FIELDS = ("pk", "public_id", "kind", "label", "pseudonym", "sector", "neighbourhood")


def _metrics_for(snapshot, node_ids=None, fields=("degree",)):
    """{node id: (value of each field)} from the snapshot, for these nodes (or all)."""
    columns = stored.read(snapshot, fields)
    if not columns:
        return {}
    if node_ids is None:
        keys = columns["node"].tolist()
        values = [columns[f].tolist() for f in fields]
        return dict(zip(keys, zip(*values, strict=True), strict=True))
    return {
        pk: tuple(columns[f][i].item() for f in fields)
        for pk, i in stored.positions(columns, node_ids).items()
    }


def _active_tie_rows(place, day, tie_types=()):
    """(source id, target id, type, strength, directed, public id) of the ties active on
    `day`, straight from the cursor: at 20,000 ties the ORM's row handling (and the
    models' default ORDER BY) cost more than the query. The dates are tested in the
    SELECT rather than the WHERE, so the database walks the place's ties in table order
    instead of following the date index to each row (as compute.load_graph)."""
    table = connection.ops.quote_name(Tie._meta.db_table)
    sql = (
        "SELECT source_node_id, target_node_id, tie_type, strength, directed, public_id, "  # noqa: S608
        "started_on <= %s AND (ended_on IS NULL OR ended_on > %s) "
        f"FROM {table} WHERE place_id = %s"
    )
    params = [day, day, place.pk]
    if tie_types:
        sql += f" AND tie_type IN ({', '.join(['%s'] * len(tie_types))})"
        params += list(tie_types)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [(a, b, t, w, bool(d), pid) for a, b, t, w, d, pid, on in cursor.fetchall() if on]


def network_data(viewer, filters: Filters | None = None) -> dict:
    """Nodes and ties active on `filters.as_of`, labelled for the viewer, with the latest
    snapshot's community and the chosen size metric. At most `filters.limit` nodes (the
    largest by the size metric), and the ties among them."""
    require_network(viewer)
    f = filters or Filters()
    size_by = f.size_by if f.size_by in SIZE_METRICS else "degree"
    snapshot = latest_snapshot(viewer)
    nodes = Node.objects.filter(place=viewer.place).order_by()  # no ORDER BY: not needed
    if f.kinds:
        nodes = nodes.filter(kind__in=f.kinds)
    if f.sectors:
        nodes = nodes.filter(Q(sector__in=f.sectors) | ~Q(kind=NodeKind.ORGANISATION))
    if f.neighbourhood:
        nodes = nodes.filter(neighbourhood=f.neighbourhood)
    node_rows = {row[0]: row for row in nodes.values_list(*_NODE_FIELDS)}
    tie_rows = [
        t
        for t in _active_tie_rows(viewer.place, f.as_of, f.tie_types)
        if t[0] in node_rows and t[1] in node_rows
    ]
    if f.tie_types or f.sectors or f.kinds:
        # keep only nodes that still have a tie, or that the filter names itself
        touched = {t[0] for t in tie_rows} | {t[1] for t in tie_rows}
        if f.tie_types:
            node_rows = {k: v for k, v in node_rows.items() if k in touched}
    metrics = _metrics_for(snapshot, fields=(size_by, "community", "betweenness"))
    ranked = sorted(node_rows, key=lambda pk: (-(metrics.get(pk, (0,))[0] or 0), pk))[
        : max(1, min(f.limit, VIEW_LIMIT))
    ]
    keep = set(ranked)
    out_nodes = []
    for pk in ranked:
        _, public_id, kind, label, pseudonym, sector, hood = node_rows[pk]
        size, community, betweenness = metrics.get(pk, (0, -1, 0))
        out_nodes.append(
            {
                "id": public_id,
                "label": display_label(kind, label, pseudonym),
                "kind": kind,
                "sector": sector,
                "neighbourhood": hood,
                "community": community,
                "size": size or 0,
                "betweenness": betweenness or 0,
            }
        )
    public = {pk: node_rows[pk][1] for pk in keep}
    out_edges = [
        {
            "id": t[5],
            "source": public[t[0]],
            "target": public[t[1]],
            "type": t[2],
            "strength": t[3],
            "directed": t[4],
        }
        for t in tie_rows
        if t[0] in keep and t[1] in keep
    ]
    return {
        "as_of": f.as_of.isoformat(),
        "size_by": size_by,
        "metrics_as_of": snapshot.as_of.isoformat() if snapshot else None,
        "truncated": len(node_rows) > len(out_nodes),
        "nodes": out_nodes,
        "edges": out_edges,
    }


@dataclass
class NodeRow:
    node: Node
    label: str
    metric: stored.MetricRow | None = None
    ties: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    score: float = 0.0


def node_table(viewer, *, order_by="degree", limit=TABLE_LIMIT, snapshot=None):
    """The accessible table: nodes with their metrics from the latest snapshot."""
    snapshot = snapshot or latest_snapshot(viewer)
    if snapshot is None:
        return []
    key = order_by if order_by in SIZE_METRICS else "degree"
    columns = stored.read(snapshot, stored.METRIC_FIELDS)
    rows = [stored.row_at(columns, i) for i in stored.ranked(columns, key, limit=limit)]
    nodes = Node.objects.filter(place=snapshot.place_id).in_bulk([m.node_id for m in rows])
    return [
        NodeRow(node=n, label=display_label(n.kind, n.label, n.pseudonym), metric=m)
        for m in rows
        if (n := nodes.get(m.node_id)) is not None
    ]


def _neighbours(place, node_ids, as_of):
    """node id -> {neighbour id: [tie types]} over ties active on as_of."""
    out = defaultdict(lambda: defaultdict(list))
    ties = (
        Tie.objects.filter(place=place)
        .active_on(as_of)
        .filter(Q(source_node_id__in=node_ids) | Q(target_node_id__in=node_ids))
        .values_list("source_node_id", "target_node_id", "tie_type")
    )
    for a, b, tie_type in ties:
        if a in node_ids:
            out[a][b].append(tie_type)
        if b in node_ids:
            out[b][a].append(tie_type)
    return out


def ego_network(viewer, node, *, as_of=None):
    """The node, its ties on `as_of` and its neighbours (with their metrics)."""
    require_network(viewer)
    as_of = as_of or timezone.localdate()
    snapshot = latest_snapshot(viewer)
    ties = list(
        Tie.objects.filter(place=viewer.place)
        .active_on(as_of)
        .filter(Q(source_node=node) | Q(target_node=node))
        .select_related("source_node", "target_node")
        .order_by("started_on", "pk")
    )
    metric = stored.rows_for(snapshot, [node.pk]).get(node.pk)
    rows = []
    for tie in ties:
        other = tie.target_node if tie.source_node_id == node.pk else tie.source_node
        direction = ""
        if tie.directed:
            direction = "to" if tie.source_node_id == node.pk else "from"
        rows.append(
            {
                "tie": tie,
                "other": other,
                "label": display_label(other.kind, other.label, other.pseudonym),
                "direction": direction,
            }
        )
    return {
        "node": node,
        "label": display_label(node.kind, node.label, node.pseudonym),
        "metric": metric,
        "ties": rows,
        "as_of": as_of,
        "snapshot": snapshot,
    }


def ego_data(viewer, node, *, as_of=None) -> dict:
    """JSON for the ego picture: the node, its neighbours, and ties among them."""
    ego = ego_network(viewer, node, as_of=as_of)
    ids = {node.pk} | {row["other"].pk for row in ego["ties"]}
    rows = Node.objects.filter(pk__in=ids).values_list(*_NODE_FIELDS)
    metrics = _metrics_for(ego["snapshot"], ids, fields=("degree", "community", "betweenness"))
    public = {}
    nodes = []
    for pk, public_id, kind, label, pseudonym, sector, hood in rows:
        public[pk] = public_id
        size, community, betweenness = metrics.get(pk, (0, -1, 0))
        nodes.append(
            {
                "id": public_id,
                "label": display_label(kind, label, pseudonym),
                "kind": kind,
                "sector": sector,
                "neighbourhood": hood,
                "community": community,
                "size": size or 0,
                "betweenness": betweenness or 0,
                "ego": pk == node.pk,
            }
        )
    ties = (
        Tie.objects.filter(place=viewer.place, source_node_id__in=ids, target_node_id__in=ids)
        .active_on(ego["as_of"])
        .values_list(
            "public_id", "source_node_id", "target_node_id", "tie_type", "strength", "directed"
        )
    )
    edges = [
        {
            "id": t[0],
            "source": public[t[1]],
            "target": public[t[2]],
            "type": t[3],
            "strength": t[4],
            "directed": t[5],
        }
        for t in ties
    ]
    return {"as_of": ego["as_of"].isoformat(), "size_by": "degree", "nodes": nodes, "edges": edges}


# --- sector map and who you need to know ----------------------------------------------------

SUGGESTABLE = (NodeKind.ORGANISATION, NodeKind.GROUP, NodeKind.SERVICE, NodeKind.VENUE)


def sector_map(viewer, node, *, as_of=None, limit=10):
    """For one organisation: who it knows in each sector of the place, the sectors where it
    knows nobody, and ranked suggestions of who it needs to know, each with its reasons."""
    require_network(viewer)
    as_of = as_of or timezone.localdate()
    snapshot = latest_snapshot(viewer)
    place = viewer.place
    first = _neighbours(place, {node.pk}, as_of)[node.pk]
    known = set(first)
    second = _neighbours(place, known, as_of) if known else {}
    nodes = {
        n.pk: n
        for n in Node.objects.filter(place=place).filter(Q(pk__in=known) | Q(kind__in=SUGGESTABLE))
    }
    sectors = []
    for value, label in Sector.choices:
        members = [
            nodes[pk]
            for pk in sorted(known)
            if pk in nodes and nodes[pk].sector == value and nodes[pk].kind in SUGGESTABLE
        ]
        sectors.append({"value": value, "label": label, "known": members, "gap": not members})
    gaps = {s["value"] for s in sectors if s["gap"]}
    columns = stored.read(
        snapshot, ("betweenness", "community", "communities_reached", "holds_together")
    )
    suggestable = [pk for pk, n in nodes.items() if n.kind in SUGGESTABLE]
    metrics = {
        pk: stored.row_at(columns, i) for pk, i in stored.positions(columns, suggestable).items()
    }
    own_metric = metrics.get(node.pk)
    reached = set()
    if columns:
        at = stored.positions(columns, known | {node.pk})
        reached = {int(columns["community"][i]) for i in at.values()}
    ranked_betweenness = sorted((m.betweenness for m in metrics.values()), reverse=True)
    top_cut = (
        ranked_betweenness[max(0, len(ranked_betweenness) // 10 - 1)] if ranked_betweenness else 0
    )
    common = defaultdict(list)
    for via, others in second.items():
        for other in others:
            if other != node.pk and other not in known:
                common[other].append(via)
    rows = []
    for pk, candidate in nodes.items():
        if pk == node.pk or pk in known or candidate.kind not in SUGGESTABLE:
            continue
        reasons, score = [], 0.0
        mutual = [nodes[v] for v in common.get(pk, []) if v in nodes]
        if len(mutual) >= 1:
            names = ", ".join(n.label for n in mutual[:3])
            count = len(common[pk])
            reasons.append(
                f"{count} partner{'s' if count != 1 else ''} in common ({names})"
                if names
                else f"{count} partners in common"
            )
            score += 2.0 * count
        if candidate.sector in gaps and candidate.sector:
            reasons.append(f"you know nobody in {Sector(candidate.sector).label.lower()} yet")
            score += 3.0
        m = metrics.get(pk)
        if m is not None and m.community not in reached and m.community >= 0:
            if m.communities_reached > 1 or m.holds_together:
                reasons.append("a bridge into a part of the network you do not reach")
                score += 3.0
            else:
                reasons.append("in a part of the network you do not reach yet")
                score += 1.0
        if m is not None and m.betweenness > 0 and m.betweenness >= top_cut:
            reasons.append("one of the best-connected brokers in the place")
            score += 1.5
        if m is not None and m.holds_together:
            reasons.append("holds part of the network together")
            score += 1.0
        if reasons:
            rows.append(
                NodeRow(
                    node=candidate, label=candidate.label, metric=m, reasons=reasons, score=score
                )
            )
    rows.sort(key=lambda r: (-r.score, -(r.metric.betweenness if r.metric else 0), r.label))
    return {
        "node": node,
        "label": display_label(node.kind, node.label, node.pseudonym),
        "sectors": sectors,
        "gaps": [s for s in sectors if s["gap"]],
        "suggestions": rows[:limit],
        "metric": own_metric,
        "snapshot": snapshot,
        "as_of": as_of,
    }


def change_makers(viewer, *, limit=25):
    """Who bridges communities or holds the network together, with the reasons."""
    snapshot = latest_snapshot(viewer)
    if snapshot is None:
        return []
    columns = stored.read(snapshot, stored.METRIC_FIELDS)
    if not columns:
        return []
    bridges = (columns["communities_reached"] > 1) | columns["holds_together"]
    picked = [
        stored.row_at(columns, i)
        for i in stored.ranked(columns, "betweenness", limit=limit * 2, mask=bridges)
    ]
    nodes = Node.objects.filter(place=viewer.place).in_bulk([m.node_id for m in picked])
    total = snapshot.summary.get("nodes") or 1
    rows = []
    for rank, m in enumerate(picked, start=1):
        node = nodes.get(m.node_id)
        if node is None:
            continue
        reasons = []
        if m.communities_reached > 1:
            reasons.append(f"links {m.communities_reached} communities")
        if m.holds_together:
            reasons.append("the network splits into pieces without them")
        if m.betweenness > 0:
            share = rank / total
            if share <= 0.05:
                reasons.append("in the top 5% for bridging (betweenness)")
        if m.constraint is not None and m.constraint < 0.3 and m.degree >= 3:
            reasons.append("spans otherwise unconnected contacts (low constraint)")
        rows.append(
            NodeRow(
                node=node,
                label=display_label(node.kind, node.label, node.pseudonym),
                metric=m,
                reasons=reasons,
            )
        )
    return rows[:limit]


TIE_TYPE_LABELS = dict(TieType.choices)
