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

Versions follow too: a record's published snapshot must convert like the record (it is
what ``version=published`` reads); older versions convert where they can and otherwise
keep their value (restoring one is validated like any update).
"""

import contextlib
import json
from copy import copy

from django.db import IntegrityError, transaction

from cms.api.errors import ApiError
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.models import Field, ItemType, Site
from items.models import Item, ItemVersion, UniqueValue
from items.validation import value_hash

BATCH = 500
LISTED = 20  # records named in a refusal, at most


class _HoldsReferences(Exception):
    """A value with links, uploads or blocks, which a change can't move."""


class _Conversion:
    """One field's change, applied to one stored value at a time."""

    def __init__(self, before: Field, after: Field):
        self.before, self.after = before, after
        self.item_type = ItemType.objects.get(pk=after.item_type_id)
        self.site_locales = Site.load().locales
        self.old_type = FIELD_TYPES[before.field_type]
        self.new_type = FIELD_TYPES[after.field_type]
        self.relocalizes = before.localized != after.localized
        # A record's locales are those its localized values name (this one's included).
        self.localized_ids = [
            f.id for f in Field.objects.filter(item_type=self.item_type, localized=True)
        ]

    def value(self, data: dict):
        """The new stored value of ``data``'s field (``data`` is a record's or a
        version's values). Raises FieldValueError or _HoldsReferences."""
        stored = data[self.after.id]
        if (self.old_type.holds_references or self.new_type.holds_references) and not _empty(
            stored, self.before.localized
        ):
            raise _HoldsReferences
        value = self._retyped(stored)
        if self.relocalizes:
            value = self._relocalized(value, self._locales(data))
        return value

    def _retyped(self, stored):
        if self.old_type is self.new_type:
            return stored
        if self.before.localized and isinstance(stored, dict):
            return {locale: self._retyped_one(value) for locale, value in stored.items()}
        return self._retyped_one(stored)

    def _retyped_one(self, value):
        if value in (None, []):
            return self.new_type.to_storage(copy(self.new_type.empty_value))
        represented = self.old_type.to_representation(value)
        for candidate in _readings(represented):
            try:
                return self.new_type.to_storage(self.new_type.parse(candidate))
            except FieldValueError:
                continue
        raise FieldValueError("INVALID_FORMAT", message="No reading fits the new type.")

    def _locales(self, data: dict) -> list[str]:
        """The locales a localized value of the record has: every site locale when the
        model requires them, else those its localized values name (site order), else the
        main one."""
        if self.item_type.all_locales_required:
            return list(self.site_locales)
        for field_id in self.localized_ids:
            value = data.get(field_id)
            if isinstance(value, dict) and value:
                return [locale for locale in self.site_locales if locale in value]
        return self.site_locales[:1]

    def _relocalized(self, value, locales: list[str]):
        if self.after.localized:  # one value becomes the first locale's
            default = self.after.default_value
            defaults = default if isinstance(default, dict) else {}
            return {
                locale: value if index == 0 else self._stored_default(defaults.get(locale))
                for index, locale in enumerate(locales)
            }
        if not isinstance(value, dict):
            return value
        present = [locale for locale in self.site_locales if locale in value]
        keep = self.site_locales[0] if self.item_type.all_locales_required else None
        keep = keep or (present or [None])[0]
        return value.get(keep) if keep else None

    def _stored_default(self, default):
        if default is None:
            return self.new_type.to_storage(copy(self.new_type.empty_value))
        return self.new_type.to_storage(self.new_type.parse(default))


def convert_values(before: Field, after: Field) -> None:
    """Rewrite the field's value in every record, block and version; raise ApiError
    (the transaction then writes nothing) if some can't follow."""
    # Record writers wait for the whole change (it rewrites their rows, then the field's
    # filter index): the field update locked the record tables first (schema_write).
    conversion = _Conversion(before, after)
    changed, refused = _convert_items(conversion)
    published = set(
        Item.objects.filter(item_type_id=after.item_type_id, root__isnull=True)
        .exclude(published_version=None)
        .values_list("published_version_id", flat=True)
    )
    changed_versions, refused_versions = _convert_versions(conversion, published)
    for kind, ids in {**refused_versions, **refused}.items():  # the records' own first
        message = {
            "references": "Records hold links, uploads or blocks in this field: empty it first.",
            "format": f"Records hold values a {after.field_type} field can't take.",
        }[kind]
        raise _refused(ids, message)
    for start in range(0, len(changed), BATCH):
        Item.objects.bulk_update(changed[start : start + BATCH], ["data"])
    for start in range(0, len(changed_versions), BATCH):
        ItemVersion.objects.bulk_update(changed_versions[start : start + BATCH], ["data", "blocks"])
    _reclaim_unique_values(after, "localized" if conversion.relocalizes else "field_type")


def _convert_items(conversion: _Conversion) -> tuple[list, dict]:
    """Records and blocks of the field's model: (those changed, refused record ids by
    why). A block is reported by the record it belongs to."""
    field_id = conversion.after.id
    changed, refused = [], {}
    records = Item.objects.filter(item_type_id=conversion.after.item_type_id).only(
        "id", "root_id", "data"
    )
    for item in records.iterator(chunk_size=BATCH):
        if field_id not in item.data:  # saved before the field existed: reads its default
            continue
        try:
            value = conversion.value(item.data)
        except (_HoldsReferences, FieldValueError) as problem:
            kind = "references" if isinstance(problem, _HoldsReferences) else "format"
            refused.setdefault(kind, []).append(item.root_id or item.id)
            continue
        if value != item.data[field_id]:
            item.data[field_id] = value
            changed.append(item)
    return changed, refused


def _convert_versions(conversion: _Conversion, published: set) -> tuple[list, dict]:
    """Versions holding the field (in their values, or in a block's snapshot): those
    changed, and the records whose published snapshot can't follow."""
    field_id, model_id = conversion.after.id, conversion.after.item_type_id
    changed, refused = [], {}
    if conversion.item_type.modular_block:
        versions = ItemVersion.objects.exclude(blocks={})
    else:
        # Through the model's records (both sides indexed): versions have no index of
        # their own on the model.
        versions = ItemVersion.objects.filter(item__item_type_id=model_id)
    for version in versions.only("id", "item_id", "data", "blocks").iterator(chunk_size=BATCH):
        holders = [version.data] if not conversion.item_type.modular_block else []
        holders += [
            block["data"] for block in version.blocks.values() if block["item_type"] == model_id
        ]
        touched = False
        for data in holders:
            if field_id not in data:
                continue
            try:
                value = conversion.value(data)
            except (_HoldsReferences, FieldValueError) as problem:
                if version.id in published:  # what version=published reads: must follow
                    kind = "references" if isinstance(problem, _HoldsReferences) else "format"
                    refused.setdefault(kind, []).append(version.item_id)
                continue  # an older version keeps it; restoring one is validated
            if value != data[field_id]:
                data[field_id] = value
                touched = True
        if touched:
            changed.append(version)
    return changed, refused


def _empty(stored, localized: bool) -> bool:
    if localized and isinstance(stored, dict):
        return all(value in (None, []) for value in stored.values())
    return stored in (None, [])


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


def _refused(record_ids: list[str], message: str) -> ApiError:
    unique_ids = list(dict.fromkeys(record_ids))
    return ApiError(
        "INVALID_FIELD",
        422,
        field="field_type",
        code="VALIDATION_RECORDS_HOLD_VALUES",
        records=unique_ids[:LISTED],
        count=len(unique_ids),
        message=message,
    )
