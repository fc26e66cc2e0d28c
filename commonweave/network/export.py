"""Rows and files for export: nodes, ties and metrics as CSV/JSON, GraphML and GEXF.

Labels and rows follow the same privacy rules as the pages (selectors.visible_nodes, and
the field policy through selectors.node_cells / tie_cells): residents only by pseudonym,
and only for the roles that run the analysis. Every export writes one audit event.
"""

import datetime

import networkx as nx
import numpy as np
from django.http import HttpResponse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.services import audit_record
from commonweave.core.visibility import Level

from . import metrics as stored
from .metrics import METRIC_FIELDS
from .models import Tie
from .selectors import (
    can_see_personal_nodes,
    latest_snapshot,
    node_cells,
    personal_q,
    require_network,
    visible_nodes,
)
from .visibility import TIE, node_level, tie_level

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


# Decimal places a CSV cell keeps: more than any metric needs, and few enough that a sum's
# binary noise (0.30000000000000004) and a value of -1e-17 that is really 0 do not show.
CSV_DECIMALS = 15


def _number(value):
    """-0.0 as 0.0: igraph returns it for some metrics, and a minus sign would make a
    spreadsheet cell of it, or read it as a formula and write it as text."""
    if isinstance(value, float) and value == 0:
        return 0.0
    return value


def csv_cell(value):
    """A float written out positionally (0.000049, never 4.9e-05), with no trailing zeros
    and zero as 0; anything else as it is."""
    if not isinstance(value, float) or value != value:
        return value
    text = np.format_float_positional(
        value, precision=CSV_DECIMALS, unique=True, fractional=True, trim="-"
    )
    return "0" if text == "-0" else text


def csv_rows(rows):
    """The rows with their floats written as csv_cell says, for csv_response."""
    for row in rows:
        yield [csv_cell(cell) for cell in row]


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
    for pk, *values in (
        visible_nodes(viewer)
        .order_by("pk")
        .values_list("pk", "public_id", "kind", "label", "pseudonym", "sector", "neighbourhood")
        .iterator(chunk_size=5000)
    ):
        cells = node_cells(*values)
        row = [cells["id"], cells["label"], cells["kind"], cells["sector"], cells["neighbourhood"]]
        if with_metrics:
            row += [_number(v) for v in metrics.get(pk, [None] * len(METRIC_FIELDS))]
        rows.append(row)
    return header, rows


# The Tie field each TIE_HEADER column shows (the field policy decides, per tie).
TIE_FIELDS = (
    "public_id",
    "source_node",
    "target_node",
    "tie_type",
    "strength",
    "directed",
    "started_on",
    "ended_on",
    "source",
)


def tie_rows(viewer, *, as_of: datetime.date | None = None):
    """(header, rows) for the place's ties the viewer may see, each cell only where the
    tie's level (network/visibility.tie_level) shows its field, else None."""
    require_network(viewer)
    ties = Tie.objects.filter(place=viewer.place)
    if not can_see_personal_nodes(viewer):
        ties = ties.exclude(personal_q("source_node__")).exclude(personal_q("target_node__"))
    if as_of is not None:
        ties = ties.active_on(as_of)
    sees = {
        level: [name in TIE.fields_for(level) for name in TIE_FIELDS]
        for level in (Level.FULL, Level.PSEUDONYMOUS)
    }
    rows = []
    for *t, source_kind, source_pseudonym, target_kind, target_pseudonym in (
        ties.order_by("pk")
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
            "source_node__kind",
            "source_node__pseudonym",
            "target_node__kind",
            "target_node__pseudonym",
        )
        .iterator(chunk_size=5000)
    ):
        level = tie_level(
            node_level(source_kind, source_pseudonym), node_level(target_kind, target_pseudonym)
        )
        cells = [
            t[0],
            t[1],
            t[2],
            t[3],
            _number(t[4]),
            t[5],
            t[6].isoformat(),
            t[7].isoformat() if t[7] else "",
            t[8],
        ]
        rows.append([c if seen else None for c, seen in zip(cells, sees[level], strict=True)])
    return TIE_HEADER, rows


# Every metric is worked out on the undirected view of the network (analysis.py), so the
# files are undirected too: Gephi and NetworkX then compute the same degree, betweenness
# and closeness as the app. A tie's direction (a referral, who named whom) and its kind
# are kept as declared edge attributes ("directed", "tie_type"), never in the format's own
# edge-direction field.
EDGE_ATTRIBUTES = (
    ("tie_type", "string"),
    ("strength", "double"),
    ("directed", "boolean"),
    ("started_on", "string"),
    ("origin", "string"),
)
GEXF_NS = "http://gexf.net/1.3"
_GEXF_TYPES = {"string": "string", "double": "double", "boolean": "boolean", "long": "long"}


