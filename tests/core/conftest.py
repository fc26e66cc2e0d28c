import shutil

import pytest

from .processes import child_env, manage


@pytest.fixture(scope="session")
def _migrated_sqlite_template(tmp_path_factory):
    """A migrated SQLite file, made once per test session (migrating takes a while)."""
    folder = tmp_path_factory.mktemp("sqlite-template")
    path = folder / "template.sqlite3"
    manage("migrate", "--noinput", env=child_env(SQLITE_PATH=path, COMMONWEAVE_DATA_DIR=folder))
    return path


@pytest.fixture
def sqlite_file_env(_migrated_sqlite_template, tmp_path):
    """The environment of a process on its own migrated file SQLite database (as `make run`
    uses: WAL, a busy timeout), with no Redis: the settings' defaults."""
    path = tmp_path / "commonweave.sqlite3"
    shutil.copyfile(_migrated_sqlite_template, path)
    return child_env(SQLITE_PATH=path, COMMONWEAVE_DATA_DIR=tmp_path)
