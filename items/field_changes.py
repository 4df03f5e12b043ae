"""Records follow a field's new type or localization, by DatoCMS's data-migration rules.

- Non-localized to localized: the value becomes the first locale's (the site's main
  locale when the model requires every locale, else the record's first); the record's
  other locales get the field's default for them, or nothing.
- Localized to non-localized: the main locale's value stays when the model requires every
  locale, else the record's first locale's; the others go.
- A new type: every value must be one the new type takes (``"42"`` becomes 42 for an
  integer field); if any isn't, the change is refused with the records that hold one.

Values that point at uploads, records or blocks (links, files, modular content...) don't
convert: while records hold such values, the field keeps its type and localization (the
change is refused naming those records), since moving them would orphan blocks and
references.
"""

import contextlib
import json
from copy import copy

from django.db import IntegrityError, transaction

from cms.api.errors import ApiError
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.models import Field, ItemType, Site
from items.models import Item, UniqueValue
from items.validation import value_hash

BATCH = 500
LISTED = 20  # records named in a refusal, at most


def convert_values(before: Field, after: Field) -> None:
    """Rewrite every record's value of the field; raise ApiError (nothing written) if
    some can't follow."""
    item_type = ItemType.objects.get(pk=after.item_type_id)
    site_locales = Site.load().locales
    other_localized = [
        f.id for f in Field.objects.filter(item_type=item_type, localized=True).exclude(pk=after.pk)
    ]
    old_type, new_type = FIELD_TYPES[before.field_type], FIELD_TYPES[after.field_type]
    changed_localization = before.localized != after.localized
    blocked, unconvertible, changed = [], [], []
    records = Item.objects.filter(item_type_id=after.item_type_id).only("id", "data")
    for item in records.iterator(chunk_size=BATCH):
        stored = item.data.get(after.id)
        locales = _locales_for(item, item_type, other_localized, site_locales)
        if _is_empty(stored, before.localized):
            value = _empty(new_type, after, locales)
            if value != stored and after.id in item.data:
                item.data[after.id] = value
                changed.append(item)
            continue
        if old_type.holds_references or new_type.holds_references:
            blocked.append(item.id)
            continue
        try:
            value = _retyped(stored, before.localized, old_type, new_type)
        except FieldValueError:
            unconvertible.append(item.id)
            continue
        if changed_localization:
            value = _relocalized(value, after, item_type, locales, site_locales, new_type)
        if value != stored:
            item.data[after.id] = value
            changed.append(item)
    if blocked:
        raise _refused(
            after, blocked, "Records hold links, uploads or blocks in this field: empty it first."
        )
    if unconvertible:
        raise _refused(
            after, unconvertible, f"Records hold values a {after.field_type} field can't take."
        )
    for start in range(0, len(changed), BATCH):
        Item.objects.bulk_update(changed[start : start + BATCH], ["data"])
    _reclaim_unique_values(after, "localized" if changed_localization else "field_type")


def _is_empty(stored, localized: bool) -> bool:
    if localized and isinstance(stored, dict):
        return all(value in (None, []) for value in stored.values())
    return stored in (None, [])


def _empty(field_type, field: Field, locales: list[str]):
    empty = field_type.to_storage(copy(field_type.empty_value))
    return {locale: copy(empty) for locale in locales} if field.localized else empty


def _retyped(stored, localized: bool, old_type, new_type):
    if old_type is new_type:
        return stored

    def one(value):
        if value is None:
            return None
        represented = old_type.to_representation(value)
        for candidate in _readings(represented):
            try:
                return new_type.to_storage(new_type.parse(candidate))
            except FieldValueError:
                continue
        raise FieldValueError("INVALID_FORMAT", message="No reading fits the new type.")

    if localized:
        return {locale: one(value) for locale, value in stored.items()}
    return one(stored)


def _readings(value) -> list:
    """The value as it is, then as text read as JSON ("42" as 42, "true" as true) or a
    number or boolean written as text (42 as "42")."""
    readings = [value]
    if isinstance(value, str):
        with contextlib.suppress(ValueError):
            readings.append(json.loads(value))
    elif isinstance(value, bool | int | float):
        readings.append(json.dumps(value))
    return readings


def _locales_for(item: Item, item_type: ItemType, localized_ids, site_locales) -> list[str]:
    """The locales a localized value of the record has: every site locale when the model
    requires them, else those its other localized values name (site order), else the
    main one."""
    if item_type.all_locales_required:
        return list(site_locales)
    for field_id in localized_ids:
        value = item.data.get(field_id)
        if isinstance(value, dict) and value:
            return [locale for locale in site_locales if locale in value]
    return site_locales[:1]


def _relocalized(value, field: Field, item_type: ItemType, locales, site_locales, field_type):
    if field.localized:  # one value becomes the first locale's
        defaults = field.default_value if isinstance(field.default_value, dict) else {}
        return {
            locale: value if index == 0 else _stored_default(field_type, defaults.get(locale))
            for index, locale in enumerate(locales)
        }
    present = [locale for locale in site_locales if locale in value]
    keep = site_locales[0] if item_type.all_locales_required else (present or [None])[0]
    return value.get(keep) if keep else None


def _stored_default(field_type, default):
    if default is None:
        return field_type.to_storage(copy(field_type.empty_value))
    return field_type.to_storage(field_type.parse(default))


def _reclaim_unique_values(field: Field, attribute: str) -> None:
    """A unique field's claims, rebuilt from the converted values (their locales and
    canonical forms may have changed); a clash the conversion makes refuses it."""
    UniqueValue.objects.filter(field=field).delete()
    if "unique" not in (field.validators or {}):
        return
    rows = []
    for item_id, data in Item.objects.filter(item_type_id=field.item_type_id).values_list(
        "id", "data"
    ):
        value = data.get(field.id)
        pairs = value.items() if field.localized and isinstance(value, dict) else [("", value)]
        rows += [
            UniqueValue(field=field, locale=locale, value_hash=value_hash(v), item_id=item_id)
            for locale, v in pairs
            if v is not None
        ]
    try:
        with transaction.atomic():
            UniqueValue.objects.bulk_create(rows, batch_size=BATCH)
    except IntegrityError:
        raise ApiError(
            "INVALID_FIELD",
            422,
            field=attribute,
            code="VALIDATION_UNIQUENESS",
            message="After the change two records would share a value of this unique field.",
        ) from None


def _refused(field: Field, record_ids: list[str], message: str) -> ApiError:
    return ApiError(
        "INVALID_FIELD",
        422,
        field="field_type",
        code="VALIDATION_RECORDS_HOLD_VALUES",
        records=record_ids[:LISTED],
        count=len(record_ids),
        message=message,
    )
