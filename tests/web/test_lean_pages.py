"""Lean pages: the API docs are linked from the admin area only, scripts only where they
are used, HTML compressed only where no secret can leak (BREACH), static files compressed
at collectstatic in the production storage, and overdue rows' links readable (4.5:1)."""

import gzip
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from commonweave.demo.factories import MembershipFactory
from commonweave.tenancy.enums import Role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def place_admin(world):
    return MembershipFactory(
        organisation=world.org_a, role=Role.PLACE_ADMIN, user__email="admin@example.org"
    ).user


# --- /api/docs -------------------------------------------------------------------------


def test_api_docs_are_not_linked_from_the_footer_or_residents_pages(world, client, login):
    for url in ("/", reverse("people:refer"), reverse("directory:search", args=["testford"])):
        assert "/api/docs" not in client.get(url).content.decode(), url
    for user in (world.catalyst_a, world.worker_b, world.analyst):
        body = login(user).get(reverse("learning:home")).content.decode()
        assert "/api/docs" not in body


def test_api_docs_are_linked_from_the_admins_token_page(world, login, place_admin):
    body = login(place_admin).get(reverse("tenancy:tokens")).content.decode()
    assert 'href="/api/docs"' in body


# --- scripts only where they are used ----------------------------------------------------


def test_public_pages_load_no_htmx(world, client):
    for url in ("/", reverse("people:refer")):
        body = client.get(url).content.decode()
        assert "htmx" not in re.sub(r'<meta name="htmx-config"[^>]*>', "", body), url
        assert "chart.umd" not in body


def test_staff_pages_that_use_htmx_still_have_it(world, login):
    body = login(world.catalyst_a).get(reverse("people:triage")).content.decode()
    assert "/static/htmx/htmx.min.js" in body


# --- HTML compression ------------------------------------------------------------------


def test_public_pages_are_compressed(world, client):
    response = client.get("/", headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    assert b"Find support, company and things to do" in gzip.decompress(response.content)


def test_pages_with_secrets_or_typed_words_are_not_compressed(world, client, login):
    """BREACH: a compressed answer that holds a secret and words an attacker chose leaks
    the secret by its length. Staff pages hold personal data; the referral form (no-store)
    shows back what was typed; the API answers with personal data."""
    staff = login(world.catalyst_a).get(
        reverse("people:caseload"), headers={"accept-encoding": "gzip"}
    )
    assert staff.status_code == 200 and not staff.has_header("Content-Encoding")
    refer = client.get(reverse("people:refer"), headers={"accept-encoding": "gzip"})
    assert refer.status_code == 200 and not refer.has_header("Content-Encoding")
    posted = client.post(reverse("people:refer"), {}, headers={"accept-encoding": "gzip"})
    assert not posted.has_header("Content-Encoding")
    api = client.get("/api/openapi.json", headers={"accept-encoding": "gzip"})
    assert not api.has_header("Content-Encoding")


# --- static files ------------------------------------------------------------------------


def _settings_with(**env):
    code = (
        "import config.settings as s; "
        "print(s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    )
    environ = {k: v for k, v in os.environ.items() if not k.startswith("COMMONWEAVE_")}
    result = subprocess.run(  # noqa: S603 - our own interpreter and settings module
        [sys.executable, "-c", code],
        env={**environ, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.split()


def test_make_run_and_production_use_the_compressed_manifest_storage():
    compressed = ["whitenoise.storage.CompressedManifestStaticFilesStorage", "False"]
    assert _settings_with(COMMONWEAVE_COMPRESS_STATIC="1") == compressed
    assert _settings_with() == ["django.contrib.staticfiles.storage.StaticFilesStorage", "True"]
    makefile = (ROOT / "Makefile").read_text()
    assert "run: export COMMONWEAVE_COMPRESS_STATIC := 1" in makefile


def test_static_files_are_served_compressed_from_the_production_storage(tmp_path):
    built = ROOT / "build" / "static" / "web" / "commonweave.css"
    if not built.exists():
        pytest.skip("SKIPPED: build/static/web/commonweave.css missing (run npm run build)")
    production = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    with override_settings(
        STORAGES=production,
        STATIC_ROOT=tmp_path,
        # Our CSS and the GOV.UK images it names: a small, real collection.
        STATICFILES_DIRS=[
            built.parent.parent,
            (
                "govuk/assets",
                ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk" / "assets",
            ),
        ],
        STATICFILES_FINDERS=["django.contrib.staticfiles.finders.FileSystemFinder"],
        WHITENOISE_USE_FINDERS=False,
    ):
        staticfiles_storage._setup()
        try:
            call_command("collectstatic", interactive=False, verbosity=0)
            url = staticfiles_storage.url("web/commonweave.css")
            assert re.fullmatch(r"/static/web/commonweave\.[0-9a-f]{12}\.css", url)
            assert (tmp_path / url.removeprefix("/static/")).with_suffix(".css.gz").exists()
            client = Client()  # a new handler: WhiteNoise reads this STATIC_ROOT
            gz = client.get(url, headers={"accept-encoding": "gzip"})
            br = client.get(url, headers={"accept-encoding": "gzip, br"})
            plain = client.get(url)
            assert gz["Content-Encoding"] == "gzip"
            assert br["Content-Encoding"] == "br"
            assert not plain.has_header("Content-Encoding")
            assert int(gz["Content-Length"]) < int(plain["Content-Length"]) / 4
            assert "immutable" in gz["Cache-Control"]
        finally:
            staticfiles_storage._setup()


# --- contrast ------------------------------------------------------------------------------


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a, b):
    high, low = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_links_in_overdue_rows_meet_4_5_to_1():
    css = ROOT / "build" / "static" / "web" / "commonweave.css"
    if not css.exists():
        pytest.skip("SKIPPED: build/static/web/commonweave.css missing (run npm run build)")
    match = re.search(r"\.cw-row--overdue\{background-color:(#[0-9a-f]{6})", css.read_text())
    assert match is not None
    for link in ("#1d70b8", "#4c2c92"):  # GOV.UK link and visited link colours
        assert _contrast(link, match.group(1)) >= 4.5


def test_our_skip_list_keeps_whitenoises_own():
    from whitenoise.compress import Compressor

    skipped = set(settings.WHITENOISE_SKIP_COMPRESS_EXTENSIONS)
    assert set(Compressor.SKIP_COMPRESS_EXTENSIONS) <= skipped
    assert {"js", "mjs", "css", "html", "svg", "json"}.isdisjoint(skipped)
