"""A record writes only the index entries something reads (PostgreSQL), and the deletes
that cascade to versions find them through those indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion
from tests.items.conftest import block, ids, make


def _indexes(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexname NOT LIKE 'items_value_%%'",
            [table],
        )
        return {definition.split(" USING ", 1)[1] for (definition,) in cursor.fetchall()}


def _foreign_keys(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )
        return {definition.split(" DEFERRABLE")[0] for (definition,) in cursor.fetchall()}


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_record_enters_two_indexes_and_its_version_two(db):
    """Besides its fields' filter indexes: the record's key, (model, created_at) and, if
    it has text, the full-text search's GIN index (filter[query]); the version's key and
    (record, created_at). Other partial indexes leave records out."""
    indexes = _indexes("items_item")
    whole = sorted(d for d in indexes if " WHERE " not in d)
    assert whole == ["btree (id)", "btree (item_type_id, created_at, id)"], whole
    search = [d for d in indexes if d.startswith("gin (to_tsvector('simple'")]  # items/search.py
    assert len(search) == 1 and search[0].endswith("WHERE (search_text <> ''::text)"), search
    assert _indexes("items_itemversion") == {"btree (id)", "btree (item_id, created_at)"}
    assert _foreign_keys("items_itemversion") == set()  # checked on the record instead
    # A block's record and parent are written or locked with it: no check at commit.
    assert _foreign_keys("items_item") == {
        "FOREIGN KEY (item_type_id) REFERENCES item_types_itemtype(id)",
        "FOREIGN KEY (parent_field_id) REFERENCES item_types_field(id)",
        "FOREIGN KEY (tree_parent_id) REFERENCES items_item(id)",
    }


def test_deletes_find_versions_through_their_records(api):
    """A record's delete and its model's reach versions by record, never by a version's
    model or a record's published version (neither is indexed)."""
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string")
    made = api.post("/rest/db/note", {"record": [{"title": f"n{i}"} for i in range(3)]})
    ids = [record["id"] for record in made.body["record"]]
    with CaptureQueriesContext(connection) as deleting_one:
        assert api.delete(f"/items/{ids[0]}").status_code == 200
    assert not ItemVersion.objects.filter(item_id=ids[0]).exists()
    with CaptureQueriesContext(connection) as deleting_model:
        assert api.delete(f"/item-types/{model['id']}").status_code == 200
    assert not Item.objects.exists() and not ItemVersion.objects.exists()
    statements = [q["sql"] for q in deleting_one.captured_queries + deleting_model.captured_queries]
    unindexed = ('"published_version_id" IN', '"items_itemversion"."item_type_id" IN')
    assert not [sql for sql in statements if any(column in sql for column in unindexed)]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_only_rows_with_text_enter_the_search_index(api, shop):
    """A block (its words are its record's), a record of a model without text and one
    whose texts are blank have no search text, so the GIN index's predicate (checked
    above) leaves them out; search finds all it found before, blocks' words included."""
    tally = api.create_item_type("tally")
    api.create_field(tally["id"], "count", "integer")
    counted = make(api, tally["id"], {"count": 3})
    parts = [block(shop["part"], label="Cog")]
    gizmo = make(api, shop["product"], {"name": "Gizmo", "parts": parts})
    note = api.create_item_type("note")
    api.create_field(note["id"], "title", "string")
    untitled = make(api, note["id"], {"title": ""})
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, root_id FROM items_item WHERE NOT (search_text <> '')")
        outside = dict(cursor.fetchall())
    (part,) = [row for row, root in outside.items() if root == gizmo["id"]]
    assert outside == {counted["id"]: None, untitled["id"]: None, part: gizmo["id"]}
    assert ids(api.get("/items?filter[query]=cog")) == [gizmo["id"]]  # a block's words
    assert ids(api.get("/items?filter[query]=gizm")) == [gizmo["id"]]
