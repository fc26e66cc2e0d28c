"""Page weight: `python -m bench.page_weight` (needs `make assets`: collected static files).

Generates the demo place, then, as the public and as every demo login, follows the links a
person is shown (the crawler of tests/web/test_crawl.py). For each kind of page (its URL
route) it adds up what a browser downloads, as the server sends it with
`Accept-Encoding: gzip, br`: the HTML, and every stylesheet, script (and the modules a
script imports), image and icon the page names, and what those stylesheets name in turn.
Static files go through WhiteNoise as in production. Prints one JSON object per page kind
and a table, heaviest first; exits 1 if a page is over its target: 150 KB for every core
page, 60 KB for the pages residents fill in (the public referral form and the check-in).
"""

import argparse
import json
import re
import sys
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from bench.run import configure_environment, create_database

CORE_TARGET_KB = 150
RESIDENT_TARGET_KB = 60
# The pages a resident fills in, often on a cheap phone and a slow connection.
RESIDENT_ROUTES = {
    "people:refer",
    "people:refer_check",
    "people:refer_thanks",
    "wellbeing:link",
    "wellbeing:link_done",
}
ACCEPT = {"HTTP_ACCEPT_ENCODING": "gzip, br"}
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)")
JS_IMPORT = re.compile(r"""(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+\.m?js)["']""")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=60)
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--sqlite-path")
    return parser.parse_args(argv)


class _Assets(HTMLParser):
    """What a page makes the browser download: stylesheets, scripts, images, icons."""

    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rel = (attrs.get("rel") or "").lower()
        if tag == "link" and attrs.get("href") and ("stylesheet" in rel or "icon" in rel):
            self.urls.append(attrs["href"])
        elif tag in ("script", "img") and attrs.get("src"):
            self.urls.append(attrs["src"])


def _body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


class Weigher:
    """Sizes as sent over the wire, each static file fetched once."""

    def __init__(self, client):
        self.client = client
        self.sizes: dict[str, int] = {}
        self.children: dict[str, list[str]] = {}

    def asset(self, url: str) -> int:
        """The bytes sent for a static file and for what it names (CSS url(), JS imports)."""
        return sum(self.sizes[u] for u in self._with_children(url, set()))

    def _with_children(self, url, seen) -> set:
        if url in seen or not url.startswith("/static/"):
            return seen
        seen.add(url)
        if url not in self.sizes:
            self._fetch(url)
        for child in self.children.get(url, []):
            self._with_children(child, seen)
        return seen

    def _fetch(self, url):
        response = self.client.get(url, **ACCEPT)
        sent = _body(response) if response.status_code == 200 else b""
        self.sizes[url] = len(sent)
        if response.status_code != 200:
            print(f"bench: {url} answered {response.status_code}", file=sys.stderr)
        plain = self.client.get(url)  # the text, to find what it names
        text = _body(plain).decode("utf-8", "ignore") if plain.status_code == 200 else ""
        names = CSS_URL.findall(text) if url.split("?")[0].endswith(".css") else []
        if url.split("?")[0].endswith((".js", ".mjs")):
            names = JS_IMPORT.findall(text)
        self.children[url] = [
            urlsplit(urljoin(url, n)).path for n in names if not n.startswith(("data:", "#"))
        ]

    def page(self, client, path) -> dict | None:
        response = client.get(path, follow=True, **ACCEPT)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        html = _body(response)
        raw = client.get(path, follow=True)
        parser = _Assets()
        parser.feed(_body(raw).decode("utf-8", "ignore"))
        urls = {urlsplit(urljoin(path, u)).path for u in parser.urls}
        seen: set = set()
        for url in urls:
            self._with_children(url, seen)
        assets = sum(self.sizes[u] for u in seen)
        return {"html": len(html), "assets": assets, "total": len(html) + assets}


