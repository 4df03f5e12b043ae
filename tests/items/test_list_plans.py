"""PostgreSQL's plans for a model's filtered list, at realistic statistics: thousands of the
model's records among four times as many rows of another model, ANALYZEd, the planner left
to its own choices. The count reads the filtered field's index (never every record of the
model, never the table), for every indexed field type and on both lists; a page of a
filter most records match walks the model's order index and sorts nothing."""

import random
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection

from item_types.field_types.scalar import format_date_time
from items.field_indexes import index_name, statistics_name
from items.models import Item

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans and statistics"
)

ARTICLES = 3000
OTHERS = 12000
FIELDS = {
    "title": "string",
    "code": "slug",
    "rating": "integer",
    "score": "float",
    "flag": "boolean",
    "published_on": "date",
    "moment": "date_time",
}


@pytest.fixture
def loaded(api):
    """The article model's fields (api_key -> id), its records and the notes, analyzed."""
    article = api.create_item_type("article")
    fields = {key: api.create_field(article["id"], key, kind)["id"] for key, kind in FIELDS.items()}
    note = api.create_item_type("note")
    text = api.create_field(note["id"], "text", "text")["id"]
    rng = random.Random(13)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows = []
    for n in range(ARTICLES):
        values = {
            "title": f"Article {n}",
            "code": f"article-{n}",
            "rating": rng.randint(0, 999),
            "score": rng.random(),
            "flag": rng.random() < 0.5,
            "published_on": (date(2024, 1, 1) + timedelta(days=rng.randint(0, 999))).isoformat(),
            "moment": format_date_time(start + timedelta(hours=rng.randint(0, 20000))),
        }
        data = {fields[key]: value for key, value in values.items()}
        rows.append(Item(item_type_id=article["id"], data=data))
        rows.extend(
            Item(item_type_id=note["id"], data={text: "A note " * 20})
            for _ in range(OTHERS // ARTICLES)
        )
    Item.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE items_item")
    return fields


def _statements(api, path: str) -> list[tuple[str, list]]:
    captured = []

    def capture(execute, sql, params, many, context):
        captured.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        response = api.get(path)
    assert response.status_code == 200, response.body
    return [(sql, params) for sql, params in captured if "items_item" in sql]


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


FILTERS = [
    ("rating", "gt", "900", "rating > 900"),
    ("score", "lt", "0.05", "score < 0.05"),
    ("flag", "eq", "true", "flag = true"),
    ("title", "eq", "Article%2077", "title = 'Article 77'"),
    ("code", "in", "article-99,article-100", "code >= 'article-99'"),
    ("published_on", "gte", "2026-06-01", "published_on >= '2026-06-01'"),
    ("moment", "lt", "2024-02-01T00:00:00Z", "moment < '2024-02-01T00:00:00Z'"),
]


@pytest.mark.parametrize(("field", "op", "value", "record_filter"), FILTERS)
def test_counts_read_the_field_s_index(api, loaded, field, op, value, record_filter):
    paths = [
        f"/items?filter[type]=article&filter[fields][{field}][{op}]={value}&page[limit]=25",
        f"/rest/db/article?filter={record_filter}&include_count=true&limit=25",
    ]
    for path in paths:
        (count, params) = next((s, p) for s, p in _statements(api, path) if "COUNT(" in s)
        plan = _plan(count, params)
        assert index_name(loaded[field]) in plan, (path, plan)
        assert "Seq Scan" not in plan and "items_model_order" not in plan, (path, plan)


@pytest.mark.parametrize(
    "path",
    [
        "/items?filter[type]=article&filter[fields][rating][gt]=100&page[limit]=25",
        "/rest/db/article?filter=rating%20%3E%20100&include_count=true&limit=25",
        "/rest/db/article?filter=flag%20%3D%20true&limit=25",
    ],
)
def test_a_page_of_many_matches_walks_the_model_s_order_index(api, loaded, path):
    statements = _statements(api, path)
    page = _plan(*statements[-1])
    assert "items_model_order" in page, page
    assert "Sort" not in page, page
    assert "Limit" in page.splitlines()[0], page


def test_an_unfiltered_count_reads_an_index(api, loaded):
    """(After a VACUUM, as autovacuum leaves a table, the order index alone: an index-only
    scan. A test's transaction can't VACUUM, so any of the model's partial indexes will do.)"""
    (count, params) = next(
        (s, p)
        for s, p in _statements(api, "/items?filter[type]=article&page[limit]=25")
        if "COUNT(" in s
    )
    plan = _plan(count, params)
    assert "Index" in plan and "Seq Scan" not in plan, plan


def test_each_field_index_has_statistics_and_loses_them_with_its_field(api, loaded):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT stxname FROM pg_statistic_ext s JOIN pg_namespace n "
            "ON n.oid = s.stxnamespace WHERE n.nspname = 'public'"
        )
        names = {row[0] for row in cursor.fetchall()}
    assert {statistics_name(field_id) for field_id in loaded.values()} <= names
    response = api.delete(f"/fields/{loaded['rating']}")
    assert response.status_code == 200, response.body
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM pg_statistic_ext WHERE stxname = %s", [statistics_name(loaded["rating"])]
        )
        assert cursor.fetchone() is None
