"""Postcodes typed into the public "near me" search stay out of our access logs."""

import logging
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import SimpleNamespace

import pytest

from commonweave.core.logs import GunicornLogger, RedactQueryStrings, redact_query, redact_urls

from .processes import ROOT

NEAR_ME = "/directory/testford/?q=lunch&postcode=OL1+1AA&page=2"


def test_query_values_are_dropped_and_names_kept():
    assert redact_query("q=lunch&postcode=OL1+1AA&page=2") == "q=*&postcode=*&page=*"
    assert redact_query("OL11AA") == "*"  # a bare value is not a name
    assert redact_query("") == ""
    line = f"GET {NEAR_ME} HTTP/1.1"
    assert redact_urls(line) == "GET /directory/testford/?q=*&postcode=*&page=* HTTP/1.1"
    referer = f"https://commonweave.example.org{NEAR_ME}"
    assert "OL1" not in redact_urls(referer) and "lunch" not in redact_urls(referer)
    assert redact_urls("GET /directory/testford/ HTTP/1.1") == "GET /directory/testford/ HTTP/1.1"


class _Keep(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines = []

    def emit(self, record):
        self.lines.append(record.getMessage())


def test_the_development_servers_log_drops_query_values():
    logger = logging.getLogger("django.server")
    assert any(isinstance(f, RedactQueryStrings) for f in logger.filters)
    keep = _Keep()
    logger.addHandler(keep)
    try:
        # runserver logs each request through "django.server" like this.
        logger.info('"%s" %s %s', f"GET {NEAR_ME} HTTP/1.1", "200", "5")
    finally:
        logger.removeHandler(keep)
    assert keep.lines == ['"GET /directory/testford/?q=*&postcode=*&page=* HTTP/1.1" 200 5']


def test_gunicorns_access_log_atoms_drop_query_values():
    logger = GunicornLogger.__new__(GunicornLogger)  # atoms() needs no configuration
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": NEAR_ME,
        "PATH_INFO": "/directory/testford/",
        "QUERY_STRING": NEAR_ME.split("?", 1)[1],
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_REFERER": f"https://example.org{NEAR_ME}",
        "REMOTE_ADDR": "127.0.0.1",
    }
    response = SimpleNamespace(status="200 OK", sent=5, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])
    atoms = logger.atoms(response, request, environ, SimpleNamespace(seconds=0, microseconds=1))
    text = " ".join(str(value) for value in atoms.values())
    assert "OL1" not in text and "lunch" not in text
    assert atoms["r"] == "GET /directory/testford/?q=*&postcode=*&page=* HTTP/1.1"
    assert atoms["q"] == "q=*&postcode=*&page=*"
    assert atoms["U"] == "/directory/testford/"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_gunicorn_started_as_the_readme_says_keeps_postcodes_out_of_its_log(
    sqlite_file_env, tmp_path
):
    port = _free_port()
    log = tmp_path / "access.log"
    server = subprocess.Popen(  # noqa: S603 - our own gunicorn and settings
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "config.wsgi",
            "--workers",
            "1",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(log),
        ],
        cwd=ROOT,  # gunicorn.conf.py is read from here, with nothing on the command line
        env=sqlite_file_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}{NEAR_ME}",
            headers={"Referer": f"http://127.0.0.1:{port}/directory/?postcode=M1+1AE"},
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(request, timeout=10).close()  # noqa: S310 - local server
                break
            except urllib.error.HTTPError:
                break  # an answer (a 404 for the unknown place) is all the log needs
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.3)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    text = log.read_text()
    assert "/directory/testford/?q=*&postcode=*&page=*" in text
    assert "OL1" not in text and "M1+1AE" not in text and "lunch" not in text
