"""Every page each demo role (and the public) can reach, in Chromium on a 360-px phone:
axe-core finds nothing (WCAG 2.2 A/AA) and nothing is wider than the screen.

The links are found as tests/web/test_crawl.py finds them (every page a person is shown a
link to, one page of each kind); the browser then opens each page signed in as that person
(their session cookie), so what is checked is what they would see on their phone.
"""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from commonweave.demo.generator import place_logins
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Place
from tests.web import test_crawl

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MIN_PUBLIC_PAGES, MIN_STAFF_PAGES = 3, 30
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def _visitor(place, role):
    """The public (role None) or the first demo login of a role, as a signed-in client."""
    client = Client()
    if role is None:
        return "Anyone (public pages)", client
    logins, _ = place_logins(place)
    login = next(login for login in logins if login.role == Role(role).label)
    client.force_login(get_user_model().objects.get(email=login.email))
    return f"{login.role} ({login.organisation})", client


def _html(client, path) -> bool:
    """A page, not a download (a CSV export, a PDF, a JSON file)."""
    return "text/html" in client.get(path, follow=True).get("Content-Type", "")


# One test per visitor (one of each role: the others see the same kinds of page), so the
# crawl spreads over the test workers instead of being the one long test the run waits on.
@pytest.mark.parametrize("role", [None, *Role.values])
def test_every_page_each_role_reaches_is_axe_clean_and_fits_a_phone(
    browser, live_server, monkeypatch, role
):
    from tests.browser.conftest import CheckedPage

    call_command("demo", "--residents", "30", "--seed", "5", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    place = Place.objects.get()
    place.require_two_factor = False  # the demo's staff have no second factor yet
    place.save(update_fields=["require_two_factor"])
    monkeypatch.setattr(test_crawl, "PAGES_PER_ROUTE", 1)
    who, client = _visitor(place, role)
    seen, _found_on = test_crawl.crawl(client, "/")
    pages = sorted(path for path, status in seen.items() if status == 200 and _html(client, path))
    context = browser.new_context(**PHONE)
    context.set_default_timeout(10_000)
    session = client.cookies.get("sessionid")
    if session is not None:
        host = live_server.url.split("//", 1)[1].split(":", 1)[0]
        context.add_cookies(
            [{"name": "sessionid", "value": session.value, "domain": host, "path": "/"}]
        )
    page = CheckedPage(context.new_page(), live_server.url)
    problems, visited = [], 0
    for path in pages:
        response = page.goto(path)
        if response is None or "text/html" not in (response.headers.get("content-type") or ""):
            continue
        visited += 1
        width = page.page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            problems.append(f"{who}: {path} is {width}px wide at 360 px")
        try:
            page.axe(f"({who})")
        except AssertionError as violations:
            problems.append(f"{who}: {path}: {violations}")
    problems.extend(f"{who}: {problem}" for problem in page.problems)
    context.close()
    # The public sees a handful of pages; every staff role reaches dozens.
    assert visited >= (MIN_PUBLIC_PAGES if role is None else MIN_STAFF_PAGES), visited
    assert not problems, "\n".join(problems)
