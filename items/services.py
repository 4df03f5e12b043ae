"""Writing records. Every way in (the JSON:API, the record API, the admin) calls these.

Each write validates through :class:`items.validation.RecordValidation`, then writes the
record, its blocks, its unique values, its references and a new version in one
transaction, with a number of queries that doesn't grow with the payload.
"""

import itertools
import json
from copy import copy
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from item_types.field_types import FIELD_TYPES
from item_types.models import ItemType
from item_types.validators import LINK_VALIDATORS
from items.content_model import ContentModel
from items.models import Item, ItemVersion, Reference, UniqueValue
from items.resources import block_payload, item_attributes
from items.validation import RecordValidation, check_batch, parse_meta_time


@dataclass
class SavedRecord:
    item: Item
    blocks: list[Item]  # every block the record has after the write (new ones flagged)
    model: ContentModel
    new_block_ids: set = field(default_factory=set)
    unique_values: list = field(default_factory=list)  # (field, locale, value hash)
    references: list = field(default_factory=list)  # (holder id, field, kind, target id)
    version: ItemVersion | None = None


def _item_type(document: ResourceDocument, model: ContentModel) -> ItemType:
    item_type_id = document.relationship_id("item_type", "item_type")
    if item_type_id is None:
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="item_type",
            code="VALIDATION_REQUIRED",
            message="Name the record's model in relationships.item_type.",
        )
    item_type = model.item_types.get(item_type_id)
    if item_type is None:
        raise ApiError("ITEM_TYPE_NOT_FOUND", 404, field="item_type", id=item_type_id)
    if item_type.modular_block:
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="item_type",
            code="VALIDATION_BLOCK_MODEL",
            message="Blocks are created inside the records that hold them.",
        )
    return item_type


def find_record(item_id: str, *, lock: bool = False, deleting: bool = False) -> Item:
    # Locked FOR NO KEY UPDATE unless deleting: see item_types.locking.
    records = Item.objects.select_for_update(no_key=not deleting) if lock else Item.objects
    item = records.filter(pk=item_id, root__isnull=True).first()
    if item is None:
        raise ApiError("NOT_FOUND", 404, item=item_id)
    return item


def _item_row(**columns) -> dict:
    """A row of items_item (attname -> value): every column, null unless given, so that
    records and blocks go through one COPY with the same columns (COPY refuses rows whose
    columns differ, and ``Item(**row)`` a column that doesn't exist)."""
    return {**_ITEM_COLUMNS, **columns}


_ITEM_COLUMNS = {
    **dict.fromkeys(f.attname for f in Item._meta.concrete_fields),
    "creator_type": "access_token",
    "search_text": "",
}


def _block_rows(
    validation: RecordValidation, *, record_id: str, creator_id, status: str, moment
) -> list[dict]:
    """The rows of the record's blocks (column -> value), parents before what they hold."""
    rows = []
    for block in sorted(validation.blocks, key=lambda b: b.depth):
        # A kept block keeps its creation (an update writes only its values and place).
        kept = validation.existing_blocks[block.id] if block.existing else None
        rows.append(
            _item_row(
                id=block.id,
                item_type_id=block.item_type.id,
                data=block.data,
                root_id=record_id,
                parent_id=block.parent_id,
                parent_field_id=block.parent_field.id,
                creator_id=kept.creator_id if kept else creator_id,
                status=status,
                current_version=kept.current_version if kept else new_id(),
                created_at=kept.created_at if kept else moment,
                updated_at=moment,
            )
        )
    return rows


def _version_row(*, version_id, item_id, item_type_id, data, block_rows, editor_id, moment) -> dict:
    """The version a write makes: the record's values and a snapshot of its blocks'."""
    return {
        "id": version_id,
        "item_id": item_id,
        "item_type_id": item_type_id,
        "data": data,
        "blocks": {
            row["id"]: {
                "item_type": row["item_type_id"],
                "data": row["data"],
                "parent": row["parent_id"],
                "parent_field": row["parent_field_id"],
            }
            for row in block_rows
        },
        "editor_type": "access_token",
        "editor_id": editor_id,
        "created_at": moment,
    }


# --- Create ------------------------------------------------------------------------------


