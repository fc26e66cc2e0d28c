"""'Shared with us': the residents a partner organisation may open because the person
agreed to share their record with it. The page and the API list exactly those, with the
same fields (what consented sharing may see), and each list is one audited LIST."""

import re
from html import escape

import pytest
from django.urls import reverse

from commonweave.audit.enums import Action, Purpose
from commonweave.audit.models import AuditEvent
from commonweave.core.visibility import Level, visible_fields
from commonweave.demo.factories import ResidentFactory
from commonweave.people import services
from commonweave.people.enums import ConsentMethod, ConsentPurpose
from commonweave.people.models import Consent, Resident
from commonweave.people.selectors import SHARED_LIST_FIELDS
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import token_client
from tests.conftest import assert_access, client_for
from tests.queries import assert_same_queries_at_two_sizes

pytestmark = pytest.mark.django_db

PAGE = reverse("people:shared_with_us")
API = "/api/shared-with-us"


def share(world, resident, organisation, *, given=True):
    holder = world.catalyst_a if resident.organisation == world.org_a else world.catalyst_b
    services.consent_record(
        viewer=world.viewer(holder),
        resident=resident,
        purpose=ConsentPurpose.SHARE,
        given=given,
        method=ConsentMethod.VERBAL,
        wording="May we share your record?",
        organisation=organisation,
    )


@pytest.fixture
def records(world):
    """Organisation A's residents, some shared with B; one of B's own shared with A."""
    shared_with_b = ResidentFactory(organisation=world.org_a, next_action="qz-next-action")
    also_shared = ResidentFactory(organisation=world.org_a, preferred_name="Dot")
    withdrawn = ResidentFactory(organisation=world.org_a)
    not_shared = ResidentFactory(organisation=world.org_a)
    held_by_b = ResidentFactory(organisation=world.org_b)
    merged = ResidentFactory(organisation=world.org_a)
    for resident in (shared_with_b, also_shared, withdrawn, merged):
        share(world, resident, world.org_b)
    share(world, withdrawn, world.org_b, given=False)
    Resident.objects.filter(pk=merged.pk).update(merged_into=not_shared)
    share(world, held_by_b, world.org_a)
    return {
        "shared_with_b": shared_with_b,
        "also_shared": also_shared,
        "withdrawn": withdrawn,
        "not_shared": not_shared,
        "held_by_b": held_by_b,
        "merged": merged,
    }


def expected_for(organisations, held_by):
    """The rule, restated from the consent table rather than from the code under test:
    a live record of the place, held by someone else, with sharing given to one of
    `organisations`."""
    consents = Consent.objects.filter(
        purpose=ConsentPurpose.SHARE, given=True, organisation__in=organisations
    ).values_list("resident_id", flat=True)
    return set(
        Resident.objects.filter(pk__in=consents, merged_into__isnull=True)
        .exclude(organisation__in=held_by)
        .values_list("public_id", flat=True)
    )


def listed_on_page(html):
    return set(re.findall(r'href="/residents/([\w-]+)/"', html))


def api_items(organisation, role=Role.PARTNER_WORKER, **params):
    raw = issue_api_token(organisation=organisation, name="Partner system", role=role)[1]
    query = "&".join(f"{key}={value}" for key, value in params.items())
    response = token_client(raw).get(f"{API}?{query}" if query else API)
    assert response.status_code == 200
    return response.json()


def test_a_partner_worker_sees_exactly_what_was_shared_with_their_organisation(world, records):
    response = client_for(world.worker_b).get(PAGE)
    assert response.status_code == 200
    expected = expected_for([world.org_b], held_by=[])
    assert expected == {records["shared_with_b"].public_id, records["also_shared"].public_id}
    assert listed_on_page(response.content.decode()) == expected
    assert {item["public_id"] for item in api_items(world.org_b)["items"]} == expected


def test_each_listed_resident_can_be_opened_by_the_partner(world, records):
    client = client_for(world.worker_b)
    for public_id in listed_on_page(client.get(PAGE).content.decode()):
        assert client.get(reverse("people:resident_detail", args=[public_id])).status_code == 200


