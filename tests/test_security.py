"""Security baseline: deploy checks, headers, cookies, error pages."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD, client_for

ROOT = Path(__file__).resolve().parent.parent


def _production_env(**extra):
    """A clean environment as a production host would have: nothing inherited from the
    test run (e.g. DJANGO_ALLOW_ASYNC_UNSAFE set by the browser tests, DEBUG)."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    env.update(COMMONWEAVE_PRODUCTION="1", **extra)
    return env


@pytest.mark.slow
def test_deploy_checks_pass_under_production_settings(tmp_path):
    # A separate process loads settings exactly as production would: nothing overridden.
    result = subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=_production_env(
            SECRET_KEY=secrets.token_urlsafe(50),
            AUDIT_KEY=secrets.token_urlsafe(48),
            COMMONWEAVE_DATA_DIR=str(tmp_path),
        ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


@pytest.mark.slow
def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    env = _production_env(COMMONWEAVE_DATA_DIR=str(tmp_path))
    env.pop("SECRET_KEY", None)
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY (or SECRET_KEY_FILE) must be set in production" in result.stderr


def test_every_page_sends_a_content_security_policy_without_unsafe_inline(world):
    for client, url in (
        (Client(), reverse("web:home")),
        (Client(), reverse("accounts:login")),
        (client_for(world.catalyst_a), reverse("people:caseload")),
    ):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_pages_forbid_framing_and_sniffing(world):
    response = Client().get(reverse("accounts:login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize(
    "url",
    ["people:caseload", "people:triage", "tenancy:members", "accounts:security"],
)
def test_staff_pages_are_never_stored_in_a_cache(world, url):
    response = client_for(world.manager_a).get(reverse(url))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_the_session_cookie_is_http_only_and_same_site(world):
    client = Client()
    client.post(
        reverse("accounts:login"), {"username": world.catalyst_a.email, "password": PASSWORD}
    )
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_sessions_end_after_thirty_idle_minutes():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_passwords_are_hashed_with_argon2_in_real_use():
    # Tests swap in a fast hasher; the real setting must lead with Argon2.
    from config import settings as real

    assert real.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@pytest.mark.parametrize("user", [None, "catalyst_a"])
def test_error_pages_do_not_echo_the_requested_address(world, user):
    client = client_for(getattr(world, user) if user else None)
    probe = "margaret-oduya-07700900461"
    response = client.get(f"/no-such-page/{probe}/<script>alert(1)</script>/?q={probe}")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert probe not in html
    assert "alert(1)" not in html


def test_a_missing_record_404_does_not_echo_its_address(world):
    response = client_for(world.catalyst_a).get("/residents/zzzzzzzzzzzz/")
    assert response.status_code == 404
    assert "zzzzzzzzzzzz" not in response.content.decode()
