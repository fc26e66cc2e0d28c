"""The API for a resident's own network: the same rules as the pages (holding organisation
only, 404 otherwise), errors naming fields, and audit."""

import pytest
from django.test import Client

from commonweave.audit.models import AuditEvent
from commonweave.network.models import OwnNetworkDrawing, OwnNetworkMember
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _token(organisation, role):
    _, raw = issue_api_token(organisation=organisation, name="System", role=role)
    return Client(HTTP_AUTHORIZATION=f"Bearer {raw}")


def _url(resident, rest=""):
    return f"/api/network/residents/{resident.public_id}/own-network{rest}"


def test_holding_organisation_draws_reads_changes_and_draws_again(world, resident_a):
    client = _token(world.org_a, Role.CATALYST)
    created = client.post(
        _url(resident_a, "/members"),
        {"name": "Auntie Pat", "kind": "person", "closeness": 1, "call_on": True},
        content_type="application/json",
    )
    assert created.status_code == 201
    key = created.json()["key"]
    assert created.json() == {
        "key": key,
        "name": "Auntie Pat",
        "kind": "person",
        "closeness": 1,
        "sees": False,
        "call_on": True,
        "helps": False,
    }
    changed = client.put(
        _url(resident_a, f"/members/{key}"),
        {"name": "Auntie Pat", "kind": "person", "closeness": 2, "sees": True},
        content_type="application/json",
    )
    assert (changed.status_code, changed.json()["closeness"], changed.json()["call_on"]) == (
        200,
        2,
        False,
    )
    again = client.post(_url(resident_a, "/drawings"), {}, content_type="application/json")
    assert (again.status_code, again.json()["number"], len(again.json()["members"])) == (
        201,
        2,
        1,
    )
    assert client.delete(_url(resident_a, f"/members/{key}")).status_code == 204
    before = AuditEvent.objects.filter(action="view").count()
    body = client.get(_url(resident_a)).json()
    assert AuditEvent.objects.filter(action="view").count() == before + 1
    assert [(d["number"], len(d["members"])) for d in body["drawings"]] == [(1, 1), (2, 0)]
    assert body["rolls_up"] is False
    then_now = {row["label"]: (row["then"], row["now"]) for row in body["then_and_now"]}
    assert then_now["Everyone in the drawing"] == (1, 0)


def test_bad_input_is_a_400_naming_the_fields(world, resident_a):
    client = client_for(world.catalyst_a)
    response = client.post(
        _url(resident_a, "/members"),
        {"name": "Sam", "kind": "person", "closeness": 2},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["relations"]
    response = client.post(
        _url(resident_a, "/members"),
        {"name": "", "kind": "cousin", "sees": True, "age": 9},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"name", "kind", "age"}
    assert not OwnNetworkMember.objects.exists()


@pytest.mark.parametrize(
    ("organisation", "role"),
    [("org_b", Role.PARTNER_WORKER), ("org_b", Role.CATALYST), ("org_a", Role.ANALYST)],
)
def test_anyone_else_gets_the_404_of_a_missing_record(world, resident_a, organisation, role):
    client = _token(getattr(world, organisation), role)
    member = {"name": "Auntie Pat", "kind": "person", "closeness": 1, "sees": True}
    for method, url, data in (
        ("get", _url(resident_a), None),
        ("post", _url(resident_a, "/members"), member),
        ("post", _url(resident_a, "/drawings"), {}),
    ):
        kwargs = {"content_type": "application/json"} if data is not None else {}
        response = getattr(client, method)(url, data, **kwargs)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found"})
    assert not OwnNetworkDrawing.objects.exists()
