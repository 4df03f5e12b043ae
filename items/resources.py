"""How a record (or a block) looks on the wire."""

from copy import copy

from cms.api.errors import ApiError
from cms.api.wire import timestamp
from item_types.field_types import FIELD_TYPES
from items.content_model import ContentModel
from items.models import Item, ItemVersion


def _locales(data: dict, item_type_id: str, model: ContentModel) -> list[str]:
    """The locales a record's localized values are kept in (all the same set)."""
    for field in model.fields[item_type_id]:
        value = data.get(field.id)
        if field.localized and isinstance(value, dict):
            return list(value)
    return [model.locales[0]]


locales_of = _locales


def _represent(field_type, stored):
    return copy(field_type.empty_value) if stored is None else field_type.to_representation(stored)


def attributes_of(data: dict, item_type_id: str, model: ContentModel, replace_block=None) -> dict:
    """Stored values as API attributes, by api_key. ``replace_block(id)``, when given, is
    what each block id becomes (a nested block)."""
    attributes = {}
    locales = None
    for field in model.fields[item_type_id]:
        field_type = FIELD_TYPES[field.field_type]
        if field.id not in data:  # a field added after the record was saved
            locales = locales or _locales(data, item_type_id, model)
            default = field.default_value
            stored = (
                {loc: (default or {}).get(loc) for loc in locales} if field.localized else default
            )
        else:
            stored = data[field.id]
        if field.localized and isinstance(stored, dict):
            value = {locale: _represent(field_type, v) for locale, v in stored.items()}
            if replace_block:
                value = {
                    locale: v if v in (None, []) else field_type.map_blocks(v, replace_block)
                    for locale, v in value.items()
                }
        else:
            value = _represent(field_type, stored)
            if replace_block and value not in (None, []):
                value = field_type.map_blocks(value, replace_block)
        attributes[field.api_key] = value
    return attributes


def item_attributes(item: Item, model: ContentModel) -> dict:
    return attributes_of(item.data, item.item_type_id, model)


def block_payload(data: dict, item_type_id: str, blocks: dict, model: ContentModel) -> dict:
    """A version's values as a write payload: its blocks as full block objects (with their
    ids, so blocks that still exist are kept and the others created again)."""

    def nested(block_id):
        block = blocks.get(block_id)
        if block is None:
            return block_id
        return {
            "type": "item",
            "id": block_id,
            "attributes": attributes_of(block["data"], block["item_type"], model, nested),
            "relationships": {
                "item_type": {"data": {"type": "item_type", "id": block["item_type"]}}
            },
        }

    return attributes_of(data, item_type_id, model, nested)


def item_meta(item: Item) -> dict:
    return {
        "created_at": timestamp(item.created_at),
        "updated_at": timestamp(item.updated_at),
        "published_at": timestamp(item.published_at),
        "first_published_at": timestamp(item.first_published_at),
        "publication_scheduled_at": timestamp(item.publication_scheduled_at),
        "unpublishing_scheduled_at": timestamp(item.unpublishing_scheduled_at),
        "status": item.status,
        "is_valid": item.is_current_version_valid,
        "is_current_version_valid": item.is_current_version_valid,
        "is_published_version_valid": (
            item.is_published_version_valid if item.published_version_id else None
        ),
        "current_version": item.current_version,
        "stage": None,
        "has_children": False,
    }


def _relationships(item: Item) -> dict:
    return {
        "item_type": {"data": {"type": "item_type", "id": item.item_type_id}},
        "creator": {
            "data": {"type": item.creator_type, "id": item.creator_id} if item.creator_id else None
        },
    }


def item_resource(
    item: Item, model: ContentModel, *, data: dict | None = None, blocks: dict | None = None
) -> dict:
    """A record or block. ``data`` overrides its values (a published snapshot); with
    ``blocks`` (id -> Item), block ids become nested block resources, at every depth."""
    values = item.data if data is None else data
    replace = None
    if blocks is not None:

        def replace(block_id):
            block = blocks.get(block_id)
            return block_id if block is None else item_resource(block, model, blocks=blocks)

    return {
        "type": "item",
        "id": item.id,
        "attributes": attributes_of(values, item.item_type_id, model, replace),
        "relationships": _relationships(item),
        "meta": item_meta(item),
    }


def record_document(item: Item, model: ContentModel, *, version: str, blocks=None) -> dict:
    """``GET /items/:id``'s record: its current or published version, with ``blocks``
    (from :func:`items.selectors.blocks_for`) when nested."""
    data = None
    if version == "published":
        if item.published_version is None:
            raise ApiError(
                "NOT_FOUND",
                404,
                item=item.id,
                version="published",
                message="The record has never been published.",
            )
        data = item.published_version.data
    return item_resource(item, model, data=data, blocks=blocks)


def version_resource(version: ItemVersion, item: Item, model: ContentModel) -> dict:
    return {
        "type": "item_version",
        "id": version.id,
        "attributes": attributes_of(version.data, version.item_type_id, model),
        "relationships": {
            "item": {"data": {"type": "item", "id": version.item_id}},
            "item_type": {"data": {"type": "item_type", "id": version.item_type_id}},
            "editor": {
                "data": {"type": version.editor_type, "id": version.editor_id}
                if version.editor_id
                else None
            },
        },
        "meta": {
            "created_at": version.created_at.isoformat(timespec="milliseconds"),
            "is_valid": _version_valid(version, item),
            "is_published": version.id == item.published_version_id,
            "is_current": version.id == item.current_version,
        },
    }


def _version_valid(version: ItemVersion, item: Item) -> bool:
    """The current and published versions' validity is kept (items/validity.py); an older
    version was valid when written (restoring it checks it again)."""
    if version.id == item.current_version:
        return item.is_current_version_valid
    if version.id == item.published_version_id:
        return item.is_published_version_valid
    return True
