"""The demo directory reads like a real borough's: distinct names that are never numbered,
the groups the casework and own-network demo name are there to be found, most entries can
be rung and have opening times, and the same seed gives the same directory."""

import re

import pytest

from commonweave.demo import directory as demo
from commonweave.demo import directory_catalogue as cat
from commonweave.demo import network as demo_network
from commonweave.demo import phrases as ph
from commonweave.demo.factories import PlaceFactory
from commonweave.directory import search, selectors
from commonweave.directory.models import Contact, Location, Organization, Schedule, Service

pytestmark = pytest.mark.django_db

DRAMA_NUMBER = re.compile(r"^(0161 496 0\d{3}|07700 900\d{3}|0808 157 0\d{3})$")
# The groups, services and places a resident can be connected to in the casework demo.
CASEWORK = [name for kind in ("group", "service", "place") for name in ph.CONNECTIONS[kind]]


@pytest.fixture
def place():
    place = PlaceFactory(name="Hartley Vale", slug="hartley-vale")
    demo.generate_directory(place, services=2000, locations=1000, seed=7)
    return place


def _snapshot(place):
    services = Service.objects.filter(place=place).select_related("organization")
    return [
        (
            s.id,
            s.name,
            s.kind,
            s.organization.name if s.organization else "",
            [c.phone for c in s.contacts.all()],
            [(x.byday, x.opens_at, x.closes_at) for x in s.schedules.all()],
            [sal.location.public_name for sal in s.at_locations.all()],
        )
        for s in services.prefetch_related("contacts", "schedules", "at_locations__location")
    ]


def test_names_are_unique_and_never_numbered(place):
    names = list(Service.objects.filter(place=place).values_list("name", flat=True))
    assert len(names) == 2000
    assert len({name.lower() for name in names}) == 2000
    assert [n for n in names if re.search(r"(^|\s)\d+(\s|$)", n)] == []


def test_every_group_the_casework_names_has_a_directory_entry():
    assert [name for name in CASEWORK if name not in cat.ANCHORS] == []


def test_the_casework_groups_are_found_by_directory_search(place):
    for name in CASEWORK:
        entry = Service.objects.get(place=place, name=name)
        found = selectors.find_services(place, selectors.Filters(text=name))
        assert entry.id in found.ids, name
    # Residents draw their own networks in their own words ("Food bank", "The library"):
    # the best match holds every word they used.
    for name, _ in demo_network.GROUPS:
        found = selectors.find_services(place, selectors.Filters(text=name))
        best = Service.objects.get(pk=found[0])
        assert set(search.words(name)) <= set(search.words(best.name)), (name, best.name)


def test_most_entries_have_a_phone_times_and_an_organisation(place):
    services = Service.objects.filter(place=place)
    phones = list(Contact.objects.filter(service__place=place).values_list("phone", flat=True))
    with_phone = services.filter(contacts__phone__gt="").distinct().count()
    with_times = Schedule.objects.filter(service__place=place).values("service").distinct().count()
    assert with_phone / 2000 >= 0.8
    assert with_times / 2000 >= 0.9
    assert services.filter(organization__isnull=False).count() / 2000 >= 0.8
    assert [p for p in phones if not DRAMA_NUMBER.match(p)] == []
    sites = Organization.objects.filter(place=place).values_list("website", "email")
    assert all(re.match(r"^https://[a-z0-9-]+\.example\.(org|com)$", web) for web, _ in sites)
    assert all(re.match(r"^hello@[a-z0-9-]+\.example\.(org|com)$", email) for _, email in sites)


def test_confidential_locations_publish_only_their_area(place):
    hidden = Location.objects.filter(place=place, confidential=True)
    assert hidden.exists()
    for location in hidden:
        assert location.name == "" and location.public_name == location.area
        assert [sal.service.name for sal in location.at_locations.all()] != []


def test_the_same_seed_gives_the_same_directory():
    place = PlaceFactory(name="Hartley Vale", slug="hartley-vale")
    demo.generate_directory(place, services=400, locations=150, seed=3)
    first = _snapshot(place)
    Service.objects.filter(place=place).delete()
    Location.objects.filter(place=place).delete()
    Organization.objects.filter(place=place).delete()
    demo.generate_directory(place, services=400, locations=150, seed=3)
    assert _snapshot(place) == first
    other = PlaceFactory(name="Hartley Vale", slug="elsewhere")
    demo.generate_directory(other, services=400, locations=150, seed=4)
    assert {row[1] for row in _snapshot(other)} != {row[1] for row in first}
