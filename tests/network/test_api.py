"""The network API: JSON and CSV, GraphML/GEXF, tokens and sessions, privacy."""

import io

import networkx as nx
import pytest

from commonweave.audit.models import AuditEvent
from commonweave.network.models import Node, Tie
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _token_client(world, organisation, role=Role.PARTNER_WORKER):
    from django.test import Client

    _, raw = issue_api_token(organisation=organisation, name="Partner", role=role)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def test_nodes_json_with_metrics_and_residents_by_pseudonym(world, network):
    client = _token_client(world, world.org_b, Role.ANALYST)
    body = client.get("/api/network/nodes").json()
    assert body["count"] == Node.objects.filter(place=world.place).count()
    resident = Node.objects.get(resident=network["resident"])
    by_id = {item["id"]: item for item in body["items"]}
    assert by_id[resident.public_id]["label"] == f"Resident {resident.pseudonym}"
    assert network["resident"].full_name not in client.get("/api/network/nodes").content.decode()
    assert by_id[network["b"].public_id]["metrics"]["degree"] == 3
    assert AuditEvent.objects.filter(action="export", object_type="network.node").exists()


def test_ties_json_csv_and_date_filter(world, network):
    client = client_for(world.analyst)
    body = client.get("/api/network/ties", {"as_of": "2024-01-01"}).json()
    assert body["count"] == 0
    body = client.get("/api/network/ties").json()
    assert body["count"] == Tie.objects.filter(place=world.place).count()
    response = client.get("/api/network/ties.csv")
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.lstrip("\ufeff").splitlines()[0] == (
        "id,source,target,type,strength,directed,started_on,ended_on,origin"
    )


def test_csv_export_neutralises_formulas(world, network):
    Node.objects.filter(pk=network["faith"].pk).update(label="=HYPERLINK(1)")
    response = client_for(world.analyst).get("/api/network/nodes.csv")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_metrics_summary(world, network):
    body = client_for(world.analyst).get("/api/network/metrics").json()
    # two components: a count below the threshold is published as "fewer than 8"
    assert body["summary"]["components"] is None
    assert body["summary"]["components_published"] == "fewer than 8"
    assert "density" in body["summary"]


def test_graphml_and_gexf_open_in_networkx(world, network):
    client = client_for(world.analyst)
    response = client.get("/api/network/export.graphml")
    assert response["Content-Disposition"] == 'attachment; filename="network.graphml"'
    graph = nx.parse_graphml(response.content.decode())
    assert graph.number_of_nodes() == Node.objects.filter(place=world.place).count()
    assert graph.number_of_edges() == Tie.objects.filter(place=world.place).count()
    gexf = client.get("/api/network/export.gexf")
    assert nx.read_gexf(io.BytesIO(gexf.content)).number_of_nodes() == graph.number_of_nodes()
    assert network["resident"].full_name not in gexf.content.decode()


def test_network_api_needs_a_role_in_the_place(world, network):
    from django.test import Client

    assert Client().get("/api/network/nodes").status_code == 401
    outsider = client_for(world.outsider).get("/api/network/nodes").json()
    assert outsider["count"] == 0  # their own place's network, not ours
