"""Replacing, merging and deleting records through the record API (``PUT``, ``PATCH`` or
``MERGE``, ``DELETE``), however the records were chosen (record_api.write_requests).

Each record goes through the Content Management API's own services, so a record written
here is the same record there: an update is ``items.services.update_locked`` (the same
validation, unique values, links, a new version, webhooks), a delete is
``items.services.bulk_destroy`` (the link fields' strategies, blocks, placement). The batch
modes are the create batch's (:class:`record_api.batch.Mode`): ``rollback`` keeps all or
nothing, ``continue`` keeps what succeeded, and by default the call stops at the first
failure and keeps what came before it. Everything runs in one transaction, each record's
write in a savepoint, so a failed record leaves nothing behind (webhook calls included:
they are rows of the same transaction, webhooks/events.py).
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from cms.api.errors import ApiError, ApiErrors
from item_types.models import ItemType
from items import services
from items.content_model import ContentModel
from items.models import Item
from items.placement import is_placed
from items.services import bulk_update
from items.services import placement as placing
from items.services.bulk_destroy import bulk_destroy
from items.services.update import PLACEMENT
from record_api.batch import Mode
from webhooks import events


@dataclass
class WriteResult:
    """Per slot of the request (its index): the record written (for a delete, as it was
    before), or why it failed."""

    size: int
    records: dict[int, Item] = field(default_factory=dict)
    failed: dict[int, list[ApiError]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed


@dataclass
class Change:
    """One slot of a replace or merge: the record's id and the values sent, or the
    problems found in the slot before anything ran (no id, not an object...)."""

    record_id: object = None
    attributes: dict | None = None
    errors: list[ApiError] | None = None


def not_found(record_id) -> ApiError:
    return ApiError(
        "NOT_FOUND",
        404,
        item=record_id,
        message=f"Record with identifier '{record_id}' not found.",
    )


def _table_rows(item_type: ItemType, ids, *, lock: bool) -> dict[str, Item]:
    """The records of this table (not another's, not blocks) among ``ids``, in one query;
    locked as the Content Management API's update and delete lock them."""
    wanted = {record_id for record_id in ids if isinstance(record_id, str)}
    rows = Item.objects.select_for_update(no_key=True) if lock else Item.objects
    rows = rows.filter(pk__any_of=list(wanted), item_type_id=item_type.id, root__isnull=True)
    return {item.id: item for item in rows.order_by("pk")}


def update_records(
    *,
    item_type: ItemType,
    changes: list[Change],
    replace: bool,
    mode: Mode,
    editor_id: str | None,
    model: ContentModel,
    check=None,
    nested=None,
) -> WriteResult:
    """Replace (``replace``: the fields not sent take their default, as in a create) or
    merge (only the fields sent change) each record. Each one written is a new version.
    The records are read and locked in one query, validated each in memory, checked
    against the database together and written together (items.services.bulk_update);
    a call that moves records or names one twice goes record by record instead, each
    written as ``PUT /items/:id`` writes one. ``check(item, values)``: the role's
    permission, on the rows as locked (an ``ApiError`` refuses the whole call, before
    anything is written); None when the role may update every record. ``nested``: the
    related records the changes carry (record_api.nested.NestedWrites, prepared here),
    written before the records the mode keeps."""
    result = WriteResult(size=len(changes))
    with transaction.atomic():
        placed = is_placed(item_type)
        if placed:  # before any row's lock, as the single update takes it
            placing.lock_models([item_type.id])
        rows = _table_rows(item_type, (change.record_id for change in changes), lock=True)
        todo = []
        for index, change in enumerate(changes):
            if change.errors:
                result.failed[index] = change.errors
            elif change.record_id not in rows:
                result.failed[index] = [not_found(change.record_id)]
            else:
                todo.append((index, rows[change.record_id], change.attributes))
        for _, item, values in todo if check is not None else ():
            check(item, values)
        if nested:
            nested.prepare(model, {item.id for _, item, _ in todo})
            for index, item, values in todo:  # links to another slot's new records
                nested.refuse_crossing(index, item.item_type_id, values, model)
            for index, errors in nested.failed.items():
                result.failed.setdefault(index, []).extend(errors)
            todo = [slot for slot in todo if slot[0] not in nested.failed]
        named = [item.id for _, item, _ in todo]
        moves = placed and any(PLACEMENT & values.keys() for _, _, values in todo)
        if moves or len(set(named)) < len(named):
            _one_by_one(result, todo, replace, mode, editor_id, model, nested)
        else:
            _together(result, todo, replace, mode, editor_id, model, nested)
        if mode is Mode.ROLLBACK and result.failed:
            transaction.set_rollback(True)
            result.records.clear()
    return result


def _kept(mode: Mode, result: WriteResult, todo: list) -> list:
    """What the mode writes of ``todo`` (the slots not failed)."""
    good = [slot for slot in todo if slot[0] not in result.failed]
    if mode is Mode.ROLLBACK and result.failed:
        return []
    if mode is Mode.STOP and result.failed:
        return [slot for slot in good if slot[0] < min(result.failed)]
    return good


def _together(result, todo, replace, mode, editor_id, model, nested) -> None:
    if not todo:
        return
    items = [item for _, item, _ in todo]
    planned = bulk_update.plan_updates(
        items,
        [values for _, _, values in todo],
        replace=replace,
        model=model,
        known=nested.known if nested else None,
    )
    for position, errors in bulk_update.failed(planned).items():
        result.failed[todo[position][0]] = errors
    kept = {slot[0] for slot in _kept(mode, result, todo)}
    keep = [position for position, slot in enumerate(todo) if slot[0] in kept]
    kept_items = [items[position] for position in keep]
    try:
        with transaction.atomic():  # the nested records and the records, or neither
            if nested:
                nested.write([todo[p][0] for p in keep], editor_id=editor_id, model=model)
            bulk_update.save_updates(
                kept_items, [planned[p] for p in keep], editor_id=editor_id, model=model
            )
            if nested:  # what links to the records (has_many), after them
                nested.write(
                    [todo[p][0] for p in keep], editor_id=editor_id, model=model, after=True
                )
    except IntegrityError:  # a concurrent write won a unique value: find which, one by one
        if nested:
            nested.forget([todo[p][0] for p in keep])
        _one_by_one(result, [todo[p] for p in keep], replace, mode, editor_id, model, nested)
        return
    for position in keep:
        result.records[todo[position][0]] = items[position]


def _one_by_one(result, todo, replace, mode, editor_id, model, nested=None) -> None:
    """Each record validated and written in turn (a record named twice sees the first
    change), as ``PUT /items/:id`` writes one; its nested records first, in its savepoint."""
    for index, item, values in todo:
        if mode is Mode.STOP and result.failed and index > min(result.failed):
            break
        try:
            with transaction.atomic():
                if nested:
                    nested.write([index], editor_id=editor_id, model=model)
                record = services.update_locked(
                    item=item, attributes=values, editor_id=editor_id, model=model, replace=replace
                )
                if nested:
                    nested.write([index], editor_id=editor_id, model=model, after=True)
        except (ApiErrors, ApiError, IntegrityError) as refused:
            result.failed[index] = _refusals(refused, item)
            if nested:
                nested.forget([index])
        else:
            result.records[index] = record.item


def _refusals(refused, item) -> list[ApiError]:
    if isinstance(refused, ApiErrors):
        return refused.errors
    if isinstance(refused, ApiError):
        return [refused]
    # A related record's unique value, won by a concurrent write meanwhile.
    return [ApiError("WRITE_CONFLICT", 409, item=item.id, transient=True)]


class _Undo(Exception):
    """Leaves a savepoint, undoing what ran in it."""


def delete_records(
    *, item_type: ItemType, ids: list, mode: Mode, with_values: bool = True, check=None
) -> WriteResult:
    """Delete the records ``ids`` names (a slot each; an id named twice is one delete),
    answering each as it was (``with_values``; else only its id). Links to them follow
    their fields' strategies: a ``fail`` link from a record that stays refuses the delete
    (DELETE_RESTRICTION), unless the linking record goes in the same call. ``check(item)``:
    the role's permission, on the rows read here (an ``ApiError`` refuses the whole call
    before anything is deleted); None when the role may delete every record."""
    result = WriteResult(size=len(ids))
    with transaction.atomic():
        rows = _rows_to_delete(item_type, ids, whole=with_values or events.listening("item"))
        for index, record_id in enumerate(ids):
            if not isinstance(record_id, str) or record_id not in rows:
                result.failed[index] = [not_found(record_id)]
            elif check is not None:
                check(rows[record_id])
        going = [index for index in range(len(ids)) if index not in result.failed]
        if mode is Mode.STOP and result.failed:
            going = [index for index in going if index < min(result.failed)]
        if mode is Mode.ROLLBACK and result.failed:
            going = []
        deleted = []
        while going:
            refused = _try_delete([ids[index] for index in going], mode, rows)
            if refused is None:
                deleted = going
                break
            for index in going:
                if ids[index] in refused:
                    result.failed[index] = refused[ids[index]]
            if mode is Mode.CONTINUE:  # the others are deleted
                deleted = [index for index in going if ids[index] not in refused]
                break
            if mode is Mode.ROLLBACK:
                break
            # Stop: the records before the first failure, tried again without the rest
            # (a record may have counted on a later one going with it).
            going = [index for index in going if index < min(result.failed)]
        result.records = {index: rows[ids[index]] for index in deleted}
    return result


def _rows_to_delete(item_type: ItemType, ids, *, whole: bool) -> dict[str, Item]:
    """The records of this table among ``ids``, read once and locked as
    ``items.services.bulk_destroy`` locks them (the model's placement lock first, then
    the rows FOR UPDATE), for it to delete without reading them again. ``whole``: every
    column (the answer shows the values, or a webhook is sent them); otherwise only what
    the delete and the role's check use: 10,000 whole records cost more to read and make
    than to delete."""
    if is_placed(item_type):
        placing.lock_models([item_type.id])
    wanted = list({record_id for record_id in ids if isinstance(record_id, str)})
    rows = Item.objects.select_for_update().filter(
        pk__any_of=wanted, item_type_id=item_type.id, root__isnull=True
    )
    if not whole:
        rows = rows.only(*DELETE_COLUMNS)
    return {item.id: item for item in rows.order_by("pk")}


# What a delete reads of a record answered by its id: its model, place, and creator.
DELETE_COLUMNS = (
    "id",
    "item_type_id",
    "root_id",
    "position",
    "tree_parent_id",
    "creator_type",
    "creator_id",
)


def _try_delete(
    ids: list[str], mode: Mode, rows: dict[str, Item]
) -> dict[str, list[ApiError]] | None:
    """Delete ``ids`` (locked ``rows``) in a savepoint: None if all went, else the refusals
    (with ``continue`` the others are deleted; otherwise nothing is)."""
    refused = {}
    try:
        with transaction.atomic():
            named = list(dict.fromkeys(ids))
            outcome = bulk_destroy(
                named, locked={record_id: rows[record_id] for record_id in named}
            )
            refused = dict(outcome.failures)
            if refused and mode is not Mode.CONTINUE:
                raise _Undo
    except _Undo:
        pass
    return refused or None
