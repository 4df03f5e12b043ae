"""Text fields' filter indexes held the whole value, and a value past btree's entry limit
(about 2,700 bytes) could not be saved: each field's index is rebuilt in the shape
``items.field_indexes`` builds now (the first characters, in code point order). Values are
not touched; an index already in that shape stays."""

from django.db import migrations


def rebuild_field_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from items.field_indexes import ensure_index

    Field = apps.get_model("item_types", "Field")
    for field in Field.objects.all().iterator():
        ensure_index(field)


class Migration(migrations.Migration):
    dependencies = [
        ("items", "0006_versions_for_older_records"),
        ("item_types", "0002_schema_version"),
    ]

    operations = [migrations.RunPython(rebuild_field_indexes, migrations.RunPython.noop)]
