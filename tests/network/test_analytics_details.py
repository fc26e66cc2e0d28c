"""Issue 15's analytics details for the network: undirected exports that give the app's
own metrics, the same communities on every recompute, a survey in a new place, bridging
ties by public ids, one tie when both people name it, the strength scale, how values are
normalised, and one published-number rule for the page, its captions, the API and CSV."""

import csv
import io

import networkx as nx
import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory, OrganisationFactory, PlaceFactory
from commonweave.insights.disclosure import Cell, protected_value
from commonweave.network import compute, derive, selectors, services, survey
from commonweave.network import metrics as stored
from commonweave.network.enums import NodeKind, TieSource, TieType
from commonweave.network.forms import TieForm
from commonweave.network.models import Node, Tie
from commonweave.tenancy.enums import Role
from commonweave.tenancy.viewer import viewer_for_user
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _app_metrics(world, names=("degree", "betweenness", "closeness")):
    snapshot = selectors.latest_snapshot(world.viewer(world.analyst))
    columns = stored.read(snapshot, names)
    public = dict(Node.objects.filter(place=world.place).values_list("pk", "public_id"))
    return {
        public[pk]: {n: float(columns[n][i]) for n in names}
        for i, pk in enumerate(columns["node"].tolist())
    }


def _simple(graph):
    """The app's undirected view: parallel ties summed, distance = 1 / strength."""
    simple = nx.Graph()
    simple.add_nodes_from(graph.nodes)
    for u, v, data in graph.edges(data=True):
        w = float(data["strength"])
        if simple.has_edge(u, v):
            simple[u][v]["w"] += w
        else:
            simple.add_edge(u, v, w=w)
    for _u, _v, data in simple.edges(data=True):
        data["distance"] = 1.0 / data["w"]
    return simple


@pytest.mark.parametrize("fmt", ["gexf", "graphml"])
def test_exports_are_undirected_and_networkx_gets_the_apps_metrics(world, network, fmt):
    Tie.objects.filter(source_node=network["b"], target_node=network["faith"]).update(
        directed=True, strength=2.0
    )
    compute.snapshot_compute(world.place)
    response = client_for(world.analyst).get(f"/api/network/export.{fmt}")
    text = response.content.decode()
    graph = nx.read_gexf(io.BytesIO(response.content)) if fmt == "gexf" else nx.parse_graphml(text)
    assert not graph.is_directed()
    assert graph.number_of_nodes() == Node.objects.filter(place=world.place).count()
    assert graph.number_of_edges() == Tie.objects.filter(place=world.place).count()
    # the kind of tie and its direction are declared attributes, not the edge's direction
    edges = {data["tie_type"] for _u, _v, data in graph.edges(data=True)}
    assert TieType.PARTNERSHIP in edges
    assert any(data["directed"] in (True, "true") for _u, _v, data in graph.edges(data=True))
    if fmt == "gexf":
        assert 'defaultedgetype="undirected"' in text and 'type="directed"' not in text
    else:
        assert 'edgedefault="undirected"' in text
    simple = _simple(graph)
    betweenness = nx.betweenness_centrality(simple, weight="distance")
    closeness = nx.closeness_centrality(simple, distance="distance", wf_improved=True)
    app = _app_metrics(world)
    assert set(app) == set(simple.nodes)
    for node, values in app.items():
        assert simple.degree(node) == values["degree"]
        assert betweenness[node] == pytest.approx(values["betweenness"], abs=1e-9)
        assert closeness[node] == pytest.approx(values["closeness"], abs=1e-9)


def test_recomputing_the_same_data_gives_the_same_communities_and_reasons(world, network):
    # a network with clear groups, so Leiden has choices to make
    viewer = world.viewer(world.manager_a)
    extra = [
        services.node_create(viewer=viewer, kind=NodeKind.ORGANISATION, label=f"Group {i}")
        for i in range(8)
    ]
    for i, x in enumerate(extra):
        for y in extra[i + 1 : i + 3]:
            services.tie_record(viewer=viewer, source=x, target=y, tie_type=TieType.KNOWS)
    services.tie_record(
        viewer=viewer, source=extra[0], target=network["police"], tie_type=TieType.KNOWS
    )

    def run():
        snapshot = compute.snapshot_compute(world.place)
        columns = stored.read(snapshot, ["community"])
        rows = selectors.change_makers(world.viewer(world.analyst))
        return (
            columns["node"].tolist(),
            columns["community"].tolist(),
            [(row.label, row.reasons) for row in rows],
        )

    first, second = run(), run()
    assert first == second
    assert len(set(first[1])) > 1 and first[2]


