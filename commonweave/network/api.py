"""The network API under /api/network/: nodes, ties and metrics as JSON or CSV, and the
whole network as GraphML or GEXF for Gephi. Same selectors and privacy as the pages:
anyone with a role in the place (or an organisation's token); residents by pseudonym, and
only to the roles that run the analysis (analyst, coordinator, place admin). Other roles
get the partnership network: no resident or person they know, and none of their ties.

Network surveys (/api/network/surveys) are imported as on the survey page: check, choose
for the names not in the network, then a background job; poll for progress and the report.

A resident's own network (/api/network/residents/{id}/own-network) follows the record's
rules instead: only the holding organisation's caseworkers (full access); anyone else gets
the 404 of a record that does not exist. Reading it writes one audited VIEW; changes are
audited by the services.

Every node, tie, drawing and member is answered through the field policy
(network/visibility.py) at its level, as the pages render it: a field that level does not
show is null.
"""

from datetime import date
from typing import Literal

from django.http import Http404
from ninja import Query, Router, Schema
from ninja.responses import Status
from pydantic import Field

from commonweave.core.api.errors import service_errors
from commonweave.core.api.schemas import Date, Detail, Errors, Input, Text
from commonweave.core.export import csv_response
from commonweave.core.visibility import shown
from commonweave.people.access import Access, resident_get, resident_open

from . import export, own_network, selectors, survey, words
from .enums import Closeness, MemberKind, SurveyState
from .services import can_record_ties

router = Router(tags=["Network"])
MAX_SIZE = 5000


class PageIn(Schema):
    page: int = Field(1, ge=1)
    size: int = Field(1000, ge=1, le=MAX_SIZE)


class TiesIn(PageIn):
    as_of: Date | None = Field(None, description="Only ties active on this date")


METRICS_DESCRIPTION = (
    "This node's measures from the latest analysis (null before the first). How each is "
    "worked out and normalised: "
    + " ".join(f"`{name}`: {text}" for name, text in words.COLUMNS.items())
)


class NodeOut(Schema):
    id: str
    label: str
    kind: str | None
    sector: str | None
    neighbourhood: str | None
    metrics: dict | None = Field(description=METRICS_DESCRIPTION)


class TieOut(Schema):
    id: str
    source: str | None
    target: str | None
    type: str | None
    strength: float | None
    directed: bool | None
    started_on: str | None
    ended_on: str | None
    origin: str | None


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
    summary: dict = Field(
        description="Whole-network measures. The counts (nodes, ties, isolates, components, "
        "bridging_ties, cut_ties, growth's existing/new/ended, community_sizes) are "
        "published numbers, as on the network page: rounded to 5, and null with "
        '"<name>_published" saying "fewer than N" when suppressed. `bridging`: the '
        "strongest ties between communities as {source, target, strength}, by the nodes' "
        "public ids. `density` is ties over the n(n - 1)/2 possible pairs; `modularity` "
        "of the communities found, -0.5 to 1; `average_path_length` and `diameter` count "
        "steps between nodes that can reach each other. Per-node closeness and "
        "betweenness are normalised over every node of the analysis, isolates included "
        "(see the node `metrics`)."
    )
    betweenness_statement: str | None = Field(
        None, description="How sure the estimate of betweenness is, in words (when sampled)"
    )


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
    return csv_response("network-nodes.csv", header, export.csv_rows(rows))


@router.get("/network/ties", response={200: TiesPage, 404: Detail}, summary="Network ties")
def ties(request, params: Query[TiesIn]):
    viewer = _viewer(request)
    header, rows = export.tie_rows(viewer, as_of=params.as_of)
    items = [dict(zip(header, row, strict=True)) for row in _page(rows, params)]
    export.audit_export(viewer, "tie", len(items))
    return {"count": len(rows), "page": params.page, "items": items}


@router.get("/network/ties.csv", summary="Network ties as CSV", response={404: Detail})
def ties_csv(request, as_of: Date | None = None):
    viewer = _viewer(request)
    header, rows = export.tie_rows(viewer, as_of=as_of)
    export.audit_export(viewer, "tie", len(rows))
    return csv_response("network-ties.csv", header, export.csv_rows(rows))


@router.get("/network/metrics", response={200: MetricsOut, 404: Detail}, summary="Network measures")
def metrics(request):
    """Whole-network measures of the latest analysis: size, density, components, isolates,
    reciprocity, diameter, path length, communities, modularity, growth. In a network too
    large to work betweenness out exactly, `summary` has `pivots` (starting points
    sampled), `betweenness_error` (every node's value is within it, with probability
    `confidence`) and `betweenness_top`, and `betweenness_statement` says so in words;
    each node's own margin is its `betweenness_error` metric."""
    viewer = _viewer(request)
    snapshot = selectors.latest_snapshot(viewer)
    if snapshot is None:
        return {"as_of": None, "summary": {}}
    return {
        "as_of": snapshot.as_of.isoformat(),
        "summary": selectors.published_summary(viewer, snapshot),
        "betweenness_statement": selectors.betweenness_statement(snapshot.summary),
    }


