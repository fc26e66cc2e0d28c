"""Reads of the network, always for a viewer.

Privacy: residents appear only as pseudonymous nodes ("Resident R-…", a keyed hash of
their id) — their names are never read here, so no picture, table, export or API answer
carries them. People a resident knows appear as "Person R-…". Organisations, groups,
services and professional contacts are labelled. Anyone without a role in the place sees
nothing (404).

Which groups and services one pseudonymous resident is tied to is still about that
person, so only the roles that run the network analysis (analyst, coordinator, place
admin) see residents and the people they know as nodes. For everyone else (catalysts,
partner workers, their tokens) the network is the partnership's: organisations, groups,
services and places, with residents' ties only as published counts; a resident's node
is a 404, like a node that does not exist.

Every node and tie is rendered through the field policy (network/visibility.py) at the
level of whom it is about: one record with `shown_node` / `shown_tie`, rows read in bulk
with `node_cells`. The labels come from the fields that level shows, never past them.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from commonweave.core.visibility import Level, Shown, shown
from commonweave.insights.disclosure import Cell, publish_count, publish_table
from commonweave.tenancy.enums import Role

from . import metrics as stored
from . import picture
from .enums import NodeKind, Sector, SnapshotStatus, TieType
from .models import NetworkSnapshot, Node, Tie
from .visibility import node_fields, node_level, tie_level

TIE_TYPE_LABELS = dict(TieType.choices)
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
TABLE_PAGE_SIZE = 50  # rows of the network page's table; the CSV has every node


# The roles that run the analysis (as jobs.RECOMPUTERS): they see individual
# pseudonymous residents and their ties.
ANALYSIS_ROLES = (Role.ANALYST, Role.COORDINATOR, Role.PLACE_ADMIN)


def personal_q(prefix="") -> Q:
    """Nodes about one resident: the resident, and the people (and groups) only they
    named, which are keyed under them with a pseudonym. Professional contacts recorded by
    name are not."""
    return Q(**{f"{prefix}kind": NodeKind.RESIDENT}) | ~Q(**{f"{prefix}pseudonym": ""})


def is_personal(node) -> bool:
    return node.kind == NodeKind.RESIDENT or bool(node.pseudonym)


def can_see_network(viewer) -> bool:
    return bool(viewer)


def can_see_personal_nodes(viewer) -> bool:
    """Whether the viewer sees residents (and people they know) as nodes with their ties;
    otherwise they are left out, and counted only in published totals."""
    return bool(viewer) and viewer.has_role(*ANALYSIS_ROLES)


def visible_nodes(viewer):
    """The place's nodes this viewer may see one by one."""
    nodes = Node.objects.filter(place=viewer.place)
    if not can_see_personal_nodes(viewer):
        nodes = nodes.exclude(personal_q())
    return nodes


def _hidden_mask(viewer, columns):
    """For metric columns: True where the node is one the viewer may not see (None when
    they may see them all)."""
    if not columns or can_see_personal_nodes(viewer):
        return None
    personal = (
        Node.objects.filter(place=viewer.place).filter(personal_q()).values_list("pk", flat=True)
    )
    return np.isin(columns["node"], np.fromiter(personal, dtype=np.int64))


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


def shown_node(node) -> Shown:
    """One node through the field policy, at the level of whom it is about."""
    return shown(node, node_level(node.kind, node.pseudonym))


def shown_tie(tie) -> Shown:
    """One tie (its nodes loaded) at the weaker level of the two nodes it joins."""
    ends = (tie.source_node, tie.target_node)
    return shown(tie, tie_level(*(node_level(n.kind, n.pseudonym) for n in ends)))


def shown_label(node: Shown) -> str:
    """The name a shown node goes by, from the fields its level shows."""
    return display_label(node.kind, node.value("label") or "", node.value("pseudonym") or "")


