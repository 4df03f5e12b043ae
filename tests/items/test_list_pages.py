"""A model's filtered list: the count is exact and the page is the plain query's, whichever
way it is read (items/pages.py: the newest records first, or the planner's query), on both
lists, in both orders, on both databases."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from item_types.models import Field
from items import pages
from items.models import Item

BATCH = 60


@pytest.fixture
def article(api):
    """article (rating, flag), two record API batches of 60: each batch shares a
    created_at, so the order within it is the id's. Only the older batch is flagged."""
    model = api.create_item_type("article")
    api.create_field(model["id"], "rating", "integer")
    api.create_field(model["id"], "flag", "boolean")
    for number, flagged in ((0, True), (1, False)):
        records = [
            {"rating": n % 10, "flag": flagged} for n in range(number * BATCH, (number + 1) * BATCH)
        ]
        response = api.post("/rest/db/article", {"record": records})
        assert response.status_code == 200, response.body
    return model["id"]


def _expected(item_type_id: str, order: list[str], keep) -> list[str]:
    """The records in the database's order (its collation orders the ids), filtered here."""
    rows = Item.objects.filter(item_type_id=item_type_id).order_by(*order)
    field_ids = dict(Field.objects.filter(item_type_id=item_type_id).values_list("api_key", "id"))
    values = [(row.id, {k: row.data.get(v) for k, v in field_ids.items()}) for row in rows]
    return [record_id for record_id, data in values if keep(data)]


def _statements(get, path) -> tuple:
    with CaptureQueriesContext(connection) as queries:
        response = get(path)
    assert response.status_code == 200, response.body
    return response, [q["sql"] for q in queries.captured_queries if "items_item" in q["sql"]]


def _probed(statements) -> bool:
    """Whether the page was looked for among the first records (PostgreSQL only: SQLite's
    own filters hold CASEs)."""
    assert connection.vendor == "postgresql"
    return any("CASE WHEN" in sql for sql in statements)


CMA = (
    "/items?filter[type]=article&filter[fields][{field}][{op}]={value}"
    "&page[limit]={limit}&page[offset]={offset}"
)


@pytest.mark.parametrize(
    ("field", "op", "value", "keep", "dense"),
    [
        # 48 of each 60 match, the newest among them: the page is found in the newest.
        ("rating", "gt", 1, lambda d: d["rating"] > 1, True),
        # Only the older batch: the newest hold none, the planner's query answers.
        ("flag", "eq", "true", lambda d: d["flag"] is True, False),
    ],
)
@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (3, 3), (2, 47), (5, 200)])
def test_cma_pages_and_counts_are_exact(api, article, field, op, value, keep, dense, limit, offset):
    expected = _expected(article, ["-created_at", "-id"], keep)
    path = CMA.format(field=field, op=op, value=value, limit=limit, offset=offset)
    response, statements = _statements(api.get, path)
    assert response.body["meta"]["total_count"] == len(expected)
    assert [r["id"] for r in response.body["data"]] == expected[offset : offset + limit]
    window = (offset + limit) * pages.PROBE_FACTOR
    if connection.vendor == "postgresql" and len(expected) > window:
        assert _probed(statements), statements  # the newest records were looked at first
        # ... and when they held the page, nothing else was read.
        assert ("CASE WHEN" in statements[-1]) == dense, statements


RECORD_API = "/rest/db/article?filter={filter}&limit={limit}&offset={offset}{count}"


@pytest.mark.parametrize(
    ("filter_text", "keep"),
    [
        ("rating > 1", lambda d: d["rating"] > 1),
        ("rating <= 1 OR flag = false", lambda d: d["rating"] <= 1 or d["flag"] is False),
        ("flag = true", lambda d: d["flag"] is True),
        ("flag = false", lambda d: d["flag"] is False),
    ],
)
@pytest.mark.parametrize(("limit", "offset"), [(2, 0), (4, 2), (3, 58), (1, 500)])
@pytest.mark.parametrize("include_count", [True, False])
def test_record_api_pages_and_counts_are_exact(
    api, article, filter_text, keep, limit, offset, include_count
):
    expected = _expected(article, ["created_at", "id"], keep)
    path = RECORD_API.format(
        filter=filter_text,
        limit=limit,
        offset=offset,
        count="&include_count=true" if include_count else "",
    )
    response = api.get(path)
    assert response.status_code == 200, response.body
    assert [r["id"] for r in response.body["record"]] == expected[offset : offset + limit]
    if include_count:
        assert response.body["meta"] == {"count": len(expected)}
    else:
        assert "meta" not in response.body


def test_an_order_the_index_does_not_serve_reads_the_plain_query(api, article):
    expected = _expected(article, ["-created_at", "id"], lambda d: d["rating"] > 1)
    response, statements = _statements(
        api.get, "/rest/db/article?filter=rating%20%3E%201&order=created_at%20DESC&limit=3"
    )
    assert [r["id"] for r in response.body["record"]] == expected[:3]
    if connection.vendor == "postgresql":
        assert not _probed(statements)
