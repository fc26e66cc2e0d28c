"""The published OpenAPI document: valid OpenAPI, one schema per name (django-ninja names a
component after its class, and two classes of one name silently overwrite each other), the
body of POST /api/referrals as the README documents it, and the errors made outside the
endpoints documented on every operation."""

import enum
import inspect
import typing
from collections import defaultdict

import pydantic
import pytest
import schemathesis
from django.test import Client

from commonweave.api.urls import api
from commonweave.people.api.schemas import ReferralIn
from commonweave.tenancy.enums import Role

pytestmark = pytest.mark.django_db

# The example in README.md ("The API").
README_REFERRAL = {
    "full_name": "Edna Brightwater",
    "phone": "07700 900123",
    "referrer_kind": "gp",
    "reason": "Lonely since her husband died",
    "consent": "agreed",
}


@pytest.fixture
def document():
    return Client().get("/api/openapi.json").json()


def _classes(annotation):
    if inspect.isclass(annotation):
        yield annotation
    for argument in typing.get_args(annotation):
        yield from _classes(argument)


def classes_by_name():
    """{name: {class, ...}} for every model and enum that any operation takes or gives."""
    pending = []
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                pending.extend(operation.models)
                pending.extend(m for m in operation.response_models.values() if m)
    found, seen = defaultdict(set), set()
    while pending:
        cls = pending.pop()
        if not inspect.isclass(cls) or cls in seen:
            continue
        seen.add(cls)
        if issubclass(cls, enum.Enum):
            found[cls.__name__].add(cls)
        elif issubclass(cls, pydantic.BaseModel):
            found[cls.__name__].add(cls)
            for field in cls.model_fields.values():
                pending.extend(_classes(field.annotation))
    return found


def test_the_document_is_valid_openapi(document):
    schemathesis.openapi.from_dict(document).validate()
    operation_ids = [op["operationId"] for ops in document["paths"].values() for op in ops.values()]
    assert len(operation_ids) == len(set(operation_ids))


def test_every_schema_name_is_one_class(document):
    by_name = classes_by_name()
    components = document["components"]["schemas"]
    clashes = {
        name: sorted(f"{c.__module__}.{c.__qualname__}" for c in by_name[name])
        for name in components
        if len(by_name.get(name, ())) > 1
    }
    assert clashes == {}
    # The walk saw the classes behind the components (so it would have seen a clash).
    assert sum(1 for name in components if name in by_name) > 150


def test_post_referrals_publishes_the_referral_body_the_readme_documents(
    document, world, issue_token
):
    body = document["paths"]["/api/referrals"]["post"]["requestBody"]
    ref = body["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/ReferralIn"
    published = document["components"]["schemas"]["ReferralIn"]
    assert set(published["properties"]) == set(ReferralIn.model_fields)
    assert set(README_REFERRAL) <= set(published["properties"])
    assert set(published["required"]) <= set(README_REFERRAL)
    # ...and the endpoint takes it.
    raw = issue_token(world.org_b, Role.PARTNER_WORKER)
    response = Client(headers={"Authorization": f"Bearer {raw}"}).post(
        "/api/referrals", README_REFERRAL, content_type="application/json"
    )
    assert response.status_code == 201, response.content


def test_errors_made_outside_the_endpoints_are_documented_on_every_operation(document):
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert "400" in responses, (method, path)
            assert ("401" in responses) == bool(operation.get("security")), (method, path)
            if "requestBody" in operation:
                assert {"413", "415"} <= set(responses), (method, path)
                errors = responses["415"]["content"]["application/json"]["schema"]
                assert errors == {"$ref": "#/components/schemas/Errors"}


def test_endpoints_moved_into_their_apps_keep_their_published_operation_ids(document):
    """Generated clients name their methods after operationIds: the resident, referral and
    overview endpoints kept the ids they had before they moved out of commonweave.api."""
    paths = document["paths"]
    assert [
        paths["/api/residents"]["get"]["operationId"],
        paths["/api/residents/{public_id}/goals/{goal_id}"]["patch"]["operationId"],
        paths["/api/referrals"]["post"]["operationId"],
        paths["/api/triage"]["get"]["operationId"],
        paths["/api/overview"]["get"]["operationId"],
        paths["/api/network/nodes"]["get"]["operationId"],
    ] == [
        "commonweave_api_residents_resident_list",
        "commonweave_api_residents_goal_update",
        "commonweave_api_referrals_referral_create",
        "commonweave_api_referrals_triage_list",
        "commonweave_api_insights_overview",
        "commonweave_network_api_nodes",
    ]