@dataclass
class PendingRecord:
    """A new record after the walk over its values, before the bulk pass."""

    validation: RecordValidation
    item_type: ItemType
    record_id: str
    client_id: bool
    data: dict
    errors: list
    created_at: object = None
    first_published_at: object = None

    @property
    def all_errors(self) -> list[ApiError]:
        return self.validation.errors + self.errors


def walk_record(
    document: ResourceDocument, model: ContentModel, item_type: ItemType | None = None
) -> PendingRecord:
    """First pass of a create: every value of the record and its blocks (no query)."""
    item_type = item_type or _item_type(document, model)
    errors: list[ApiError] = []
    created_at = parse_meta_time(document.meta, "created_at", errors)
    first_published_at = parse_meta_time(document.meta, "first_published_at", errors)
    record_id = document.id or new_id()
    validation = RecordValidation(model)
    data = validation.validate_record(item_type, document.attributes, record_id=record_id)
    return PendingRecord(
        validation,
        item_type,
        record_id,
        document.id is not None,
        data,
        errors,
        created_at,
        first_published_at,
    )


@dataclass(slots=True)
class NewRecord:
    """A create that passed both passes: what it writes. Its rows (column -> value) are
    made as they are written, so a big batch holds neither a model instance nor a row per
    record (a model instance per row costs more than the COPY that writes it)."""

    model: ContentModel
    item_type: ItemType
    id: str
    data: dict
    search_text: str
    creator_id: str | None
    moment: datetime
    created_at: datetime | None
    first_published_at: datetime | None
    version_id: str
    block_rows: list[dict]
    unique_values: list  # (field, locale, value hash)
    references: list  # (holder id, field, "item" or "upload", target id)

    @property
    def published(self) -> bool:
        return not self.item_type.draft_mode_active

    def item_row(self) -> dict:
        published, moment = self.published, self.moment
        return _item_row(
            id=self.id,
            item_type_id=self.item_type.id,
            data=self.data,
            singleton_of=self.item_type.id if self.item_type.singleton else None,
            creator_id=self.creator_id,
            status=_created_status(published),
            current_version=self.version_id,
            published_version_id=self.version_id if published else None,
            search_text=self.search_text,
            created_at=self.created_at or moment,
            updated_at=moment,
            published_at=moment if published else None,
            first_published_at=self.first_published_at or (moment if published else None),
        )

    def version_row(self) -> dict:
        return _version_row(
            version_id=self.version_id,
            item_id=self.id,
            item_type_id=self.item_type.id,
            data=self.data,
            block_rows=self.block_rows,
            editor_id=self.creator_id,
            moment=self.moment,
        )

    def saved(self) -> SavedRecord:
        """The record as model instances, to render."""
        item = Item(**self.item_row())
        item._state.fields_cache["item_type"] = self.item_type  # known: no query to read it
        blocks = [Item(**row) for row in self.block_rows]
        return SavedRecord(
            item=item,
            blocks=blocks,
            model=self.model,
            new_block_ids={block.id for block in blocks},
            unique_values=self.unique_values,
            references=self.references,
            version=ItemVersion(**self.version_row()),
        )


def _created_status(published: bool) -> str:
    return Item.Status.PUBLISHED.value if published else Item.Status.DRAFT.value


def finish_record(pending: PendingRecord, model: ContentModel, creator_id, moment) -> NewRecord:
    """What a create that passed both passes writes."""
    item_type = pending.item_type
    block_rows = _block_rows(
        pending.validation,
        record_id=pending.record_id,
        creator_id=creator_id,
        status=_created_status(not item_type.draft_mode_active),
        moment=moment,
    )
    return NewRecord(
        model=model,
        item_type=item_type,
        id=pending.record_id,
        data=pending.data,
        search_text=pending.validation.search_text(),
        creator_id=creator_id,
        moment=moment,
        created_at=pending.created_at,
        first_published_at=pending.first_published_at,
        version_id=new_id(),
        block_rows=block_rows,
        unique_values=pending.validation.unique_values(),
        references=pending.validation.references,
    )


