"""The demo place has residents' own networks to show: drawn with their catalysts for a
few residents who agreed to evaluation, most drawn again later, so "then and now" shows
growth, and rolled up into the place network without names."""

import io

import pytest
from django.core.management import call_command

from commonweave.audit.models import AuditEvent
from commonweave.demo.network import demo_drawings
from commonweave.network import own_network
from commonweave.network.enums import TieSource
from commonweave.network.models import OwnNetworkDrawing, Tie
from commonweave.people.enums import ConsentPurpose
from commonweave.people.models import Consent
from commonweave.tenancy.models import Place

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _consenting(resident):
    return Consent.objects.filter(
        resident=resident, purpose=ConsentPurpose.EVALUATION, organisation=None, given=True
    ).exists()


def test_the_demo_command_draws_own_networks_for_consenting_residents():
    out = io.StringIO()
    call_command("demo", "--residents", "120", "--seed", "4", stdout=out, stderr=io.StringIO())
    place = Place.objects.get(slug="hartley-vale")
    drawn = {d.resident for d in OwnNetworkDrawing.objects.filter(place=place)}
    assert 3 <= len(drawn) <= 8
    assert all(_consenting(r) for r in drawn)
    assert f"Own networks: {OwnNetworkDrawing.objects.count()} drawings" in out.getvalue()
    redrawn = [r for r in drawn if len(own_network.drawings_of(r)) == 2]
    assert redrawn  # some residents have a "then" and a "now"
    for resident in redrawn:
        first, latest = own_network.drawings_of(resident)
        assert first.drawn_on < latest.drawn_on
        rows = {r["label"]: r for r in own_network.compare(first, latest)}
        assert rows["Everyone in the drawing"]["change"] > 0
        assert rows["In the inner circle (very close)"]["now"] >= 0
    # through the services: audited as the resident's catalyst, rolled up by consent
    resident = redrawn[0]
    assert AuditEvent.objects.filter(
        object_type="network.ownnetworkmember",
        resident_id=resident.public_id,
        actor=resident.catalyst,
    ).exists()
    assert Tie.objects.filter(
        source=TieSource.OWN_NETWORK, source_node__resident=resident, ended_on=None
    ).count() >= len(list(own_network.drawings_of(resident)[-1].members.all()))


def test_demo_drawings_are_made_once_and_the_same_for_the_same_seed():
    call_command(
        "demo", "--residents", "60", "--seed", "2", stdout=io.StringIO(), stderr=io.StringIO()
    )
    place = Place.objects.get(slug="hartley-vale")
    before = sorted(OwnNetworkDrawing.objects.values_list("resident_id", "number", "drawn_on"))
    again = demo_drawings(place, seed=place.pk)
    assert again["drawings"] == 0  # already drawn: left as they are
    assert (
        sorted(OwnNetworkDrawing.objects.values_list("resident_id", "number", "drawn_on")) == before
    )
