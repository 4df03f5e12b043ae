"""Records' events (SPEC-2 §8.2's tables), as the record services emit them: one call of
:func:`announce` per write or batch. A model without draft mode sends ``publish`` with
each create and update, and ``unpublish`` before each delete; a published record
deleted from a draft-mode model sends ``unpublish`` then ``delete``.

An event of a record that stays is written as a reference (its id, the version the
write made, its status, publication dates and schedules; for an update those before),
and the workers build its entity (webhooks/expand.py): nothing is serialized on the
request. A deleted record is serialized here, while it still exists, and so are the
events still referring to it."""

from functools import partial

from cms.api.wire import timestamp
from item_types.resources import item_type_resource
from items.content_model import ContentModel
from items.models import Item
from items.resources import item_resource
from items.selectors import blocks_for
from webhooks import batch_events, events, expand

WITHOUT_DRAFTS = {
    "create": ["create", "publish"],
    "update": ["update", "publish"],
    "delete": ["unpublish", "delete"],
}


def _types(event_type: str, draft_mode: bool, published: bool) -> list[str]:
    if not draft_mode:
        return WITHOUT_DRAFTS.get(event_type, [event_type])
    if event_type == "delete" and published:
        return ["unpublish", "delete"]
    return [event_type]


def announce(
    event_type: str,
    items: list[Item],
    model: ContentModel | None = None,
    previous: dict | None = None,
) -> None:
    """``previous``: record id -> its state before an update (:func:`before_update`)."""
    if not items or not events.listening("item"):
        return  # nothing serialized, no query
    model = model or ContentModel.load()
    wanted = events.listened_types("item")
    if event_type != "delete":
        events.emit(
            [
                events.Event("item", kind, None, _facts(item), ref=_ref(item, previous))
                for item in items
                for kind in _types(
                    event_type, _draft_mode(model, item), item.published_at is not None
                )
                if kind in wanted
            ]
        )
        return
    expand.build_before_delete([item.id for item in items])
    found, related, blocks = [], {}, _Blocks(items)
    for item in items:
        published = item.published_at is not None and item.status != "draft"
        build = partial(_body, item, model, related)
        nested = partial(_body, item, model, related, blocks)
        found.extend(
            events.Event("item", kind, build, _facts(item), nested)
            for kind in _types(event_type, _draft_mode(model, item), published)
            if kind in wanted
        )
    events.emit(found)


def _draft_mode(model: ContentModel, item: Item) -> bool:
    item_type = model.item_types.get(item.item_type_id)
    return item_type is None or item_type.draft_mode_active


def _facts(item: Item) -> dict:
    return {"item_type": item.item_type_id, "item": item.id}


def _state(item: Item) -> dict:
    """What changes without a new version, as the event saw it: the worker lays it over
    the record it reads."""
    return {
        "version": item.current_version,
        "meta": {
            "status": item.status,
            "published_at": timestamp(item.published_at),
            "first_published_at": timestamp(item.first_published_at),
            "publication_scheduled_at": timestamp(item.publication_scheduled_at),
            "unpublishing_scheduled_at": timestamp(item.unpublishing_scheduled_at),
        },
    }


def _ref(item: Item, previous: dict | None) -> dict:
    ref = {"item": item.id, **_state(item)}
    before = (previous or {}).get(item.id)
    if before is not None:
        ref["previous"] = before
    return ref


class _Blocks:
    """The blocks of a write's records, read (one query) when a first webhook with
    ``nested_items_in_payload`` wants one."""

    def __init__(self, items: list[Item]):
        self._items, self._found = items, None

    def get(self) -> dict:
        if self._found is None:
            self._found = blocks_for(self._items, "current")
        return self._found


def _body(item: Item, model: ContentModel, related: dict, blocks: _Blocks | None = None) -> dict:
    """A deleted record's body. ``related``: the model's resource by id, made once per
    write; with ``blocks``, the record's blocks are inline (``nested_items_in_payload``)."""
    if item.item_type_id not in related:
        item_type = model.item_types.get(item.item_type_id)
        related[item.item_type_id] = (
            [item_type_resource(item_type, model.field_ids(item_type.id))] if item_type else []
        )
    inline = blocks.get() if blocks is not None else None
    entity = item_resource(item, model, blocks=inline)
    return {"entity": entity, "related_entities": related[item.item_type_id]}


def before_update(item: Item, model: ContentModel | None = None) -> dict | None:
    """The record's state before an update (its version and status), when a webhook may
    want it: the worker builds ``previous_entity`` from it."""
    if not events.listening("item"):
        return None
    return {item.id: _state(item)}


def announce_ids(event_type: str, ids, model: ContentModel | None = None) -> None:
    """As :func:`announce`, for records a bulk statement changed: read back (one query)
    only when a webhook listens."""
    if ids and events.listening("item"):
        found = Item.objects.filter(pk__in=list(ids), root__isnull=True).order_by("pk")
        announce(event_type, list(found), model)


def announce_new(records: list) -> None:
    """``create`` for new records (items.services.NewRecord), as they are written: their
    references straight from what the batch holds, no model instance made."""
    if not records or not events.listening("item"):
        return
    found, moments, wanted = [], {}, events.listened_types("item")

    def kinds_of(record) -> list[str]:
        draft_mode = record.item_type.draft_mode_active
        return [kind for kind in _types("create", draft_mode, not draft_mode) if kind in wanted]

    if batch_events.emitted(records, kinds_of):
        return
    for record in records:
        draft_mode = record.item_type.draft_mode_active
        kinds = kinds_of(record)
        if not kinds:
            continue
        if record.moment not in moments:  # one for the whole batch
            moments[record.moment] = timestamp(record.moment)
        published = None if draft_mode else moments[record.moment]
        meta = {
            "status": "draft" if draft_mode else "published",
            "published_at": published,
            "first_published_at": None if draft_mode else _first(record, moments),
            "publication_scheduled_at": None,
            "unpublishing_scheduled_at": None,
        }
        ref = {"item": record.id, "version": record.version_id, "meta": meta}
        facts = {"item_type": record.item_type.id, "item": record.id}
        found.extend(events.Event("item", kind, None, facts, ref=ref) for kind in kinds)
    events.emit(found)


def _first(record, moments: dict) -> str:
    moment = record.first_published_at or record.moment
    if moment not in moments:
        moments[moment] = timestamp(moment)
    return moments[moment]
