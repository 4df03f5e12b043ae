"""Full-text search reads a GIN index (``items.search``: ``filter[query]`` and
``order_by=_rank_DESC``), and each lat_lon field gets its index (``items.field_indexes``,
for ``near``'s bounding box). PostgreSQL only; no data changes."""

from django.db import migrations

SEARCH_INDEX = (
    "CREATE INDEX IF NOT EXISTS items_search ON items_item USING gin "
    # (items.search.INDEXED_CHARACTERS: the expression must stay the one queries use.)
    "(to_tsvector('simple'::regconfig, left(search_text, 250000)))"
)


def add_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from items.field_indexes import ensure_index

    with schema_editor.connection.cursor() as cursor:
        cursor.execute(SEARCH_INDEX)
    Field = apps.get_model("item_types", "Field")
    for field in Field.objects.filter(field_type="lat_lon").iterator():
        ensure_index(field)


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS items_search")


class Migration(migrations.Migration):
    dependencies = [("items", "0011_record_validity")]

    operations = [migrations.RunPython(add_indexes, drop_indexes)]
