"""Long strings and slugs: any length a record can hold saves, reads, filters and sorts,
on both databases; on PostgreSQL filters still read the field's index (its first
``PREFIX`` characters), and values under that length compare and sort as before."""

import importlib
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection

from items.field_indexes import PREFIX, index_name
from items.models import Item, UniqueValue
from tests.items.conftest import make, put

# Past btree's entry limit (2,704 bytes) in characters and in bytes: 4-byte characters.
CLEF = "\U0001d11e"
LONG = "x" * 4000
WIDE = CLEF * 1000 + "tail"
SHARED = "s" * PREFIX  # values below share their whole indexed prefix
AZ = SHARED + "a" + "z" * 3000


@pytest.fixture
def note(api):
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string")
    api.create_field(model["id"], "code", "string", validators={"unique": {}})
    api.create_field(model["id"], "slug", "slug")
    api.create_field(model["id"], "body", "text")
    return model


def titles(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [r["attributes"]["title"] for r in response.body["data"]]


def test_a_long_string_is_saved_and_read_back_through_the_cma(api, note):
    record = make(api, note["id"], {"title": LONG, "code": WIDE, "slug": "a" * 3000})
    read = api.get(f"/items/{record['id']}").body["data"]["attributes"]
    assert (read["title"], read["code"], read["slug"]) == (LONG, WIDE, "a" * 3000)

    longer = "y" * 100_000
    response = put(api, record["id"], {"title": longer, "code": WIDE + "!"})
    assert response.status_code == 200, response.body
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["title"] == longer


def test_a_long_string_is_saved_through_the_record_api(api, note):
    response = api.post("/rest/db/note?fields=*", [{"title": LONG, "code": WIDE}, {"title": "b"}])
    assert response.status_code == 200, response.body
    assert [r["title"] for r in response.body["record"]] == [LONG, "b"]
    assert Item.objects.filter(item_type_id=note["id"]).count() == 2


def test_a_long_unique_value_is_claimed_once(api, note):
    make(api, note["id"], {"code": WIDE})
    make(api, note["id"], {"code": WIDE + "2"})  # same beginning, another value
    before = Item.objects.count(), UniqueValue.objects.count()
    refused = api.post("/rest/db/note", [{"code": WIDE}])
    assert refused.status_code == 400, refused.body
    assert "VALIDATION_UNIQUENESS" in str(refused.body)
    assert (Item.objects.count(), UniqueValue.objects.count()) == before


@pytest.fixture
def sharing(api, note):
    """Titles whose order is decided after their first PREFIX characters, and short ones."""
    values = [SHARED + "b", AZ, SHARED, "Zed", "apple", SHARED + "c"]
    for value in values:
        make(api, note["id"], {"title": value})
    return values


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("eq", SHARED + "b", [SHARED + "b"]),
        ("eq", SHARED, [SHARED]),
        ("neq", SHARED + "b", ["apple", "Zed", SHARED, AZ, SHARED + "c"]),
        ("in", f"{SHARED}c,{SHARED}a", [SHARED + "c"]),
        ("not_in", f"{SHARED},apple,Zed", [AZ, SHARED + "b", SHARED + "c"]),
    ],
)
def test_cma_filters_compare_whole_values(api, note, sharing, operator, value, expected):
    response = api.get(
        f"/items?filter[type]=note&filter[fields][title][{operator}]={quote(value)}"
        "&order_by=title_ASC&page[limit]=100"
    )
    assert sorted(titles(response)) == sorted(expected)


def test_ordering_is_by_code_point_beyond_the_prefix(api, note, sharing):
    """Upper case before lower case (code point order, on both databases), and values that
    share their indexed beginning in the order of what follows it."""
    ascending = ["Zed", "apple", SHARED, AZ, SHARED + "b", SHARED + "c"]
    path = "/items?filter[type]=note&page[limit]=100&order_by=title_"
    assert titles(api.get(path + "ASC")) == ascending
    assert titles(api.get(path + "DESC")) == ascending[::-1]
    rest = api.get("/rest/db/note?fields=title&order=title%20DESC&limit=100")
    assert [r["title"] for r in rest.body["record"]] == ascending[::-1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"title = '{SHARED}b'", [SHARED + "b"]),
        (f"title > '{SHARED}a'", [AZ, SHARED + "b", SHARED + "c"]),
        (f"title >= '{SHARED}b'", [SHARED + "b", SHARED + "c"]),
        (f"title < '{SHARED}b'", ["Zed", "apple", SHARED, AZ]),
        ("title > 'Zed'", ["apple", SHARED, AZ, SHARED + "b", SHARED + "c"]),
        (f"title <= '{SHARED}'", ["Zed", "apple", SHARED]),
        (f"title in ('{SHARED}c', 'apple')", ["apple", SHARED + "c"]),
        (
            f"title != '{SHARED}c' and title like 'ss%'",
            [SHARED, AZ, SHARED + "b"],
        ),
    ],
)
def test_record_api_filters_compare_whole_values(api, note, sharing, text, expected):
    response = api.get(f"/rest/db/note?fields=title&limit=100&filter={quote(text)}")
    assert response.status_code == 200, response.body
    assert sorted(r["title"] for r in response.body["record"]) == sorted(expected)


