"""What every kind of record write shares: finding the record to change, what a write
consists of, and the answer when a concurrent write got there first."""

from dataclasses import dataclass, field

from cms.api.errors import ApiError, ApiErrors, found
from item_types.models import ItemType
from items.content_model import ContentModel
from items.models import Item, ItemVersion, UniqueValue
from uploads.models import Upload


@dataclass
class RecordWrite:
    """A record as a write leaves it, with what the write puts beside it. Creates and
    updates answer it once written; ``build_record`` and ``build_update`` before (to
    validate without writing)."""

    item: Item
    blocks: list[Item]  # every block the record has after the write (new ones flagged)
    model: ContentModel
    new_block_ids: set = field(default_factory=set)
    unique_values: list = field(default_factory=list)  # (field, locale, value hash)
    references: list = field(default_factory=list)  # (holder id, field, kind, target id)
    version: ItemVersion | None = None
    #: Where an update moves a record of a sortable or tree model (items.placement).
    placement: object = None


def find_record(item_id: str, *, lock: bool = False, deleting: bool = False) -> Item:
    # Locked FOR NO KEY UPDATE unless deleting: see item_types.locking.
    records = Item.objects.select_for_update(no_key=not deleting) if lock else Item.objects
    return found(records.filter(pk=item_id, root__isnull=True).first(), item=item_id)


def concurrent_write_errors(
    item_id: str, item_type: ItemType, unique_values: list, references: list = ()
) -> ApiErrors:
    """A concurrent write won a unique value, the singleton slot or the id, or deleted an
    upload the record uses (the foreign key refused the commit): say which."""
    upload_ids = {target for _, _, kind, target in references if kind == "upload"}
    if upload_ids:
        gone = upload_ids - set(
            Upload.objects.filter(pk__in=upload_ids).values_list("pk", flat=True)
        )
        missing = [
            ApiError(
                "INVALID_FIELD",
                422,
                field=field_.api_key,
                code="VALIDATION_UPLOAD_NOT_FOUND",
                upload_id=target,
            )
            for _, field_, kind, target in references
            if kind == "upload" and target in gone
        ]
        if missing:
            return ApiErrors(missing)
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
