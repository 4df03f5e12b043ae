"""A model's records are listed by (created_at, id): the index on (item_type, created_at)
left every group of records sharing a created_at (a batch) to be sorted whole. The new
index holds the id too, so a page reads as many entries as it answers."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("item_types", "0002_schema_version"),
        ("items", "0007_text_indexes_by_prefix"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="item",
            index=models.Index(fields=["item_type", "created_at", "id"], name="items_model_order"),
        ),
        migrations.RemoveIndex(model_name="item", name="items_item_item_ty_76854b_idx"),
    ]
