"""Concurrent record writes that lock each other's rows: no deadlock, and a conflict the
database breaks anyway is a retryable 409, never a 500."""

import sqlite3

import pytest
from django.db import OperationalError, connection

from cms.models import ApiToken
from items.models import Item
from tests.conftest import Api, race
from tests.items.conftest import item_body, put


@pytest.mark.django_db(transaction=True)
def test_records_linking_each_other_update_at_once():
    """Each update locks its record, and its new link share-locks the other record at the
    commit: an update's lock leaves that share lock free, so neither waits for the other."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    _, secret = ApiToken.create(name="race", role="admin")
    api = Api(secret)
    page = api.create_item_type("page")
    api.create_field(page["id"], "title", "string")
    api.create_field(
        page["id"], "related", "links", validators={"items_item_type": {"item_types": [page["id"]]}}
    )
    ids = [api.post("/items", item_body(page["id"], {"title": t})).body["data"]["id"] for t in "xy"]

    def update(index, round_):
        related = [ids[1 - index]] if round_ % 2 == 0 else []
        response = put(Api(secret), ids[index], {"title": f"{round_}", "related": related})
        return response.status_code, response.body

    for round_ in range(8):
        answers = race(2, lambda index, round_=round_: update(index, round_))
        assert [status for status, _ in answers] == [200, 200], answers
    related = {item.id: item.data for item in Item.objects.filter(pk__in=ids)}
    assert len(related) == 2


def _sqlite_busy():
    cause = sqlite3.OperationalError("database is locked")
    cause.sqlite_errorname = "SQLITE_BUSY"  # as the sqlite3 module sets it
    return cause


@pytest.mark.parametrize(
    "cause",
    [
        lambda: type("DeadlockDetected", (Exception,), {"sqlstate": "40P01"})(),
        lambda: type("LockNotAvailable", (Exception,), {"sqlstate": "55P03"})(),
        _sqlite_busy,
    ],
    ids=["deadlock", "lock timeout", "sqlite busy"],
)
def test_a_conflict_the_database_breaks_is_a_transient_409(api, monkeypatch, cause):
    """Whatever write meets one (both APIs): the answer says to send it again."""
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string")
    error = OperationalError("refused")
    error.__cause__ = cause()

    def deadlock(*args, **kwargs):
        raise error

    monkeypatch.setattr("items.services.write_new", deadlock)
    monkeypatch.setattr("items.batch.services.write_new", deadlock)
    cma = api.post("/items", item_body(model["id"], {"title": "a"}))
    assert cma.status_code == 409, cma.body
    [problem] = cma.body["data"]
    assert problem["attributes"]["code"] == "WRITE_CONFLICT"
    assert problem["attributes"]["transient"] is True  # where the official client looks
    rest = api.post("/rest/db/note", [{"title": "a"}])
    assert rest.status_code == 409, rest.body
    assert rest.body["error"]["context"]["error"][0]["transient"] is True
    assert Item.objects.count() == 0