def build_record(
    *, document: ResourceDocument, creator_id: str | None, model: ContentModel | None = None
) -> NewRecord:
    """Validate a new record and build its rows, unsaved; raise every problem at once."""
    model = model or ContentModel.load()
    pending = walk_record(document, model)
    if (
        pending.item_type.singleton
        and Item.objects.filter(singleton_of=pending.item_type.id).exists()
    ):
        pending.errors.append(
            ApiError("DUPLICATE_SINGLETON", 422, item_type=pending.item_type.api_key)
        )
    check_batch([(pending.validation, pending.record_id, pending.client_id)])
    if pending.all_errors:
        raise ApiErrors(pending.all_errors)
    return finish_record(pending, model, creator_id, now())


def item_create(*, document: ResourceDocument, creator_id: str | None) -> SavedRecord:
    """Create a record and its blocks in one transaction, with a constant number of queries."""
    record = build_record(document=document, creator_id=creator_id)
    try:
        with transaction.atomic():
            write_new([record])
            record.model.ensure_current()
    except IntegrityError as error:
        raise lost_race(record.id, record.item_type, record.unique_values) from error
    return record.saved()


# Below this many records a multi-row INSERT costs no more than a COPY.
COPY_FROM = 50


def write_new(records: list[NewRecord]) -> None:
    """Insert new records: one statement per table, whatever their number (a COPY on
    PostgreSQL for big batches, a multi-row INSERT otherwise)."""

    def item_rows():
        for record in records:
            yield record.item_row()
            yield from record.block_rows

    version_rows = (record.version_row() for record in records)
    unique_rows = (row for record in records for row in _unique_rows(record.id, record))
    reference_rows = (row for record in records for row in _reference_rows(record.id, record))
    if connection.vendor != "postgresql" or len(records) <= COPY_FROM:
        _bulk_insert(Item, [Item(**row) for row in item_rows()])
        _bulk_insert(UniqueValue, [UniqueValue(**row) for row in unique_rows])
        _bulk_insert(Reference, [Reference(**row) for row in reference_rows])
        _bulk_insert(ItemVersion, [ItemVersion(**row) for row in version_rows])
        return
    # Rows are made as they are written: the batch never holds them all at once.
    _copy(Item, item_rows())
    _copy(UniqueValue, unique_rows)
    _copy(Reference, reference_rows)
    _copy(ItemVersion, version_rows)


def _unique_rows(record_id: str, record: "NewRecord | SavedRecord") -> list[dict]:
    return [
        {"field_id": field_.id, "locale": locale, "value_hash": digest, "item_id": record_id}
        for field_, locale, digest in record.unique_values
    ]


def _reference_rows(record_id: str, record: "NewRecord | SavedRecord") -> list[dict]:
    return [
        {
            "record_id": record_id,
            "holder_id": holder_id,
            "field_id": field_.id,
            "target_item_id": target if kind == "item" else None,
            "target_upload_id": target if kind == "upload" else None,
        }
        for holder_id, field_, kind, target in record.references
    ]


def _bulk_insert(model, rows: list) -> None:
    model.objects.bulk_create(rows, batch_size=2000)