@router.get("/network/summary.csv", summary="Network measures as CSV", response={404: Detail})
def summary_csv(request):
    """The whole-network measures of the latest analysis, one a row, with the same
    published counts as the network page and /network/metrics."""
    viewer = _viewer(request)
    rows = selectors.summary_rows(viewer, selectors.latest_snapshot(viewer))
    export.audit_export(viewer, "summary", len(rows))
    return csv_response("network-summary.csv", ["measure", "value"], export.csv_rows(rows))


@router.get("/network/metrics.csv", summary="Node metrics as CSV", response={404: Detail})
def metrics_csv(request):
    viewer = _viewer(request)
    header, rows = export.node_rows(viewer)
    export.audit_export(viewer, "metric", len(rows))
    return csv_response("network-metrics.csv", header, export.csv_rows(rows))


@router.get("/network/export.graphml", summary="GraphML for Gephi", response={404: Detail})
def graphml(request, as_of: Date | None = None):
    return export.graph_file_response(_viewer(request), "graphml", as_of=as_of)


@router.get("/network/export.gexf", summary="GEXF for Gephi", response={404: Detail})
def gexf(request, as_of: Date | None = None):
    return export.graph_file_response(_viewer(request), "gexf", as_of=as_of)


# --- a resident's own network ---------------------------------------------------------------

OWN = "/network/residents/{public_id}/own-network"
WRITE = {400: Errors, 404: Detail}


class MemberIn(Input):
    name: Text(120, required=True)
    kind: MemberKind = MemberKind.PERSON
    closeness: Closeness = Field(Closeness.CLOSE, description="1 very close, 2 close, 3 further")
    sees: bool = False
    call_on: bool = Field(False, description="They could call on them")
    helps: bool = False


class MemberOut(Schema):
    key: str
    name: str | None
    kind: str | None
    closeness: int | None
    sees: bool | None
    call_on: bool | None
    helps: bool | None


class DrawingOut(Schema):
    number: int | None
    drawn_on: date | None
    members: list[MemberOut]


class ThenNowOut(Schema):
    label: str
    then: int
    now: int
    change: int


class OwnNetworkOut(Schema):
    resident_id: str
    rolls_up: bool = Field(description="Counts, without names, in the place network")
    drawings: list[DrawingOut]
    then_and_now: list[ThenNowOut] | None


class DrawAgainIn(Input):
    drawn_on: Date | None = Field(None, description="Today when left out")


def _member_out(member, level):
    m = shown(member, level)
    closeness = m.value("closeness")
    return {
        **m.values(("key", "name", "kind", "sees", "call_on", "helps")),
        "closeness": None if closeness is None else int(closeness),
    }


def _drawing_out(drawing, level):
    d = shown(drawing, level)
    return {
        **d.values(("number", "drawn_on")),
        "members": [_member_out(m, level) for m in drawing.members.all()],
    }


# Only full access reaches a resident's own network (resident_get, need=FULL).
OWN_LEVEL = Access.FULL.level


def _held(request, public_id):
    resident, _ = resident_get(request.auth, public_id, need=Access.FULL)
    return resident


@router.get(OWN, response={200: OwnNetworkOut, 404: Detail}, summary="A resident's own network")
def own_network_read(request, public_id: str):
    """Every drawing of the resident's own network, oldest first, with the first and the
    latest compared. Holding organisation only; one audited VIEW."""
    resident, access = resident_open(request.auth, public_id, need=Access.FULL)
    drawings = own_network.drawings_of(resident)
    return {
        "resident_id": shown(resident, access.level).public_id,
        "rolls_up": own_network.rolls_up(resident),
        "drawings": [_drawing_out(d, access.level) for d in drawings],
        "then_and_now": own_network.compare(drawings[0], drawings[-1])
        if len(drawings) > 1
        else None,
    }


@router.post(f"{OWN}/members", response={201: MemberOut, **WRITE}, summary="Add to the drawing")
def own_member_create(request, public_id: str, payload: MemberIn):
    """Add someone or a group to the latest drawing (the first drawing starts today)."""
    resident = _held(request, public_id)
    with service_errors():
        member = own_network.member_add(
            viewer=request.auth, resident=resident, **payload.model_dump()
        )
    return Status(201, _member_out(member, OWN_LEVEL))


@router.put(f"{OWN}/members/{{key}}", response={200: MemberOut, **WRITE}, summary="Change")
def own_member_update(request, public_id: str, key: str, payload: MemberIn):
    resident = _held(request, public_id)
    member = own_network.latest_member(resident, key)
    with service_errors():
        own_network.member_change(
            viewer=request.auth, resident=resident, member=member, **payload.model_dump()
        )
    return _member_out(member, OWN_LEVEL)


@router.delete(f"{OWN}/members/{{key}}", response={204: None, 404: Detail}, summary="Take out")
def own_member_delete(request, public_id: str, key: str):
    """Take someone out of the latest drawing; earlier drawings keep them."""
    resident = _held(request, public_id)
    member = own_network.latest_member(resident, key)
    own_network.member_remove(viewer=request.auth, resident=resident, member=member)
    return Status(204, None)


