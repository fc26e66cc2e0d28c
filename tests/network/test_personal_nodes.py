"""Residents (and the people and groups only they named) in the place network: only the
roles that run the analysis (analyst, coordinator, place admin) see them one by one with
their ties; everyone else sees the partnership network, with residents' ties counted."""

import io
from html import escape

import networkx as nx
import numpy as np
import pytest
from django.test import Client
from django.urls import reverse

from commonweave.network import compute
from commonweave.network.enums import NodeKind, TieSource, TieType
from commonweave.network.models import MetricColumn, Node, Tie
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.conftest import assert_access, client_for

pytestmark = pytest.mark.django_db

ANALYSTS = {"manager_a": 200, "analyst": 200}
OTHERS = ("catalyst_a", "catalyst_b", "worker_b")


@pytest.fixture
def nodes(world, network):
    """The resident, a person only they named (a pseudonym), and a professional contact
    recorded by name, each tied to the Choir."""
    resident = Node.objects.get(resident=network["resident"])
    choir = Node.objects.get(place=world.place, label="Choir")
    friend = Node.objects.create(
        place=world.place, kind=NodeKind.PERSON, key="person:friend", pseudonym="R-0123456789"
    )
    contact = Node.objects.create(
        place=world.place, kind=NodeKind.PERSON, key="ext:gp", label="Dr Ada Contact"
    )
    for other in (friend, contact):
        Tie.objects.create(
            place=world.place,
            source_node=other,
            target_node=choir,
            tie_type=TieType.KNOWS,
            source=TieSource.MANUAL,
        )
    compute.snapshot_compute(world.place)
    return {"resident": resident, "friend": friend, "contact": contact, "choir": choir}


def token(world, role):
    _, raw = issue_api_token(organisation=world.org_b, name="System", role=role)
    return Client(headers={"Authorization": f"Bearer {raw}"})


# --- who opens a resident's node ----------------------------------------------------------


@pytest.mark.parametrize("which", ["resident", "friend"])
def test_a_residents_node_is_only_for_the_roles_that_run_the_analysis(world, nodes, which):
    public_id = nodes[which].public_id
    for name in ("network:node", "network:node_data"):
        assert_access(world, "get", reverse(name, args=[public_id]), ANALYSTS)


def test_the_analyst_sees_the_residents_ties_by_pseudonym_only(world, network, nodes):
    html = client_for(world.analyst).get(
        reverse("network:node", args=[nodes["resident"].public_id])
    )
    page = html.content.decode()
    assert f"Resident {nodes['resident'].pseudonym}" in page
    assert "Choir" in page
    assert escape(network["resident"].full_name) not in page


def test_a_professional_contact_recorded_by_name_is_for_everyone(world, nodes):
    url = reverse("network:node", args=[nodes["contact"].public_id])
    assert_access(world, "get", url, {**ANALYSTS, **dict.fromkeys(OTHERS, 200)})


# --- what the others see ------------------------------------------------------------------


def test_a_groups_page_counts_residents_ties_for_the_others_and_lists_them_for_analysts(
    world, nodes
):
    url = reverse("network:node", args=[nodes["choir"].public_id])
    resident, friend = nodes["resident"], nodes["friend"]
    for persona in OTHERS:
        response = client_for(getattr(world, persona)).get(url)
        page = response.content.decode()
        assert response.status_code == 200
        for hidden in (resident, friend):
            assert hidden.pseudonym not in page, persona
            assert hidden.public_id not in page, persona
        assert "Dr Ada Contact" in page  # a professional is listed
        counts = response.context["ego"]["personal_ties"]
        assert {row.label: row.count.label for row in counts.rows} == {
            "Connected by a catalyst": "fewer than 8",
            "Knows": "fewer than 8",
        }
        assert "Ties with residents" in page
        data = client_for(getattr(world, persona)).get(
            reverse("network:node_data", args=[nodes["choir"].public_id])
        )
        ids = {n["id"] for n in data.json()["nodes"]}
        assert resident.public_id not in ids and friend.public_id not in ids
    analyst = client_for(world.analyst).get(url)
    assert analyst.context["ego"]["personal_ties"] is None
    assert reverse("network:node", args=[resident.public_id]) in analyst.content.decode()