def _copy(model, rows) -> None:
    """COPY rows (column attname -> value, every row the same columns) into ``model``'s
    table: PostgreSQL's fastest way in, with no per-row SQL."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    names = list(first)
    unset = [
        name
        for name, f in fields.items()
        if name not in names and not f.null and f is not model._meta.auto_field
    ]
    if unset:  # the database knows none of Django's defaults: every NOT NULL column is sent
        raise ValueError(f"COPY into {model.__name__} without {unset}")
    json_names = {name for name in names if isinstance(fields[name], JSONField)}
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in names)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    with (
        connection.wrap_database_errors,  # psycopg's errors as Django's (IntegrityError...)
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as feed,
    ):
        for row in itertools.chain([first], rows):
            if len(row) != len(names):  # a row with other columns would land in wrong ones
                raise ValueError(f"COPY into {model.__name__}: rows differ in their columns")
            feed.write_row(
                [
                    _json(row[name]) if name in json_names else row[name]
                    for name in names  # the same order for every row
                ]
            )


# One encoder for every value (json.dumps with options builds a new one per call).
_JSON = json.JSONEncoder(separators=(",", ":"), check_circular=False)


def _json(value) -> str | None:
    return None if value is None else _JSON.encode(value)


def _write_indexes(record: SavedRecord) -> None:
    UniqueValue.objects.bulk_create(
        UniqueValue(**row) for row in _unique_rows(record.item.id, record)
    )
    Reference.objects.bulk_create(
        Reference(**row) for row in _reference_rows(record.item.id, record)
    )


def lost_race(item_id: str, item_type: ItemType, unique_values: list) -> ApiErrors:
    """A concurrent write won a unique value, the singleton slot or the id: say which."""
    if (
        item_type.singleton
        and Item.objects.filter(singleton_of=item_type.id).exclude(pk=item_id).exists()
    ):
        return ApiErrors([ApiError("DUPLICATE_SINGLETON", 422, item_type=item_type.api_key)])
    errors = [
        ApiError(
            "INVALID_FIELD",
            422,
            field=field_.api_key,
            code="VALIDATION_UNIQUENESS",
            **({"locale": locale} if locale else {}),
        )
        for field_, locale, digest in unique_values
        if UniqueValue.objects.filter(field=field_, locale=locale, value_hash=digest)
        .exclude(item_id=item_id)
        .exists()
    ]
    return ApiErrors(
        errors or [ApiError("INVALID_ENTITY_ID", 422, field="id", code="VALIDATION_UNIQUENESS")]
    )


# --- Update ------------------------------------------------------------------------------


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
    *, item: Item, attributes: dict, editor_id: str | None, model: ContentModel
) -> SavedRecord:
    """Validate the record as it will be (its values, those sent replacing them whole)."""
    existing = {block.id: block for block in Item.objects.filter(root=item)}
    merged = {**item_attributes(item, model), **attributes}
    validation = RecordValidation(
        model,
        existing_blocks=existing,
        block_attributes=lambda block: item_attributes(block, model),
    )
    data = validation.validate_record(
        model.item_types[item.item_type_id], merged, record_id=item.id
    )
    check_batch([(validation, item.id, False)])
    validation.raise_if_invalid()

    moment = now()
    item_type = model.item_types[item.item_type_id]
    item.data, item.search_text, item.updated_at = data, validation.search_text(), moment
    item.current_version = new_id()
    if not item_type.draft_mode_active:
        _mark_published(item, moment)
    elif item.status == Item.Status.PUBLISHED:
        item.status = Item.Status.UPDATED
    block_rows = _block_rows(
        validation,
        record_id=item.id,
        creator_id=item.creator_id,
        status=item.status,
        moment=moment,
    )
    return SavedRecord(
        item=item,
        blocks=[Item(**row) for row in block_rows],
        model=model,
        new_block_ids={block.id for block in validation.blocks if not block.existing},
        unique_values=validation.unique_values(),
        references=validation.references,
        version=ItemVersion(
            **_version_row(
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


def _mark_published(item: Item, moment) -> None:
    item.status = Item.Status.PUBLISHED
    item.published_at = moment
    item.first_published_at = item.first_published_at or moment
    item.published_version_id = item.current_version


def item_update(*, item_id: str, document: ResourceDocument, editor_id: str | None) -> SavedRecord:
    """``PUT /items/:id``: only the fields sent change; the version check holds under races
    because the record's row stays locked from the check to the write."""

    def attributes(item: Item, model: ContentModel) -> dict:
        _check_update_document(item, document)
        return document.attributes

    return _update(item_id, editor_id, attributes)


def _update(item_id: str, editor_id: str | None, attributes_for) -> SavedRecord:
    """Lock the record, read the content model as it is once the lock is held (a schema
    change in between is in), validate ``attributes_for(item, model)`` as the record's new
    values, and write them; a unique value a concurrent write won is a 422, not a 500."""
    try:
        with transaction.atomic():
            item = find_record(item_id, lock=True)
            model = ContentModel.load()
            record = build_update(
                item=item, attributes=attributes_for(item, model), editor_id=editor_id, model=model
            )
            _save_update(record)
    except IntegrityError as error:
        item_type = model.item_types[record.item.item_type_id]
        raise lost_race(item_id, item_type, record.unique_values) from error
    return record


ITEM_STATE = [
    "data",
    "search_text",
    "updated_at",
    "current_version",
    "status",
    "published_at",
    "first_published_at",
    "published_version",
]


