"""Coordinators record ties by hand and import name-generator surveys."""

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


SURVEY = (
    "respondent,contact,relationship,strength,date\n"
    "Testford Connect,Testford Council,partner,4,2026-01-10\n"
    "Testford Connect,Testfrod Council,works with,2,2026-02-01\n"
    "Testford Connect,Faith Forum,colleague,1,\n"
    ",Nobody,knows,1,2026-01-01\n"
    "Testford Council,Testford Council,knows,1,2026-01-01\n"
    "Testford Council,Faith Forum,rival,1,2026-01-01\n"
    "Testford Council,Faith Forum,knows,lots,01/02/2026\n"
)


def test_survey_preview_reports_bad_rows_and_unknown_names_with_matches(world):
    a, b = _org_nodes(world)
    preview = services.survey_preview(viewer=world.viewer(world.manager_a), data=SURVEY.encode())
    assert [line for line, _ in preview.errors] == [5, 6, 7, 8]
    reasons = dict(preview.errors)
    assert reasons[5] == "the respondent is missing"
    assert reasons[6] == "a respondent cannot name themselves"
    assert "relationship type 'rival'" in reasons[7]
    assert reasons[8] == (
        "strength must be a number above 0 and up to 10; the date must be written as YYYY-MM-DD"
    )
    assert preview.known == {"Testford Connect": a, "Testford Council": b}
    assert sorted(preview.unknown) == ["Faith Forum", "Testfrod Council"]
    assert preview.unknown["Faith Forum"] == []
    assert preview.unknown["Testfrod Council"][0] == b  # the likeliest match first
    assert Tie.objects.count() == 0


def test_survey_import_after_review_matches_and_creates_names(world):
    a, b = _org_nodes(world)
    result = services.survey_import(
        viewer=world.viewer(world.manager_a),
        data=SURVEY.encode(),
        decisions={"Testfrod Council": b.public_id, "Faith Forum": "new"},
        new_kind=NodeKind.ORGANISATION,
    )
    assert (result["created"], len(result["bad"]), result["skipped"]) == (3, 4, [])
    ties = Tie.objects.filter(source=TieSource.SURVEY).order_by("started_on")
    assert [(t.target_node.label, t.tie_type, t.strength) for t in ties] == [
        ("Testford Council", TieType.PARTNERSHIP, 4.0),
        ("Testford Council", TieType.WORKS_WITH, 2.0),
        ("Faith Forum", TieType.WORKS_WITH, 1.0),
    ]


def test_survey_rows_with_undecided_names_are_skipped_not_guessed(world):
    _org_nodes(world)
    result = services.survey_import(viewer=world.viewer(world.manager_a), data=SURVEY.encode())
    assert result["created"] == 1
    assert [line for line, _ in result["skipped"]] == [3, 4]


def test_survey_without_the_columns_is_refused(world):
    with pytest.raises(ValidationError):
        services.survey_preview(viewer=world.viewer(world.manager_a), data=b"a,b\n1,2\n")
