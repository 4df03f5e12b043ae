"""The hot paths' prepared statements (cms/prepared.py), on PostgreSQL: prepared once per
connection, and honest across environments, whose tables have the same names in other
schemas (PostgreSQL plans a prepared statement again under another ``search_path``)."""

import pytest
from django.db import connection

from tests.items.conftest import item_body
from tests.round_trips import RoundTrips

pytestmark = pytest.mark.skipif("connection.vendor != 'postgresql'")


def _note_model(api) -> str:
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string")
    return model["id"]


def _titles(api) -> list[str]:
    answer = api.get("/items?filter[type]=note&page[limit]=100")
    assert answer.status_code == 200, answer.body
    return sorted(record["attributes"]["title"] for record in answer.body["data"])


def test_creates_alternating_environments_land_in_their_own(main_api, sandbox_api):
    main_note, sandbox_note = _note_model(main_api), _note_model(sandbox_api)
    for n in range(4):  # prepared on the first rounds, then reused under both paths
        created = main_api.post("/items", item_body(main_note, {"title": f"main {n}"}))
        assert created.status_code == 201, created.body
        created = sandbox_api.post("/items", item_body(sandbox_note, {"title": f"sandbox {n}"}))
        assert created.status_code == 201, created.body
    assert _titles(main_api) == [f"main {n}" for n in range(4)]
    assert _titles(sandbox_api) == [f"sandbox {n}" for n in range(4)]


def test_the_token_and_the_create_are_parsed_once_per_connection(main_api):
    note = _note_model(main_api)
    main_api.post("/items", item_body(note, {"title": "first"}))  # the worker caches the model
    with RoundTrips(connection) as trips:
        for n in range(5):
            assert main_api.post("/items", item_body(note, {"title": f"n{n}"})).status_code == 201
    parsed = [sql for sql in trips.statements if sql.startswith("WITH ok AS")]
    assert len(parsed) <= 1, trips  # the first of these may prepare it; none parses it again
    assert not any("cms_apitoken" in sql for sql in trips.statements), trips
    assert _titles(main_api) == ["first", *(f"n{n}" for n in range(5))]
