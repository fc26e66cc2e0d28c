"""Every answer under /api/ is JSON in a documented shape, whoever makes it: an address no
endpoint has, a method an address does not take, a body over the size limit or not sent as
JSON, a malformed id, a server error. Pages keep their HTML error pages."""

import json

import pytest
from django.test import Client

from commonweave.insights import api as insights
from commonweave.tenancy.enums import Role

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Not found"}


@pytest.fixture
def caseworker(world, issue_token):
    raw = issue_token(world.org_a, Role.CATALYST)
    return Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    return response.json()


def _body_error(response, status):
    assert response.status_code == status, response.content[:300]
    errors = _json(response)["errors"]
    assert [error["field"] for error in errors] == ["body"]
    return errors[0]["message"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/",
        "/api/no-such-thing",
        "/api/residents/abc/no-such-thing",
        "/api/directory/entries/not-a-uuid/checked",  # no route: the converter refuses it
        "/api/directory/follow-ups/nine",
    ],
)
def test_an_address_no_endpoint_has_is_the_json_404(caseworker, path):
    response = caseworker.post(path) if path.endswith("checked") else caseworker.get(path)
    assert response.status_code == 404
    assert _json(response) == NOT_FOUND


def test_a_method_the_address_does_not_take_is_a_json_405_with_allow(caseworker):
    response = caseworker.delete("/api/referrals")
    assert response.status_code == 405
    assert set(_json(response)) == {"detail"}
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_a_body_over_the_limit_is_a_json_413(caseworker, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    big = json.dumps({"q": "x" * 2000})
    response = caseworker.post("/api/residents/search", big, content_type="application/json")
    assert "MB" in _body_error(response, 413)
    form = caseworker.post("/api/residents/search", f"q={'x' * 2000}",
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    _body_error(form, 413)
    plain = caseworker.post("/api/residents/search", big, content_type="text/plain")
    _body_error(plain, 413)


def test_a_directory_entry_over_the_limit_is_the_same_json_413(world, issue_token, settings):
    """The directory's staff API (a feed pasted as one huge body) answers as every other
    endpoint does: a 413 naming the limit, not an HTML error page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    editor = Client(
        headers={"Authorization": f"Bearer {issue_token(world.org_a, Role.PLACE_ADMIN)}"},
        raise_request_exception=False,
    )
    body = json.dumps({"name": "Lunch club", "description": "x" * 2000})
    response = editor.post("/api/directory/entries", body, content_type="application/json")
    assert "MB" in _body_error(response, 413)


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", '{"q": "Ann"}'),
        ("application/x-www-form-urlencoded", '{"q": "Ann"}'),  # curl -d without -H
        ("application/x-www-form-urlencoded", "q=Ann"),
        ("", '{"q": "Ann"}'),
    ],
)
def test_a_body_not_sent_as_json_is_a_415(caseworker, content_type, body):
    response = caseworker.post("/api/residents/search", body, content_type=content_type)
    assert "application/json" in _body_error(response, 415)


def test_json_based_types_are_json(caseworker):
    response = caseworker.post(
        "/api/residents/search", '{"q": "Ann"}', content_type="application/merge-patch+json"
    )
    assert response.status_code == 200


def test_a_body_that_is_not_json_is_still_the_400(caseworker):
    response = caseworker.post("/api/residents/search", "{nope", content_type="application/json")
    _body_error(response, 400)


def test_a_server_error_is_json_and_says_nothing_of_what_went_wrong(
    world, issue_token, monkeypatch
):
    def broken(viewer):
        raise RuntimeError("Edna Brightwater's record")

    monkeypatch.setattr(insights, "place_overview", broken)
    raw = issue_token(world.org_a, Role.ANALYST)
    client = Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)
    response = client.get("/api/overview")
    assert response.status_code == 500
    assert set(_json(response)) == {"detail"}
    assert b"Edna" not in response.content


def test_pages_keep_their_html_error_pages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
