"""The network API under /api/network/: nodes, ties and metrics as JSON or CSV, and the
whole network as GraphML or GEXF for Gephi. Same selectors and privacy as the pages:
anyone with a role in the place (or an organisation's token); residents by pseudonym.
"""

from datetime import date

from django.http import Http404
from ninja import Query, Router, Schema
from pydantic import Field

from commonweave.api.schemas import Detail
from commonweave.insights.export import csv_response

from . import export, selectors

router = Router(tags=["Network"])
MAX_SIZE = 5000


class PageIn(Schema):
    page: int = Field(1, ge=1)
    size: int = Field(1000, ge=1, le=MAX_SIZE)


class TiesIn(PageIn):
    as_of: date | None = Field(None, description="Only ties active on this date")


class NodeOut(Schema):
    id: str
    label: str
    kind: str
    sector: str
    neighbourhood: str
    metrics: dict | None


class TieOut(Schema):
    id: str
    source: str
    target: str
    type: str
    strength: float
    directed: bool
    started_on: str
    ended_on: str
    origin: str


class NodesPage(Schema):
    count: int
    page: int
    items: list[NodeOut]


class TiesPage(Schema):
    count: int
    page: int
    items: list[TieOut]


class MetricsOut(Schema):
    as_of: str | None
    summary: dict


def _viewer(request):
    viewer = request.auth
    if not selectors.can_see_network(viewer):
        raise Http404
    return viewer


def _page(rows, params):
    start = (params.page - 1) * params.size
    return rows[start : start + params.size]


@router.get("/network/nodes", response={200: NodesPage, 404: Detail}, summary="Network nodes")
def nodes(request, params: Query[PageIn]):
    """Every node of the place with its metrics from the latest analysis."""
    viewer = _viewer(request)
    header, rows = export.node_rows(viewer)
    n = len(export.NODE_HEADER)
    items = [
        {
            **dict(zip(header[:n], row[:n], strict=True)),
            "metrics": dict(zip(header[n:], row[n:], strict=True)) if row[n] is not None else None,
        }
        for row in _page(rows, params)
    ]
    export.audit_export(viewer, "node", len(items))
    return {"count": len(rows), "page": params.page, "items": items}


@router.get("/network/nodes.csv", summary="Network nodes as CSV", response={404: Detail})
def nodes_csv(request):
    viewer = _viewer(request)
    header, rows = export.node_rows(viewer)
    export.audit_export(viewer, "node", len(rows))
    return csv_response("network-nodes.csv", header, rows)


@router.get("/network/ties", response={200: TiesPage, 404: Detail}, summary="Network ties")
def ties(request, params: Query[TiesIn]):
    viewer = _viewer(request)
    header, rows = export.tie_rows(viewer, as_of=params.as_of)
    items = [dict(zip(header, row, strict=True)) for row in _page(rows, params)]
    export.audit_export(viewer, "tie", len(items))
    return {"count": len(rows), "page": params.page, "items": items}


@router.get("/network/ties.csv", summary="Network ties as CSV", response={404: Detail})
def ties_csv(request, as_of: date | None = None):
    viewer = _viewer(request)
    header, rows = export.tie_rows(viewer, as_of=as_of)
    export.audit_export(viewer, "tie", len(rows))
    return csv_response("network-ties.csv", header, rows)


@router.get("/network/metrics", response={200: MetricsOut, 404: Detail}, summary="Network measures")
def metrics(request):
    """Whole-network measures of the latest analysis: size, density, components, isolates,
    reciprocity, diameter, path length, communities, modularity, growth."""
    viewer = _viewer(request)
    snapshot = selectors.latest_snapshot(viewer)
    if snapshot is None:
        return {"as_of": None, "summary": {}}
    return {"as_of": snapshot.as_of.isoformat(), "summary": snapshot.summary}


@router.get("/network/metrics.csv", summary="Node metrics as CSV", response={404: Detail})
def metrics_csv(request):
    viewer = _viewer(request)
    header, rows = export.node_rows(viewer)
    export.audit_export(viewer, "metric", len(rows))
    return csv_response("network-metrics.csv", header, rows)


@router.get("/network/export.graphml", summary="GraphML for Gephi", response={404: Detail})
def graphml(request, as_of: date | None = None):
    return export.graph_file_response(_viewer(request), "graphml", as_of=as_of)


@router.get("/network/export.gexf", summary="GEXF for Gephi", response={404: Detail})
def gexf(request, as_of: date | None = None):
    return export.graph_file_response(_viewer(request), "gexf", as_of=as_of)
