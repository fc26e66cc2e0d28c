"""factory-boy factories for the network's own rows (nodes and ties), for tests that need
a network of a chosen shape without going through the services."""

import datetime

import factory

from commonweave.demo.factories import PlaceFactory
from commonweave.network.enums import NodeKind, Sector, TieSource, TieType
from commonweave.network.models import Node, Tie


class NodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Node

    place = factory.SubFactory(PlaceFactory)
    kind = NodeKind.ORGANISATION
    key = factory.Sequence(lambda n: f"ext:test {n}")
    label = factory.Sequence(lambda n: f"Organisation {n}")
    sector = Sector.VCSE


class TieFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tie

    place = factory.LazyAttribute(lambda tie: tie.source_node.place)
    source_node = factory.SubFactory(NodeFactory)
    target_node = factory.SubFactory(NodeFactory, place=factory.SelfAttribute("..place"))
    tie_type = TieType.PARTNERSHIP
    source = TieSource.MANUAL
    started_on = datetime.date(2025, 3, 1)
