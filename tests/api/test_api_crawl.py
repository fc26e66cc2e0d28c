"""Every read endpoint in the OpenAPI schema, called with a token for every role and
organisation of the demo place: never a server error; what a list shows, its detail
endpoint opens; an id that does not exist is a 404 naming nothing.

The per-endpoint tests prove each rule; this walks the whole schema so that no endpoint is
left that nobody ever called with real data.
"""

import io
import uuid

import pytest
from django.core.management import call_command
from django.test import Client

from commonweave.tenancy.models import Membership, Place
from commonweave.tenancy.tokens import issue_api_token

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

ITEMS_OPENED = 3  # detail calls per list and token
# Path parameters that name one item of the list at the path before them.
ITEM_PARAMS = ("public_id", "entry_id", "follow_up_id")
# Not item details: a job id (only its starter has one) and an export format.
SKIP = ("/api/learning/pack-jobs/", "/api/directory/exports/")


def _tokens(place):
    """A token for every (organisation, role) the demo's staff hold."""
    pairs = (
        Membership.objects.filter(organisation__place=place)
        .values_list("organisation", "role")
        .distinct()
    )
    tokens = []
    for org_id, role in pairs:
        membership = Membership.objects.filter(organisation_id=org_id, role=role).first()
        _, raw = issue_api_token(organisation=membership.organisation, name="crawl", role=role)
        tokens.append((f"{membership.organisation.name} ({role})", raw))
    return tokens


def _get_paths():
    schema = Client().get("/api/openapi.json").json()
    return [path for path, ops in schema["paths"].items() if "get" in ops]


def _item_ids(body, param):
    items = body.get("items") if isinstance(body, dict) else body
    ids = []
    for item in items or []:
        if isinstance(item, dict):
            value = item.get(param) or item.get("public_id") or item.get("id")
            if value is not None:
                ids.append(str(value))
    return ids[:ITEMS_OPENED]


def test_every_read_endpoint_for_every_token_answers_without_a_server_error():
    call_command("demo", "--residents", "40", "--seed", "6", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    place = Place.objects.get()
    tokens = _tokens(place)
    assert len(tokens) >= 6
    paths = _get_paths()
    plain = [p for p in paths if "{" not in p]
    with_item = [p for p in paths if "{" in p and not p.startswith(SKIP)]
    problems, opened = [], 0
    for who, raw in tokens:
        client = Client(headers={"Authorization": f"Bearer {raw}"}, raise_request_exception=False)
        listed = {}
        for path in plain:
            response = client.get(path)
            if response.status_code >= 500:
                problems.append(f"{who}: GET {path} -> {response.status_code}")
            elif response.status_code == 200 and "json" in response.get("Content-Type", ""):
                listed[path] = response.json()
        for template in with_item:
            head, _, rest = template.partition("/{")
            param, _, tail = rest.partition("}")
            if param not in ITEM_PARAMS or "{" in tail:
                continue
            missing = "zzzzzzzzzzzz" if param == "public_id" else str(uuid.uuid4())
            if param == "follow_up_id":
                missing = "999999999"
            response = client.get(f"{head}/{missing}{tail}")
            if response.status_code not in (404, 422):
                problems.append(f"{who}: GET {template} (no such item) -> {response.status_code}")
            for item_id in _item_ids(listed.get(head), param):
                response = client.get(f"{head}/{item_id}{tail}")
                opened += 1
                if response.status_code >= 500 or (not tail and response.status_code != 200):
                    problems.append(
                        f"{who}: GET {template} for a listed item -> {response.status_code}"
                    )
    assert not problems, "\n".join(problems)
    assert opened > 50  # the walk reached real items, not only empty lists