def test_a_catalyst_sees_only_what_others_shared_not_their_own_caseload(world, records):
    # Catalyst B's organisation holds held_by_b (full access): that is not "shared with us".
    page = client_for(world.catalyst_b).get(PAGE).content.decode()
    assert listed_on_page(page) == expected_for([world.org_b], held_by=[world.org_b])
    assert records["held_by_b"].public_id not in page
    page = client_for(world.catalyst_a).get(PAGE).content.decode()
    assert listed_on_page(page) == {records["held_by_b"].public_id}
    assert listed_on_page(page) == expected_for([world.org_a], held_by=[world.org_a])


def test_who_may_see_the_page(world, records):
    # Analysts (in that role alone) see no people: a 404. The outsider is a catalyst in
    # another place: their own page, with nothing of this place on it.
    expected = {
        "catalyst_a": 200,
        "manager_a": 200,
        "worker_b": 200,
        "catalyst_b": 200,
        "outsider": 200,
    }
    assert_access(world, "get", PAGE, expected)
    assert listed_on_page(client_for(world.outsider).get(PAGE).content.decode()) == set()


def test_the_api_per_role_matches_the_page(world, records):
    for organisation, role, user in (
        (world.org_b, Role.PARTNER_WORKER, world.worker_b),
        (world.org_b, Role.CATALYST, world.catalyst_b),
        (world.org_a, Role.CATALYST, world.catalyst_a),
    ):
        page = client_for(user).get(PAGE).content.decode()
        in_api = {item["public_id"] for item in api_items(organisation, role)["items"]}
        assert in_api == listed_on_page(page), (organisation, role)
    # An analyst's token sees no people: an empty list, as /api/residents answers it.
    assert api_items(world.org_a, Role.ANALYST)["items"] == []


def test_page_and_api_show_the_same_fields_and_nothing_a_worker_wrote(world, records):
    items = api_items(world.org_b)["items"]
    page = client_for(world.worker_b).get(PAGE).content.decode()
    for item in items:
        assert set(item) == set(SHARED_LIST_FIELDS)
        assert escape(item["full_name"]) in page
        assert escape(item["organisation"]["name"]) in page
    assert set(SHARED_LIST_FIELDS) <= visible_fields(Resident, Level.SHARED)
    dot = next(i for i in items if i["public_id"] == records["also_shared"].public_id)
    assert (dot["preferred_name"], dot["stage"]) == ("Dot", records["also_shared"].stage)
    assert "qz-next-action" not in page and "qz-next-action" not in str(items)


def test_the_page_and_the_api_are_each_one_audited_list(world, records):
    client_for(world.worker_b).get(PAGE)
    api_items(world.org_b)
    events = list(AuditEvent.objects.filter(action=Action.LIST).order_by("pk"))
    expected = sorted(expected_for([world.org_b], held_by=[]))
    assert [(e.purpose, sorted(e.detail["residents"])) for e in events] == [
        (Purpose.SHARED, expected),
        (Purpose.SHARED, expected),
    ]


def test_nothing_shared_says_so(world):
    page = client_for(world.worker_b).get(PAGE).content.decode()
    assert "No one has shared their record with your organisation yet." in page


def test_the_list_is_paginated(world):
    for _ in range(51):
        share(world, ResidentFactory(organisation=world.org_a), world.org_b)
    client = client_for(world.worker_b)
    first = listed_on_page(client.get(PAGE).content.decode())
    second = listed_on_page(client.get(PAGE, {"page": 2}).content.decode())
    assert (len(first), len(second), first & second) == (50, 1, set())
    assert api_items(world.org_b, size=20)["pages"] == 3


def test_the_page_and_the_api_read_in_the_same_queries_at_two_sizes(world):
    client = client_for(world.worker_b)
    raw = issue_api_token(
        organisation=world.org_b, name="Partner system", role=Role.PARTNER_WORKER
    )[1]
    api = token_client(raw)

    def make(count):
        for _ in range(count):
            share(world, ResidentFactory(organisation=world.org_a), world.org_b)

    def page():
        assert client.get(PAGE).status_code == 200

    def in_api():
        assert api.get(API).status_code == 200

    assert_same_queries_at_two_sizes(make, [page, in_api], small=2, large=6)


def test_the_endpoint_is_documented_under_its_own_tag(world):
    document = client_for(world.worker_b).get("/api/openapi.json").json()
    operation = document["paths"][API]["get"]
    assert operation["tags"] == ["Shared with us"]
    schema = document["components"]["schemas"]["SharedResidentOut"]
    assert set(schema["properties"]) == set(SHARED_LIST_FIELDS)