# What publishing and unpublishing change (never the values).
PUBLICATION_STATE = ["status", "published_at", "first_published_at", "published_version"]


def _save_update(record: SavedRecord) -> None:
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
    _write_indexes(record)


# --- Publishing --------------------------------------------------------------------------


def _unpublished_links(item: Item, model: ContentModel) -> dict[str, list]:
    """Records this one links to that have never been published, by the strategy their
    link field's validator sets for that case."""
    references = Reference.objects.filter(record=item, target_item__isnull=False).values_list(
        "field_id", "target_item_id", "target_item__published_version_id"
    )
    by_strategy: dict[str, list] = {}
    for field_id, target_id, published_version in references:
        if published_version is not None or target_id == item.id:
            continue
        field_ = model.fields_by_id[field_id]
        strategy = _link_params(field_).get(
            "on_publish_with_unpublished_references_strategy", "fail"
        )
        by_strategy.setdefault(strategy, []).append(target_id)
    return by_strategy


def _link_params(field_) -> dict:
    for name in LINK_VALIDATORS:
        if name in (field_.validators or {}):
            return field_.validators[name]
    return {}


@dataclass(frozen=True)
class Selection:
    """A selective publish: the localized content of some locales, and/or the rest."""

    locales: frozenset
    non_localized: bool


def item_publish(
    *, item_id: str, editor_id: str | None, selection: Selection | None = None
) -> Item:
    """Publish the current version (or, with ``selection``, part of it); linked records
    never published follow the link field's strategy: ``fail`` (422 UNPUBLISHED_LINK) or
    ``publish_references``."""
    model = ContentModel.load()
    with transaction.atomic():
        item = find_record(item_id, lock=True)
        links = _unpublished_links(item, model)
        if links.get("fail"):
            raise ApiError(
                "UNPUBLISHED_LINK",
                422,
                unpublished=sorted(set(links["fail"])),
                message="It links to records that are not published.",
            )
        moment = now()
        targets = list(Item.objects.filter(pk__in=links.get("publish_references", [])))
        for target in targets:
            _mark_published(target, moment)
        Item.objects.bulk_update(targets, PUBLICATION_STATE)
        if selection is None:
            _mark_published(item, moment)
        else:
            _publish_part(item, model, selection, editor_id, moment)
        item.save(update_fields=PUBLICATION_STATE)
    return item


def _publish_part(item: Item, model: ContentModel, selection: Selection, editor_id, moment) -> None:
    """The published snapshot becomes the current values where selected, the previously
    published ones elsewhere; it is a version of its own."""
    unknown = sorted(selection.locales - set(model.locales))
    if unknown:
        raise ApiError(
            "INVALID_FIELD",
            422,
            field="content_in_locales",
            code="INVALID_LOCALES",
            unknown_locales=unknown,
        )
    current = ItemVersion.objects.get(pk=item.current_version)
    previous = item.published_version
    old = previous.data if previous else {}
    data = {}
    for field_ in model.fields[item.item_type_id]:
        now_value, old_value = item.data.get(field_.id), old.get(field_.id)
        if field_.localized:
            now_value, old_value = now_value or {}, old_value or {}
            value = {}
            for loc in dict.fromkeys([*now_value, *old_value]):
                if loc in selection.locales:
                    if loc in now_value:  # a locale the record no longer has goes
                        value[loc] = now_value[loc]
                elif loc in old_value:
                    value[loc] = old_value[loc]
            data[field_.id] = value
        else:
            data[field_.id] = now_value if selection.non_localized else old_value
    blocks = {**(previous.blocks if previous else {}), **current.blocks}
    if data == item.data:
        _mark_published(item, moment)
        return
    snapshot = ItemVersion.objects.create(
        item=item,
        item_type_id=item.item_type_id,
        data=data,
        blocks=blocks,
        editor_id=editor_id,
        created_at=moment,
    )
    item.published_version = snapshot
    item.status = Item.Status.UPDATED
    item.published_at = moment
    item.first_published_at = item.first_published_at or moment


