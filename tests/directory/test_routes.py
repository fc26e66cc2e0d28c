"""No place slug can be shadowed by a staff page: every directory page but the index lives
under /directory/<place-slug>/, so the first segment is always a place."""

from html import escape

import pytest
from django.urls import URLResolver, get_resolver, resolve

from commonweave.demo.factories import PlaceFactory
from commonweave.directory import urls as directory_urls
from commonweave.directory.views import public

pytestmark = pytest.mark.django_db

# Every word a staff page uses, past or present.
STAFF_WORDS = [
    "review",
    "connect",
    "community",
    "follow-ups",
    "import",
    "referrals",
    "new",
    "entries",
    "suggest",
    "summary",
]


def test_every_page_but_the_index_is_under_a_place_slug():
    patterns = directory_urls.urlpatterns
    assert [str(p.pattern) for p in patterns] == ["", "<slug:place_slug>/"]
    assert isinstance(patterns[1], URLResolver)
    # Nothing under a place starts with the slug converter again (which could swallow it).
    assert all(not str(p.pattern).startswith("<") for p in patterns[1].url_patterns)


@pytest.mark.parametrize("slug", STAFF_WORDS)
def test_a_place_named_like_a_staff_page_gets_its_own_directory(client, slug):
    place = PlaceFactory(name=f"Place called {slug}", slug=slug)
    match = resolve(f"/directory/{slug}/")
    assert (match.func, match.kwargs) == (public.search, {"place_slug": slug})
    response = client.get(f"/directory/{slug}/")
    assert response.status_code == 200
    assert response.context["place"] == place
    assert escape(place.name) in response.content.decode()
    # Its community page is its own, too (404 only because it has no neighbourhoods yet).
    community = resolve(f"/directory/{slug}/community/")
    assert (community.func, community.kwargs) == (public.community, {"place_slug": slug})


@pytest.mark.parametrize(
    "path",
    [
        "/directory/{slug}/review/",
        "/directory/{slug}/import/",
        "/directory/{slug}/follow-ups/",
        "/directory/{slug}/referrals/",
        "/directory/{slug}/community/summary/",
    ],
)
def test_staff_pages_of_another_place_are_404(world, login, path):
    manager = login(world.manager_a)
    assert manager.get(path.format(slug="testford")).status_code == 200
    assert manager.get(path.format(slug="elsewhere")).status_code == 404
    assert manager.get(path.format(slug="no-such-place")).status_code == 404


def test_the_project_mounts_the_directory_once():
    mounted = [str(p.pattern) for p in get_resolver().url_patterns]
    assert mounted.count("directory/") == 1
