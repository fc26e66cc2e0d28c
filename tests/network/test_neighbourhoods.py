"""Nodes know their neighbourhood (from the directory's neighbourhoods), so the network can
be filtered to one."""

import pytest
from django.urls import reverse

from commonweave.demo.factories import ResidentFactory
from commonweave.directory.models import (
    Location,
    Neighbourhood,
    Organization,
    PostcodeLookup,
    Service,
    ServiceAtLocation,
)
from commonweave.network import derive, locate
from commonweave.network.enums import NodeKind
from commonweave.network.models import Node
from commonweave.people import services as people
from commonweave.people.enums import ConnectionKind
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _square(place, name, lon, lat, size=0.02):
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return Neighbourhood.objects.create(
        place=place,
        name=name,
        kind="ward",
        code=name[:3].upper(),
        geometry={"type": "Polygon", "coordinates": [ring]},
        min_lon=lon,
        min_lat=lat,
        max_lon=lon + size,
        max_lat=lat + size,
    )


@pytest.fixture
def wards(world):
    """Two wards side by side, a postcode in each, and one outside both."""
    hathershaw = _square(world.place, "Hathershaw", -2.12, 53.52)
    werneth = _square(world.place, "Werneth", -2.10, 53.52)
    PostcodeLookup.objects.bulk_create(
        [
            PostcodeLookup(postcode="OL81AA", latitude=53.53, longitude=-2.11),
            PostcodeLookup(postcode="OL97BB", latitude=53.53, longitude=-2.09),
            PostcodeLookup(postcode="M11AA", latitude=53.48, longitude=-2.24),
        ]
    )
    return {"hathershaw": hathershaw, "werneth": werneth}


def _resident(world, postcode):
    return ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a, postcode=postcode)


def _node(resident):
    return Node.objects.get(resident=resident)


def test_a_residents_node_is_in_the_neighbourhood_of_their_postcode(world, wards):
    inside = _resident(world, "ol8 1aa")  # typed loosely: normalised before the lookup
    elsewhere = _resident(world, "M1 1AA")  # a known postcode outside every ward
    unknown = _resident(world, "ZZ9 9ZZ")
    for resident in (inside, elsewhere, unknown):
        people.connection_add(
            viewer=world.viewer(world.catalyst_a),
            resident=resident,
            kind=ConnectionKind.GROUP,
            name="Choir",
        )
    assert _node(inside).neighbourhood == "Hathershaw"
    assert (_node(elsewhere).neighbourhood, _node(unknown).neighbourhood) == ("", "")


def test_a_move_is_picked_up_by_the_next_sync(world, wards):
    resident = _resident(world, "OL8 1AA")
    derive.sync_ties(world.place)
    assert _node(resident).neighbourhood == "Hathershaw"
    type(resident).objects.filter(pk=resident.pk).update(postcode="OL9 7BB")
    derive.sync_ties(world.place)
    assert _node(resident).neighbourhood == "Werneth"


def test_organisations_and_groups_are_placed_where_the_directory_has_them(world, wards):
    council = Organization.objects.create(place=world.place, name="Council", partner=world.org_b)
    Location.objects.create(
        place=world.place,
        organization=council,
        latitude=53.53,
        longitude=-2.09,
        neighbourhood=wards["werneth"],
    )
    choir = Service.objects.create(place=world.place, name="The Choir", kind="group")
    hall = Location.objects.create(
        place=world.place, latitude=53.53, longitude=-2.11, neighbourhood=wards["hathershaw"]
    )
    ServiceAtLocation.objects.create(place=world.place, service=choir, location=hall)
    resident = _resident(world, "")
    people.connection_add(
        viewer=world.viewer(world.catalyst_a),
        resident=resident,
        kind=ConnectionKind.GROUP,
        name="the choir",
    )
    hand_typed = Node.objects.create(
        place=world.place, key="ext:bowls", kind=NodeKind.ORGANISATION, label="Bowls club"
    )
    Node.objects.filter(pk=hand_typed.pk).update(neighbourhood="Royton")
    derive.sync_ties(world.place)
    hoods = dict(Node.objects.exclude(label="").values_list("label", "neighbourhood"))
    assert hoods["Testford Council"] == "Werneth"  # org B, through its directory entry
    assert hoods["Testford Connect"] == ""  # not in the directory
    assert hoods["the choir"] == "Hathershaw"  # the service of the same name
    assert hoods["Bowls club"] == "Royton"  # typed by hand and not in the directory: kept


def test_without_neighbourhoods_nothing_is_placed_and_old_values_clear(world):
    resident = _resident(world, "OL8 1AA")
    derive.sync_ties(world.place)
    Node.objects.filter(resident=resident).update(neighbourhood="Gone ward")
    assert locate.fill_neighbourhoods(world.place) == 1
    assert _node(resident).neighbourhood == ""


def test_the_network_view_filters_to_one_neighbourhood(world, wards):
    inside, outside = _resident(world, "OL8 1AA"), _resident(world, "OL9 7BB")
    for resident in (inside, outside):
        people.connection_add(
            viewer=world.viewer(world.catalyst_a),
            resident=resident,
            kind=ConnectionKind.PERSON,
            name="A friend",
        )
    client = client_for(world.analyst)
    everyone = client.get(reverse("network:data")).json()
    assert {n["kind"] for n in everyone["nodes"]} >= {"resident", "person", "organisation"}
    data = client.get(reverse("network:data"), {"neighbourhood": "Hathershaw"}).json()
    assert [(n["id"], n["neighbourhood"]) for n in data["nodes"]] == [
        (_node(inside).public_id, "Hathershaw")
    ]
    page = client.get(reverse("network:index")).content.decode()
    assert '<option value="Hathershaw">Hathershaw</option>' in page
    assert '<option value="Werneth">Werneth</option>' in page
