"""Whether stored records pass their model's rules as the rules are now.

A write validates what it writes, so a record is valid when saved. The rules can change
under records already saved (a field's validators, a new required field, a field gone):
records are then not rewritten but re-checked, by a job (``items.check_validity``,
items/tasks.py) that runs every stored value through the same validation a write uses
and keeps the answer in two columns, ``is_current_version_valid`` and
``is_published_version_valid``. What reads them: the record's meta, ``_is_valid`` and
``filter[only_valid]`` on ``GET /items``. Publishing checks the record again itself (the
job may not have run yet), and refuses with the very errors a write of those values
gets.

A flag is written only if the record still has the version that was checked (a write in
between validated its own values), and only while the content model is the one it was
checked against: a check overtaken by a schema change starts again with the new model.
"""

import operator
from functools import reduce

from django.db import transaction
from django.db.models import Q

from cms.api.errors import ApiError, ApiErrors
from item_types.models import ItemType
from items.content_model import ContentModel
from items.models import Item
from items.resources import attributes_of
from items.validation import RecordValidation, check_against_database

BATCH = 200  # records validated together (one bulk pass each kind) and flagged together
RESTARTS = 5  # schema changes a re-check follows before it gives up (a later one is queued)


def snapshot_blocks(item: Item, blocks: dict) -> dict[str, Item]:
    """A version's block snapshot (``ItemVersion.blocks``) as unsaved blocks of ``item``."""
    return {
        block_id: Item(
            id=block_id,
            item_type_id=block["item_type"],
            data=block["data"],
            root_id=item.id,
            parent_id=block["parent"],
            parent_field_id=block["parent_field"],
        )
        for block_id, block in blocks.items()
    }


def errors_of(subjects: list[tuple[Item, dict, dict]], model: ContentModel) -> list[list]:
    """Every problem of each ``(record, its values, its blocks by id)`` as a write of those
    values would report it: one walk each, then one bulk pass for them all. Current and
    published values go in separate calls (a record's two versions share unique values)."""
    checks = []
    for item, data, blocks in subjects:
        validation = RecordValidation(
            model,
            existing_blocks=blocks,
            block_attributes=lambda block: attributes_of(block.data, block.item_type_id, model),
        )
        attributes = attributes_of(data, item.item_type_id, model)
        validation.validate_record(
            model.item_types[item.item_type_id], attributes, record_id=item.id
        )
        checks.append((validation, item.id, False))
    check_against_database(checks)
    return [validation.errors for validation, _, _ in checks]


def current_errors(item: Item, model: ContentModel) -> list[ApiError]:
    """The record's current values' problems (its blocks read in one query)."""
    blocks = {block.id: block for block in Item.objects.filter(root=item)}
    return errors_of([(item, item.data, blocks)], model)[0]


def raise_if_unpublishable(item: Item, model: ContentModel, selection=None) -> bool:
    """Refuse (422, every problem) to publish values that don't pass the rules; with a
    ``selection``, only the selected locales' and, if selected, the non-localized values
    count. Whether the current values are valid as a whole."""
    errors = every_error = current_errors(item, model)
    if selection is not None:
        errors = [
            error
            for error in every_error
            if (
                bool(selection.locales & set(_locales_of(error)))
                if _locales_of(error)
                else selection.non_localized
            )
        ]
    if errors:
        raise ApiErrors(errors)
    item.is_current_version_valid = not every_error
    return not every_error


def _locales_of(error: ApiError) -> list[str]:
    """The locales a problem is in: its value's, or those a localized value lacks."""
    if error.details.get("locale"):
        return [error.details["locale"]]
    return list(error.details.get("missing_locales") or [])


def invalid_parts(errors: list[ApiError]) -> tuple[list[str], bool]:
    """The locales the problems are in, and whether one is outside any locale (a
    non-localized value's, or the record's)."""
    locales = sorted({locale for error in errors for locale in _locales_of(error)})
    return locales, any(not _locales_of(error) for error in errors)


# --- The re-check (a job) -----------------------------------------------------------------


def records_to_check(item_type_ids: list[str]):
    """The records whose validity the rules of these models decide: a model's records;
    for a block model, every record (blocks of it may sit in any record holding blocks)."""
    records = Item.objects.filter(root__isnull=True)
    blocks = ItemType.objects.filter(pk__in=item_type_ids, modular_block=True)
    if blocks.exists():
        return records
    return records.filter(item_type_id__in=item_type_ids)


def recheck(item_type_ids: list[str]) -> dict:
    """Re-check the records of these models against the model as it is; how many were
    checked and found invalid. Starts again when the model changes meanwhile."""
    for _ in range(RESTARTS):
        model = ContentModel.load()
        try:
            return _recheck_with(model, item_type_ids)
        except ApiError as error:
            if error.code != "SCHEMA_CHANGED":
                raise
    raise ApiError(
        "SCHEMA_CHANGED",
        409,
        message="The content model kept changing; a later re-check takes over.",
    )


def _recheck_with(model: ContentModel, item_type_ids: list[str]) -> dict:
    counts = {"checked": 0, "invalid": 0}
    records = records_to_check(item_type_ids).select_related("published_version").order_by("pk")
    last = None
    while batch := list((records.filter(pk__gt=last) if last else records)[:BATCH]):
        last = batch[-1].pk  # by key, not offset: each batch reads only its rows
        counts["checked"] += len(batch)
        counts["invalid"] += _check_batch(batch, model)
    return counts


def _check_batch(items: list[Item], model: ContentModel) -> int:
    blocks: dict[str, dict] = {item.id: {} for item in items}
    for block in Item.objects.filter(root__in=[item.id for item in items]):
        blocks[block.root_id][block.id] = block
    current = errors_of([(item, item.data, blocks[item.id]) for item in items], model)
    current_ok = {item.id: not errors for item, errors in zip(items, current, strict=True)}
    # A published snapshot other than the current values is checked on its own.
    apart = [
        item
        for item in items
        if item.published_version_id and item.published_version_id != item.current_version
    ]
    published = errors_of(
        [
            (
                item,
                item.published_version.data,
                snapshot_blocks(item, item.published_version.blocks),
            )
            for item in apart
        ],
        model,
    )
    published_ok = {item.id: not errors for item, errors in zip(apart, published, strict=True)}
    current_flags = {item.id: (item.current_version, current_ok[item.id]) for item in items}
    published_flags = {
        item.id: (item.published_version_id, published_ok.get(item.id, current_ok[item.id]))
        for item in items
        if item.published_version_id
    }
    with transaction.atomic():
        _flag(items, current_flags, "is_current_version_valid", "current_version")
        _flag(items, published_flags, "is_published_version_valid", "published_version_id")
        model.ensure_current()  # else SCHEMA_CHANGED: rolled back, and checked again
    return sum(not ok for ok in current_ok.values())


def _flag(items: list[Item], flags: dict, column: str, version_column: str) -> None:
    """Write the flags that change, where the record still has the version checked."""
    for value in (True, False):
        changing = [
            Q(pk=item.id, **{version_column: flags[item.id][0]})
            for item in items
            if item.id in flags and flags[item.id][1] is value and getattr(item, column) != value
        ]
        if changing:
            Item.objects.filter(reduce(operator.or_, changing)).update(**{column: value})
