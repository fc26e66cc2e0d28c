"""Settings read from the environment: refused when wrong, documented when read."""

import re
import subprocess
import sys

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from config import settings as project_settings

from .processes import ROOT, child_env

SETTINGS_SOURCE = (ROOT / "config" / "settings.py").read_text()
README = (ROOT / "README.md").read_text()


# --- env_bool ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), (" Yes ", True), ("ON", True), ("0", False), ("off", False)],
)
def test_env_bool_knows_the_usual_words(monkeypatch, value, expected):
    monkeypatch.setenv("COMMONWEAVE_SOMETHING", value)
    assert project_settings.env_bool("COMMONWEAVE_SOMETHING", not expected) is expected


@pytest.mark.parametrize("word", sorted(project_settings.TRUE_WORDS | project_settings.FALSE_WORDS))
def test_env_bool_takes_every_word_in_any_case(monkeypatch, word):
    expected = word in project_settings.TRUE_WORDS
    for spelt in (word, word.upper(), word.capitalize()):
        monkeypatch.setenv("COMMONWEAVE_SOMETHING", spelt)
        assert project_settings.env_bool("COMMONWEAVE_SOMETHING", not expected) is expected


def test_a_file_variant_wins_and_is_stripped(monkeypatch, tmp_path):
    secret = tmp_path / "value"
    secret.write_text("  from-the-file\n")
    monkeypatch.setenv("COMMONWEAVE_SOMETHING", "from-the-environment")
    monkeypatch.setenv("COMMONWEAVE_SOMETHING_FILE", str(secret))
    assert project_settings.env("COMMONWEAVE_SOMETHING") == "from-the-file"


def test_env_bool_unset_or_blank_is_the_default(monkeypatch):
    monkeypatch.delenv("COMMONWEAVE_SOMETHING", raising=False)
    assert project_settings.env_bool("COMMONWEAVE_SOMETHING", True) is True
    monkeypatch.setenv("COMMONWEAVE_SOMETHING", " ")
    assert project_settings.env_bool("COMMONWEAVE_SOMETHING", False) is False


@pytest.mark.parametrize("value", ["ture", "enabled", "2", "y"])
def test_env_bool_refuses_what_it_does_not_know_naming_the_variable(monkeypatch, value):
    monkeypatch.setenv("COMMONWEAVE_SOMETHING", value)
    with pytest.raises(ImproperlyConfigured, match="COMMONWEAVE_SOMETHING"):
        project_settings.env_bool("COMMONWEAVE_SOMETHING")


# --- starting up -------------------------------------------------------------------------


def _check(tmp_path, **env):
    return subprocess.run(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=child_env(COMMONWEAVE_DATA_DIR=tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize(
    "key",
    [
        "x",
        "short-but-varied-0123456789",
        "ab" * 40,  # long enough, too few different characters
        # Fixed, not random: xdist workers must collect the same test ids.
        "django-insecure-" + "k7Qm2vX9pLr4Tn8Wz3Bc6Hd1Jf5Gs0Ya" * 2,
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(tmp_path, key):
    result = _check(tmp_path, COMMONWEAVE_PRODUCTION="1", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY must be at least 50 characters" in result.stderr
    if len(key) > 8:
        assert key not in result.stderr  # the key itself is never printed


@pytest.mark.slow
def test_a_weak_key_is_fine_in_development(tmp_path):
    assert _check(tmp_path, SECRET_KEY="x").returncode == 0


@pytest.mark.slow
def test_a_typo_in_a_yes_no_variable_stops_start_up(tmp_path):
    result = _check(tmp_path, COMMONWEAVE_PRODUCTION="ture")
    assert result.returncode != 0
    assert "COMMONWEAVE_PRODUCTION must be one of" in result.stderr


@pytest.mark.slow
def test_trusted_proxies_must_be_addresses_or_networks(tmp_path):
    assert _check(tmp_path, TRUSTED_PROXIES="127.0.0.1, 10.0.0.0/8, ::1").returncode == 0
    result = _check(tmp_path, TRUSTED_PROXIES="127.0.0.1,proxy.example.org")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: 'proxy.example.org' is not an IP address" in result.stderr


# --- documented = read -------------------------------------------------------------------


def _documented_variables():
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    names = set()
    for line in section.splitlines():
        if line.startswith("| `"):
            first_cell = line.split("|")[1]
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", first_cell))
    return names


def _read_variables():
    return set(re.findall(r'\benv(?:_bool|_list)?\(\s*"([A-Z][A-Z0-9_]+)"', SETTINGS_SOURCE))


def test_every_variable_the_readme_documents_is_read_by_the_settings():
    documented = _documented_variables()
    assert {"DATABASE_URL", "REDIS_URL", "TRUSTED_PROXIES", "WELLBEING_SENDER"} <= documented
    assert documented - _read_variables() == set()


def test_every_variable_the_settings_read_is_documented():
    assert _read_variables() - _documented_variables() == set()


# --- SQLite for several users at once ----------------------------------------------------


def test_sqlite_waits_for_the_write_lock_and_takes_it_up_front():
    if "sqlite" not in project_settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the settings use PostgreSQL here")
    options = project_settings.DATABASES["default"]["OPTIONS"]
    assert options["timeout"] >= 20
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    # A PRAGMA busy_timeout there would silently replace the timeout above.
    assert "busy_timeout" not in options["init_command"]


# --- headers -----------------------------------------------------------------------------

POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


def test_every_response_carries_a_permissions_policy(world):
    for url, status in (
        ("/", 200),
        ("/account/login/", 200),
        ("/no-such-page/", 404),
        ("/static/directory/directory.css", 200),
    ):
        response = Client().get(url)
        assert response.status_code == status, url
        assert response["Permissions-Policy"] == POLICY, url
    assert "interest-cohort" not in POLICY
