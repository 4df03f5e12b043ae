"""A record writes only the index entries something reads (PostgreSQL), and the deletes
that cascade to versions find them through those indexes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion


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
    """Besides its fields' filter indexes: the record's key, (model, created_at) and the
    full-text search's GIN index (filter[query]); the version's key and (record,
    created_at). Partial indexes leave records out."""
    whole = sorted(d for d in _indexes("items_item") if " WHERE " not in d)
    assert len(whole) == 3 and whole[0] == "btree (id)", whole
    assert whole[1].startswith("btree (item_type_id, created_at"), whole  # list order
    assert whole[2].startswith("gin (to_tsvector('simple'"), whole  # items/search.py
    assert _indexes("items_itemversion") == {"btree (id)", "btree (item_id, created_at)"}
    assert _foreign_keys("items_itemversion") == set()  # checked on the record instead


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
