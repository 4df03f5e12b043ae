"""How a record (or a block) looks on the wire."""

from copy import copy

from item_types.field_types import FIELD_TYPES
from items.content_model import ContentModel
from items.models import Item


def _timestamp(value) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


def record_locales(item: Item, model: ContentModel) -> list[str]:
    """The locales a record's localized values are kept in (all the same set)."""
    for field in model.fields[item.item_type_id]:
        value = item.data.get(field.id)
        if field.localized and isinstance(value, dict):
            return list(value)
    return [model.locales[0]]


def _represent(field_type, stored):
    return copy(field_type.empty_value) if stored is None else field_type.to_representation(stored)


def item_attributes(item: Item, model: ContentModel) -> dict:
    attributes = {}
    locales = None
    for field in model.fields[item.item_type_id]:
        field_type = FIELD_TYPES[field.field_type]
        if field.id not in item.data:  # a field added after the record was saved
            locales = locales or record_locales(item, model)
            default = field.default_value
            stored = (
                {loc: (default or {}).get(loc) for loc in locales} if field.localized else default
            )
        else:
            stored = item.data[field.id]
        if field.localized and isinstance(stored, dict):
            attributes[field.api_key] = {
                locale: _represent(field_type, value) for locale, value in stored.items()
            }
        else:
            attributes[field.api_key] = _represent(field_type, stored)
    return attributes


def item_meta(item: Item) -> dict:
    published = item.status != Item.Status.DRAFT
    return {
        "created_at": _timestamp(item.created_at),
        "updated_at": _timestamp(item.updated_at),
        "published_at": _timestamp(item.published_at),
        "first_published_at": _timestamp(item.first_published_at),
        "publication_scheduled_at": _timestamp(item.publication_scheduled_at),
        "unpublishing_scheduled_at": _timestamp(item.unpublishing_scheduled_at),
        "status": item.status,
        "is_valid": True,
        "is_current_version_valid": True,
        "is_published_version_valid": True if published else None,
        "current_version": item.current_version,
        "stage": None,
        "has_children": False,
    }


def item_resource(item: Item, model: ContentModel) -> dict:
    return {
        "type": "item",
        "id": item.id,
        "attributes": item_attributes(item, model),
        "relationships": {
            "item_type": {"data": {"type": "item_type", "id": item.item_type_id}},
            "creator": {
                "data": {"type": item.creator_type, "id": item.creator_id}
                if item.creator_id
                else None
            },
        },
        "meta": item_meta(item),
    }
