"""Records' payloads, built on the workers: a record's event is stored as a reference
(its id, the version the write made, its status then, and for an update the version
before), and the delivery pass turns a chunk of calls into their bodies with a constant
number of queries (per environment: the content model, the records, their versions).

Why: serializing every record in the request (model instances, attributes, meta, JSON)
cost more than writing the record (bench/webhook_fanout.py); the request now writes only
a few ids per event.

What a receiver gets: the entity's values (and nested blocks) are the version's, so what
the write wrote; ``meta``'s status, version, publication dates and schedules are the
event's; the rest of ``meta`` (validity) and a sortable record's position are the
record's when the call is built. A record deleted before then is sent as ``{"type":
"item", "id", "meta": {status, dates...}}``.
"""

from collections import defaultdict

import orjson

from cms.api.wire import timestamp
from environments import selection
from item_types.resources import item_type_resource
from items.content_model import ContentModel
from items.models import Item, ItemVersion
from items.resources import item_resource
from webhooks import batch_events
from webhooks.models import WebhookCall


def events_of(calls) -> dict[int, dict]:
    """call id -> its event, references built into entities."""
    events = {call.pk: orjson.loads(call.event) for call in calls}
    by_storage = defaultdict(list)
    for event in events.values():
        if "ref" in event:
            by_storage[event["ref"].get("storage") or ""].append(event)
    for storage, referring in by_storage.items():
        if storage and storage != selection.wanted():
            with selection.using(storage):
                _build(referring)
        else:
            _build(referring)
    return events


def build_before_delete(item_ids: list[str]) -> None:
    """Build the events still referring to these records, which are about to be deleted
    (in the delete's transaction, so in their environment): one indexed query when there
    are none (and one for deferred batches holding them, whose calls are written first)."""
    batch_events.write_deferred(item_ids)
    calls = list(WebhookCall.objects.filter(ref_item__in=item_ids))
    if not calls:
        return
    events = events_of(calls)
    for call in calls:
        call.event, call.ref_item = orjson.dumps(events[call.pk]).decode(), None
    WebhookCall.objects.bulk_update(calls, ["event", "ref_item"], batch_size=200)


def _build(events: list[dict]) -> None:
    model = ContentModel.load()
    refs = [event["ref"] for event in events]
    items = Item.objects.in_bulk({ref["item"] for ref in refs})
    wanted = {ref["version"] for ref in refs} | {
        ref["previous"]["version"] for ref in refs if ref.get("previous")
    }
    versions = ItemVersion.objects.in_bulk(wanted - {None})
    built, related = {}, {}
    for event in events:
        ref = event.pop("ref")
        item = items.get(ref["item"])

        def entity(state: dict, nested: bool, item=item, ref=ref) -> dict:
            key = (ref["item"], state.get("version"), *state["meta"].values(), nested)
            if key not in built:
                built[key] = _entity(
                    item, ref["item"], versions.get(state.get("version")), state, model, nested
                )
            return built[key]

        event["entity"] = entity(ref, bool(ref.get("nested")))
        if ref.get("previous"):
            event["previous_entity"] = entity(ref["previous"], False)
        item_type_id = item.item_type_id if item is not None else None
        if item_type_id not in related:
            item_type = model.item_types.get(item_type_id)
            related[item_type_id] = (
                [item_type_resource(item_type, model.field_ids(item_type.id))] if item_type else []
            )
        event["related_entities"] = related[item_type_id]


def _entity(item, item_id, version, state: dict, model, nested: bool) -> dict:
    if item is None:
        return {"type": "item", "id": item_id, "meta": dict(state["meta"])}
    data = version.data if version is not None else None
    blocks = _blocks(item, version) if nested else None
    entity = item_resource(item, model, data=data, blocks=blocks)
    entity["meta"].update(state["meta"])
    if version is not None:
        entity["meta"]["current_version"] = version.id
        entity["meta"]["updated_at"] = timestamp(version.created_at)
    return entity


def _blocks(item: Item, version) -> dict:
    """The version's blocks (its snapshot), as items to nest; the record's own when the
    version is gone."""
    if version is None:
        return {block.id: block for block in Item.objects.filter(root=item)}
    return {
        block_id: Item(
            id=block_id,
            item_type_id=block["item_type"],
            data=block["data"],
            root_id=item.id,
            parent_id=block["parent"],
            parent_field_id=block["parent_field"],
            status=item.status,
            created_at=item.created_at,
            updated_at=item.updated_at,
            creator_id=item.creator_id,
            current_version=version.id,
            published_version_id=item.published_version_id,
        )
        for block_id, block in version.blocks.items()
    }
