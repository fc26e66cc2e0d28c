"""Running our code in separate processes, as gunicorn workers and the job worker do.

A child loads the settings itself from the environment it is given (a file SQLite database
or a PostgreSQL one), so what it shares with its siblings is exactly what production
processes share: the database and the caches configured there, nothing in memory.
"""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import json, os, sys, time
import django
django.setup()
"""


def child_env(**extra):
    """A clean environment for a child: nothing inherited from the test run but the basics."""
    env = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "TMPDIR") if key in os.environ}
    env.update(DJANGO_SETTINGS_MODULE="config.settings", PYTHONPATH=str(ROOT))
    env.update({key: str(value) for key, value in extra.items()})
    return env


def start(code, env):
    """Start `code` (after django.setup()) in a new interpreter; read its JSON with `result`."""
    return subprocess.Popen(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", PRELUDE + textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def result(process, timeout=300):
    """The JSON object the child printed last on stdout; fails with its stderr otherwise."""
    stdout, stderr = process.communicate(timeout=timeout)
    assert process.returncode == 0, stderr[-4000:]
    return json.loads(stdout.strip().splitlines()[-1])


def run(code, env, timeout=300):
    return result(start(code, env), timeout=timeout)


def manage(*args, env, timeout=300):
    completed = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout[-2000:] + completed.stderr[-4000:]
    return completed
