"""A list's exact total, remembered by the worker until a record changes (items/counts.py):
counted once, answered again without counting, and counted afresh after any write, by any
path, committed by any session. PostgreSQL only (SQLite always counts), on a transactional
database, as a server runs: inside a transaction nothing is remembered."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from item_types.models import Field
from items import counts
from tests.items.conftest import make, put
from tests.processes import second_connection

RATED = "/items?filter[type]=article&filter[fields][rating][gt]=50&page[limit]=5"
RECORD_API = "/rest/db/article?limit=5&filter=rating%20%3E%2050&include_count=true"


@pytest.fixture
def articles(racing_api):
    """An article model (rating) with 10 articles rated 10, 20 … 100: 5 rated above 50."""
    counts.forget()
    model = racing_api.create_item_type("article")
    racing_api.create_field(model["id"], "rating", "integer")
    records = [make(racing_api, model["id"], {"rating": 10 * n}) for n in range(1, 11)]
    yield model, records
    counts.forget()


def listed(api, path=RATED) -> tuple[int, bool]:
    """The list's total, and whether answering it counted."""
    with CaptureQueriesContext(connection) as queries:
        answer = api.get(path)
    assert answer.status_code == 200, answer.body
    counted = any("count(*)" in q["sql"].lower() for q in queries.captured_queries)
    meta = answer.body["meta"]
    return meta.get("total_count", meta.get("count")), counted


def rating_field_id(model) -> str:
    return Field.objects.get(item_type_id=model["id"], api_key="rating").id


def test_a_total_is_counted_once_then_remembered(racing_api, articles):
    assert listed(racing_api) == (5, True)
    assert listed(racing_api) == (5, False)
    assert listed(racing_api) == (5, False)
    # Another question is another total.
    assert listed(racing_api, RATED.replace("50", "80")) == (2, True)
    assert listed(racing_api, RATED.replace("50", "80")) == (2, False)
    assert listed(racing_api, RECORD_API) == (5, True)
    assert listed(racing_api, RECORD_API) == (5, False)


def test_every_write_makes_the_next_total_counted_again(racing_api, articles):
    model, records = articles
    assert listed(racing_api)[0] == 5
    make(racing_api, model["id"], {"rating": 99})  # a create
    assert listed(racing_api) == (6, True)
    assert listed(racing_api) == (6, False)
    assert put(racing_api, records[0]["id"], {"rating": 70}).status_code == 200  # an update
    assert listed(racing_api) == (7, True)
    assert racing_api.delete(f"/items/{records[9]['id']}").status_code == 200  # a delete
    assert listed(racing_api) == (6, True)
    batch = racing_api.post("/rest/db/article", {"record": [{"rating": 90}, {"rating": 1}]})
    assert batch.status_code == 200, batch.body  # the record API's batch
    assert listed(racing_api, RECORD_API) == (7, True)
    assert listed(racing_api) == (7, True)
    with connection.cursor() as cursor:  # any other path: SQL of its own
        cursor.execute("UPDATE items_item SET data = data - %s", [rating_field_id(model)])
    assert listed(racing_api) == (0, True)


def test_a_total_counted_while_a_writer_is_uncommitted_is_not_remembered(racing_api, articles):
    """The writer has drawn its change number, but its rows aren't visible yet: a total
    counted now is right for now and must not be answered once the writer commits."""
    model, records = articles
    assert listed(racing_api) == (5, True)
    field_id = rating_field_id(model)
    with second_connection(connection) as writer:
        writer.execute(
            "UPDATE items_item SET data = jsonb_set(data, %s, '99') WHERE id = %s",
            [[field_id], records[0]["id"]],
        )
        assert listed(racing_api) == (5, True)  # not yet visible: the old total, counted
        assert listed(racing_api) == (5, True)  # and not remembered
        writer.commit()
    assert listed(racing_api) == (6, True)
    assert listed(racing_api) == (6, False)


def test_any_open_transaction_of_the_database_keeps_totals_from_being_remembered(
    racing_api, articles
):
    with second_connection(connection) as other:
        other.execute("SELECT txid_current()")  # holds a transaction id, writes nothing
        assert listed(racing_api) == (5, True)
        assert listed(racing_api) == (5, True)
        other.rollback()
    assert listed(racing_api) == (5, True)
    assert listed(racing_api) == (5, False)


def test_inside_a_transaction_nothing_is_remembered(racing_api, articles):
    with transaction.atomic():
        assert listed(racing_api) == (5, True)
        assert listed(racing_api) == (5, True)
