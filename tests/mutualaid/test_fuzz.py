"""Cross-role fuzz over **every** mutual-aid URL and API route (issue 16's must-show): the
routes are read from Django's resolver and the API's own OpenAPI schema, not listed by
hand, so a page or endpoint added later is covered without anyone remembering to.

Every route is called with GET and POST (and PATCH and PUT on the API) by anonymous
visitors, the helpers' own links (none of them matched yet), another organisation's
caseworker and partner worker, an analyst, and another place, with every id of the
world filled in. None of the answers may carry the address or phone of the people asking
for help, who are not matched with anyone."""

import itertools
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver

from commonweave.api.urls import api
from commonweave.mutualaid import lone_working, safeguarding, services
from commonweave.mutualaid.enums import AidFrontDoor, Kind
from commonweave.tenancy.enums import Role
from commonweave.tenancy.tokens import issue_api_token
from commonweave.tenancy.viewer import public_viewer
from tests.api.conftest import token_client
from tests.conftest import client_for

from . import factories

ASKERS = (("12 Hidden Lane", "07700 900555"), ("3 Secret Row", "07700 900556"))
ACTIONS = ("accept", "decline", "cancel", "done", "thank", "contact", "on-my-way", "safe")
ACTIONS += ("availability", "acknowledge", "close", "lone-working", "yes", "no")
pytestmark = pytest.mark.slow


def leaks(body: str) -> list[str]:
    """Any address or phone of the people asking, in any spacing of the number."""
    digits = re.sub(r"\D", "", body)
    found = [address for address, _phone in ASKERS if address in body]
    found += [phone for _a, phone in ASKERS if re.sub(r"\D", "", phone)[-9:] in digits]
    return found


@pytest.fixture
def world_ids(world, areas):
    """Two needs with contact details, helpers alerted to them, a proposed (not accepted)
    home visit with its window, and a safeguarding concern."""
    services.place_settings(world.place)
    coordinator = world.viewer(world.manager_a)
    cat = factories.category(world.place, "odd-jobs")
    helpers = [
        factories.helper(
            world.place,
            world.org_a,
            home=areas[0],
            checks=factories.full_checks(),
            first_name=f"H{i}",
        )  # fmt: skip
        for i in range(3)
    ]
    for helper in helpers:
        factories.offer(helper, cat)
    needs = [
        services.request_create(
            viewer=public_viewer(world.place),
            kind=Kind.NEED,
            category=cat,
            what="Put up a shelf",
            first_name=f"Asker {i}",
            front_door=AidFrontDoor.WEB,
            neighbourhood=areas[0],
            address=address,
            phone=phone,
        )  # fmt: skip
        for i, (address, phone) in enumerate(ASKERS)
    ]
    match = services.match_propose(actor=coordinator, need=needs[0], volunteer=helpers[0])
    note = safeguarding.concern_raise(viewer=coordinator, need=needs[1], text="A worry")
    secrets = []
    for helper in helpers:
        secret = "s" + helper.public_id
        helper.link_token_hash = helper.hash_token(secret)
        helper.save(update_fields=["link_token_hash"])
        secrets.append(secret)
    assert lone_working  # (plans need an accepted match; the routes are still called)
    return {
        "place": [world.place.slug],
        "need": [n.public_id for n in needs],
        "match": [match.public_id],
        "helper": [h.public_id for h in helpers],
        "note": [note.public_id],
        "secret": secrets,
    }


# Which id a parameter takes, from the path segment before it.
KIND_AFTER = {
    "needs": "need",
    "alerts": "need",
    "matches": "match",
    "lone-working": "match",
    "helpers": "helper",
    "safeguarding": "note",
    "safeguarding-notes": "note",
    "helper": "secret",
    "ask": "place",
}


def fill(route: str, ids) -> list[str]:
    """Every URL a route pattern makes with the world's ids and the known actions."""
    parts = [p for p in route.strip("/").split("/") if p]
    options = []
    for i, part in enumerate(parts):
        if not re.fullmatch(r"<[^>]+>|\{[^}]+\}", part):
            options.append([part])
            continue
        name = part.strip("<>{}").split(":")[-1]
        if name == "action":
            options.append(list(ACTIONS))
        else:
            kind = KIND_AFTER.get(parts[i - 1], "need") if i else "need"
            options.append(ids[kind])
    return ["/" + "/".join(combo) + "/" for combo in itertools.product(*options)]


def page_routes() -> list[str]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and pattern.namespace == "mutualaid":
            prefix = str(pattern.pattern)
            return [prefix + str(child.pattern) for child in pattern.url_patterns]
    raise AssertionError("the mutual-aid pages are not installed")


def api_routes() -> list[tuple[str, list[str]]]:
    paths = api.get_openapi_schema()["paths"]
    return [
        (path, [m.upper() for m in methods])
        for path, methods in paths.items()
        if path.startswith("/api/mutual-aid/")
    ]


def test_the_fuzz_reaches_every_page_and_endpoint_and_would_see_a_leak(world, world_ids):
    routes = page_routes()
    assert len(routes) >= 20 and any("safeguarding" in r for r in routes)
    assert len(api_routes()) >= 15
    # The one who may see them does, through the same check: it is not blind.
    need = world_ids["need"][0]
    shown = client_for(world.manager_a).post(f"/mutual-aid/needs/{need}/contact/")
    assert leaks(shown.content.decode()) == list(ASKERS[0])


def test_no_page_shows_an_unmatched_askers_address_or_phone(world, world_ids):
    outsiders = {
        name: client_for(world.personas[name])
        for name in ("anonymous", "worker_b", "catalyst_b", "analyst", "outsider")
    }
    found = {}
    for route in page_routes():
        for url in fill(route, world_ids):
            for name, client in [*outsiders.items(), ("helper link", Client())]:
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    assert response.status_code < 500, (name, method, url)
                    leaked = leaks(response.content.decode(errors="replace"))
                    if leaked:
                        found[(name, method, url)] = leaked
    assert found == {}


def test_no_api_answer_carries_an_unmatched_askers_address_or_phone(world, world_ids):
    tokens = {
        "org B coordinator": (world.org_b, Role.COORDINATOR),
        "org B partner worker": (world.org_b, Role.PARTNER_WORKER),
        "analyst": (world.org_a, Role.ANALYST),
        "another place": (world.other_place.lead_organisation, Role.COORDINATOR),
    }
    clients = {
        name: token_client(issue_api_token(organisation=org, name=name, role=role)[1])
        for name, (org, role) in tokens.items()
    }
    clients["anonymous"] = token_client("not-a-token")
    found = {}
    for route, methods in api_routes():
        for url in fill(route, world_ids):
            url = url.rstrip("/")
            for name, client in clients.items():
                for method in methods:
                    response = client._send(method.lower(), url, {} if method != "GET" else None)
                    assert response.status_code < 500, (name, method, url)
                    leaked = leaks(response.content.decode(errors="replace"))
                    if leaked:
                        found[(name, method, url)] = leaked
    assert found == {}
