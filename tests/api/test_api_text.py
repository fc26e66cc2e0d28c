"""Text no database column can hold (NUL, unpaired surrogates) is a 400 naming the field,
never a server error, in every text field of every operation's request body and in every
text query parameter. The fields are read from the published OpenAPI schema, so an
operation or a field added later is covered without touching this test. The requests run
on whichever database the suite runs on (PostgreSQL refuses NUL; both refuse surrogates).
"""

import json
import re
import uuid
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from commonweave.tenancy.enums import Role

pytestmark = pytest.mark.django_db

# JSON can spell both ("\u0000", "\ud800") and json.loads hands them over as they are.
REFUSED = {"NUL": "a\x00b", "lone surrogate": "a\ud800b"}
# A query string cannot carry a surrogate: %ED%A0%80 is not UTF-8 and decodes to U+FFFD.
NUL_QUERY = quote("a\x00b")


def _resolve(node, components):
    while "$ref" in node:
        node = components[node["$ref"].rsplit("/", 1)[-1]]
    return node


def text_fields(node, components, path=(), refs=()):
    """Every path (("items", "0", "name")) at which the schema takes a string."""
    ref = node.get("$ref")
    if ref in refs:
        return  # a schema that contains itself: once is enough
    refs = (*refs, ref) if ref else refs
    node = _resolve(node, components)
    for key in ("anyOf", "oneOf", "allOf"):
        for alternative in node.get(key, ()):
            yield from text_fields(alternative, components, path, refs)
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "string" in kinds:
        yield path
    if "object" in kinds or "properties" in node:
        for name, child in node.get("properties", {}).items():
            yield from text_fields(child, components, (*path, name), refs)
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            yield from text_fields(extra, components, (*path, "key"), refs)
    if "array" in kinds and isinstance(node.get("items"), dict):
        yield from text_fields(node["items"], components, (*path, "0"), refs)


def nested(path, value):
    """("items", "0", "name"), v -> {"items": [{"name": v}]}"""
    for step in reversed(path):
        value = [value] if step == "0" else {step: value}
    return value


def _url(path, operation):
    """The path with every parameter filled in with a value its route takes (the schema
    does not always say a parameter is a UUID)."""
    formats = {p["name"]: p.get("schema", {}) for p in operation.get("parameters", ())}

    def value(match):
        schema = formats.get(match[1], {})
        return str(uuid.uuid4()) if schema.get("format") == "uuid" else "1"

    url = re.sub(r"\{(\w+)\}", value, path)
    try:
        resolve(url)
    except Resolver404:
        url = re.sub(r"\{(\w+)\}", lambda match: str(uuid.uuid4()), path)
    return url


def _operations(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


@pytest.fixture
def schema():
    return Client().get("/api/openapi.json").json()


@pytest.fixture
def caseworker(world, issue_token):
    raw = issue_token(world.org_a, Role.CATALYST)
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def _field_named(response, field):
    assert response.status_code == 400, (field, response.status_code, response.content[:300])
    assert response["Content-Type"].startswith("application/json")
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert "a\x00b" not in errors[0]["message"]  # never echoes what was sent
    return errors[0]


def test_refused_characters_in_every_text_field_of_every_body_are_a_400_naming_it(
    schema, caseworker
):
    components = schema["components"]["schemas"]
    checked = set()
    for path, method, operation in _operations(schema):
        body_schema = (
            operation.get("requestBody", {})
            .get("content", {})
            .get("application/json", {})
            .get("schema")
        )
        if body_schema is None:
            continue
        url = _url(path, operation)
        for field in dict.fromkeys(text_fields(body_schema, components)):
            for text in REFUSED.values():
                response = caseworker.generic(
                    method.upper(),
                    url,
                    json.dumps(nested(field, text)),
                    content_type="application/json",
                )
                _field_named(response, ".".join(field) or "body")
            checked.add((method, path, field))
    # The walk reached the fields of every kind of operation, nested ones included.
    assert len({(method, path) for method, path, _ in checked}) > 40
    assert len(checked) > 150
    assert any(len(field) > 1 for _, _, field in checked)


def test_nul_in_every_text_query_parameter_is_a_400_naming_it(schema, caseworker):
    components = schema["components"]["schemas"]
    checked = 0
    for path, method, operation in _operations(schema):
        url = _url(path, operation)
        for parameter in operation.get("parameters", ()):
            if parameter["in"] != "query":
                continue
            if not list(text_fields(parameter.get("schema", {}), components)):
                continue
            name = parameter["name"]
            response = caseworker.generic(method.upper(), f"{url}?{name}={NUL_QUERY}")
            _field_named(response, name)
            checked += 1
    assert checked > 20


def test_the_failures_the_outside_test_found_are_400s(resident_a, caseworker):
    """POST /api/referrals, a conversation, resident search, a new barrier and the barrier
    list's q, each with a NUL, answered 500 on PostgreSQL."""
    held = resident_a
    sent = [
        ("post", "/api/referrals", {"full_name": "Ann\x00", "referrer_kind": "gp"}),
        ("post", f"/api/residents/{held.public_id}/conversations", {"notes": "x\x00"}),
        ("post", "/api/residents/search", {"q": "Ann\x00"}),
        ("post", "/api/learning/barriers", {"title": "x", "description": "\x00"}),
    ]
    fields = ["full_name", "notes", "q", "description"]
    for (method, url, body), field in zip(sent, fields, strict=True):
        response = caseworker.generic(
            method.upper(), url, json.dumps(body), content_type="application/json"
        )
        _field_named(response, field)
    _field_named(caseworker.get("/api/learning/barriers", {"q": "x\x00y"}), "q")


def test_nested_fields_are_named_by_their_path(world, issue_token):
    raw = issue_token(world.org_a, Role.COORDINATOR)
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    body = {"name": "Tea and chat", "languages": ["en", "u\x00"], "location": {"city": "ok"}}
    response = client.post("/api/directory/entries", body, content_type="application/json")
    _field_named(response, "languages.1")
    body = {"name": "Tea", "location": {"city": "Old\ud800ham"}}
    response = client.post("/api/directory/entries", body, content_type="application/json")
    _field_named(response, "location.city")


def test_a_form_or_multipart_body_with_nul_is_a_400_naming_the_field(caseworker):
    # Refused before the body is read as anything, so the JSON-only rule (415) comes second.
    form = caseworker.post("/api/residents/search", "q=Ann%00&stage=x",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    _field_named(form, "q")
    multipart = caseworker.post("/api/residents/search", {"q": "Ann\x00"})
    _field_named(multipart, "q")


def test_an_address_holding_nul_is_a_404_in_json(caseworker):
    response = caseworker.get("/api/residents/abc%00def")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found"}