def _attribute_type(values) -> str:
    kinds = {type(v) for v in values if v is not None and v != ""}
    if kinds and kinds <= {bool}:
        return "boolean"
    if kinds and kinds <= {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    return "string"


def graph_for_export(viewer, *, as_of=None) -> nx.MultiGraph:
    """An undirected NetworkX multigraph of the place (active ties on `as_of`, today by
    default): nodes carrying their labels and latest metrics, ties their kind
    ("tie_type"), strength, direction ("directed") and origin."""
    as_of = as_of or datetime.date.today()  # noqa: DTZ011 - a calendar date
    header, rows = node_rows(viewer)
    graph = nx.MultiGraph(as_of=as_of.isoformat())
    for row in rows:
        attrs = {
            k: v for k, v in zip(header[1:], row[1:], strict=True) if v is not None and v != ""
        }
        graph.add_node(row[0], **attrs)
    _, ties = tie_rows(viewer, as_of=as_of)
    for t in ties:
        graph.add_edge(
            t[1],
            t[2],
            key=t[0],
            tie_type=t[3],
            strength=t[4],
            directed=bool(t[5]),
            started_on=t[6],
            origin=t[8],
        )
    return graph


def gexf_text(graph: nx.MultiGraph) -> str:
    """GEXF 1.3 (gexf.net/1.3): an undirected graph (defaultedgetype="undirected") whose
    node and edge attributes are declared in <attributes>, with the strength as weight."""
    import xml.etree.ElementTree as ET

    ET.register_namespace("", GEXF_NS)

    def q(tag):
        return f"{{{GEXF_NS}}}{tag}"

    root = ET.Element(q("gexf"), {"version": "1.3"})
    meta = ET.SubElement(root, q("meta"), {"lastmodifieddate": graph.graph["as_of"]})
    ET.SubElement(meta, q("creator")).text = "Commonweave"
    ET.SubElement(meta, q("description")).text = f"Relationship network on {graph.graph['as_of']}"
    g = ET.SubElement(root, q("graph"), {"defaultedgetype": "undirected", "mode": "static"})
    node_names = NODE_HEADER[2:] + METRIC_FIELDS
    node_types = {
        name: _attribute_type(data.get(name) for _, data in graph.nodes(data=True))
        for name in node_names
    }
    declared = ET.SubElement(g, q("attributes"), {"class": "node"})
    for name in node_names:
        ET.SubElement(
            declared, q("attribute"), {"id": name, "title": name, "type": node_types[name]}
        )
    declared = ET.SubElement(g, q("attributes"), {"class": "edge"})
    for name, kind in EDGE_ATTRIBUTES:
        ET.SubElement(declared, q("attribute"), {"id": name, "title": name, "type": kind})

    def values(parent, data, names):
        cells = [(n, data[n]) for n in names if data.get(n) is not None and data.get(n) != ""]
        if cells:
            box = ET.SubElement(parent, q("attvalues"))
            for name, value in cells:
                text = str(value).lower() if isinstance(value, bool) else str(csv_cell(value))
                ET.SubElement(box, q("attvalue"), {"for": name, "value": text})

    nodes = ET.SubElement(g, q("nodes"), {"count": str(graph.number_of_nodes())})
    for node_id, data in graph.nodes(data=True):
        node = ET.SubElement(nodes, q("node"), {"id": node_id, "label": data.get("label", "")})
        values(node, data, node_names)
    edges = ET.SubElement(g, q("edges"), {"count": str(graph.number_of_edges())})
    for source, target, key, data in graph.edges(keys=True, data=True):
        attrs = {"id": key, "source": source, "target": target}
        if data.get("strength") is not None:
            attrs["weight"] = str(csv_cell(float(data["strength"])))
        edge = ET.SubElement(edges, q("edge"), attrs)
        values(edge, data, [name for name, _ in EDGE_ATTRIBUTES])
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode")


def graphml_text(graph: nx.MultiGraph) -> str:
    """GraphML with edgedefault="undirected"; every attribute declared as a <key>."""
    # Generated key ids (d0, d1, ...): nodes and ties both have a "strength", and GraphML
    # needs every key id to be unique (named ids gave two <key id="strength">).
    return "\n".join(nx.generate_graphml(graph, named_key_ids=False))


def graph_file_response(viewer, fmt, *, as_of=None) -> HttpResponse:
    graph = graph_for_export(viewer, as_of=as_of)
    if fmt == "gexf":
        body = gexf_text(graph)
        content_type = "application/gexf+xml"
    else:
        body = graphml_text(graph)
        content_type = "application/graphml+xml"
    audit_export(viewer, fmt, graph.number_of_nodes())
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="network.{fmt}"'
    response["Cache-Control"] = "no-store, private"
    return response
