"""Creating records, one or a batch, in two passes: a walk over each record's values
(:func:`walk_record`, no query), then one bulk pass over them all
(:func:`check_new_records`); what passed becomes rows (:func:`finish_record`)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from item_types.models import ItemType
from items.content_model import ContentModel
from items.models import Item, ItemVersion
from items.placement import Placement, take_placement
from items.services import placement as placing
from items.services import rows
from items.services.create_statement import write_in_one_statement
from items.services.records import RecordWrite, concurrent_write_errors
from items.validation import RecordValidation, check_against_database, parse_meta_time
from webhooks import records as webhook_records


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


@dataclass
class PendingRecord:
    """A new record after the walk over its values, before the bulk pass."""

    validation: RecordValidation
    item_type: ItemType
    record_id: str
    id_chosen_by_client: bool
    data: dict
    errors: list
    created_at: object = None
    first_published_at: object = None
    #: Where a record of a sortable or tree model goes (None for other models).
    placement: Placement | None = None

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
    placement, attributes, placement_errors = take_placement(item_type, document.attributes)
    errors += placement_errors
    validation = RecordValidation(model)
    data = validation.validate_record(item_type, attributes, record_id=record_id)
    return PendingRecord(
        validation,
        item_type,
        record_id,
        document.id is not None,
        data,
        errors,
        created_at,
        first_published_at,
        placement,
    )


def check_new_records(records: Iterable[PendingRecord], known: dict | None = None) -> None:
    """Second pass of a create, for one record or a whole batch: what the database holds
    (one query per kind for all of them), then the singleton rule. Problems land on the
    record they belong to. ``known``: records created before these in the same write
    (id -> model id), which they may link to."""
    records = list(records)
    check_against_database(
        [(record.validation, record.record_id, record.id_chosen_by_client) for record in records],
        known,
    )
    _one_per_singleton(records)
    placing.check_new_parents(records)


def _one_per_singleton(records: list[PendingRecord]) -> None:
    """A singleton model holds one record: the first valid one, unless it has one already."""
    taken: dict[str, bool] = {}  # item type id -> its record exists
    for record in records:
        item_type = record.item_type
        if not item_type.singleton:
            continue
        if item_type.id not in taken:
            taken[item_type.id] = Item.objects.filter(singleton_of=item_type.id).exists()
        if taken[item_type.id]:
            record.errors.append(ApiError("DUPLICATE_SINGLETON", 422, item_type=item_type.api_key))
        taken[item_type.id] = taken[item_type.id] or not record.all_errors


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
    placement: Placement | None = None
    position: int | None = None  # given by items.services.placement.place_new

    @property
    def published(self) -> bool:
        return not self.item_type.draft_mode_active

    def item_row(self) -> dict:
        published, moment = self.published, self.moment
        return rows.item_row(
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
            tree_parent_id=self.placement.parent_id if self.placement else None,
            position=self.position,
        )

    def version_row(self) -> dict:
        return rows.version_row(
            version_id=self.version_id,
            item_id=self.id,
            item_type_id=self.item_type.id,
            data=self.data,
            block_rows=self.block_rows,
            editor_id=self.creator_id,
            moment=self.moment,
        )

    def saved(self) -> RecordWrite:
        """The record as model instances, to render."""
        item = rows.instance(Item, self.item_row())
        item._state.fields_cache["item_type"] = self.item_type  # known: no query to read it
        if self.item_type.tree:
            item.has_children = False  # new: nothing sits under it yet
        blocks = [rows.instance(Item, row) for row in self.block_rows]
        return RecordWrite(
            item=item,
            blocks=blocks,
            model=self.model,
            new_block_ids={block.id for block in blocks},
            unique_values=self.unique_values,
            references=self.references,
            version=rows.instance(ItemVersion, self.version_row()),
        )


def _created_status(published: bool) -> str:
    return _PUBLISHED if published else _DRAFT


# Read once: an enum member's .value is a descriptor call, twice a record in a batch.
_PUBLISHED, _DRAFT = Item.Status.PUBLISHED.value, Item.Status.DRAFT.value


def finish_record(pending: PendingRecord, model: ContentModel, creator_id, moment) -> NewRecord:
    """What a create that passed both passes writes."""
    item_type = pending.item_type
    block_rows = rows.block_rows(
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
        placement=pending.placement,
    )


def build_record(
    *, document: ResourceDocument, creator_id: str | None, model: ContentModel | None = None
) -> NewRecord:
    """Validate a new record and build its rows, unsaved; raise every problem at once."""
    model = model or ContentModel.load()
    pending = walk_record(document, model)
    check_new_records([pending])
    if pending.all_errors:
        raise ApiErrors(pending.all_errors)
    return finish_record(pending, model, creator_id, now())


def item_create(*, document: ResourceDocument, creator_id: str | None, event=None) -> RecordWrite:
    """Create a record and its blocks in one transaction, with a constant number of queries.
    ``event``: the request's audit log event (an ``audit_log.folding.EventInWrite``), which
    the hot path writes in its statement."""
    record = None
    if connection.vendor == "postgresql":
        written = _create_in_one_statement(document, creator_id, event)
        if isinstance(written, RecordWrite):
            webhook_records.announce("create", [written.item], written.model)
            return written
        record = written
    record = record or build_record(document=document, creator_id=creator_id)
    try:
        with transaction.atomic():
            placing.place_new([record])
            rows.write_new([record])
            record.model.ensure_current()
    except IntegrityError as error:
        raise concurrent_write_errors(
            record.id, record.item_type, record.unique_values, record.references
        ) from error
    return record.saved()


def _create_in_one_statement(
    document: ResourceDocument, creator_id, event
) -> RecordWrite | NewRecord | None:
    """The hot path: checked against the model this worker has cached (no query to read
    its version) and written in one statement that checks the version itself. None when
    it can't answer (no model cached yet, or it changed): the general path then runs
    from the start, with the model as it is. A record of a sortable or tree model comes
    back checked but unwritten: placing it takes a lock and reads its siblings, so the
    general path writes it (its model's version checked there)."""
    model = ContentModel.cached()
    if model is None:
        return None
    try:
        record = build_record(document=document, creator_id=creator_id, model=model)
    except (ApiError, ApiErrors):
        # Refused by the cached model: by the current one too, or the general path says.
        if ContentModel.load().version == model.version:
            raise
        return None
    if record.placement is not None:  # checked against the model as it is now, or again
        return record if ContentModel.load().version == model.version else None
    saved = record.saved()
    try:
        written = write_in_one_statement(record, event.rows(saved) if event else [])
    except IntegrityError as error:
        raise concurrent_write_errors(
            record.id, record.item_type, record.unique_values, record.references
        ) from error
    if not written:
        return None
    if event is not None:
        event.written()
    return saved
