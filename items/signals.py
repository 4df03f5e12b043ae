"""Records follow the content model: a deleted field's values and a removed locale's
values leave every record, and a field's new type or localization converts its values."""

from django.db.models import F, Func, JSONField, Value
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from environments.scoped_jobs import submit_here
from item_types.models import Field, ItemType
from item_types.signals import field_changed, locales_removed, record_rules_changed
from items import field_changes, field_indexes
from items.models import Item
from items.services.placement import renumber_model

BATCH = 500


class WithoutKey(Func):
    """A JSON object without one key: ``data - 'key'`` on PostgreSQL, json_remove on SQLite."""

    output_field = JSONField()

    def __init__(self, expression, key: str):
        self.key = key
        super().__init__(expression, Value(key))

    def as_postgresql(self, compiler, connection, **extra):
        return super().as_sql(
            compiler, connection, template="(%(expressions)s)", arg_joiner=" - ", **extra
        )

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"json_remove({sql}, %s)", [*params, f'$."{self.key}"']


@receiver(post_delete, sender=Field)
def drop_field_values(sender, instance: Field, **kwargs):
    Item.objects.filter(item_type_id=instance.item_type_id).update(
        data=WithoutKey(F("data"), instance.id)
    )


@receiver(field_changed)
def convert_field_values(sender, before: Field, after: Field, **kwargs):
    field_changes.convert_values(before, after)


@receiver(record_rules_changed)
def recheck_records(sender, item_type_id: str, **kwargs):
    """Saved records are re-checked by a job once the change commits (items/validity.py)."""
    submit_here("items.check_validity", {"item_types": [item_type_id]})


@receiver(post_save, sender=ItemType)
def place_records(sender, instance: ItemType, created: bool, raw=False, **kwargs):
    """A model made sortable or a tree numbers its records; one that stops drops them."""
    if not created and not raw:
        renumber_model(instance)


@receiver(locales_removed)
def drop_locale_values(sender, locales: set, **kwargs):
    """Every localized value loses the same keys, so records keep one locale set."""
    localized = {}
    for field in Field.objects.filter(localized=True):
        localized.setdefault(field.item_type_id, []).append(field.id)
    changed = []
    for item in (
        Item.objects.filter(item_type_id__in=localized)
        .only("id", "data", "item_type_id")
        .iterator()
    ):
        for field_id in localized[item.item_type_id]:
            value = item.data.get(field_id)
            if isinstance(value, dict):
                item.data[field_id] = {k: v for k, v in value.items() if k not in locales}
        changed.append(item)
        if len(changed) >= BATCH:
            Item.objects.bulk_update(changed, ["data"])
            changed = []
    Item.objects.bulk_update(changed, ["data"])


# --- Indexes for field filters (PostgreSQL; see items.field_indexes) ----------------------


@receiver(post_save, sender=Field)
def index_field(sender, instance: Field, created: bool, raw=False, **kwargs):
    if not raw:
        field_indexes.ensure_index(instance)


@receiver(post_delete, sender=Field)
def drop_field_index(sender, instance: Field, **kwargs):
    field_indexes.drop_index(instance.id)
