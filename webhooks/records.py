"""Records' events (SPEC-2 §8.2's tables), as the record services emit them: one call of
:func:`announce` per write or batch. A model without draft mode sends ``publish`` with
each create and update, and ``unpublish`` before each delete; a published record
deleted from a draft-mode model sends ``unpublish`` then ``delete``."""

from functools import partial

from item_types.resources import item_type_resource
from items.content_model import ContentModel
from items.models import Item
from items.resources import item_resource
from items.selectors import blocks_for
from webhooks import events

WITHOUT_DRAFTS = {
    "create": ["create", "publish"],
    "update": ["update", "publish"],
    "delete": ["unpublish", "delete"],
}


def announce(
    event_type: str,
    items: list[Item],
    model: ContentModel | None = None,
    previous: dict | None = None,
) -> None:
    """``previous``: record id -> its resource before an update."""
    if not items or not events.listening("item"):
        return  # nothing serialized, no query
    model = model or ContentModel.load()
    found, related, blocks = [], {}, _Blocks(items)
    for item in items:
        item_type = model.item_types.get(item.item_type_id)
        types = [event_type]
        if item_type is not None and not item_type.draft_mode_active:
            types = WITHOUT_DRAFTS.get(event_type, types)
        elif event_type == "delete" and item.published_at is not None and item.status != "draft":
            types = ["unpublish", "delete"]
        before = (previous or {}).get(item.id)
        build = partial(_body, item, model, before, related)
        nested = partial(_body, item, model, before, related, blocks)
        facts = {"item_type": item.item_type_id, "item": item.id}
        found.extend(events.Event("item", kind, build, facts, nested) for kind in types)
    events.emit(found)


class _Blocks:
    """The blocks of a write's records, read (one query) when a first webhook with
    ``nested_items_in_payload`` wants one."""

    def __init__(self, items: list[Item]):
        self._items, self._found = items, None

    def get(self) -> dict:
        if self._found is None:
            self._found = blocks_for(self._items, "current")
        return self._found


def _body(
    item: Item,
    model: ContentModel,
    before: dict | None,
    related: dict,
    blocks: _Blocks | None = None,
) -> dict:
    """``related``: the model's resource by id, made once per write. With ``blocks``, the
    record's blocks are inline (``nested_items_in_payload``); ``previous_entity`` keeps
    block ids (its blocks as they were are gone)."""
    if item.item_type_id not in related:
        related[item.item_type_id] = _related(item, model)
    inline = blocks.get() if blocks is not None else None
    entity = item_resource(item, model, blocks=inline)
    body = {"entity": entity, "related_entities": related[item.item_type_id]}
    if before is not None:
        body["previous_entity"] = before
    return body


def _related(item: Item, model: ContentModel) -> list[dict]:
    item_type = model.item_types.get(item.item_type_id)
    if item_type is None:
        return []
    return [item_type_resource(item_type, model.field_ids(item_type.id))]


def before_update(item: Item, model: ContentModel | None = None) -> dict | None:
    """The record's resource before an update, when a webhook may want it."""
    if not events.listening("item"):
        return None
    return {item.id: item_resource(item, model or ContentModel.load())}


def announce_ids(event_type: str, ids, model: ContentModel | None = None) -> None:
    """As :func:`announce`, for records a bulk statement changed: read back (one query)
    only when a webhook listens."""
    if ids and events.listening("item"):
        found = Item.objects.filter(pk__in=list(ids), root__isnull=True).order_by("pk")
        announce(event_type, list(found), model)


def announce_new(records: list) -> None:
    """``create`` for new records (items.services.NewRecord), as they are written."""
    if events.listening("item"):
        announce("create", [record.saved().item for record in records], records[0].model)
