"""Environments cost a request nothing: the same queries in every environment, a SET (or a
reopened SQLite file) only when the thread switches storage."""

import os
import tempfile

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.signals import connection_created
from django.test.utils import CaptureQueriesContext

from environments import access
from tests.items.conftest import item_body


def _model(api) -> dict:
    model = api.create_item_type("post")
    api.create_field(model["id"], "title", "string", validators={"required": {}})
    api.create_field(model["id"], "rank", "integer")
    return model


def _queries(send) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = send()
    assert response.status_code in (200, 201), response.body
    return len(captured)


def _costs(api) -> dict:
    model = _model(api)
    create = lambda: api.post("/items", item_body(model["id"], {"title": "t", "rank": 1}))  # noqa: E731
    create()  # the first write notes the environment's change; the model is read once
    return {
        "create": _queries(create),
        "list": _queries(lambda: api.get("/items?filter[type]=post")),
        "record api list": _queries(lambda: api.get("/rest/db/post?fields=title")),
        "record api create": _queries(lambda: api.post("/rest/db/post", {"title": "r"})),
        "uploads": _queries(lambda: api.get("/uploads")),
    }


def test_a_create_or_a_list_costs_the_same_queries_in_a_sandbox(main_api, sandbox_api):
    in_main, in_sandbox = _costs(main_api), _costs(sandbox_api)
    print(f"queries per request, in main and in a sandbox: {in_main}")  # (pytest -rP)
    assert in_sandbox == in_main
    assert in_main["uploads"] <= 4  # token, last-used, page, count: as before environments


# --- What the database sees --------------------------------------------------------------


class WireLog:
    """Every simple query (PostgreSQL's 'Query' message) the driver sends, read from
    libpq's trace of each connection handed out meanwhile."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self.traced = []

    def __call__(self, sender, connection, **kwargs):
        pgconn = connection.connection.pgconn
        pgconn.trace(self.file.fileno())
        self.traced.append(pgconn)

    def close(self):
        for pgconn in self.traced:
            pgconn.untrace()
        self.file.close()

    def sets(self) -> list[str]:
        """The SETs sent since the last call."""
        self.file.seek(0)
        text = self.file.read().decode(errors="replace")
        self.file.seek(0)
        self.file.truncate()
        settings = ("SET search_path", "SET statement_timeout")
        return [line for line in text.splitlines() if any(s in line for s in settings)]


@pytest.fixture
def wire(main_api, sandbox_api):
    """Clients of main and of a sandbox, then the log of what their requests SET."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's search_path")
    access.forget_storages()  # no guess left by an earlier test
    log = WireLog()
    connection.close()  # each request's connection is traced from the start
    if connection.pool:
        # A fresh pool: one thread's requests then share one server connection, whose
        # path a SET changes (a pool of several hands them out in turn).
        connection.close_pool()
    connection_created.connect(log)
    main_api.get("/site")
    log.sets()
    yield log
    connection_created.disconnect(log)
    log.close()


def test_postgresql_sets_the_path_only_when_it_changes(wire, main_api, sandbox_api, sandbox):
    sandbox_api.get("/site")
    assert wire.sets() == [_line(f'SET search_path = "{sandbox.storage}", public')]
    for _ in range(3):
        sandbox_api.get("/site")
        sandbox_api.get("/rest/db")
    assert wire.sets() == []  # already there: nothing
    main_api.get("/site")
    assert wire.sets() == [_line("SET search_path = public")]
    main_api.get("/site")
    assert wire.sets() == []


def test_postgresql_sends_both_sets_in_one_round_trip(wire, main_api, sandbox_api, sandbox):
    sandbox_api.get("/site")
    main_api.get("/site")
    wire.sets()
    # A write (another time limit) in another environment (another path), where the
    # sandbox was last time: one round trip, with the request's first statement.
    sandbox_api.put("/site", {"data": {"type": "site", "attributes": {"name": "S"}}})
    limit = settings.CMS_WRITE_TIMEOUT_MS
    assert wire.sets() == [
        _line(f'SET statement_timeout = {limit}; SET search_path = "{sandbox.storage}", public')
    ]


def _line(sql: str):
    """Matches the trace line of a simple query holding exactly ``sql``."""
    return Traced(sql)


class Traced:
    def __init__(self, sql):
        self.sql = sql

    def __eq__(self, line):
        return isinstance(line, str) and line.endswith(f'\tQuery\t "{self.sql}"')

    def __repr__(self):
        return f"<query {self.sql!r}>"


def test_sqlite_opens_one_connection_per_request_in_any_environment(main_api, sandbox_api):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite's file per environment")
    access.forget_storages()
    opened = []

    def count(sender, connection, **kwargs):
        opened.append(os.path.basename(connection.settings_dict["NAME"]))

    connection_created.connect(count)
    try:
        sandbox_api.get("/site")  # unknown yet: the project's file, then the sandbox's
        assert len(opened) == 2
        opened.clear()
        sandbox_api.get("/site")
        sandbox_api.get("/item-types")
        main_api.get("/site")
        assert len(opened) == 3  # one each, straight on the right file
        assert [".env_" in name for name in opened] == [True, True, False]
    finally:
        connection_created.disconnect(count)