def _resident_link_path(place):
    """A fresh one-time check-in link, as a resident would open it."""
    import secrets

    from django.utils import timezone

    from commonweave.people.models import Resident
    from commonweave.wellbeing.models import CheckIn, CheckInLink, LifeMapVersion
    from commonweave.wellbeing.services import hash_token

    resident = Resident.objects.filter(place=place).order_by("pk").first()
    version = LifeMapVersion.objects.filter(place=place).order_by("-pk").first()
    if resident is None or version is None:
        return None
    checkin = CheckIn.objects.create(place=place, resident=resident, version=version)
    token = secrets.token_urlsafe(32)
    CheckInLink.objects.create(
        checkin=checkin,
        token_hash=hash_token(token),
        channel="text",
        expires_at=timezone.now() + timedelta(days=7),
    )
    return f"/wellbeing/c/{token}/"


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    cleanup = configure_environment(args)
    teardown = None
    try:
        import django

        django.setup()
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from commonweave.demo.generator import place_logins
        from commonweave.tenancy.models import Place
        from tests.web.test_crawl import _route, crawl

        teardown = create_database()
        print(f"bench: generating the demo place ({args.residents} residents)", file=sys.stderr)
        # As `make run` makes it: the partnership's check-ins, learning and network too.
        call_command(
            "demo", "--residents", str(args.residents), "--seed", str(args.seed), stdout=sys.stderr
        )
        place = Place.objects.get()
        place.require_two_factor = False  # the demo's staff have no second factor yet
        place.save(update_fields=["require_two_factor"])
        visitors = [("public", Client(), "/")]
        users = get_user_model().objects
        logins, _ = place_logins(place)
        for login in logins:
            client = Client()
            client.force_login(users.get(email=login.email))
            visitors.append((login.role, client, "/"))
        weigher = Weigher(Client())
        heaviest: dict[str, dict] = {}
        extra = [p for p in [_resident_link_path(place), "/refer/"] if p]
        for who, client, start in visitors:
            seen, _found_on = crawl(client, start)
            paths = [p for p, status in seen.items() if status == 200]
            if who == "public":
                paths += extra
            for path in paths:
                weight = weigher.page(client, path)
                if weight is None:
                    continue
                route = _route(path)
                if route in RESIDENT_ROUTES and who != "public":
                    continue  # weighed as a resident gets them: not signed in
                if weight["total"] > heaviest.get(route, {}).get("total", -1):
                    heaviest[route] = {**weight, "path": path, "viewer": who}
        failed = False
        rows = []
        for route, weight in sorted(heaviest.items(), key=lambda kv: -kv[1]["total"]):
            target = RESIDENT_TARGET_KB if route in RESIDENT_ROUTES else CORE_TARGET_KB
            record = {
                "name": "page_weight",
                "page": route,
                "viewer": weight["viewer"],
                "html_kb": round(weight["html"] / 1024, 1),
                "assets_kb": round(weight["assets"] / 1024, 1),
                "total_kb": round(weight["total"] / 1024, 1),
                "target_kb": target,
                "ok": weight["total"] <= target * 1024,
            }
            failed |= not record["ok"]
            rows.append(record)
            print(json.dumps(record), flush=True)
        print(
            json.dumps(
                {
                    "name": "page_weight_summary",
                    "page_kinds": len(rows),
                    "over": [r["page"] for r in rows if not r["ok"]],
                    "heaviest_kb": rows[0]["total_kb"] if rows else None,
                    "resident_pages": {
                        r["page"]: r["total_kb"] for r in rows if r["page"] in RESIDENT_ROUTES
                    },
                }
            ),
            flush=True,
        )
        print(f"\n{'page':42} {'viewer':28} {'html':>7} {'assets':>7} {'total':>7} target")
        for r in rows:
            print(
                f"{r['page'][:42]:42} {r['viewer'][:28]:28} {r['html_kb']:>7} "
                f"{r['assets_kb']:>7} {r['total_kb']:>7} {r['target_kb']}"
                + ("" if r["ok"] else "  OVER"),
                file=sys.stderr,
            )
        return 1 if failed else 0
    finally:
        if teardown:
            teardown()
        if cleanup:
            cleanup()


if __name__ == "__main__":
    raise SystemExit(main())
