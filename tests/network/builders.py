"""A small network for page, API and browser tests."""

import datetime

from commonweave.network import compute, derive, services
from commonweave.network.enums import NodeKind, Sector, TieType
from commonweave.network.models import Node
from commonweave.people import services as people

D = datetime.date


def build_network(world, resident_a):
    """Org A and B, three outside organisations, a resident connected to a group."""
    viewer = world.viewer(world.manager_a)
    people.connection_add(
        viewer=world.viewer(world.catalyst_a), resident=resident_a, kind="group", name="Choir"
    )
    ids = derive.ensure_nodes(
        world.place, {derive.org_key(o.pk): derive.org_spec(o) for o in (world.org_a, world.org_b)}
    )
    a = Node.objects.get(pk=ids[derive.org_key(world.org_a.pk)])
    b = Node.objects.get(pk=ids[derive.org_key(world.org_b.pk)])
    faith = services.node_create(
        viewer=viewer, kind=NodeKind.ORGANISATION, label="Faith Forum", sector=Sector.FAITH
    )
    school = services.node_create(
        viewer=viewer, kind=NodeKind.ORGANISATION, label="Hill School", sector=Sector.SCHOOLS
    )
    police = services.node_create(
        viewer=viewer, kind=NodeKind.ORGANISATION, label="Police Team", sector=Sector.POLICE
    )
    for x, y in ((a, b), (b, faith), (b, school), (faith, school), (school, police)):
        services.tie_record(
            viewer=viewer,
            source=x,
            target=y,
            tie_type=TieType.PARTNERSHIP,
            started_on=D(2025, 1, 1),
        )
    compute.snapshot_compute(world.place)
    return {
        "a": a,
        "b": b,
        "faith": faith,
        "school": school,
        "police": police,
        "resident": resident_a,
    }


def place_like_graph(residents=30_000, hubs=300, seed=0):
    """A borough-sized network shaped like a place's (made up): organisations and groups
    as hubs of very different sizes, partnerships between them, each resident held by one
    of 20 casework organisations and connected to a group or two, small circles of
    residents who know each other, and strengths from 1 to 3 (so paths are weighted)."""
    import numpy as np

    from commonweave.network.analysis import GraphInput

    rng = np.random.default_rng(seed)
    popularity = rng.zipf(1.6, hubs).astype(float)
    popularity /= popularity.sum()
    casework = popularity[:20] / popularity[:20].sum()
    groups = popularity[20:] / popularity[20:].sum()
    res = np.arange(hubs, hubs + residents)
    parts = [
        np.column_stack([rng.integers(0, hubs, 3 * hubs), rng.integers(0, hubs, 3 * hubs)]),
        np.column_stack([res, rng.choice(20, residents, p=casework)]),
    ]
    joined = rng.poisson(1.2, residents)
    parts.append(
        np.column_stack(
            [np.repeat(res, joined), 20 + rng.choice(hubs - 20, joined.sum(), p=groups)]
        )
    )
    circles = rng.choice(res, (residents // 10, 4))
    for i in range(4):
        for j in range(i + 1, 4):
            parts.append(circles[:, [i, j]])
    edges = np.concatenate(parts)
    edges = edges[edges[:, 0] != edges[:, 1]]
    weight = rng.choice([1.0, 1.0, 1.0, 2.0, 3.0], len(edges))
    return GraphInput(
        n=hubs + residents,
        src=edges[:, 0].astype(np.int64),
        dst=edges[:, 1].astype(np.int64),
        weight=weight,
        directed=np.zeros(len(edges), dtype=bool),
    )