def _new_place_with_coordinator():
    place = PlaceFactory(name="Northford", slug="northford")
    council = OrganisationFactory(place=place, name="Northford Council", kind="council")
    place.lead_organisation = council
    place.save(update_fields=["lead_organisation"])
    user = MembershipFactory(organisation=council, role=Role.COORDINATOR).user
    return place, council, viewer_for_user(user, place)


def test_a_survey_in_a_new_place_ties_its_own_organisation_without_a_copy():
    place, council, viewer = _new_place_with_coordinator()
    text = (
        "respondent,contact,relationship,strength,date\n"
        "Northford Council,Hill Group,partner,2,2026-01-05\n"
        "Hill Group,Park Friends,knows,1,2026-01-05\n"
    )
    imp = survey.survey_upload(viewer=viewer, data=text.encode(), file_name="s.csv")
    assert imp.findings["unknown"] == ["Hill Group", "Park Friends"]  # the council is known
    survey.survey_confirm(viewer=viewer, imp=imp, unknown="new", new_kind=NodeKind.GROUP)
    derive.sync_ties(place)  # what the recompute job runs first
    snapshot = compute.snapshot_compute(place)
    councils = Node.objects.filter(place=place, label="Northford Council")
    assert [n.key for n in councils] == [derive.org_key(council.pk)]
    assert Tie.objects.filter(place=place, source_node=councils[0]).count() == 1
    # no isolated copy: three nodes, all tied, so closeness is not scaled down by one
    assert (snapshot.summary["nodes"], snapshot.summary["isolates"]) == (3, 0)


def test_a_tie_named_by_both_people_counts_once_with_both_reports(world):
    viewer = world.viewer(world.manager_a)
    text = (
        "respondent,contact,relationship,strength,date\n"
        "Testford Connect,Testford Council,partner,4,2026-01-10\n"
        "Testford Council,Testford Connect,partner,2,2026-01-12\n"
    )
    imp = survey.survey_upload(viewer=viewer, data=text.encode())
    imp = survey.survey_confirm(viewer=viewer, imp=imp)
    ties = list(Tie.objects.filter(place=world.place, source=TieSource.SURVEY))
    assert len(ties) == 1
    tie = ties[0]
    assert (tie.directed, tie.strength) == (False, 3.0)
    assert tie.note == "Named by both (strengths 4 and 2)"
    assert (imp.report["created"], imp.report["both_named"], imp.report["skipped"]) == (1, 1, [])


def test_a_strength_above_the_scale_is_refused_with_the_scale_named(world, network):
    viewer = world.viewer(world.manager_a)
    with pytest.raises(ValidationError) as caught:
        services.tie_record(
            viewer=viewer,
            source=network["a"],
            target=network["faith"],
            tie_type=TieType.KNOWS,
            strength=11,
        )
    assert "scale runs to 10" in caught.value.message_dict["strength"][0]
    form = TieForm(
        {
            "source": network["a"].pk,
            "target": network["faith"].pk,
            "tie_type": TieType.KNOWS,
            "strength": "12",
        },
        place=world.place,
    )
    assert not form.is_valid()
    assert "scale up to 10" in form.errors["strength"][0]
    parsed = survey.parse_survey(
        b"respondent,contact,relationship,strength,date\nA,B,knows,12,2026-01-01\n"
    )
    assert parsed.errors == [
        (
            2,
            "strength must be a number above 0 and up to 10 (the scale runs to 10; 1 is "
            "an ordinary tie)",
        )
    ]
    response = client_for(world.manager_a).post(
        reverse("network:tie_new"),
        {
            "source": network["a"].pk,
            "target": network["faith"].pk,
            "tie_type": TieType.KNOWS,
            "strength": "12",
        },
    )
    assert response.status_code == 400
    assert "scale up to 10" in response.content.decode()
    assert not Tie.objects.filter(strength__gt=10).exists()


