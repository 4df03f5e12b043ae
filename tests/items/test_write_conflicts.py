"""Concurrent record writes that lock each other's rows: no deadlock, and a conflict the
database breaks anyway is a retryable 409, never a 500."""

import json
import sqlite3
import threading
import time
import urllib.error
import urllib.request

from django.db import connection

from items.models import Item
from tests.conftest import Api, race
from tests.items.conftest import item_body, put
from tests.processes import second_connection
from tests.real_server import prepare, serving


def test_records_linking_each_other_update_at_once(racing_api):
    """Each update locks its record, and its new link share-locks the other record at the
    commit: an update's lock leaves that share lock free, so neither waits for the other."""
    api = racing_api
    page = api.create_item_type("page")
    api.create_field(page["id"], "title", "string")
    api.create_field(
        page["id"], "related", "links", validators={"items_item_type": {"item_types": [page["id"]]}}
    )
    ids = [api.post("/items", item_body(page["id"], {"title": t})).body["data"]["id"] for t in "xy"]

    def update(index, round_):
        related = [ids[1 - index]] if round_ % 2 == 0 else []
        response = put(
            Api(racing_api.token), ids[index], {"title": f"{round_}", "related": related}
        )
        return response.status_code, response.body

    for round_ in range(8):
        answers = race(2, lambda index, round_=round_: update(index, round_))
        assert [status for status, _ in answers] == [200, 200], answers
    related = {item.id: item.data for item in Item.objects.filter(pk__in=ids)}
    assert len(related) == 2


def _waiting_on_a_lock(raw) -> bool:
    """Whether another session of this database waits for a lock (the API's request)."""
    row = raw.execute(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
        "AND datname = current_database() AND pid <> pg_backend_pid()"
    ).fetchone()
    return row[0] > 0


def test_a_deadlock_postgresql_breaks_is_a_transient_409(racing_api):
    """A real deadlock: another session holds record A and then wants record B, while the
    API's update of B (linking A) waits at its commit for A. PostgreSQL fails the API's
    transaction (it waited longest); the answer says to send it again, and B is as it was."""
    api = racing_api
    page = api.create_item_type("page")
    api.create_field(page["id"], "title", "string")
    api.create_field(
        page["id"], "related", "links", validators={"items_item_type": {"item_types": [page["id"]]}}
    )
    a, b = (
        api.post("/items", item_body(page["id"], {"title": t})).body["data"]["id"] for t in "ab"
    )
    raw = second_connection(connection)
    answer = {}
    try:
        raw.execute("SELECT id FROM items_item WHERE id = %s FOR UPDATE", [a])
        writer = threading.Thread(
            target=lambda: answer.update(response=put(Api(racing_api.token), b, {"related": [a]}))
        )
        writer.start()
        deadline = time.monotonic() + 30
        while not _waiting_on_a_lock(raw):
            assert time.monotonic() < deadline, "the API's update never waited for record A"
            time.sleep(0.05)
        raw.execute("SELECT id FROM items_item WHERE id = %s FOR UPDATE", [b])
        writer.join(timeout=30)
    finally:
        raw.rollback()
        raw.close()
    response = answer["response"]
    assert response.status_code == 409, response.body
    [problem] = response.body["data"]
    assert problem["attributes"]["code"] == "WRITE_CONFLICT"
    assert problem["attributes"]["transient"] is True  # where the official client looks
    assert api.get(f"/items/{b}").body["data"]["attributes"]["related"] == []


def test_a_locked_sqlite_file_is_a_transient_409_in_both_apis(tmp_path):
    """A real server process on a SQLite file another connection holds the write lock of:
    past its busy timeout, each API answers a retryable 409 and nothing is written."""
    token = prepare(tmp_path)
    database = sqlite3.connect(tmp_path / "cms.sqlite3")
    with serving(tmp_path, CMS_SQLITE_BUSY_TIMEOUT="1") as base:
        model = _call(base, token, "POST", "/item-types", _model_body("note"))[1]["data"]
        _call(base, token, "POST", f"/item-types/{model['id']}/fields", _field_body("title"))
        database.execute("BEGIN IMMEDIATE")  # the write lock, held
        try:
            status, cma = _call(
                base, token, "POST", "/items", item_body(model["id"], {"title": "a"})
            )
            assert status == 409, cma
            [problem] = cma["data"]
            assert problem["attributes"]["code"] == "WRITE_CONFLICT"
            assert problem["attributes"]["transient"] is True
            status, rest = _call(base, token, "POST", "/rest/db/note", [{"title": "a"}])
            assert status == 409, rest
            assert rest["error"]["context"]["error"][0]["transient"] is True
        finally:
            database.rollback()
        count = database.execute("SELECT count(*) FROM items_item")
        assert count.fetchone() == (0,)
    database.close()


def _model_body(api_key):
    return {"data": {"type": "item_type", "attributes": {"name": api_key, "api_key": api_key}}}


def _field_body(api_key):
    attributes = {"label": api_key, "api_key": api_key, "field_type": "string"}
    return {"data": {"type": "field", "attributes": attributes}}


def _call(base, token, method, path, body):
    request = urllib.request.Request(
        base + path,
        method=method,
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "X-Api-Version": "3",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())
