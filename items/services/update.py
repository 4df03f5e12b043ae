"""Updating records: ``PUT /items/:id`` (the fields sent replace theirs) and restoring an
old version; both validate the record as it will be, like a create."""

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors, found
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from items.content_model import ContentModel
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.placement import PARENT, POSITION, take_placement
from items.resources import block_payload, item_attributes
from items.services import placement as placing
from items.services import rows
from items.services.publishing import PUBLICATION_STATE, mark_published
from items.services.records import RecordWrite, concurrent_write_errors, find_record
from items.validation import RecordValidation, check_against_database
from webhooks import records as webhook_records


def _check_update_document(item: Item, document: ResourceDocument) -> None:
    version = document.meta.get("current_version")
    if version is not None and version != item.current_version:
        raise ApiError(
            "STALE_ITEM_VERSION",
            422,
            current_version=item.current_version,
            given=version,
            message="The record changed since that version: fetch it again.",
        )
    item_type_id = document.relationship_id("item_type", "item_type")
    if item_type_id is not None and item_type_id != item.item_type_id:
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="item_type",
            code="VALIDATION_IMMUTABLE",
            message="A record keeps its model.",
        )


def build_update(
    *,
    item: Item,
    attributes: dict,
    editor_id: str | None,
    model: ContentModel,
    replace: bool = False,
) -> RecordWrite:
    """Validate the record as it will be (its values, those sent replacing them whole;
    its position and parent, if sent: ``placement`` on the answer) and build the write,
    unsaved (``item`` is changed in memory only). ``replace``: the fields not sent take
    what a create without them would (their default, or empty), not their current value."""
    item_type = model.item_types[item.item_type_id]
    placement, attributes, placement_errors = take_placement(item_type, attributes)
    if placement is not None:
        placement_errors += placing.move_errors(item, item_type, placement)
    existing = {block.id: block for block in Item.objects.filter(root=item)}
    validation, data = validate_values(item, attributes, existing, model, replace=replace)
    check_against_database([(validation, item.id, False)])
    validation.errors[:0] = placement_errors
    validation.raise_if_invalid()
    return finish_update(item, validation, data, editor_id, model, placement)


def validate_values(
    item: Item, attributes: dict, existing_blocks: dict, model: ContentModel, *, replace: bool
) -> tuple[RecordValidation, dict]:
    """The record's new values, validated in memory (the checks against the database are
    ``check_against_database``'s, for one record or many)."""
    merged = attributes if replace else {**item_attributes(item, model), **attributes}
    validation = RecordValidation(
        model,
        existing_blocks=existing_blocks,
        block_attributes=lambda block: item_attributes(block, model),
    )
    data = validation.validate_record(
        model.item_types[item.item_type_id], merged, record_id=item.id
    )
    return validation, data


def finish_update(
    item: Item,
    validation: RecordValidation,
    data: dict,
    editor_id: str | None,
    model: ContentModel,
    placement=None,
) -> RecordWrite:
    """The write of a validated update: ``item`` changed in memory, its blocks and new
    version built (nothing saved)."""
    item_type = model.item_types[item.item_type_id]
    moment = now()
    item.data, item.search_text, item.updated_at = data, validation.search_text(), moment
    item.current_version = new_id()
    item.is_current_version_valid = True  # just validated
    if not item_type.draft_mode_active:
        mark_published(item, moment)
    elif item.status == Item.Status.PUBLISHED:
        item.status = Item.Status.UPDATED
    block_rows = rows.block_rows(
        validation,
        record_id=item.id,
        creator_id=item.creator_id,
        status=item.status,
        moment=moment,
    )
    return RecordWrite(
        item=item,
        blocks=[rows.instance(Item, row) for row in block_rows],
        model=model,
        new_block_ids={block.id for block in validation.blocks if not block.existing},
        unique_values=validation.unique_values(),
        references=validation.references,
        placement=placement,
        version=ItemVersion(
            **rows.version_row(
                version_id=item.current_version,
                item_id=item.id,
                item_type_id=item.item_type_id,
                data=data,
                block_rows=block_rows,
                editor_id=editor_id,
                moment=moment,
            )
        ),
    )


def item_update(*, item_id: str, document: ResourceDocument, editor_id: str | None) -> RecordWrite:
    """``PUT /items/:id``: only the fields sent change; the version check holds under races
    because the record's row stays locked from the check to the write."""

    def attributes(item: Item, model: ContentModel) -> dict:
        _check_update_document(item, document)
        return document.attributes

    sent = document.attributes.keys()
    if sent and sent <= PLACEMENT:
        moved = _move(item_id, document)
        if moved is not None:
            return moved
    return _update(item_id, editor_id, attributes, moves=bool(sent & PLACEMENT))


