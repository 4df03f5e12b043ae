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
from django.db import connection, connections

from cms.models import ApiToken
from environments import copying, selection
from environments.migrating import migrate_storage
from environments.models import Environment
from environments.storages import PROJECT_STORAGE, new_storage_name
from tests.conftest import Api, create_upload, png_bytes
from tests.items.conftest import block, item_body
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


# --- Copies (environments/copying.py): content written through the API, committed
# (copies read it from other connections), and the storages a test makes, dropped after.


class Content:
    """post (title, unique slug, indexed rating, blocks, links to posts, a cover), quote
    blocks, three posts of which one updated and published, and two uploads."""

    def __init__(self, api):
        self.api = api
        response = api.put(
            "/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
        )
        assert response.status_code == 200, response.body
        self.quote = api.create_item_type("quote", modular_block=True)
        api.create_field(self.quote["id"], "text", "string", validators={"required": {}})
        self.post = api.create_item_type("post")
        api.create_field(self.post["id"], "title", "string", validators={"required": {}})
        api.create_field(self.post["id"], "slug", "slug", validators={"unique": {}})
        api.create_field(self.post["id"], "rating", "integer")
        api.create_field(
            self.post["id"],
            "body",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.quote["id"]]}},
        )
        api.create_field(
            self.post["id"],
            "related",
            "links",
            validators={"items_item_type": {"item_types": [self.post["id"]]}},
        )
        api.create_field(self.post["id"], "cover", "file")
        self.uploads = [
            create_upload(api, png_bytes(), filename="one.png"),
            create_upload(api, png_bytes(4, 4), filename="two.png"),
        ]
        self.records = []
        for n in range(3):
            self.records.append(self.create(n))
        first = self.records[0]["id"]
        response = api.put(
            f"/items/{first}",
            {"data": {"type": "item", "id": first, "attributes": {"title": "Changed"}}},
        )
        assert response.status_code == 200, response.body
        response = api.put(f"/items/{first}/publish")
        assert response.status_code == 200, response.body

    def create(self, n: int, slug: str | None = None) -> dict:
        attributes = {
            "title": f"Post {n}",
            "slug": slug or f"post-{n}",
            "rating": n,
            "body": [block(self.quote["id"], text=f"Quote {n}.{k}") for k in range(2)],
            "related": [r["id"] for r in self.records],
            "cover": {"upload_id": self.uploads[n % 2]["id"]},
        }
        response = self.api.post("/items", item_body(self.post["id"], attributes))
        assert response.status_code == 201, response.body
        return response.body["data"]


@pytest.fixture
def content(transactional_db, api) -> Content:
    return Content(api)


@pytest.fixture
def storages():
    """Names for new storages; each dropped when the test ends."""
    made = []

    def make() -> str:
        made.append(new_storage_name())
        return made[-1]

    yield make
    for storage in made:
        copying.drop_storage(storage)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a schema per environment: PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a file per environment: SQLite"
)