@router.post(f"{OWN}/drawings", response={201: DrawingOut, **WRITE}, summary="Draw it again")
def own_draw_again(request, public_id: str, payload: DrawAgainIn):
    """Start a new drawing copied from the latest; the earlier one is kept as it was."""
    resident = _held(request, public_id)
    with service_errors():
        drawing = own_network.drawing_again(
            viewer=request.auth, resident=resident, drawn_on=payload.drawn_on
        )
    return Status(201, _drawing_out(drawing, OWN_LEVEL))


# --- network surveys (name generators) ------------------------------------------------------

SURVEYS = "/network/surveys"


class SurveyIn(Input):
    csv: Text(survey.MAX_SURVEY_BYTES, required=True) = Field(
        description="The CSV text: respondent, contact, relationship, strength, date"
    )
    file_name: Text(200) = ""


class SurveyImportIn(Input):
    names: dict[str, str] = Field(
        default_factory=dict,
        description='For a name not in the network: a node id (the same as it), "new" '
        '(add it) or "" (leave out its rows)',
    )
    unknown: Literal["new", "leave"] = Field(
        "leave", description="What to do with the names not in `names`"
    )
    new_kind: Literal["person", "organisation", "group"] = "person"


class SurveyRowOut(Schema):
    line: int
    reason: str


class UnknownNameOut(Schema):
    name: str
    suggestions: list[dict] = Field(description="Likely matches: {id, label}, closest first")


class SurveyJobOut(Schema):
    id: str
    status: str
    percent: int | None
    done: int
    total: int
    message: str


class SurveyReportOut(Schema):
    created: int
    nodes_added: int
    not_imported: list[SurveyRowOut]


class SurveyOut(Schema):
    id: str
    state: str
    file_name: str
    rows: int = Field(description="Rows that can be imported")
    bad_rows: list[SurveyRowOut] = Field(description="Rows that cannot, with the reason")
    unknown_names: list[UnknownNameOut] | None = Field(
        description="While waiting for review: names not in the network yet"
    )
    job: SurveyJobOut | None
    report: SurveyReportOut | None


def _survey_out(imp):
    findings = imp.findings or {}
    job = imp.job
    report = None
    if imp.state in (SurveyState.DONE, SurveyState.FAILED) and imp.report:
        rows = sorted(imp.report.get("bad", []) + imp.report.get("skipped", []))
        report = {
            "created": imp.report.get("created", 0),
            "nodes_added": imp.report.get("nodes_added", 0),
            "not_imported": [{"line": line, "reason": reason} for line, reason in rows],
        }
    unknown = None
    if imp.state == SurveyState.REVIEW:
        suggestions = findings.get("suggestions", {})
        unknown = [
            {
                "name": name,
                "suggestions": [
                    {"id": pid, "label": label} for pid, label in suggestions.get(name, [])
                ],
            }
            for name in findings.get("unknown", [])
        ]
    return {
        "id": imp.public_id,
        "state": imp.state,
        "file_name": imp.file_name,
        "rows": findings.get("rows", 0),
        "bad_rows": [{"line": line, "reason": r} for line, r in findings.get("errors", [])],
        "unknown_names": unknown,
        "job": {
            "id": job.public_id,
            "status": job.status,
            "percent": job.percent,
            "done": job.done,
            "total": job.total,
            "message": job.message,
        }
        if job
        else None,
        "report": report,
    }


@router.post(SURVEYS, response={201: SurveyOut, 400: Errors, 404: Detail}, summary="Check a survey")
def survey_create(request, payload: SurveyIn):
    """Coordinators and place admins. Send a name-generator CSV (up to 2 MB); it is checked
    at once and kept for review: the rows that can be imported, each bad row with its
    reason, and each name not in the network yet with likely matches. Nothing is imported
    until POST /network/surveys/{id}/import."""
    if not can_record_ties(request.auth):
        raise Http404
    with service_errors(file="csv"):
        imp = survey.survey_upload(
            viewer=request.auth, data=payload.csv, file_name=payload.file_name
        )
    return Status(201, _survey_out(imp))


@router.get(f"{SURVEYS}/{{public_id}}", response={200: SurveyOut, 404: Detail}, summary="Progress")
def survey_read(request, public_id: str):
    """The review, then the import's progress, then its report: each row not imported
    with its reason."""
    return _survey_out(survey.survey_get(request.auth, public_id))


@router.post(
    f"{SURVEYS}/{{public_id}}/import",
    response={202: SurveyOut, 400: Errors, 404: Detail},
    summary="Import a checked survey",
)
def survey_start(request, public_id: str, payload: SurveyImportIn):
    """Start the import as a background job with your choices for the names not in the
    network. Answers 202; poll GET /network/surveys/{id} for progress and the report."""
    imp = survey.survey_get(request.auth, public_id)
    with service_errors():
        imp = survey.survey_confirm(
            viewer=request.auth,
            imp=imp,
            names=payload.names,
            unknown="" if payload.unknown == "leave" else payload.unknown,
            new_kind=payload.new_kind,
        )
    return Status(202, _survey_out(survey.survey_get(request.auth, public_id)))