#: The attributes that are a record's place, not its values.
PLACEMENT = frozenset({POSITION, PARENT})


def _move(item_id: str, document: ResourceDocument) -> RecordWrite | None:
    """An update that sends only ``position`` and ``parent_id``: the record moves, live
    at once, with no new version and no change of status or values. None, with nothing
    done, if the record's model has no such attributes (the update then refuses them)."""
    with transaction.atomic():
        model = ContentModel.load()
        placing.lock_for_record(item_id, model)
        item = find_record(item_id, lock=True)
        _check_update_document(item, document)
        item_type = model.item_types[item.item_type_id]
        placement, values, errors = take_placement(item_type, document.attributes)
        if values or not (errors or placement):  # a name this model's records don't have
            return None
        if placement is not None:
            errors += placing.move_errors(item, item_type, placement)
        if errors:
            raise ApiErrors(errors)
        placing.move(item, item_type, placement)
        blocks = list(Item.objects.filter(root=item))
    return RecordWrite(item=item, blocks=blocks, model=model)


def _update(item_id: str, editor_id: str | None, attributes_for, moves=False) -> RecordWrite:
    """Lock the record, read the content model as it is once the lock is held (a schema
    change in between is in), validate ``attributes_for(item, model)`` as the record's new
    values, and write them; a unique value a concurrent write won is a 422, not a 500.
    ``moves``: the record may move too (its model's placement lock comes first)."""
    try:
        with transaction.atomic():
            if moves:
                placing.lock_for_record(item_id, ContentModel.load())
            item = find_record(item_id, lock=True)
            model = ContentModel.load()
            previous = webhook_records.before_update(item, model)
            record = build_update(
                item=item, attributes=attributes_for(item, model), editor_id=editor_id, model=model
            )
            _save_update(record)
            webhook_records.announce("update", [record.item], model, previous)
    except IntegrityError as error:
        item_type = model.item_types[record.item.item_type_id]
        raise concurrent_write_errors(
            item_id, item_type, record.unique_values, record.references
        ) from error
    return record


def update_locked(
    *,
    item: Item,
    attributes: dict,
    editor_id: str | None,
    model: ContentModel,
    replace: bool = False,
) -> RecordWrite:
    """Inside a transaction, ``item``'s row locked: validate, write the new version and
    announce it (webhooks), as ``_update`` does; the record API's batches call it record by
    record, each in a savepoint, so a unique value a concurrent write won is a 422 (and
    only that record's write is undone)."""
    previous = webhook_records.before_update(item, model)
    record = build_update(
        item=item, attributes=attributes, editor_id=editor_id, model=model, replace=replace
    )
    try:
        with transaction.atomic():
            _save_update(record)
    except IntegrityError as error:
        item.refresh_from_db()  # build_update changed it in memory
        item_type = model.item_types[item.item_type_id]
        raise concurrent_write_errors(
            item.id, item_type, record.unique_values, record.references
        ) from error
    webhook_records.announce("update", [record.item], model, previous)
    return record


ITEM_STATE = ["data", "search_text", "updated_at", "current_version", *PUBLICATION_STATE]


def _save_update(record: RecordWrite) -> None:
    item = record.item
    new = [block for block in record.blocks if block.id in record.new_block_ids]
    kept = [block for block in record.blocks if block.id not in record.new_block_ids]
    # Moved blocks get their new parents before the dropped ones (and what they hold) go.
    if kept:
        Item.objects.bulk_update(kept, ["data", "parent", "parent_field", "updated_at", "status"])
    Item.objects.filter(root=item).exclude(pk__in=[b.id for b in kept]).delete()
    Item.objects.bulk_create(new)
    UniqueValue.objects.filter(item=item).delete()
    Reference.objects.filter(record=item).delete()
    record.version.save(force_insert=True)
    item.save(update_fields=ITEM_STATE)
    rows.write_indexes(record)
    if record.placement is not None:
        placing.move(item, record.model.item_types[item.item_type_id], record.placement)


def version_restore(*, version_id: str, editor_id: str | None) -> RecordWrite:
    """Make an old version current again: it goes through the same validation as an
    update, and becomes a new version itself."""
    version = found(ItemVersion.objects.filter(pk=version_id).first(), version=version_id)
    return _update(
        version.item_id,
        editor_id,
        lambda item, model: block_payload(
            version.data, version.item_type_id, version.blocks, model
        ),
    )
