"""Records follow the content model: a deleted field's values and a removed locale's
values leave every record."""

from django.db.models import F, Func, JSONField, Value
from django.db.models.signals import post_delete
from django.dispatch import receiver

from item_types.models import Field
from item_types.signals import locales_removed
from items.models import Item

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
