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
