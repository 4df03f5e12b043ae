"""Copies of the schema: a model with its fields and fieldsets, or one field. Copies get
fresh ids and a free api_key; records are not copied (a copied field starts empty in every
record, as a new field does)."""

from copy import deepcopy
from itertools import count

from cms.api.errors import found
from cms.ids import new_id
from item_types.locking import schema_write
from item_types.models import Field, Fieldset, ItemType
from item_types.schema import (
    ITEM_TYPE_FIELD_RELATIONSHIPS,
    RESERVED_FIELD_API_KEYS,
    RESERVED_ITEM_TYPE_API_KEYS,
    is_api_key,
)
from item_types.services import positions
from item_types.services.common import save_unique
from item_types.signals import item_type_created, record_rules_changed
from item_types.validators import VALIDATORS

API_KEY_LENGTH = ItemType._meta.get_field("api_key").max_length
NAME_LENGTH = ItemType._meta.get_field("name").max_length
# Never copied: what makes a row itself, and where it sits.
_OWN = {"id", "item_type_id", "fieldset_id", "position", "created_at", "updated_at"}


def free_api_key(api_key: str, taken, reserved: frozenset[str]) -> str:
    """``<api_key>_copy``, else ``_copy2``, ``_copy3``... (an api_key has no underscore
    before a digit), shortened to fit."""
    for n in count(1):
        suffix = "_copy" if n == 1 else f"_copy{n}"
        candidate = api_key[: API_KEY_LENGTH - len(suffix)].rstrip("_") + suffix
        if candidate not in taken and candidate not in reserved and is_api_key(candidate):
            return candidate
    raise AssertionError("unreachable")


def free_name(name: str, taken, length: int = NAME_LENGTH) -> str:
    """``<name> (copy)``, else ``(copy 2)``, ``(copy 3)``..., shortened to fit."""
    for n in count(1):
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[: length - len(suffix)] + suffix
        if candidate not in taken:
            return candidate
    raise AssertionError("unreachable")


def _values(instance, leave_out=()) -> dict:
    """A row's own settings, deep-copied (validators and appearance are mutable JSON)."""
    return {
        f.attname: deepcopy(getattr(instance, f.attname))
        for f in type(instance)._meta.concrete_fields
        if f.attname not in _OWN and f.attname not in leave_out
    }


def _remapped_validators(validators: dict, field_ids: dict, item_type_ids: dict) -> dict:
    """Validators naming fields of the copied model (a slug's title field) or the model
    itself (links to its own records, blocks of itself) name the copies instead."""
    copied = deepcopy(validators)
    for name, params in copied.items():
        validator = VALIDATORS.get(name)
        if validator is None or not isinstance(params, dict):
            continue
        for parameter in validator.field_parameters:
            if params.get(parameter) in field_ids:
                params[parameter] = field_ids[params[parameter]]
        if isinstance(params.get("item_types"), list):
            params["item_types"] = [item_type_ids.get(i, i) for i in params["item_types"]]
    return copied


@schema_write
def item_type_duplicate(*, item_type: ItemType) -> ItemType:
    """A new model with the settings, fieldsets and fields of ``item_type`` (``<api_key>
    _copy``, ``<name> (copy)``); fields that link to the model itself link to the copy."""
    source = found(
        ItemType.objects.select_for_update().filter(pk=item_type.pk).first(),
        item_type=item_type.pk,
    )
    own_fields = [f"{name}_id" for name in ITEM_TYPE_FIELD_RELATIONSHIPS]
    copy = ItemType(**_values(source, leave_out=own_fields))
    copy.api_key = free_api_key(
        source.api_key,
        set(ItemType.objects.values_list("api_key", flat=True)),
        RESERVED_ITEM_TYPE_API_KEYS,
    )
    copy.name = free_name(source.name, set(ItemType.objects.values_list("name", flat=True)))
    save_unique(copy, "api_key", "ItemType")
    item_type_created.send(ItemType, item_type=copy, options={})  # its menu items

    fieldset_ids = {}
    for fieldset in source.fieldsets.order_by("position"):
        fieldset_ids[fieldset.pk] = Fieldset.objects.create(
            item_type=copy, position=fieldset.position, **_values(fieldset)
        ).pk
    fields = list(source.fields.order_by("fieldset_id", "position"))
    field_ids = {field.pk: new_id() for field in fields}
    for field in fields:
        values = _values(field)
        values["validators"] = _remapped_validators(
            field.validators or {}, field_ids, {source.pk: copy.pk}
        )
        Field(
            id=field_ids[field.pk],
            item_type=copy,
            fieldset_id=fieldset_ids.get(field.fieldset_id),
            position=field.position,
            **values,
        ).save()
    for name in own_fields:
        setattr(copy, name, field_ids.get(getattr(source, name)))
    copy.save(update_fields=[*own_fields, "updated_at"])
    return copy


@schema_write
def field_duplicate(*, field: Field, copy_id: str) -> Field:
    """A copy of ``field`` just after it (in its fieldset, if any), ``<api_key>_copy`` and
    ``<label> (copy)``, with the id ``copy_id``: a job run again finds its copy made."""
    made = Field.objects.filter(pk=copy_id).first()
    if made is not None:
        return made
    item_type = ItemType.objects.select_for_update().get(pk=field.item_type_id)
    source = found(Field.objects.filter(pk=field.pk).first(), field=field.pk)
    siblings = item_type.fields.values_list("api_key", "label")
    copy = Field(id=copy_id, item_type=item_type, fieldset_id=source.fieldset_id, **_values(source))
    copy.api_key = free_api_key(
        source.api_key, {key for key, _ in siblings}, RESERVED_FIELD_API_KEYS
    )
    copy.label = free_name(
        source.label, {label for _, label in siblings}, Field._meta.get_field("label").max_length
    )
    copy.position = positions.put_in(copy, item_type.pk, source.fieldset_id, source.position + 1)
    save_unique(copy, "api_key", "Field")
    if copy.validators:  # as a field created with them: saved records are re-checked
        record_rules_changed.send(sender=Field, item_type_id=item_type.id)
    return copy
