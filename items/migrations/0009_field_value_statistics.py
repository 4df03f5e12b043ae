"""Field filters' indexes get statistics on their expression (``items.field_indexes``):
without them PostgreSQL guessed that a comparison keeps a third of a model's records and
counted them all instead of reading the index. Each storage (environment) migrates on its
own, so each gets its fields' statistics; then ANALYZE fills them. Nothing else changes."""

from django.db import migrations


def add_field_statistics(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    from items.field_indexes import ensure_index

    Field = apps.get_model("item_types", "Field")
    for field in Field.objects.all().iterator():
        ensure_index(field)
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("ANALYZE items_item")


class Migration(migrations.Migration):
    dependencies = [("items", "0008_model_order_index")]

    operations = [migrations.RunPython(add_field_statistics, migrations.RunPython.noop)]
