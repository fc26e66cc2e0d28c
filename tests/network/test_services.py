"""Coordinators record ties and nodes by hand (surveys: test_survey.py)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commonweave.audit.models import AuditEvent
from commonweave.network import derive, services
from commonweave.network.enums import NodeKind, TieSource, TieType
from commonweave.network.models import Node, Tie

pytestmark = pytest.mark.django_db


def _org_nodes(world):
    ids = derive.ensure_nodes(
        world.place,
        {derive.org_key(o.pk): derive.org_spec(o) for o in (world.org_a, world.org_b)},
    )
    return Node.objects.get(pk=ids[derive.org_key(world.org_a.pk)]), Node.objects.get(
        pk=ids[derive.org_key(world.org_b.pk)]
    )


def test_coordinator_records_a_partnership_between_organisations(world):
    a, b = _org_nodes(world)
    viewer = world.viewer(world.manager_a)
    tie = services.tie_record(
        viewer=viewer, source=a, target=b, tie_type=TieType.PARTNERSHIP, strength=3
    )
    assert (tie.source, tie.strength, tie.created_by) == (TieSource.MANUAL, 3.0, world.manager_a)
    assert (
        AuditEvent.objects.filter(object_type="network.tie", object_id=tie.public_id).count() == 1
    )
    services.tie_end(viewer=viewer, tie=tie, ended_on=tie.started_on)
    tie.refresh_from_db()
    assert tie.ended_on == tie.started_on


@pytest.mark.parametrize("persona", ["catalyst_a", "worker_b", "analyst", "outsider"])
def test_only_coordinators_and_place_admins_record_ties(world, persona):
    a, b = _org_nodes(world)
    viewer = world.viewer(world.personas[persona])
    with pytest.raises(PermissionDenied):
        services.tie_record(viewer=viewer, source=a, target=b, tie_type=TieType.PARTNERSHIP)


def test_bad_manual_tie_is_refused_with_reasons_and_nothing_saved(world, resident_a):
    a, _ = _org_nodes(world)
    with pytest.raises(ValidationError) as caught:
        services.tie_record(
            viewer=world.viewer(world.manager_a),
            source=a,
            target=a,
            tie_type="nonsense",
            strength="strong",
            started_on=datetime.date(2999, 1, 1),
        )
    assert set(caught.value.message_dict) == {"target", "tie_type", "strength", "started_on"}
    assert Tie.objects.count() == 0


def test_person_to_organisation_tie_with_a_new_professional_contact(world):
    a, _ = _org_nodes(world)
    viewer = world.viewer(world.manager_a)
    councillor = services.node_create(
        viewer=viewer, kind=NodeKind.PERSON, label="Cllr Example", sector="elected"
    )
    assert services.node_create(viewer=viewer, kind=NodeKind.PERSON, label="cllr example") == (
        councillor
    )
    services.tie_record(viewer=viewer, source=councillor, target=a, tie_type=TieType.KNOWS)
    assert Tie.objects.filter(source_node=councillor, target_node=a).count() == 1
