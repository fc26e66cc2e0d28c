"""`python -m commonweave demo` / `manage.py demo`: generates once, prints the logins."""

import io

import pytest
from django.core.management import CommandError, call_command

from commonweave.demo.generator import DEMO_PASSWORD
from commonweave.people.models import Resident
from commonweave.tenancy.enums import Role
from commonweave.tenancy.models import Place

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_demo_prints_the_url_every_roles_login_and_the_api_tokens():
    out, err = run("--residents", "30", "--seed", "3")
    assert "http://127.0.0.1:8000" in out
    assert DEMO_PASSWORD in out
    for role in Role.labels:
        assert role in out
    assert "coordinator@hartley-vale.example" in out
    assert out.count("cw_") == 3  # the raw API tokens, shown this once
    assert "residents  30/30 [" in err  # the progress bar goes to stderr
    assert Resident.objects.count() == 30


def test_if_empty_does_not_generate_again_and_prints_the_logins():
    run("--residents", "20")
    out, _ = run("--residents", "20", "--if-empty")
    assert Place.objects.count() == 1
    assert Resident.objects.count() == 20
    assert "already exists" in out
    assert "admin@hartley-vale.example" in out
    assert "cw_" not in out  # raw tokens are not stored, so cannot be shown again


def test_if_empty_leaves_other_places_alone(world):
    out, _ = run("--residents", "20", "--if-empty")
    assert not Place.objects.filter(slug="hartley-vale").exists()
    assert "no demo place was generated" in out


def test_a_second_demo_needs_its_own_slug():
    run("--residents", "10")
    with pytest.raises(CommandError, match="--place-slug"):
        run("--residents", "10")
    run("--residents", "10", "--place-slug", "second-vale", "--place-name", "Second Vale")
    assert Place.objects.filter(slug="second-vale", name="Second Vale").exists()
    assert Resident.objects.count() == 20


def test_resident_count_is_bounded():
    with pytest.raises(CommandError, match="between"):
        run("--residents", "1000001")


def test_python_m_commonweave_dispatches_to_the_demo_command(capsys, monkeypatch):
    from django.db import connections

    from commonweave.__main__ import main

    # A command run from the command line closes its connections at the end; the test's
    # transaction lives on that connection, so keep it open here.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    main(["demo", "--residents", "12", "--if-empty"])
    out = capsys.readouterr().out
    assert "http://127.0.0.1:8000" in out
    assert "catalyst.1@hartley-vale.example" in out
    assert Resident.objects.count() == 12


def test_the_printed_address_follows_the_port_it_is_served_on():
    out, _ = run("--residents", "10", "--url", "http://127.0.0.1:8123")
    assert "Open http://127.0.0.1:8123 and sign in" in out
    assert "127.0.0.1:8000" not in out
