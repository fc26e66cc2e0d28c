"""Social value in the JSON API: the same rules as the pages, the golden recipe, the
guards as 400s naming the field, and another place's recipe as a 404."""

from decimal import Decimal

import pytest

from commonweave.impact.models import ValueRecipe
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from tests.api.conftest import session_client, token_client

pytestmark = pytest.mark.django_db

GOLDEN = {
    "title": "Life satisfaction, Connect cohort 2025",
    "value": "hmt-wellby-2021",
    "quantity": {
        "cohort_label": "Connect cohort 2025",
        "n": 100,
        "mean_change": "0.5",
        "ci_low": "0.3",
        "ci_high": "0.7",
        "measure": "life_satisfaction",
        "source": "Cohort change table, 1 December 2026",
    },
    "deadweight": "0.2",
    "deadweight_source": "Evaluation of a similar programme",
}


def issue_token(organisation, role):
    _, raw = issue_api_token(organisation=organisation, name="Partner system", role=role)
    return raw


@pytest.fixture
def tokens(world):
    return {
        "coordinator": token_client(issue_token(world.org_a, Role.COORDINATOR)),
        "analyst": token_client(issue_token(world.org_b, Role.ANALYST)),
        "catalyst": token_client(issue_token(world.org_a, Role.CATALYST)),
        "worker": token_client(issue_token(world.org_b, Role.PARTNER_WORKER)),
        "elsewhere": token_client(
            issue_token(world.other_place.lead_organisation, Role.COORDINATOR)
        ),
    }


def test_who_reads_the_value_library(tokens):
    statuses = {
        name: client.get("/api/impact/values").status_code for name, client in tokens.items()
    }
    assert statuses == {
        "coordinator": 200, "analyst": 200, "catalyst": 404, "worker": 404, "elsewhere": 200,
    }  # fmt: skip
    body = tokens["analyst"].get("/api/impact/values").json()
    by_key = {item["key"]: item for item in body["items"]}
    assert by_key["hmt-wellby-2021"]["value"] == "13000.00"
    assert by_key["hmt-wellby-2021"]["source"]["publisher"] == "HM Treasury"
    assert by_key["eif-late-intervention-2016"]["kind"] == "context_only"


def test_the_golden_recipe_by_api(tokens):
    response = tokens["coordinator"].post("/api/impact/recipes", GOLDEN)
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["central"], body["by_year"], body["price_basis"]) == (
        "520000.00", ["520000.00"], "2019 prices",
    )  # fmt: skip
    assert Decimal(body["low"]) <= Decimal(body["central"]) <= Decimal(body["high"])
    receipt = {row["key"]: row for row in body["receipt"]}
    assert receipt["deadweight"]["source"] == "Evaluation of a similar programme"
    assert receipt["attribution"]["source"].startswith("Assumption by API token")
    opened = tokens["analyst"].get(f"/api/impact/recipes/{body['id']}")
    assert opened.status_code == 200
    assert opened.json()["central"] == "520000.00"
    assert tokens["elsewhere"].get(f"/api/impact/recipes/{body['id']}").status_code == 404
    assert tokens["catalyst"].get(f"/api/impact/recipes/{body['id']}").status_code == 404


def test_two_years_with_drop_off_by_api(tokens):
    body = {**GOLDEN, "duration_years": 2, "drop_off": "0.2"}
    response = tokens["analyst"].post("/api/impact/recipes", body)
    assert response.json()["central"] == "936000.00"
    assert response.json()["by_year"] == ["520000.00", "416000.00"]


def test_the_eif_figure_cannot_be_multiplied_by_a_count_by_api(tokens):
    body = {
        **GOLDEN,
        "value": "eif-late-intervention-2016",
        "quantity": {**GOLDEN["quantity"], "measure": "other"},
    }
    response = tokens["coordinator"].post("/api/impact/recipes", body)
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == ["value"]
    assert ValueRecipe.objects.count() == 0


def test_a_wellby_on_another_measure_is_a_400_naming_the_measure(tokens):
    body = {**GOLDEN, "quantity": {**GOLDEN["quantity"], "measure": "other"}}
    response = tokens["coordinator"].post("/api/impact/recipes", body)
    assert response.status_code == 400
    assert "quantity.measure" in [error["field"] for error in response.json()["errors"]]


def test_uprating_without_deflator_figures_is_a_400_naming_the_field(tokens):
    response = tokens["coordinator"].post("/api/impact/recipes", {**GOLDEN, "uprate_to": 2025})
    assert response.status_code == 400
    assert "uprate_to" in [error["field"] for error in response.json()["errors"]]


def test_a_session_reads_the_same_recipes(world, tokens):
    made = tokens["coordinator"].post("/api/impact/recipes", GOLDEN).json()
    listed = session_client(world.analyst).get("/api/impact/recipes").json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]
