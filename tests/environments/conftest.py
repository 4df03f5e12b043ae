"""A database where environments can be made, empty environments (forks come later), and
clients that name an environment.

SQLite: the test runner's database lives in memory, and an environment's file can't attach
it; the test's connection moves to a migrated file of its own for the test (the same kind
of file a server process gets from tests/processes.py), and back after. PostgreSQL: the
test database itself; the schemas a test made are dropped after it.
"""

import shutil
from pathlib import Path

import pytest
from django.db import connections

from cms.models import ApiToken
from environments import selection
from environments.migrating import migrate_storage
from environments.models import Environment
from environments.storages import PROJECT_STORAGE, new_storage_name
from tests.conftest import Api
from tests.processes import manage, server_env


class EnvironmentApi(Api):
    """An API client whose every request names ``environment`` in X-Environment."""

    def __init__(self, token: str | None, environment: str):
        super().__init__(token)
        self.environment = environment

    def request(self, method, path, body=None, *, headers=None, **kwargs):
        headers = {"X-Environment": self.environment, **(headers or {})}
        return super().request(method, path, body, headers=headers, **kwargs)


@pytest.fixture(scope="session")
def migrated_sqlite_file(tmp_path_factory) -> Path:
    """A project database file migrated by ``manage.py migrate``, copied by each test."""
    folder = tmp_path_factory.mktemp("migrated")
    file = folder / "cms.sqlite3"
    manage(server_env(folder, f"sqlite:///{file}"), "migrate", "--verbosity", "0")
    return file


class Environments:
    """Makes empty environments for one test, and drops their storages after it."""

    def __init__(self):
        self.storages: list[str] = []

    def make(self, name: str, **fields) -> Environment:
        """An empty, ready sandbox: its row, and its storage migrated."""
        storage = new_storage_name()
        self.storages.append(storage)
        fields.setdefault("status", Environment.Status.READY)
        environment = Environment.objects.create(name=name, storage=storage, **fields)
        migrate_storage(storage)
        return environment

    def drop_all(self, connection) -> None:
        selection.select(PROJECT_STORAGE)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for storage in self.storages:
                    cursor.execute(f'DROP SCHEMA IF EXISTS "{storage}" CASCADE')


@pytest.fixture
def environments(request, transactional_db, tmp_path) -> Environments:
    """Environments can be made in this test (committed: each request commits)."""
    connection = connections["default"]
    made = Environments()
    if connection.vendor != "sqlite":
        Environment.primary_one()  # main again, if an earlier test's flush emptied the table
        yield made
        made.drop_all(connection)
        return
    file = tmp_path / "cms.sqlite3"
    shutil.copy(request.getfixturevalue("migrated_sqlite_file"), file)
    in_memory, settings = connection.connection, connection.settings_dict
    connection.connection = None  # kept open aside: closing would destroy it
    connection.settings_dict = {**settings, "NAME": str(file)}
    try:
        yield made
    finally:
        made.drop_all(connection)
        connection.close()
        connection.connection, connection.settings_dict = in_memory, settings
        for name in ("cms_project_name", "cms_last_storage", "cms_storage"):
            connection.__dict__.pop(name, None)


@pytest.fixture
def admin_token(environments) -> str:
    return ApiToken.create(name="environments admin", role="admin")[1]


@pytest.fixture
def main_api(admin_token) -> Api:
    """Header-less: the primary environment."""
    return Api(admin_token)


@pytest.fixture
def sandbox(environments) -> Environment:
    return environments.make("sandbox")


@pytest.fixture
def sandbox_api(admin_token, sandbox) -> EnvironmentApi:
    return EnvironmentApi(admin_token, sandbox.name)
