"""The service navigation: each role's items computed once in Python (web/navigation.py),
no destination twice, the current page marked with aria-current and the component's
active class; the public home page leads to the directory search and to asking for help."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.tenancy.enums import Role
from commonweave.web.navigation import nav_items

pytestmark = pytest.mark.django_db


class _Nav(HTMLParser):
    """The service navigation's links: (label, href, aria-current, item classes)."""

    def __init__(self):
        super().__init__()
        self.items, self._in_nav, self._item_class, self._link = [], False, "", None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav" and "govuk-service-navigation__wrapper" in (attrs.get("class") or ""):
            self._in_nav = True
        elif self._in_nav and tag == "li":
            self._item_class = attrs.get("class") or ""
        elif self._in_nav and tag == "a":
            self._link = [attrs.get("href"), attrs.get("aria-current"), self._item_class, ""]

    def handle_data(self, data):
        if self._link is not None:
            self._link[3] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._link is not None:
            href, current, item_class, text = self._link
            self.items.append((" ".join(text.split()), href, current, item_class))
            self._link = None
        elif tag == "nav":
            self._in_nav = False


def nav(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    parser = _Nav()
    parser.feed(response.content.decode())
    return parser.items


def labels(items):
    return [label for label, *_ in items]


@pytest.fixture
def place_admin(world):
    return MembershipFactory(
        organisation=world.org_a, role=Role.PLACE_ADMIN, user__email="admin@example.org"
    ).user


# Each demo role (commonweave/demo/generator.py: catalyst, coordinator who is also a partner
# worker, place admin, analyst, partner worker) and what its navigation holds.
EXPECTED = {
    "catalyst_a": [
        "Caseload",
        "Triage",
        "Texts",
        "Mutual aid",
        "Residents",
        "Shared with us",
        "Your referrals",
        "Directory",
        "Learning",
        "Network",
        "Overview",
        "Wellbeing change",
        "Area profile",
        "Theory of change",
    ],
    "worker_b": [
        "Shared with us",
        "Your referrals",
        "Directory",
        "Learning",
        "Network",
        "Theory of change",
    ],
    "analyst": [
        "Your referrals",
        "Directory",
        "Learning",
        "Network",
        "Overview",
        "Wellbeing change",
        "Area profile",
        "Theory of change",
        "Social value",
    ],
    "place_admin": [
        "Your referrals",
        "Directory",
        "Learning",
        "Network",
        "Money",
        "Overview",
        "Wellbeing change",
        "Area profile",
        "Theory of change",
        "Social value",
        "People and roles",
        "Audit log",
        "Jobs",
    ],
}


def test_social_value_is_offered_to_exactly_those_the_pages_let_in():
    from commonweave.impact.rules import VALUER_ROLES

    assert set(VALUER_ROLES) == {Role.COORDINATOR, Role.ANALYST, Role.PLACE_ADMIN}


def test_the_theory_of_change_is_offered_to_exactly_those_the_pages_let_in(world):
    from commonweave.impact.rules import may_read_theory
    from commonweave.web.navigation import _reads_theory

    for user in (world.catalyst_a, world.manager_a, world.worker_b, world.analyst):
        viewer = world.viewer(user)
        assert _reads_theory(viewer) == may_read_theory(viewer), user


def test_shared_with_us_is_offered_to_exactly_those_the_page_lets_in():
    from commonweave.people.access import SHARE_ROLES

    assert set(SHARE_ROLES) == {Role.CATALYST, Role.COORDINATOR, Role.PARTNER_WORKER}


@pytest.mark.parametrize("persona", sorted(EXPECTED))
def test_each_role_sees_its_items_once(world, login, place_admin, persona):
    user = place_admin if persona == "place_admin" else getattr(world, persona)
    items = nav(login(user), reverse("learning:home"))
    assert labels(items) == EXPECTED[persona]
    hrefs = [href for _, href, *_ in items]
    assert len(set(hrefs)) == len(hrefs)
    assert labels(items).count("Learning") == 1


def test_a_coordinator_who_is_also_a_partner_worker_sees_both_sets_once(world, login):
    MembershipFactory(organisation=world.org_b, role=Role.PARTNER_WORKER, user=world.manager_a)
    items = labels(nav(login(world.manager_a), reverse("learning:home")))
    assert items == [
        "Caseload",
        "Triage",
        "Texts",
        "Mutual aid",
        "Residents",
        "Shared with us",
        "Your referrals",
        "Directory",
        "Learning",
        "Network",
        "Money",
        "Overview",
        "Wellbeing change",
        "Area profile",
        "Theory of change",
        "Social value",
        "People and roles",
        "Audit log",
        "Jobs",
    ]
    assert len(set(items)) == len(items)


def test_the_current_page_is_marked(world, login):
    client = login(world.catalyst_a)
    items = nav(client, reverse("people:caseload"))
    current = [(label, c, cls) for label, _, c, cls in items if c]
    assert current == [
        (
            "Caseload",
            "page",
            "govuk-service-navigation__item govuk-service-navigation__item--active",
        )
    ]


def test_a_page_inside_a_section_marks_its_item_as_current_section(world, login):
    client = login(world.catalyst_a)
    items = nav(client, reverse("learning:sessions"))
    assert [(label, c) for label, _, c, _ in items if c] == [("Learning", "true")]
    assert [label for label, *_, cls in items if "--active" in cls] == ["Learning"]


def test_only_one_item_is_current_on_every_page_of_each_item(world, login, place_admin):
    for user in (world.catalyst_a, world.analyst, place_admin, world.worker_b):
        client = login(user)
        viewer = world.viewer(user)
        for item in nav_items(viewer, "/"):
            if item.key == "directory":
                continue  # the directory's own search page (another app) is tested there
            marked = [(label, c) for label, _, c, _ in nav(client, item.url) if c]
            assert marked == [(str(item.label), "page")], (user.email, item.url)


def test_a_residents_wellbeing_page_belongs_to_residents(world, login):
    items = nav_items(world.viewer(world.catalyst_a), "/wellbeing/residents/abc/", "wellbeing")
    assert [i.key for i in items if i.current] == ["residents"]
    items = nav_items(world.viewer(world.catalyst_a), "/wellbeing/cohort/", "wellbeing")
    assert [(i.key, i.current) for i in items if i.current] == [("wellbeing", "page")]
    items = nav_items(world.viewer(world.catalyst_a), "/directory/testford/entries/x/", "directory")
    assert [(i.key, i.current) for i in items if i.current] == [("directory", "true")]


def test_an_item_whose_page_is_not_installed_is_left_out(world, monkeypatch):
    from commonweave.web import navigation

    real = navigation.reverse

    def reverse_without_shared(name, *args, **kwargs):
        if name == "people:shared_with_us":
            raise navigation.NoReverseMatch(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(navigation, "reverse", reverse_without_shared)
    keys = [i.key for i in nav_items(world.viewer(world.worker_b), "/")]
    assert keys == ["referrals", "directory", "learning", "network", "theory"]


def test_the_menu_toggle_is_there_and_hidden_until_scripts_run(world, login):
    body = login(world.catalyst_a).get(reverse("people:caseload")).content.decode()
    assert re.search(
        r'<button type="button" class="govuk-service-navigation__toggle '
        r'govuk-js-service-navigation-toggle" aria-controls="navigation" hidden',
        body,
    )
    assert 'data-module="govuk-service-navigation"' in body
    assert 'class="govuk-header__navigation-list"' in body  # account links, always shown
    assert "Your account" in body


def test_nobody_signed_in_sees_no_staff_navigation(world, client):
    body = client.get("/").content.decode()
    assert "govuk-service-navigation" not in body


def test_residents_check_in_link_pages_show_no_staff_navigation(world, login):
    # A signed-in catalyst opening a resident's link sees what the resident sees.
    body = login(world.catalyst_a).get("/wellbeing/c/not-a-real-token/").content.decode()
    assert "govuk-service-navigation" not in body


# --- the public home page -------------------------------------------------------------


def test_home_page_searches_the_directory_and_leads_to_asking_for_help(world, client):
    body = client.get("/").content.decode()
    search = reverse("directory:search", args=[world.place.slug])
    form = re.search(r'<form method="get" action="([^"]+)" role="search"', body)
    assert form is not None and form.group(1) == reverse("web:find")  # two places
    assert '<select class="govuk-select" id="home-place" name="place">' in body
    assert 'name="q"' in body and 'name="postcode"' in body
    assert f'href="{reverse("people:refer")}"' in body
    found = client.get(reverse("web:find"), {"place": "testford", "q": "lunch", "postcode": ""})
    assert found.status_code == 302
    assert found.url == f"{search}?q=lunch"


def test_home_page_with_one_place_searches_it_directly(world, client):
    world.other_place.delete()
    body = client.get("/").content.decode()
    search = reverse("directory:search", args=[world.place.slug])
    assert f'<form method="get" action="{search}" role="search"' in body
    assert "home-place" not in body
    assert client.get(search, {"q": "lunch", "postcode": ""}).status_code == 200


def test_find_refuses_a_strange_place(world, client):
    response = client.get(reverse("web:find"), {"place": "../admin", "q": "x"})
    assert response.status_code == 302
    assert response.url == reverse("directory:index")
