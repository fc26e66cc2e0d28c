"""Pages and text no database column can hold (NUL; see commonweave/core/text.py): a query
string holding it is the 400 page, a form post has it dropped (nobody types it; a long
note must not be lost for a stray character), a cookie holding it is ignored, a header
holding it is a 400 and an address holding it is a 404. None is ever a server error, on
SQLite or PostgreSQL."""

import pytest
from django.http import HttpResponse, QueryDict
from django.test import Client, RequestFactory
from django.urls import reverse

from commonweave.core import text
from commonweave.web.middleware import TextInputMiddleware

pytestmark = pytest.mark.django_db


def _page(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")


def test_a_page_query_string_holding_nul_is_the_400_page(world, login):
    client = login(world.catalyst_a)
    refused = client.get(reverse("learning:barriers"), {"q": "lonely\x00"})
    _page(refused, 400)
    assert "Content-Security-Policy" in refused  # the answer passed the headers' middleware
    _page(client.get(reverse("learning:barriers"), {"q": "lonely"}), 200)


def test_a_form_post_has_nul_dropped_and_goes_on(world):
    client = Client(raise_request_exception=False)
    response = client.post(
        reverse("accounts:login"),
        {"username": "catalyst.a@example.org\x00", "password": "not\x00it"},
    )
    assert response.status_code in (200, 400)  # the sign-in form's own answer, not a 500


def test_the_middleware_cleans_names_and_values_of_urlencoded_and_multipart_posts():
    seen = {}

    def view(request):
        seen["post"] = request.POST
        return HttpResponse()

    middleware = TextInputMiddleware(view)
    factory = RequestFactory()
    urlencoded = factory.post(
        "/residents/new/",
        "notes=Tea%00 and%00 a chat&na%00me=Ann&name=Bo",
        content_type="application/x-www-form-urlencoded",
    )
    assert middleware(urlencoded).status_code == 200
    assert seen["post"].getlist("notes") == ["Tea and a chat"]
    assert seen["post"].getlist("name") == ["Ann", "Bo"]
    multipart = factory.post("/residents/new/", {"notes": "Tea\x00", "tags": ["a\x00", "b"]})
    assert middleware(multipart).status_code == 200
    assert seen["post"].getlist("notes") == ["Tea"]
    assert seen["post"].getlist("tags") == ["a", "b"]
    assert not seen["post"]._mutable


def test_a_session_cookie_holding_nul_is_ignored(world):
    client = Client(raise_request_exception=False)
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    _page(client.get(reverse("web:home")), 200)


def test_a_header_holding_nul_is_a_400(world):
    client = Client(raise_request_exception=False)
    _page(client.get(reverse("web:home"), headers={"X-Forwarded-Host": "a\x00b"}), 400)
    response = client.get("/api/residents", headers={"Authorization": "Bearer cw_\x00"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "Authorization"


def test_an_address_holding_nul_is_a_404(world, login):
    client = login(world.catalyst_a)
    _page(client.get("/residents/abc%00def/"), 404)


def test_what_is_refused():
    assert text.has_refused("a\x00b")
    assert text.has_refused("a\ud800b")  # json.loads('"\\ud800"') gives exactly this
    assert text.has_refused("\udfff")
    assert not text.has_refused("tab\tnew line\n\x01\x7f\ufffd\U0001f600 é")
    assert text.without_refused("a\x00b\ud800c") == "abc"
    assert text.refused_in_json({"items": [{"name": "ok"}, {"name": "no\x00"}]}) == "items.1.name"
    assert text.refused_in_json({"answers": {"Ann Smith": "x\x00"}}) == "answers.*"
    assert text.refused_in_json({"k\x00": 1}) == ""
    assert text.refused_in_json(["ok", 1, None, True, 2.5]) is None
    deep = "x\x00"
    for _ in range(5000):
        deep = [deep]
    assert text.refused_in_json(deep) == ".".join(["0"] * 5000)
    assert text.refused_in_querydict(QueryDict("a=1&b=x%00")) == "b"
    assert text.refused_in_querydict(QueryDict("a=1&b=x")) is None
