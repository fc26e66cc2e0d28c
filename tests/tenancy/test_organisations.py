"""A place admin adds partner organisations and changes their name or kind."""

from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.tenancy.enums import OrganisationKind
from commonweave.tenancy.models import Organisation
from tests.conftest import assert_access, client_for

ADD = reverse("tenancy:organisation_add")


def edit_url(organisation):
    return reverse("tenancy:organisation_edit", args=[organisation.pk])


def test_only_place_admins_can_add_organisations(world):
    assert_access(world, "get", ADD, {"manager_a": 200, "outsider": 200})


def test_only_admins_of_its_place_can_change_an_organisation(world):
    assert_access(world, "get", edit_url(world.org_b), {"manager_a": 200})


def test_an_admin_adds_an_organisation_to_their_place(world):
    response = client_for(world.manager_a).post(
        ADD, {"name": "  Testford   Housing Trust ", "kind": OrganisationKind.HOUSING}
    )
    assert (response.status_code, response["Location"]) == (302, reverse("tenancy:members"))
    organisation = Organisation.objects.get(name="Testford Housing Trust")
    assert (organisation.place, organisation.kind) == (world.place, OrganisationKind.HOUSING)
    event = AuditEvent.objects.get()
    assert (event.action, event.purpose, event.object_type, event.object_id, event.detail) == (
        Action.CREATE,
        Purpose.ADMIN,
        "tenancy.organisation",
        str(organisation.pk),
        {"kind": "housing"},
    )
    html = client_for(world.manager_a).get(reverse("tenancy:members")).content.decode()
    assert "Testford Housing Trust" in html


def test_a_name_already_used_in_the_place_is_refused(world):
    response = client_for(world.manager_a).post(
        ADD, {"name": "testford council", "kind": OrganisationKind.COUNCIL}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert (
        '<a href="#id_name">There is already an organisation with that name in this place</a>'
        in html
    )
    assert 'value="testford council"' in html
    assert Organisation.objects.filter(place=world.place).count() == 2


def test_the_same_name_is_fine_in_another_place(world):
    response = client_for(world.outsider).post(
        ADD, {"name": "Testford Council", "kind": OrganisationKind.COUNCIL}
    )
    assert response.status_code == 302
    assert Organisation.objects.filter(name="Testford Council").count() == 2


def test_missing_name_and_kind_are_shown_next_to_the_fields(world):
    html = client_for(world.manager_a).post(ADD, {"name": "", "kind": ""}).content.decode()
    assert '<a href="#id_name">Enter the organisation&#x27;s name</a>' in html
    assert '<a href="#id_kind">Choose what kind of organisation it is</a>' in html


def test_an_admin_renames_an_organisation(world):
    response = client_for(world.manager_a).post(
        edit_url(world.org_b), {"name": "Testford Borough Council", "kind": "council"}
    )
    assert response.status_code == 302
    world.org_b.refresh_from_db()
    assert world.org_b.name == "Testford Borough Council"
    event = AuditEvent.objects.get()
    assert (event.action, event.detail) == (Action.UPDATE, {"changed": ["name"], "kind": "council"})


def test_the_edit_form_starts_with_the_current_details(world):
    html = client_for(world.manager_a).get(edit_url(world.org_b)).content.decode()
    assert 'value="Testford Council"' in html
    assert 'value="council" checked' in html


def test_keeping_its_own_name_is_not_a_clash(world):
    response = client_for(world.manager_a).post(
        edit_url(world.org_b), {"name": "Testford Council", "kind": "nhs"}
    )
    assert response.status_code == 302
    world.org_b.refresh_from_db()
    assert world.org_b.kind == "nhs"


def test_an_admin_cannot_change_another_places_organisation(world):
    elsewhere = world.outsider.memberships.first().organisation
    response = client_for(world.manager_a).post(
        edit_url(elsewhere), {"name": "Taken over", "kind": "council"}
    )
    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.name == "Elsewhere Connect"
