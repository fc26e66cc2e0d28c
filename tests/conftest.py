"""Personas shared by every test (see docs/testing.md).

Place "Testford": organisation A (the lead VCSE, holds residents) and organisation B
(the council, a partner). Personas: a catalyst and a manager (coordinator + place admin)
at A, a partner worker and a catalyst at B, an analyst, and an outsider who works in a
different place.
"""

from dataclasses import dataclass

import pytest
from django.http import FileResponse
from django.test import Client
from django.test.client import ClientHandler

from commonweave.demo.factories import (
    MembershipFactory,
    OrganisationFactory,
    PlaceFactory,
    ResidentFactory,
)
from commonweave.tenancy.enums import OrganisationKind, Role
from commonweave.tenancy.viewer import viewer_for_user
from tests.core.unscoped import Backstop

# A test reaches the database only through one of these (pytest-django refuses it otherwise).
DATABASE_FIXTURES = frozenset({"db", "transactional_db", "live_server"})


def _on_postgresql() -> bool:
    from django.conf import settings

    return "postgresql" in settings.DATABASES["default"]["ENGINE"]


def _uses_the_database(item) -> bool:
    return item.get_closest_marker("django_db") is not None or bool(
        DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
    )


def pytest_report_header(config):
    if _on_postgresql():
        return (
            "PostgreSQL run: tests that use no database (pure logic, and the SQLite file and "
            "process tests) ran in the SQLite run and are deselected here"
        )
    return None


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    """Tests marked slow run first (in their usual order). With two workers, a 90-second
    crawl that is handed out last holds the whole run up while the other worker waits;
    handed out first, the other worker gets through the quick tests meanwhile.

    On PostgreSQL only the tests that use the database run: the others cannot tell the two
    databases apart (pytest-django refuses them a connection), so a second run of them
    repeats the SQLite run's answer at the cost of minutes."""
    if _on_postgresql():
        elsewhere = [item for item in items if not _uses_the_database(item)]
        if elsewhere:
            config.hook.pytest_deselected(items=elsewhere)
            items[:] = [item for item in items if _uses_the_database(item)]
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings):
    # Argon2 is deliberately slow; tests do not need it except where they say so.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Every test Client builds its own middleware chain, and WhiteNoise would list and stat
    # every static file (some 2,000, from STATIC_ROOT and the finders) for each one: most
    # of the time of a test that signs in seven personas. Looking a file up when it is
    # asked for serves the same files with the same headers.
    settings.WHITENOISE_AUTOREFRESH = True
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def unscoped_query_backstop(monkeypatch):
    """Fail any test whose request reads a personal table without scoping the read
    (tests/core/unscoped.py, docs/testing.md). It watches only what the test client's
    handler runs, a request from middleware to the response (and a streamed response as
    it is read), so factories and a test's own queries are never checked; a test that
    makes no request pays nothing. Every test that uses `Client` (`client_for`,
    `assert_access`, the crawlers, the API tests) is covered without a list to keep."""
    backstop = Backstop()
    handle = ClientHandler.__call__

    def watched_request(handler, environ):
        with backstop.watching():
            response = handle(handler, environ)
        if response.streaming and not response.is_async and not isinstance(response, FileResponse):
            response.streaming_content = backstop.watched(response.streaming_content)
        backstop.check()
        return response

    monkeypatch.setattr(ClientHandler, "__call__", watched_request)
    yield backstop
    # Whatever a test caught and let pass, or a streamed response it did not finish.
    backstop.check()


@dataclass
class World:
    place: object
    org_a: object
    org_b: object
    catalyst_a: object
    manager_a: object
    worker_b: object
    catalyst_b: object
    analyst: object
    outsider: object
    other_place: object

    def viewer(self, user):
        return viewer_for_user(user, self.place)

    @property
    def personas(self):
        return {
            "catalyst_a": self.catalyst_a,
            "manager_a": self.manager_a,
            "worker_b": self.worker_b,
            "catalyst_b": self.catalyst_b,
            "analyst": self.analyst,
            "outsider": self.outsider,
            "anonymous": None,
        }


@pytest.fixture
def world(db):
    place = PlaceFactory(name="Testford", slug="testford")
    org_a = OrganisationFactory(place=place, name="Testford Connect", kind=OrganisationKind.VCSE)
    org_b = OrganisationFactory(place=place, name="Testford Council", kind=OrganisationKind.COUNCIL)
    place.lead_organisation = org_a
    place.save(update_fields=["lead_organisation"])

    catalyst_a = MembershipFactory(
        organisation=org_a, role=Role.CATALYST, user__email="catalyst.a@example.org"
    ).user
    manager_a = MembershipFactory(
        organisation=org_a, role=Role.COORDINATOR, user__email="manager.a@example.org"
    ).user
    MembershipFactory(organisation=org_a, role=Role.PLACE_ADMIN, user=manager_a)
    worker_b = MembershipFactory(
        organisation=org_b, role=Role.PARTNER_WORKER, user__email="worker.b@example.org"
    ).user
    catalyst_b = MembershipFactory(
        organisation=org_b, role=Role.CATALYST, user__email="catalyst.b@example.org"
    ).user
    analyst = MembershipFactory(
        organisation=org_a, role=Role.ANALYST, user__email="analyst@example.org"
    ).user

    other_place = PlaceFactory(name="Elsewhere", slug="elsewhere")
    org_c = OrganisationFactory(place=other_place, name="Elsewhere Connect")
    other_place.lead_organisation = org_c
    other_place.save(update_fields=["lead_organisation"])
    outsider = MembershipFactory(
        organisation=org_c, role=Role.CATALYST, user__email="outsider@example.org"
    ).user
    MembershipFactory(organisation=org_c, role=Role.PLACE_ADMIN, user=outsider)
    return World(
        place=place,
        org_a=org_a,
        org_b=org_b,
        catalyst_a=catalyst_a,
        manager_a=manager_a,
        worker_b=worker_b,
        catalyst_b=catalyst_b,
        analyst=analyst,
        outsider=outsider,
        other_place=other_place,
    )


@pytest.fixture
def resident_a(world):
    """A resident held by organisation A, on catalyst A's caseload."""
    return ResidentFactory(organisation=world.org_a, catalyst=world.catalyst_a)


def client_for(user):
    client = Client()
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def login():
    return client_for


def assert_access(world, method, url, expected, data=None, **extra):
    """The permission matrix: `expected` maps persona name -> status code.

    Every persona not named must get 404 (or a redirect to sign in, for anonymous), so a
    test states who can see, who can change, and who must find nothing there.
    """
    results = {}
    for name, user in world.personas.items():
        client = client_for(user)
        response = getattr(client, method)(url, data=data or {}, **extra)
        results[name] = response.status_code
    wanted = {
        name: expected.get(name, 302 if name == "anonymous" else 404) for name in world.personas
    }
    assert results == wanted
    return results
