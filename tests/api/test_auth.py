"""Who may call the API: an organisation's token or a signed-in session, and nobody else."""

import pytest
from django.test import Client

from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import ApiToken
from commonweave.tenancy.tokens import issue_api_token, revoke_api_token
from tests.api.conftest import ApiClient, session_client, token_client

UNAUTHORISED = {"detail": "Send a valid API token (Authorization: Bearer cw_...) or sign in"}


def test_a_valid_token_lists_its_organisations_residents(world, resident_a, issue_token):
    response = token_client(issue_token(world.org_a, Role.CATALYST)).get("/api/residents")
    assert response.status_code == 200
    assert [item["public_id"] for item in response.json()["items"]] == [resident_a.public_id]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer cw_00000000_not-a-real-secret",
        "Bearer ",
        "Bearer not-even-our-format",
        "Basic dXNlcjpwYXNz",
        "cw_missing_the_scheme",
    ],
)
def test_an_invalid_token_is_401(world, resident_a, header):
    response = Client(headers={"Authorization": header}).get("/api/residents")
    assert response.status_code == 401
    assert response.json() == UNAUTHORISED
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_401_from_its_next_request(world, resident_a):
    token, raw = issue_api_token(organisation=world.org_a, name="Case system", role=Role.CATALYST)
    client = token_client(raw)
    assert client.get("/api/residents").status_code == 200
    revoke_api_token(token)
    response = client.get("/api/residents")
    assert (response.status_code, response.json()) == (401, UNAUTHORISED)


def test_no_credentials_is_401(world, resident_a):
    response = Client().get(f"/api/residents/{resident_a.public_id}")
    assert (response.status_code, response.json()) == (401, UNAUTHORISED)


def test_a_bad_token_does_not_fall_back_to_the_session(world, resident_a):
    client = Client(headers={"Authorization": "Bearer cw_00000000_wrong"})
    client.force_login(world.catalyst_a, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/residents").status_code == 401


def test_the_token_is_stored_only_as_a_hash(world):
    _, raw = issue_api_token(organisation=world.org_a, name="Case system", role=Role.CATALYST)
    assert not ApiToken.objects.filter(token_hash=raw).exists()
    assert raw not in str(list(ApiToken.objects.values()))


def test_a_signed_in_session_can_use_the_api(world, resident_a):
    response = session_client(world.catalyst_a).get(f"/api/residents/{resident_a.public_id}")
    assert response.status_code == 200
    assert response.json()["public_id"] == resident_a.public_id


def test_a_session_change_without_the_csrf_token_is_refused(world, resident_a):
    client = session_client(world.catalyst_a, enforce_csrf_checks=True)
    url = f"/api/residents/{resident_a.public_id}/goals"
    response = client.post(url, {"text": "Join the walking group"})
    assert response.status_code == 403
    assert resident_a.goals.count() == 0


def test_a_session_change_with_the_csrf_token_is_accepted(world, resident_a):
    raw_client = Client(enforce_csrf_checks=True)
    raw_client.force_login(world.catalyst_a, backend="django.contrib.auth.backends.ModelBackend")
    # As a page would: the CSRF cookie, and the same secret in the X-CSRFToken header.
    secret = "a1" * 16
    raw_client.cookies["csrftoken"] = secret
    raw_client.defaults["HTTP_X_CSRFTOKEN"] = secret
    response = ApiClient(raw_client).post(
        f"/api/residents/{resident_a.public_id}/goals", {"text": "Join the walking group"}
    )
    assert response.status_code == 201
    assert resident_a.goals.count() == 1


def test_a_token_needs_no_csrf_token(world, resident_a, issue_token):
    client = Client(
        enforce_csrf_checks=True,
        headers={"Authorization": f"Bearer {issue_token(world.org_a, Role.CATALYST)}"},
    )
    response = ApiClient(client).post(
        f"/api/residents/{resident_a.public_id}/goals", {"text": "Join the walking group"}
    )
    assert response.status_code == 201


def test_a_signed_in_person_with_no_role_anywhere_is_401(db):
    from commonweave.demo.factories import UserFactory

    response = session_client(UserFactory()).get("/api/residents")
    assert response.status_code == 401


def test_api_answers_are_never_cached(world, resident_a, issue_token):
    response = token_client(issue_token(world.org_a, Role.CATALYST)).get(
        f"/api/residents/{resident_a.public_id}"
    )
    assert "no-store" in response["Cache-Control"]


def test_openapi_schema_is_served_and_lists_the_endpoints(db):
    response = Client().get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    # Every capability's endpoints are in the schema (other apps add theirs under /api/ too).
    assert all(path.startswith("/api/") for path in schema["paths"])
    assert set(schema["paths"]) >= {
        "/api/referrals",
        "/api/referrals/{public_id}",
        "/api/triage",
        "/api/triage/{public_id}/assign",
        "/api/triage/{public_id}/contact",
        "/api/residents",
        "/api/residents/search",
        "/api/residents/{public_id}",
        "/api/residents/{public_id}/conversations",
        "/api/residents/{public_id}/goals",
        "/api/residents/{public_id}/goals/{goal_id}",
        "/api/residents/{public_id}/connections",
        "/api/residents/{public_id}/consents",
        "/api/residents/{public_id}/stage",
        "/api/residents/{public_id}/graduate",
        "/api/residents/{public_id}/close",
        "/api/overview",
        # learning
        "/api/learning/sessions",
        "/api/learning/sessions/{public_id}",
        "/api/learning/sessions/{public_id}/stories",
        "/api/learning/barriers",
        "/api/learning/barriers/similar",
        "/api/learning/barriers/{public_id}",
        "/api/learning/barriers/{public_id}/level",
        "/api/learning/barriers/{public_id}/actions",
        "/api/learning/actions",
        "/api/learning/actions/{public_id}",
        # wellbeing
        "/api/wellbeing/lifemap",
        "/api/wellbeing/cohort",
        "/api/residents/{public_id}/wellbeing",
        "/api/residents/{public_id}/wellbeing/checkins",
    }
    assert set(schema["paths"]["/api/residents/{public_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_api_docs_use_installed_assets_not_a_cdn(db):
    response = Client().get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
