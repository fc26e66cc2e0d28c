"""Every link a signed-in person is shown leads somewhere that works for them, and every
form they meet copes with being sent empty.

The demo place is generated, then for each demo login the crawler follows the links on
every page it reaches (GET only, same site, each kind of page a few times). A link that
answers 404, 403 or an error is a broken promise: the page offered something the person
cannot have. No address may carry a resident's name, email or phone number either (no
personal data in URLs: they end up in logs and browser history).
"""

import io
from collections import Counter
from html.parser import HTMLParser
from urllib.parse import unquote_plus, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import Resolver404, resolve

from commonweave.demo.generator import place_logins
from commonweave.people.models import Resident
from commonweave.tenancy.models import Place

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

PAGES_PER_ROUTE = 2  # the same kind of page with other ids finds little new
MAX_PAGES = 400  # per login, a guard against a loop of ever-new addresses
# Following these would sign the person out or is not a page.
SKIP_PREFIXES = ("/account/logout/", "/api/", "/static/", "/admin/")


class _Page(HTMLParser):
    """A page's links, and its POST forms with their hidden inputs (the CSRF token, the
    version an edit started from): what a person sends who fills in nothing."""

    def __init__(self):
        super().__init__()
        self.hrefs, self.forms, self._form = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        elif tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "hidden": {}}
            self.forms.append(self._form)
        elif self._form is not None and tag == "input" and attrs.get("type") == "hidden":
            self._form["hidden"][attrs.get("name") or ""] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


def _local(base, href):
    url = urljoin(base, href)
    parts = urlsplit(url)
    if parts.scheme not in ("", "http") or parts.netloc not in ("", "testserver"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return None if path.startswith(SKIP_PREFIXES) else path


def _parse(base, html):
    page = _Page()
    page.feed(html)
    links = [p for p in (_local(base, h) for h in page.hrefs) if p]
    forms = []
    for form in page.forms:
        action = _local(base, form["action"] or base)
        if action:
            forms.append((action, form["hidden"]))
    return links, forms


def _route(path):
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return path
    return match.view_name


def _personal_values():
    values = set()
    for name, email, phone in Resident.objects.values_list("full_name", "email", "phone"):
        values.update(v.lower() for v in (name, email, phone) if v and len(v) >= 5)
    return values


def crawl(client, start="/", forms=None):
    """Visit what can be reached from `start`; returns {path: status} and where each
    path was found. POST forms met on the way are added to `forms` ({route: (action,
    hidden)}), one of each kind."""
    seen, found_on, per_route = {}, {start: "(start)"}, Counter()
    queue = [start]
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        route = _route(path)
        if per_route[route] >= PAGES_PER_ROUTE:
            continue
        per_route[route] += 1
        response = client.get(path, follow=True)
        seen[path] = response.status_code
        if response.status_code != 200:
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        links, page_forms = _parse(final, response.content.decode())
        if forms is not None:
            # One form of each kind (its route): the same form for another record adds
            # little, and every empty POST is a full request.
            for action, hidden in page_forms:
                forms.setdefault(_route(action), (action, hidden))
        for link in links:
            if link not in seen and link not in found_on:
                found_on[link] = path
                queue.append(link)
    return seen, found_on


def _demo_place():
    call_command("demo", "--residents", "40", "--seed", "5", stdout=io.StringIO(),
                 stderr=io.StringIO())  # fmt: skip
    place = Place.objects.get()
    place.require_two_factor = False  # the demo's staff have no second factor yet
    place.save(update_fields=["require_two_factor"])
    return place


def test_every_link_and_form_each_demo_login_and_the_public_meets_works():
    """Links: each answers 200 and carries nothing personal. Forms (after every crawl, as
    they change things): a person who presses the button without filling anything in gets
    the page back with what is missing, a conflict, or the action done, never a server
    error. One demo place for both: generating it is most of the cost."""
    place = _demo_place()
    personal = _personal_values()
    logins, _ = place_logins(place)
    assert len(logins) >= 5
    users = get_user_model().objects
    visitors = [("Anyone (public pages)", Client(), f"/directory/{place.slug}/")]
    for login in logins:
        client = Client(raise_request_exception=False)
        client.force_login(users.get(email=login.email))
        visitors.append((login.role, client, "/"))
    problems, forms_met = [], []
    for who, client, start in visitors:
        forms = {}
        seen, found_on = crawl(client, start, forms=forms)
        forms_met.append((who, client, forms))
        assert len(seen) > 10, f"{who} reached only {sorted(seen)}"
        for path, status in seen.items():
            if status != 200:
                problems.append(f"{who}: {path} -> {status} (linked from {found_on[path]})")
            lowered = unquote_plus(path).lower()
            if any(value in lowered for value in personal):
                problems.append(f"{who}: personal data in the address {path}")
    assert not problems, "\n".join(problems)
    assert sum(len(forms) for _, _, forms in forms_met) > 100
    for who, client, forms in forms_met:
        for action, hidden in forms.values():
            response = client.post(action, hidden)
            if response.status_code >= 500:
                problems.append(f"{who}: POST {action} (sent empty) -> {response.status_code}")
            if response.status_code == 200 and b"govuk-error-summary" in response.content:
                problems.append(f"{who}: POST {action} (sent empty) -> 200 with errors, not 400")
    assert not problems, "\n".join(problems)
