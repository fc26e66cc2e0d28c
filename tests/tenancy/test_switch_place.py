"""Someone who works in several places chooses which one they are working in."""

import pytest
from django.test import Client
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.tenancy.enums import Role
from commonweave.tenancy.middleware import SESSION_KEY
from commonweave.tenancy.models import Membership
from tests.conftest import client_for

SWITCH = reverse("tenancy:switch_place")
MEMBERS = reverse("tenancy:members")


@pytest.fixture
def two_place_admin(world):
    """manager_a is also place admin of Elsewhere."""
    elsewhere = world.outsider.memberships.first().organisation
    MembershipFactory(user=world.manager_a, organisation=elsewhere, role=Role.PLACE_ADMIN)
    return world.manager_a


def test_the_switch_page_lists_only_the_places_where_they_have_a_role(world, two_place_admin):
    html = client_for(two_place_admin).get(SWITCH).content.decode()
    assert "Testford" in html and "Elsewhere" in html
    html = client_for(world.catalyst_a).get(SWITCH).content.decode()
    assert "Testford" in html and "Elsewhere" not in html


def test_switching_changes_the_place_they_work_in(world, two_place_admin):
    client = client_for(two_place_admin)
    assert "Testford Council" in client.get(MEMBERS).content.decode()
    response = client.post(SWITCH, {"place": world.other_place.pk})
    assert response["Location"] == reverse("web:home")
    assert client.session[SESSION_KEY] == world.other_place.pk
    html = client.get(MEMBERS).content.decode()
    assert "Elsewhere Connect" in html and "Testford Council" not in html
    client.post(SWITCH, {"place": world.place.pk})
    assert "Testford Council" in client.get(MEMBERS).content.decode()


def test_a_place_where_they_have_no_role_cannot_be_chosen(world):
    client = client_for(world.catalyst_a)
    response = client.post(SWITCH, {"place": world.other_place.pk})
    assert response.status_code == 400
    assert '<a href="#id_place">Choose one of your places</a>' in response.content.decode()
    assert SESSION_KEY not in client.session
    assert client.get(reverse("people:caseload")).status_code == 200


def test_a_stale_place_in_the_session_falls_back_to_one_of_theirs(world, two_place_admin):
    client = client_for(two_place_admin)
    client.post(SWITCH, {"place": world.other_place.pk})
    Membership.objects.filter(user=two_place_admin, organisation__place=world.other_place).delete()
    assert "Testford Council" in client.get(MEMBERS).content.decode()


def test_switching_needs_signing_in(db):
    response = Client().post(SWITCH, {"place": 1})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))
