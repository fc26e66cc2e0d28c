"""Network pages run the same number of queries whatever the network's size (no N+1)."""

import datetime

import pytest
from django.urls import reverse

from commonweave.network import compute, services
from commonweave.network.enums import NodeKind, TieType
from tests.conftest import client_for
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db


def _grow(world, start, count):
    viewer = world.viewer(world.manager_a)
    nodes = [
        services.node_create(viewer=viewer, kind=NodeKind.ORGANISATION, label=f"Org {start + i}")
        for i in range(count)
    ]
    for a, b in zip(nodes, nodes[1:], strict=False):
        services.tie_record(
            viewer=viewer,
            source=a,
            target=b,
            tie_type=TieType.PARTNERSHIP,
            started_on=datetime.date(2025, 1, 1),
        )
    compute.snapshot_compute(world.place)
    return nodes


@pytest.mark.parametrize(
    "name", ["network:index", "network:data", "network:change_makers", "node", "sector"]
)
def test_query_count_does_not_grow_with_the_network(world, name):
    client = client_for(world.analyst)
    nodes = []

    def make(count):
        nodes.extend(_grow(world, len(nodes), count))

    def fetch():
        url = {
            "node": lambda: reverse("network:node", args=[nodes[1].public_id]),
            "sector": lambda: reverse("network:sector_map", args=[nodes[1].public_id]),
        }.get(name, lambda: reverse(name))()
        assert client.get(url).status_code == 200

    assert_same_queries_at_two_sizes(make, fetch, small=5, large=45)