def test_case_insensitive_matching_is_unchanged(api, note):
    make(api, note["id"], {"title": "Élan " + LONG})
    found = api.get("/items?filter[type]=note&filter[fields][title][matches][pattern]=^élan")
    assert len(titles(found)) == 1


# --- PostgreSQL: the filters read the index ----------------------------------------------


def _plan(select: str, params, index: str) -> str:
    """EXPLAIN of a query with no index on items_item left but ``index`` and the primary
    key (rolled back with the test): with a handful of rows any plan would do."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'items_item' "
            "AND indexname != %s AND indexname NOT LIKE '%%_pkey'",
            [index],
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + select, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _page_query(api, path: str):
    captured = []

    def capture(execute, sql, sql_params, many, context):
        captured.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(capture):
        response = api.get(path)
    assert response.status_code == 200, response.body
    # The last: the one that answered (items.pages may first look among the first records).
    return [(s, p) for s, p in captured if "items_item" in s and "LIMIT" in s][-1]


@pytest.mark.parametrize(
    "path",
    [
        "/items?filter[type]=note&filter[fields][title][eq]={v}",
        "/items?filter[type]=note&filter[fields][title][in]={v},b",
        "/items?filter[type]=note&filter[fields][slug][eq]={v}",
        "/rest/db/note?filter=title%20%3D%20'{v}'",
        "/rest/db/note?filter=title%20in%20('{v}','b')",
        "/rest/db/note?filter=slug%20%3C%20'{v}'",
        "/rest/db/note?filter=title%20%3E%3D%20'{v}'",
    ],
)
def test_filters_on_long_values_read_the_index(api, note, path):
    if connection.vendor != "postgresql":
        pytest.skip("the expression indexes are PostgreSQL's")
    make(api, note["id"], {"title": LONG, "slug": "a" * 3000})
    select, params = _page_query(api, path.format(v="x" * 1000))
    field = "slug" if "slug" in path else "title"
    field_id = api.get(f"/fields/note::{field}").body["data"]["id"]
    plan = _plan(select, params, index_name(field_id))
    assert f"using {index_name(field_id)}" in plan or f"on {index_name(field_id)}" in plan, plan
    # The filter narrows the index itself (not a full scan of it in list order).
    assert any("Index Cond" in line and '"left"' in line for line in plan.splitlines()), plan


def test_migration_rebuilds_indexes_of_the_old_shape(api, note):
    """0007: an installation whose text indexes hold whole values gets prefix indexes, its
    records untouched, and then takes long values."""
    if connection.vendor != "postgresql":
        pytest.skip("the expression indexes are PostgreSQL's")
    record = make(api, note["id"], {"title": "kept", "code": "k1"})
    field_id = api.get("/fields/note::title").body["data"]["id"]
    name = index_name(field_id)
    with connection.cursor() as cursor:  # the index as 0006 left it
        cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute(
            f'CREATE INDEX "{name}" ON items_item ((data ->> %s), created_at, id) '
            "WHERE item_type_id = %s",
            [field_id, note["id"]],
        )
    migration = importlib.import_module("items.migrations.0007_text_indexes_by_prefix")
    with connection.schema_editor() as editor:
        migration.rebuild_field_indexes(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = %s", [name])
        (definition,) = cursor.fetchone()
    assert f'"left"((data ->> \'{field_id}\'::text), {PREFIX}) COLLATE "C"' in definition
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["title"] == "kept"
    assert put(api, record["id"], {"title": LONG}).status_code == 200
