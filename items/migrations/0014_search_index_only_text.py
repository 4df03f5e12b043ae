"""The full-text index ``items_search`` holds only rows with search text: a block (its
words are in its record's text), a record of a model with no text field, or one whose
texts are all blank cannot match ``filter[query]``, and no longer enters the index (or
runs ``to_tsvector``) when written. ``items.search`` puts the same predicate on its
condition, so the planner still reads the index. PostgreSQL only; no data changes."""

from django.db import migrations

# (items.search: INDEXED_CHARACTERS and _has_text; the expression and the
# predicate must stay the ones queries use.)
EXPRESSION = "(to_tsvector('simple'::regconfig, left(search_text, 250000)))"
ONLY_TEXT = f"CREATE INDEX items_search ON items_item USING gin {EXPRESSION} WHERE search_text <> ''"
EVERY_ROW = f"CREATE INDEX items_search ON items_item USING gin {EXPRESSION}"


def _replace(create: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("DROP INDEX IF EXISTS items_search")
            cursor.execute(create)

    return run


class Migration(migrations.Migration):
    dependencies = [("items", "0013_tree_placement")]

    operations = [migrations.RunPython(_replace(ONLY_TEXT), _replace(EVERY_ROW))]