def test_bridging_ties_are_listed_by_public_node_ids(world, network):
    snapshot = selectors.latest_snapshot(world.viewer(world.analyst))
    assert snapshot.summary["bridging"], "the small network has ties between communities"
    public = dict(Node.objects.filter(place=world.place).values_list("pk", "public_id"))
    body = client_for(world.analyst).get("/api/network/metrics").json()
    listed = body["summary"]["bridging"]
    assert listed == [
        {"source": public[a], "target": public[b], "strength": w}
        for a, b, w in snapshot.summary["bridging"]
    ]
    # no database id anywhere in them
    assert all(isinstance(e["source"], str) and len(e["source"]) == 12 for e in listed)


def test_a_partner_sees_no_bridging_tie_with_a_resident(world, network):
    resident = Node.objects.get(resident=network["resident"]).public_id
    body = client_for(world.worker_b).get("/api/network/metrics").json()
    assert all(resident not in (e["source"], e["target"]) for e in body["summary"]["bridging"])


def test_closeness_and_normalised_values_say_how_they_are_normalised(world, network):
    schema = client_for(world.analyst).get("/api/openapi.json").json()
    text = str(schema)
    assert "(n - 1)(n - 2) / 2 pairs" in text  # betweenness
    assert "Wasserman-Faust" in text and "(r - 1) / (n - 1)" in text  # closeness
    assert "squares of all nodes' values add up to 1" in text  # eigenvector
    page = client_for(world.analyst).get(reverse("network:index")).content.decode()
    assert "nodes with no ties too" in page
    assert "normalised by the number of pairs of the other nodes" in page


def _csv(response):
    text = b"".join(response.streaming_content).decode().lstrip("\ufeff")
    return {row[0]: row[1] for row in list(csv.reader(io.StringIO(text)))[1:]}


@pytest.mark.parametrize("persona", ["analyst", "worker_b", "manager_a"])
def test_the_page_caption_api_and_csv_publish_the_same_counts(world, network, persona):
    user = getattr(world, persona)
    viewer = world.viewer(user)
    summary = selectors.latest_snapshot(viewer).summary
    nodes, ties = summary["nodes"], summary["ties"]
    assert nodes < 8 and ties < 8  # the small network: counts that are never shown exactly
    client = client_for(user)
    page = client.get(reverse("network:index")).content.decode()
    api = client.get("/api/network/metrics").json()["summary"]
    table = _csv(client.get("/api/network/summary.csv"))
    for key in ("nodes", "ties", "components"):
        assert api[key] is None
        assert api[f"{key}_published"] == "fewer than 8"
        assert table[key] == "fewer than 8"
    assert api["isolates_published"] == table["isolates"]  # none: 0 is published as 0
    assert "fewer than 8" in page
    # the table's caption counts the nodes with the same rule
    assert "of fewer than 8" in page
    for exact in (f"to {nodes} of {nodes}", f"of {nodes}<"):
        assert exact not in page
    assert all(p["new"] in (None, 0) or p["new"] % 5 == 0 for p in api["growth"])


def test_published_counts_round_to_five_everywhere(world):
    place, council, viewer = _new_place_with_coordinator()
    hub = derive.ensure_nodes(place, {derive.org_key(council.pk): derive.org_spec(council)})
    hub = Node.objects.get(pk=hub[derive.org_key(council.pk)])
    for i in range(11):
        other = services.node_create(viewer=viewer, kind=NodeKind.GROUP, label=f"Club {i}")
        services.tie_record(viewer=viewer, source=hub, target=other, tie_type=TieType.KNOWS)
    compute.snapshot_compute(place)
    api = selectors.published_summary(viewer, selectors.latest_snapshot(viewer))
    # 12 nodes and 11 ties, each cell-key perturbed by its records' keys, rounded to 5
    node_keys = dict(Node.objects.filter(place=place).values_list("pk", "record_key"))
    tie_keys = sum(
        node_keys[a] + node_keys[b]
        for a, b in Tie.objects.filter(place=place).values_list("source_node", "target_node")
    )
    nodes = protected_value(Cell(12, sum(node_keys.values())))
    ties = protected_value(Cell(11, tie_keys))
    assert {nodes, ties} <= {10, 15}
    assert (api["nodes"], api["nodes_published"]) == (nodes, str(nodes))
    assert (api["ties"], api["ties_published"]) == (ties, str(ties))
    rows = dict(selectors.summary_rows(viewer, selectors.latest_snapshot(viewer)))
    assert (rows["nodes"], rows["ties"]) == (nodes, ties)
    assert np.isfinite(api["density"])
