"""Writing records. Every way in (the JSON:API, the record API, the admin) calls these."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from item_types.models import ItemType
from items.content_model import ContentModel
from items.models import Item, Reference, UniqueValue
from items.validation import RecordValidation, parse_meta_time


@dataclass
class SavedRecord:
    item: Item
    blocks: list[Item]
    model: ContentModel
    unique_values: list = field(default_factory=list)  # (field, locale, value hash)
    references: list = field(default_factory=list)  # (holder id, field, kind, target id)


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


def build_record(
    *, document: ResourceDocument, creator_id: str | None, model: ContentModel | None = None
) -> SavedRecord:
    """Validate a new record and build it, unsaved; raise every problem at once."""
    model = model or ContentModel.load()
    item_type = _item_type(document, model)
    errors: list[ApiError] = []
    created_at = parse_meta_time(document.meta, "created_at", errors)
    first_published_at = parse_meta_time(document.meta, "first_published_at", errors)
    record_id = document.id or new_id()
    validation = RecordValidation(model)
    data = validation.validate_record(item_type, document.attributes, record_id=record_id)
    if item_type.singleton and Item.objects.filter(singleton_of=item_type.id).exists():
        errors.append(ApiError("DUPLICATE_SINGLETON", 422, item_type=item_type.api_key))
    validation.check_references(record_id=record_id, client_record_id=document.id is not None)
    if errors or validation.errors:
        raise ApiErrors(validation.errors + errors)

    moment = now()
    published = not item_type.draft_mode_active
    common = {
        "creator_id": creator_id,
        "status": Item.Status.PUBLISHED if published else Item.Status.DRAFT,
        "created_at": created_at or moment,
        "updated_at": moment,
        "published_at": moment if published else None,
        "first_published_at": first_published_at or (moment if published else None),
    }
    item = Item(
        id=record_id,
        item_type=item_type,
        data=data,
        singleton_of=item_type.id if item_type.singleton else None,
        **common,
    )
    blocks = [
        Item(
            id=block.id,
            item_type=block.item_type,
            data=block.data,
            root_id=record_id,
            parent_id=block.parent_id,
            parent_field=block.parent_field,
            **common,
        )
        for block in sorted(validation.blocks, key=lambda b: b.depth)
    ]
    return SavedRecord(
        item=item,
        blocks=blocks,
        model=model,
        unique_values=validation.unique_values(),
        references=validation.references,
    )


def item_create(*, document: ResourceDocument, creator_id: str | None) -> SavedRecord:
    """Create a record and its blocks in one transaction, with a constant number of queries."""
    record = build_record(document=document, creator_id=creator_id)
    try:
        with transaction.atomic():
            Item.objects.bulk_create([record.item, *record.blocks])
            UniqueValue.objects.bulk_create(
                UniqueValue(field=field_, locale=locale, value_hash=digest, item_id=record.item.id)
                for field_, locale, digest in record.unique_values
            )
            Reference.objects.bulk_create(_reference_rows(record))
    except IntegrityError as error:
        raise _lost_race(record) from error
    return record


def _reference_rows(record: SavedRecord) -> list[Reference]:
    return [
        Reference(
            record_id=record.item.id,
            holder_id=holder_id,
            field=field_,
            **({"target_item_id": target} if kind == "item" else {"target_upload_id": target}),
        )
        for holder_id, field_, kind, target in record.references
    ]


def _lost_race(record: SavedRecord) -> ApiErrors:
    """A concurrent create won a unique value, the singleton slot or the id: say which."""
    item = record.item
    if item.singleton_of and Item.objects.filter(singleton_of=item.singleton_of).exists():
        return ApiErrors([ApiError("DUPLICATE_SINGLETON", 422, item_type=item.item_type.api_key)])
    errors = [
        ApiError(
            "INVALID_FIELD",
            422,
            field=field_.api_key,
            code="VALIDATION_UNIQUENESS",
            **({"locale": locale} if locale else {}),
        )
        for field_, locale, digest in record.unique_values
        if UniqueValue.objects.filter(field=field_, locale=locale, value_hash=digest).exists()
    ]
    return ApiErrors(
        errors or [ApiError("INVALID_ENTITY_ID", 422, field="id", code="VALIDATION_UNIQUENESS")]
    )