def node_cells(public_id, kind, label, pseudonym, sector, neighbourhood) -> dict:
    """A node read as a row (values_list) with the fields its level shows, each other field
    None: its id, label, kind, sector and neighbourhood. The same rule as `shown_node`,
    without a model instance (the picture and exports read thousands)."""
    sees = node_fields(kind, pseudonym)
    label = label if "label" in sees else ""
    pseudonym = pseudonym if "pseudonym" in sees else ""
    return {
        "id": public_id if "public_id" in sees else None,
        "label": display_label(kind, label, pseudonym),
        "kind": kind if "kind" in sees else None,
        "sector": sector if "sector" in sees else None,
        "neighbourhood": neighbourhood if "neighbourhood" in sees else None,
    }


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
    node = visible_nodes(viewer).filter(public_id=public_id).first()
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
    nodes = visible_nodes(viewer).order_by()  # no ORDER BY: not needed
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
    metrics = _metrics_for(
        snapshot, fields=(size_by, "community", "betweenness", "degree", "x", "y")
    )
    ranked = sorted(node_rows, key=lambda pk: (-(metrics.get(pk, (0,))[0] or 0), pk))[
        : max(1, min(f.limit, VIEW_LIMIT))
    ]
    keep = set(ranked)
    legend = community_legend(viewer, snapshot)
    groups = {g["community"]: g["key"] for g in legend["groups"]}
    out_nodes = []
    for pk in ranked:
        size, community, betweenness, degree, x, y = metrics.get(pk, (0, -1, 0, 0, None, None))
        placed = x is not None and y is not None and not (np.isnan(x) or np.isnan(y))
        out_nodes.append(
            {
                **node_cells(*node_rows[pk][1:]),
                "community": community,
                # its place in the legend (1 = the largest community), None: "Other"
                "group": groups.get(community),
                "size": size or 0,
                "betweenness": betweenness or 0,
                "degree": int(degree or 0),
                "x": round(x, 1) if placed else None,
                "y": round(y, 1) if placed else None,
            }
        )
    named = picture.most_central(out_nodes)
    for node in out_nodes:
        node["labelled"] = node["id"] in named
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
        # the stored layout's box (layout.py); None: analysed before pictures were laid out
        "box": drawing_box(snapshot.summary.get("layout") if snapshot else None),
        "legend": legend,
        "nodes": out_nodes,
        "edges": out_edges,
    }


def community_legend(viewer, snapshot) -> dict:
    """The picture's legend (picture.legend_from) over the nodes this viewer may see in
    the snapshot: the largest communities with their sizes, and "Other"."""
    columns = stored.read(snapshot, ("community",))
    if not columns:
        return picture.legend_from(np.zeros(0, dtype=np.int64))
    hidden = _hidden_mask(viewer, columns)
    return picture.legend_from(columns["community"], None if hidden is None else ~hidden)


@dataclass
class NodeRow:
    node: Shown  # the node through the field policy (shown_node)
    label: str
    metric: stored.MetricRow | None = None
    ties: list = field(default_factory=list)
    reasons: list = field(default_factory=list)
    score: float = 0.0
    group: str = ""  # the community's name in the picture's legend ("Other" if none)


def node_table(viewer, *, order_by="degree", limit=TABLE_LIMIT, snapshot=None, legend=None):
    """The accessible table: nodes with their metrics from the latest snapshot, each with
    its community named as in the picture's legend (`legend`: community_legend)."""
    snapshot = snapshot or latest_snapshot(viewer)
    if snapshot is None:
        return []
    key = order_by if order_by in SIZE_METRICS else "degree"
    columns = stored.read(snapshot, stored.METRIC_FIELDS)
    hidden = _hidden_mask(viewer, columns)
    mask = None if hidden is None else ~hidden
    return _table_rows(
        viewer, snapshot, columns, stored.ranked(columns, key, limit=limit, mask=mask), legend
    )


def node_table_page(
    viewer, *, order_by="degree", page=None, per_page=None, snapshot=None, legend=None
):
    """One page of the accessible table (a Paginator page, most central first by
    `order_by`): every node the viewer may see is on some page, but only this page's rows
    are built. None before the first analysis."""
    snapshot = snapshot or latest_snapshot(viewer)
    if snapshot is None:
        return None
    key = order_by if order_by in SIZE_METRICS else "degree"
    columns = stored.read(snapshot, stored.METRIC_FIELDS)
    hidden = _hidden_mask(viewer, columns)
    mask = None if hidden is None else ~hidden
    ranked = stored.ranked(columns, key, limit=None, mask=mask)
    found = Paginator(ranked, per_page or TABLE_PAGE_SIZE).get_page(page)
    found.object_list = _table_rows(viewer, snapshot, columns, list(found.object_list), legend)
    return found