def test_the_whole_network_leaves_residents_out_for_the_others(world, nodes):
    personal = {nodes["resident"].public_id, nodes["friend"].public_id}
    for persona in OTHERS:
        client = client_for(getattr(world, persona))
        data = client.get(reverse("network:data")).json()
        ids = {n["id"] for n in data["nodes"]}
        assert not ids & personal, persona
        assert nodes["contact"].public_id in ids
        ends = {e["source"] for e in data["edges"]} | {e["target"] for e in data["edges"]}
        assert not ends & personal
        for name in ("network:index", "network:change_makers"):
            page = client.get(reverse(name)).content.decode()
            assert not any(public_id in page for public_id in personal), (persona, name)
            assert nodes["resident"].pseudonym not in page
    data = client_for(world.analyst).get(reverse("network:data")).json()
    assert personal <= {n["id"] for n in data["nodes"]}


def test_the_api_and_exports_follow_the_same_rule(world, nodes):
    personal = {nodes["resident"].public_id, nodes["friend"].public_id}
    partner, analyst = token(world, Role.PARTNER_WORKER), token(world, Role.ANALYST)
    node_ids = {i["id"] for i in partner.get("/api/network/nodes").json()["items"]}
    assert not node_ids & personal
    ties = partner.get("/api/network/ties").json()["items"]
    assert not ({t["source"] for t in ties} | {t["target"] for t in ties}) & personal
    for url in ("/api/network/nodes.csv", "/api/network/ties.csv", "/api/network/metrics.csv"):
        text = b"".join(partner.get(url).streaming_content).decode()
        assert not any(public_id in text for public_id in personal), url
    graph = nx.read_graphml(io.BytesIO(partner.get("/api/network/export.graphml").content))
    assert not set(graph.nodes) & personal
    assert graph.number_of_edges() == len(ties)
    assert personal <= {i["id"] for i in analyst.get("/api/network/nodes").json()["items"]}


# --- numbers in the CSV files ----------------------------------------------------------------


def _set_metric(snapshot, name, node, value):
    column = MetricColumn.objects.get(snapshot=snapshot, name=name)
    ids = np.frombuffer(bytes(MetricColumn.objects.get(snapshot=snapshot, name="node").data), "<i8")
    values = np.frombuffer(bytes(column.data), np.dtype(column.dtype)).copy()
    values[int(np.searchsorted(ids, node.pk))] = value
    column.data = values.tobytes()
    column.save(update_fields=["data"])


def test_csv_writes_negative_zero_as_0_and_floats_positionally(world, network, nodes):
    from commonweave.network.models import NetworkSnapshot

    snapshot = NetworkSnapshot.objects.filter(place=world.place).latest("pk")
    _set_metric(snapshot, "eigenvector", network["a"], -0.0)
    _set_metric(snapshot, "pagerank", network["a"], 4.9e-05)
    _set_metric(snapshot, "closeness", network["a"], 0.1 + 0.2)
    client = token(world, Role.ANALYST)
    text = b"".join(client.get("/api/network/metrics.csv").streaming_content).decode()
    lines = text.lstrip("\ufeff").splitlines()
    header = lines[0].split(",")
    row = next(line.split(",") for line in lines if line.startswith(network["a"].public_id))
    cell = dict(zip(header, row, strict=True))
    assert (cell["eigenvector"], cell["pagerank"], cell["closeness"]) == ("0", "0.000049", "0.3")
    assert "-0.0" not in text and "'-0" not in text
    assert cell["degree"] == str(int(cell["degree"]))  # whole numbers stay whole
    # the JSON keeps numbers as numbers, the zero without its sign
    items = client.get("/api/network/nodes").json()["items"]
    metrics = next(i["metrics"] for i in items if i["id"] == network["a"].public_id)
    assert metrics["eigenvector"] == 0.0
    assert str(metrics["eigenvector"]) == "0.0"
