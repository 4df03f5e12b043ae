"""What a record-API batch writes: each record its own moment, in the batch's order, and a
number of statements that does not grow with the batch."""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion


@pytest.fixture
def article(api):
    """The six-field shape of the benchmarks (bench/bulk_records.py)."""
    model = api.create_item_type("article")
    api.create_field(model["id"], "title", "string", validators={"required": {}})
    api.create_field(model["id"], "body", "text")
    api.create_field(model["id"], "category", "string")
    api.create_field(model["id"], "rating", "integer")
    api.create_field(model["id"], "published_on", "date")
    api.create_field(model["id"], "flag", "boolean")
    return model


def articles(count: int, prefix: str = "a") -> list[dict]:
    return [
        {
            "title": f"{prefix}{n}",
            "body": "Lorem ipsum " * 5,
            "category": ["news", "sport", "art"][n % 3],
            "rating": n % 1000,
            "published_on": "2026-11-22",
            "flag": n % 2 == 0,
        }
        for n in range(count)
    ]


# 10 is written with multi-row INSERTs, 60 with COPY on PostgreSQL.
@pytest.mark.parametrize("size", [10, 60])
def test_a_batch_s_records_are_created_in_its_order(api, article, size):
    """Distinct, increasing created_at in the batch's order: ordering by it is the batch's
    order (ties would be broken by the random ids), forwards and backwards."""
    sent = api.post("/rest/db/article?rollback=true", {"record": articles(size)})
    assert sent.status_code == 200, sent.body
    ids = [record["id"] for record in sent.body["record"]]
    titles = [f"a{n}" for n in range(size)]

    ascending = api.get("/rest/db/article?fields=title&order=created_at%20ASC&limit=1000")
    assert [record["title"] for record in ascending.body["record"]] == titles
    descending = api.get("/rest/db/article?fields=title&order=created_at%20DESC&limit=1000")
    assert [record["title"] for record in descending.body["record"]] == titles[::-1]
    by_default = api.get("/rest/db/article?fields=title&limit=1000")  # created_at, then id
    assert [record["title"] for record in by_default.body["record"]] == titles
    cma = api.get("/items?filter[type]=article&order_by=_created_at_ASC&page[limit]=100")
    assert [item["id"] for item in cma.body["data"]] == ids

    moments = list(Item.objects.filter(id__in=ids).values_list("id", "created_at"))
    created = dict(moments)
    assert [created[i] for i in ids] == sorted(created.values())
    assert len(set(created.values())) == size


def test_a_batch_s_record_times_and_versions_agree(api, article):
    """Each record's times are one moment (as for a single create), and its one version
    was made at that moment."""
    sent = api.post("/rest/db/article?rollback=true", {"record": articles(60)})
    ids = [record["id"] for record in sent.body["record"]]
    for record_id in (ids[0], ids[31], ids[-1]):
        record = api.get(f"/items/{record_id}").body["data"]
        meta = record["meta"]
        assert meta["status"] == "published"
        assert (
            meta["created_at"]
            == meta["updated_at"]
            == meta["published_at"]
            == meta["first_published_at"]
        )
        [version] = api.get(f"/items/{record_id}/versions").body["data"]
        assert version["meta"]["created_at"] == meta["updated_at"]
        assert version["meta"]["is_current"] and version["meta"]["is_published"]
        assert version["id"] == meta["current_version"]
        assert version["attributes"] == record["attributes"]  # encoded once for both rows
    item = Item.objects.get(id=ids[-1])
    version = ItemVersion.objects.get(item_id=ids[-1])
    assert item.created_at == item.updated_at == item.published_at == version.created_at


def test_a_kept_part_of_a_failed_batch_keeps_the_order(api, article):
    """``continue=true``: the good records keep the batch's order around the bad ones."""
    records = articles(6)
    records[2]["title"] = None  # required
    sent = api.post("/rest/db/article?continue=true", {"record": records})
    assert sent.status_code == 400
    listed = api.get("/rest/db/article?fields=title&order=created_at%20DESC")
    assert [record["title"] for record in listed.body["record"]] == ["a5", "a4", "a3", "a1", "a0"]


def _statements(api, body) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        response = api.post("/rest/db/article?rollback=true", body)
    assert response.status_code == 200, str(response.body)[:300]
    return [query["sql"].split(" ", 1)[0] for query in queries.captured_queries]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_batch_costs_the_same_statements_whatever_its_size(api, article):
    """On PostgreSQL a batch of 10 and one of 1,000 send the same statements: one per
    table, never one per record or per chunk (a COPY is counted like any statement)."""
    _statements(api, {"record": articles(3, "warm")})  # the content model is cached
    small = _statements(api, {"record": articles(10, "s")})
    large = _statements(api, {"record": articles(1000, "l")})
    assert len(small) == len(large)
    assert large.count("COPY") == 2  # records, versions
    assert Item.objects.count() == 1013


def test_a_big_batch_s_memory_is_given_back_once_answered(api, article, monkeypatch):
    """Past the size, closing the answer drops its hold on the view and the request and
    wakes the thread that collects and trims (bench/test_batch_memory.py measures it)."""
    from record_api import memory

    monkeypatch.setattr(memory, "GIVE_BACK_FROM_BYTES", 10_000)
    rounds = memory._give_back.rounds
    small = api.post("/rest/db/article", {"record": articles(2)})  # under the size
    assert small.status_code == 200 and small.renderer_context is not None
    big = api.post("/rest/db/article", {"record": articles(100)})
    assert big.status_code == 200
    assert big.renderer_context is None  # closed: the view and request can be collected
    deadline = time.monotonic() + 5
    while memory._give_back.rounds == rounds and time.monotonic() < deadline:
        time.sleep(0.05)
    assert memory._give_back.rounds > rounds