def _table_rows(viewer, snapshot, columns, indexes, legend):
    rows = [stored.row_at(columns, i) for i in indexes]
    nodes = Node.objects.filter(place=snapshot.place_id).in_bulk([m.node_id for m in rows])
    names = picture.group_labels(legend or community_legend(viewer, snapshot))
    other = _("Other")
    return [
        NodeRow(
            node=(seen := shown_node(n)),
            label=shown_label(seen),
            metric=m,
            group=names.get(m.community, other),
        )
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
    personal_ok = can_see_personal_nodes(viewer)
    rows, personal = [], defaultdict(int)
    for tie in ties:
        other = tie.target_node if tie.source_node_id == node.pk else tie.source_node
        if not personal_ok and is_personal(other):
            personal[tie.tie_type] += 1
            continue
        direction = ""
        if tie.directed:
            direction = "to" if tie.source_node_id == node.pk else "from"
        seen = shown_node(other)
        rows.append(
            {
                "tie": shown_tie(tie),
                "other": seen,
                "label": shown_label(seen),
                "direction": direction,
            }
        )
    seen = shown_node(node)
    return {
        "node": seen,
        "label": shown_label(seen),
        "metric": metric,
        "ties": rows,
        # Ties with residents and people they know, for viewers who do not see them one
        # by one: published counts per kind of tie (None when there is nothing to count).
        "personal_ties": publish_table(
            dict(sorted(personal.items())),
            TIE_TYPE_LABELS,
            threshold=viewer.place.suppression_threshold,
        )
        if personal
        else None,
        "as_of": as_of,
        "snapshot": snapshot,
    }


def ego_data(viewer, node, *, as_of=None) -> dict:
    """JSON for the ego picture: the node, its neighbours, and ties among them."""
    ego = ego_network(viewer, node, as_of=as_of)
    # ego["ties"] holds only the neighbours this viewer may see
    ids = {node.pk} | {row["other"].pk for row in ego["ties"]}
    rows = Node.objects.filter(pk__in=ids).values_list(*_NODE_FIELDS)
    metrics = _metrics_for(ego["snapshot"], ids, fields=("degree", "community", "betweenness"))
    # the colours of the network page's legend, so a community looks the same on both
    legend = community_legend(viewer, ego["snapshot"])
    groups = {g["community"]: g for g in legend["groups"]}
    public = {}
    nodes = []
    for pk, *values in rows:
        public[pk] = values[0]
        size, community, betweenness = metrics.get(pk, (0, -1, 0))
        group = groups.get(community)
        nodes.append(
            {
                **node_cells(*values),
                "community": community,
                "group": group["key"] if group else None,
                "colour": (group or legend["other_mark"])["colour"],
                "size": size or 0,
                "degree": int(size or 0),
                "betweenness": betweenness or 0,
                "ego": pk == node.pk,
            }
        )
    # named in the picture: the node itself and its most central neighbours
    named = picture.most_central(nodes) | {node.public_id}
    for n in nodes:
        n["labelled"] = n["id"] in named
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
    return {
        "as_of": ego["as_of"].isoformat(),
        "size_by": "degree",
        "legend": legend,
        "nodes": nodes,
        "edges": edges,
    }


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
            shown_node(nodes[pk])
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
        if common.get(pk):
            count = len(common[pk])
            reasons.append(partners_in_common(count, [nodes[v] for v in common[pk] if v in nodes]))
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
            seen = shown_node(candidate)
            rows.append(
                NodeRow(node=seen, label=shown_label(seen), metric=m, reasons=reasons, score=score)
            )
    rows.sort(key=lambda r: (-r.score, -(r.metric.betweenness if r.metric else 0), r.label))
    seen = shown_node(node)
    return {
        "node": seen,
        "label": shown_label(seen),
        "sectors": sectors,
        "gaps": [s for s in sectors if s["gap"]],
        "suggestions": rows[:limit],
        "metric": own_metric,
        "snapshot": snapshot,
        "as_of": as_of,
    }


NAMED_PARTNERS = 3


def partners_in_common(count, partners) -> str:
    """ "2 partners in common: Faith Forum and Hill School", naming at most NAMED_PARTNERS
    of them, and only those whose level shows a name (organisations, groups and services;
    never a resident or a person they know); when none can be named, it says so."""
    names = sorted(
        label
        for n in partners
        if node_level(n.kind, n.pseudonym) == Level.FULL and (label := (n.label or "").strip())
    )
    head = ngettext("%(count)s partner in common", "%(count)s partners in common", count) % {
        "count": count
    }
    if not names:
        return _("%(head)s (none of them can be named here)") % {"head": head}
    shown_names = names[:NAMED_PARTNERS]
    rest = count - len(shown_names)
    if rest:
        others = ngettext("%(n)s other", "%(n)s others", rest) % {"n": rest}
        listed = _("%(names)s and %(others)s") % {"names": ", ".join(shown_names), "others": others}
    elif len(shown_names) == 1:
        listed = shown_names[0]
    else:
        listed = _("%(names)s and %(last)s") % {
            "names": ", ".join(shown_names[:-1]),
            "last": shown_names[-1],
        }
    return _("%(head)s: %(names)s") % {"head": head, "names": listed}


def change_makers(viewer, *, limit=25):
    """Who bridges communities or holds the network together, with the reasons."""
    snapshot = latest_snapshot(viewer)
    if snapshot is None:
        return []
    columns = stored.read(snapshot, stored.METRIC_FIELDS)
    if not columns:
        return []
    bridges = (columns["communities_reached"] > 1) | columns["holds_together"]
    hidden = _hidden_mask(viewer, columns)
    if hidden is not None:
        bridges &= ~hidden
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
        seen = shown_node(node)
        rows.append(NodeRow(node=seen, label=shown_label(seen), metric=m, reasons=reasons))
    return rows[:limit]


# --- published numbers ----------------------------------------------------------------------

# The whole-network counts that are published numbers (insights.disclosure) for a viewer
# who sees only published numbers: on the page, in its captions, in the API and in CSV.
SUMMARY_COUNTS = (
    "nodes",
    "ties",
    "edges",
    "isolates",
    "components",
    "largest_component",
    "bridging_ties",
    "cut_ties",
)
GROWTH_COUNTS = ("existing", "new", "ended")
# Beside each count, snapshots since record keys store "<count>_keys", the sum of the record
# keys of what it counts (analysis.key_sums, compute.growth): internal, never published.
KEYS_SUFFIX = "_keys"


def counts_published(viewer) -> bool:
    """Whether the viewer sees the network's counts (nodes, ties, isolates, community
    sizes, growth) as published numbers rather than exact. Every network viewer does: the
    counts take in nodes and ties about residents that most roles never see one by one,
    and the analysts' views are published views (docs/architecture.md, "Published numbers
    are for published views"). One rule, read by the page, its captions, the API and CSV."""
    return bool(viewer)


def published_number(viewer, n, keys=None):
    """(value, words) for a count as this viewer sees it: the published number (None when
    it is suppressed) and its words, or the exact count twice. With `keys`, the sum of the
    record keys of what it counts, the count is cell-key perturbed (Cell(n, keys)); without
    (a snapshot from before record keys, or a count of nothing keyed), it is only
    suppressed and rounded."""
    if not counts_published(viewer):
        return int(n), f"{int(n):,}"
    published = _publish(viewer.place, n, keys)
    return published.value, published.label


def _publish(place, n, keys):
    """The one way a network count is published: Cell(n, keys) when the key sum is known."""
    count = int(n) if keys is None else Cell(int(n), int(keys))
    return publish_count(count, threshold=place.suppression_threshold)


# What the picture needs of the stored layout's box: its size and where isolates begin. Not
# how many nodes were placed or left out, which are counts of every node, residents too.
DRAWING_BOX = ("width", "height", "isolates_top")


def drawing_box(box):
    return {k: box.get(k) for k in DRAWING_BOX} if box else box


def published_not_placed(viewer, snapshot) -> tuple[int, str]:
    """(a number to choose the plural by, the words) for the nodes left out of the picture,
    as this viewer sees counts; (0, "") when there are none."""
    summary = snapshot.summary if snapshot else {}
    n = (summary.get("layout") or {}).get("not_placed", 0)
    if not n:
        return 0, ""
    value, words = published_number(viewer, n, summary.get(f"not_placed{KEYS_SUFFIX}"))
    return (value if value is not None else viewer.place.suppression_threshold), words


def snapshot_count(place, summary, key):
    """One of a snapshot's whole-network counts, published for the place with no viewer at
    hand (the recompute job's report): as published_number gives every viewer, cell-keyed
    where the snapshot stores the key sum."""
    return _publish(place, summary[key], summary.get(f"{key}{KEYS_SUFFIX}"))


def _without_keys(row: dict) -> dict:
    return {k: v for k, v in row.items() if not k.endswith(KEYS_SUFFIX)}


def _public_ids(viewer, pks) -> dict:
    nodes = visible_nodes(viewer).filter(pk__in=set(pks)).values_list("pk", "public_id")
    return dict(nodes)


def published_summary(viewer, snapshot) -> dict | None:
    """The snapshot's whole-network measures as this viewer sees them, for the page, the
    API and CSV alike: each count (SUMMARY_COUNTS, growth, community sizes) as
    published_number says, cell-keyed with the key sum stored beside it where the snapshot
    has one, with its words under "<name>_published"; bridging ties by the nodes' public
    ids (only between nodes the viewer may see). The key sums themselves are left out."""
    if snapshot is None:
        return None
    stored_summary = snapshot.summary
    s = _without_keys(stored_summary)
    if counts_published(viewer) and s.get("layout"):
        s["layout"] = drawing_box(s["layout"])
    for key in SUMMARY_COUNTS:
        if s.get(key) is not None:
            s[key], s[f"{key}_published"] = published_number(
                viewer, s[key], stored_summary.get(f"{key}{KEYS_SUFFIX}")
            )
    growth = []
    for point in stored_summary.get("growth", []):
        row = _without_keys(point)
        for key in GROWTH_COUNTS:
            row[key], row[f"{key}_published"] = published_number(
                viewer, point[key], point.get(f"{key}{KEYS_SUFFIX}")
            )
        if counts_published(viewer):
            row["rate"] = None  # a ratio of exact counts would give them back
        growth.append(row)
    s["growth"] = growth
    pairs = s.get("bridging") or []
    ids = _public_ids(viewer, [pk for a, b, _w in pairs for pk in (a, b)])
    s["bridging"] = [
        {"source": ids[a], "target": ids[b], "strength": w}
        for a, b, w in pairs
        if a in ids and b in ids
    ]
    if counts_published(viewer) and "community_sizes" in s:
        sizes = s["community_sizes"]
        keys = stored_summary.get(f"community_sizes{KEYS_SUFFIX}")
        if not keys or len(keys) != len(sizes):
            keys = [None] * len(sizes)
        s["community_sizes"] = [
            [c, published_number(viewer, size, k)[0]]
            for (c, size), k in zip(sizes, keys, strict=True)
        ]
    return s


def _legend_keys(viewer, snapshot, legend) -> tuple[dict, int | None]:
    """({community: key sum}, Other's key sum) over the nodes the viewer may see, from the
    record keys stored with the snapshot; ({}, None) for a snapshot without them."""
    columns = stored.read(snapshot, ("community", stored.KEY_FIELD))
    if not columns or np.isnan(columns[stored.KEY_FIELD]).any():
        return {}, None
    community = columns["community"].astype(np.int64)
    keys = columns[stored.KEY_FIELD].astype(np.int64)
    hidden = _hidden_mask(viewer, columns)
    counted = community >= 0
    if hidden is not None:
        counted &= ~hidden
    by_community = {
        g["community"]: int(keys[counted & (community == g["community"])].sum())
        for g in legend["groups"]
    }
    other = int(keys[counted].sum()) - sum(by_community.values())
    return by_community, other


def visible_key_sum(viewer, snapshot) -> int | None:
    """The sum of the record keys of the snapshot's nodes this viewer may see (the node
    table's rows), for publishing their count; None for a snapshot without record keys."""
    columns = stored.read(snapshot, (stored.KEY_FIELD,))
    if not columns or np.isnan(columns[stored.KEY_FIELD]).any():
        return None
    keys = columns[stored.KEY_FIELD].astype(np.int64)
    hidden = _hidden_mask(viewer, columns)
    return int((keys if hidden is None else keys[~hidden]).sum())


def published_legend(viewer, legend, snapshot=None) -> dict:
    """The picture's legend with each community's size (and Other's) in words as this
    viewer sees counts (`size_words`, `other_words`): cell-keyed by the record keys stored
    with `snapshot` (the one the legend is of), only suppressed and rounded without it."""
    by_community, other_keys = _legend_keys(viewer, snapshot, legend) if snapshot else ({}, None)
    legend = dict(legend)
    legend["groups"] = [
        {
            **g,
            "size_words": published_number(viewer, g["size"], by_community.get(g["community"]))[1],
        }
        for g in legend["groups"]
    ]
    legend["other_words"] = published_number(viewer, legend.get("other") or 0, other_keys)[1]
    return legend


SUMMARY_MEASURES = ("density", "modularity", "communities", "diameter", "average_path_length")


def summary_rows(viewer, snapshot) -> list:
    """[measure, value] rows of the whole-network measures for CSV: counts in the words
    the page shows them ("fewer than 8", "1,235"), the other measures as numbers."""
    s = published_summary(viewer, snapshot)
    if not s:
        return []

    def cell(row, key):  # a number where one is published, else its words
        return row[key] if row[key] is not None else row[f"{key}_published"]

    rows = [[key, cell(s, key)] for key in SUMMARY_COUNTS if f"{key}_published" in s]
    rows += [[key, s[key]] for key in SUMMARY_MEASURES if s.get(key) is not None]
    for point in s.get("growth", []):
        for key in GROWTH_COUNTS:
            rows.append([f"{key} ties {point['month']}", cell(point, key)])
    return rows