def item_unpublish(*, item_id: str, editor_id: str | None) -> Item:
    """Unpublish; published records linking here follow their link field's strategy:
    ``fail`` (422 UNPUBLISHED_PARENT), ``unpublish`` them too, or ``delete_references``."""
    model = ContentModel.load()
    with transaction.atomic():
        item = find_record(item_id, lock=True)
        linkers = _linking_records(item, model, "on_reference_unpublish_strategy", published=True)
        if linkers.get("fail"):
            raise ApiError(
                "UNPUBLISHED_PARENT",
                422,
                linked_from=sorted(linkers["fail"]),
                message="Published records link to it.",
            )
        linkers_to_unpublish = list(Item.objects.filter(pk__in=linkers.get("unpublish", [])))
        _remove_links(item, linkers.get("delete_references", []), model)
        for record in [*linkers_to_unpublish, item]:
            _mark_unpublished(record)
        Item.objects.bulk_update([*linkers_to_unpublish, item], PUBLICATION_STATE)
    return item


def _mark_unpublished(item: Item) -> None:
    item.status = Item.Status.DRAFT
    item.published_at = None
    item.published_version_id = None


def _linking_records(
    item: Item, model: ContentModel, strategy_name: str, published: bool = False
) -> dict[str, list]:
    """Other records linking here, grouped by their link field's ``strategy_name``."""
    references = Reference.objects.filter(target_item=item).exclude(record=item)
    if published:
        references = references.filter(record__published_version__isnull=False)
    by_strategy: dict[str, list] = {}
    for field_id, record_id in references.values_list("field_id", "record_id"):
        strategy = _link_params(model.fields_by_id[field_id]).get(strategy_name, "fail")
        if record_id not in by_strategy.setdefault(strategy, []):
            by_strategy[strategy].append(record_id)
    return by_strategy


def _remove_links(item: Item, record_ids: list[str], model: ContentModel) -> None:
    """Take the links to ``item`` out of these records (and their blocks), in place."""
    if not record_ids:
        return
    holders = Reference.objects.filter(target_item=item, record_id__in=record_ids).values_list(
        "holder_id", "field_id"
    )
    fields_by_holder: dict[str, set] = {}
    for holder_id, field_id in holders:
        fields_by_holder.setdefault(holder_id, set()).add(field_id)
    holders = list(Item.objects.filter(pk__in=fields_by_holder))
    for holder in holders:
        for field_id in fields_by_holder[holder.id]:
            field_ = model.fields_by_id[field_id]
            field_type = FIELD_TYPES[field_.field_type]
            value = holder.data.get(field_id)
            if field_.localized and isinstance(value, dict):
                holder.data[field_id] = {
                    locale: None if v is None else field_type.without_link(v, item.id)
                    for locale, v in value.items()
                }
            elif value is not None:
                holder.data[field_id] = field_type.without_link(value, item.id)
    Item.objects.bulk_update(holders, ["data"])
    Reference.objects.filter(target_item=item, record_id__in=record_ids).delete()


# --- Delete ------------------------------------------------------------------------------


def item_destroy(*, item_id: str) -> Item:
    """Delete a record and its blocks. Records linking here follow their link field's
    ``on_reference_delete_strategy``: ``fail`` (422 DELETE_RESTRICTION) or
    ``delete_references`` (the links are taken out of them)."""
    model = ContentModel.load()
    with transaction.atomic():
        item = find_record(item_id, lock=True, deleting=True)
        linkers = _linking_records(item, model, "on_reference_delete_strategy")
        if linkers.get("fail"):
            raise ApiError(
                "DELETE_RESTRICTION",
                422,
                linked_from=sorted(linkers["fail"]),
                message="Other records link to it.",
            )
        _remove_links(item, linkers.get("delete_references", []), model)
        answer = copy(item)  # the record as it was when deleted (delete() clears the pk)
        item.delete()
    return answer


# --- Versions ----------------------------------------------------------------------------


def version_restore(*, version_id: str, editor_id: str | None) -> SavedRecord:
    """Make an old version current again: it goes through the same validation as an
    update, and becomes a new version itself."""
    version = ItemVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise ApiError("NOT_FOUND", 404, version=version_id)
    return _update(
        version.item_id,
        editor_id,
        lambda item, model: block_payload(
            version.data, version.item_type_id, version.blocks, model
        ),
    )
