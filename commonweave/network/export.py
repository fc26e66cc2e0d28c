"""Rows and files for export: nodes, ties and metrics as CSV/JSON, GraphML and GEXF.

Labels follow the same privacy rule as the pages (selectors.display_label): residents
only by pseudonym. Every export writes one audit event (SAFETY 17).
"""

import datetime

import networkx as nx
from django.http import HttpResponse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record

from . import metrics as stored
from .metrics import METRIC_FIELDS
from .models import Node, Tie
from .selectors import display_label, latest_snapshot, require_network

NODE_HEADER = ["id", "label", "kind", "sector", "neighbourhood"]
TIE_HEADER = [
    "id",
    "source",
    "target",
    "type",
    "strength",
    "directed",
    "started_on",
    "ended_on",
    "origin",
]


def audit_export(viewer, what, count):
    audit_record(
        viewer=viewer,
        action=Action.EXPORT,
        purpose=Purpose.ADMIN,
        object_type=f"network.{what}",
        detail={"rows": count},
    )


def node_rows(viewer, *, with_metrics=True):
    """(header, rows) for every node of the place, with the latest metrics."""
    require_network(viewer)
    snapshot = latest_snapshot(viewer) if with_metrics else None
    metrics = {}
    columns = stored.read(snapshot, METRIC_FIELDS)
    if columns:
        # NaN: not known (an isolate's constraint, a metric newer than the snapshot)
        values = [
            [None if v != v else v for v in columns[name].tolist()]
            if columns[name].dtype.kind == "f"
            else columns[name].tolist()
            for name in METRIC_FIELDS
        ]
        metrics = dict(zip(columns["node"].tolist(), zip(*values, strict=True), strict=True))
    header = NODE_HEADER + (METRIC_FIELDS if with_metrics else [])
    rows = []
    for pk, public_id, kind, label, pseudonym, sector, hood in (
        Node.objects.filter(place=viewer.place)
        .order_by("pk")
        .values_list("pk", "public_id", "kind", "label", "pseudonym", "sector", "neighbourhood")
        .iterator(chunk_size=5000)
    ):
        row = [public_id, display_label(kind, label, pseudonym), kind, sector, hood]
        if with_metrics:
            row += list(metrics.get(pk, [None] * len(METRIC_FIELDS)))
        rows.append(row)
    return header, rows


def tie_rows(viewer, *, as_of: datetime.date | None = None):
    require_network(viewer)
    ties = Tie.objects.filter(place=viewer.place)
    if as_of is not None:
        ties = ties.active_on(as_of)
    rows = [
        [
            t[0],
            t[1],
            t[2],
            t[3],
            t[4],
            t[5],
            t[6].isoformat(),
            t[7].isoformat() if t[7] else "",
            t[8],
        ]
        for t in ties.order_by("pk")
        .values_list(
            "public_id",
            "source_node__public_id",
            "target_node__public_id",
            "tie_type",
            "strength",
            "directed",
            "started_on",
            "ended_on",
            "source",
        )
        .iterator(chunk_size=5000)
    ]
    return TIE_HEADER, rows


def graph_for_export(viewer, *, as_of=None) -> nx.MultiDiGraph:
    """A NetworkX graph of the place (active ties on `as_of`, today by default), nodes
    carrying their labels and latest metrics as attributes."""
    as_of = as_of or datetime.date.today()  # noqa: DTZ011 - a calendar date
    header, rows = node_rows(viewer)
    graph = nx.MultiDiGraph(name="Commonweave network", as_of=as_of.isoformat())
    for row in rows:
        attrs = {
            k: (v if not isinstance(v, bool) else int(v))
            for k, v in zip(header[1:], row[1:], strict=True)
            if v is not None and v != ""
        }
        graph.add_node(row[0], **attrs)
    _, ties = tie_rows(viewer, as_of=as_of)
    for t in ties:
        graph.add_edge(
            t[1],
            t[2],
            key=t[0],
            type=t[3],
            strength=t[4],
            directed=int(t[5]),
            started_on=t[6],
            origin=t[8],
        )
    return graph


def graph_file_response(viewer, fmt, *, as_of=None) -> HttpResponse:
    graph = graph_for_export(viewer, as_of=as_of)
    if fmt == "gexf":
        body = "\n".join(nx.generate_gexf(graph))
        content_type = "application/gexf+xml"
    else:
        body = "\n".join(nx.generate_graphml(graph))
        content_type = "application/graphml+xml"
    audit_export(viewer, fmt, graph.number_of_nodes())
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network.{fmt}"'
    response["Cache-Control"] = "no-store, private"
    return response
