"""Records created before versions existed (0003) have a ``current_version`` no version row
holds: give each one, so that publishing them points at a real version."""

from django.db import migrations
from django.db.models import Exists, OuterRef


def add_missing_versions(apps, schema_editor):
    Item = apps.get_model("items", "Item")
    ItemVersion = apps.get_model("items", "ItemVersion")
    without = Item.objects.filter(root__isnull=True).exclude(
        Exists(ItemVersion.objects.filter(pk=OuterRef("current_version")))
    )
    for record in without.iterator(chunk_size=500):
        blocks = {
            block.id: {
                "item_type": block.item_type_id,
                "data": block.data,
                "parent": block.parent_id,
                "parent_field": block.parent_field_id,
            }
            for block in Item.objects.filter(root_id=record.id)
        }
        ItemVersion.objects.create(
            id=record.current_version,
            item_id=record.id,
            item_type_id=record.item_type_id,
            data=record.data,
            blocks=blocks,
            editor_type=record.creator_type,
            editor_id=record.creator_id,
            created_at=record.updated_at,
        )


class Migration(migrations.Migration):
    dependencies = [("items", "0005_block_indexes_leave_records_out")]

    operations = [migrations.RunPython(add_missing_versions, migrations.RunPython.noop)]
