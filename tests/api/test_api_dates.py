"""Dates and date-times are taken as ISO 8601 strings only: 0 is not 1 January 1970 and
"1700000000" is not a timestamp. Every date field of every body and every date query
parameter is found in the published schema and sent a number."""

import json

import pytest
from django.test import Client

from commonweave.tenancy.enums import Role
from tests.api.test_api_text import _operations, _resolve, _url, nested

pytestmark = pytest.mark.django_db

NOT_ISO = [0, "0", 1700000000, "1700000000", 1.5, True, "20260603", "03/06/2026"]
DATE_MESSAGE = "Enter a date like 1950-03-27"


def date_fields(node, components, path=(), refs=()):
    """Every path at which the schema takes a date or a date-time: (path, format)."""
    ref = node.get("$ref")
    if ref in refs:
        return
    refs = (*refs, ref) if ref else refs
    node = _resolve(node, components)
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in node.get(key, ()):
            yield from date_fields(alternative, components, path, refs)
    if node.get("format") in ("date", "date-time"):
        yield path, node["format"]
    for name, child in node.get("properties", {}).items():
        yield from date_fields(child, components, (*path, name), refs)
    if isinstance(node.get("items"), dict):
        yield from date_fields(node["items"], components, (*path, "0"), refs)


@pytest.fixture
def caseworker(world, issue_token):
    raw = issue_token(world.org_a, Role.COORDINATOR)
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def _named(response, field):
    assert response.status_code == 400, (field, response.status_code, response.content[:300])
    return {e["field"]: e["message"] for e in response.json()["errors"]}.get(field)


def test_every_date_in_every_body_and_query_takes_iso_strings_only(caseworker):
    document = Client().get("/api/openapi.json").json()
    components = document["components"]["schemas"]
    checked = set()
    for path, method, operation in _operations(document):
        url = _url(path, operation)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
        for field, _format in dict.fromkeys(date_fields(body.get("schema", {}), components)):
            for value in NOT_ISO:
                response = caseworker.generic(
                    method.upper(),
                    url,
                    json.dumps(nested(field, value)),
                    content_type="application/json",
                )
                message = _named(response, ".".join(field))
                assert message and message.startswith("Enter a date"), (path, field, value)
            checked.add((path, field))
        for parameter in operation.get("parameters", ()):
            if parameter["in"] == "query" and list(
                date_fields(parameter.get("schema", {}), components)
            ):
                response = caseworker.generic(method.upper(), f"{url}?{parameter['name']}=0")
                assert _named(response, parameter["name"]) == DATE_MESSAGE, path
                checked.add((path, parameter["name"]))
    assert len(checked) >= 15  # sessions, actions, referrals, conversations, filters...


def test_a_session_held_on_0_is_refused_and_an_iso_date_kept(caseworker):
    def create(held_on):
        body = {"title": "June", "held_on": held_on}
        return caseworker.post("/api/learning/sessions", body, content_type="application/json")

    assert _named(create(0), "held_on") == DATE_MESSAGE
    assert _named(create("2026-06-03T00:00:00"), "held_on") == DATE_MESSAGE
    assert _named(create("2026-02-30"), "held_on") == DATE_MESSAGE
    kept = create("2026-06-03")
    assert kept.status_code == 201
    assert kept.json()["held_on"] == "2026-06-03"


def test_a_date_time_takes_iso_with_or_without_an_offset_but_not_seconds(caseworker, resident_a):
    url = f"/api/residents/{resident_a.public_id}/conversations"

    def add(happened_at):
        body = {"kind": "in_person", "notes": "Talked", "happened_at": happened_at}
        return caseworker.post(url, body, content_type="application/json")

    assert _named(add(0), "happened_at").startswith("Enter a date and time")
    assert _named(add("1700000000"), "happened_at").startswith("Enter a date and time")
    assert add("2025-03-27T14:30:00Z").status_code == 201
    assert add("2025-03-27T14:30:00+01:00").status_code == 201
