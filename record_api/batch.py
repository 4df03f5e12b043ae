"""Creating many records at once (the DreamFactory-style record API).

The whole batch is validated against a content model read once: each record's values are
walked, then one bulk pass checks uploads, linked records, ids and unique values for all
of them (uniqueness across the batch too), and the records that are to be kept are written
with one statement per table: a multi-row INSERT, or COPY on PostgreSQL past 50 records.
"""

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from enum import Enum

from django.db import IntegrityError, transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from cms.ids import is_valid_id
from item_types.models import ItemType
from items import services
from items.content_model import ContentModel


class Mode(Enum):
    ROLLBACK = "rollback"  # all or nothing
    CONTINUE = "continue"  # keep the good ones, report the bad
    STOP = "stop"  # keep the ones before the first failure


@dataclass
class BatchResult:
    created: dict[int, services.NewRecord] = field(default_factory=dict)
    failed: dict[int, list[ApiError]] = field(default_factory=dict)
    size: int = 0

    @property
    def ok(self) -> bool:
        return not self.failed


def _document(raw, item_type: ItemType, index: int) -> ResourceDocument | list[ApiError]:
    if not isinstance(raw, dict):
        return [
            ApiError(
                "INVALID_FORMAT",
                400,
                record=index,
                message="Each record is an object of field values.",
            )
        ]
    # The record as sent is its attributes (and no longer needed: see _create_batch).
    attributes = raw
    record_id = None
    if "id" in raw:
        attributes = {key: value for key, value in raw.items() if key != "id"}
        record_id = raw["id"]
    if record_id is not None and not is_valid_id(record_id):
        return [ApiError("INVALID_ENTITY_ID", 422, field="id", id=record_id)]
    relationship = {"item_type": {"data": {"type": "item_type", "id": item_type.id}}}
    return ResourceDocument(
        type="item", id=record_id, attributes=attributes, relationships=relationship
    )


@contextmanager
def _cycle_collector_paused():
    """A batch allocates millions of small objects and frees none until it ends: the
    cycle collector would walk the whole payload again and again (a quarter of the time
    of a big batch) to find no cycle. The switch is the process's: under a threaded server
    other requests run without it for the batch's length, and it is back on after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def create_batch(
    *,
    item_type: ItemType,
    records: list,
    mode: Mode,
    creator_id: str | None,
    model: ContentModel,
    event=None,
    nested=None,
) -> BatchResult:
    """Validate and write ``records`` (the parsed body's list, emptied as it is read).
    ``event``: the request's audit log event (an ``audit_log.folding.EventInWrite``),
    inserted in the batch's transaction with the answer to the result it commits.
    ``nested``: the related records they carry (record_api.nested.NestedWrites, already
    prepared in the caller's transaction), written with the records the mode keeps."""
    with _cycle_collector_paused():
        return _create_batch(item_type, records, mode, creator_id, model, event, nested)


def _create_batch(item_type, records, mode, creator_id, model, event, nested) -> BatchResult:
    result = BatchResult(size=len(records))
    pending: dict[int, services.PendingRecord] = {}
    for index, raw in enumerate(records):
        # Once walked, the record as sent is not needed again: let it go now rather
        # than at the request's end, lowering the batch's peak (see record_api.memory).
        records[index] = None
        document = _document(raw, item_type, index)
        if isinstance(document, list):
            result.failed[index] = document
            continue
        pending[index] = services.walk_record(document, model, item_type)
        if nested is not None:  # links to another slot's new records (record_api.nested)
            nested.refuse_crossing(index, item_type.id, document.attributes, model)
    services.check_new_records(pending.values(), nested.known if nested else None)
    for index, record in pending.items():
        if record.all_errors:
            result.failed[index] = record.all_errors
    for index, errors in (nested.failed if nested else {}).items():
        result.failed[index] = errors + result.failed.get(index, [])

    keep = _to_keep(mode, result, pending)
    start = now()
    # What was only needed to validate goes as each record is finished. Each record gets
    # its own moment, a microsecond after the one before it in the batch: ordering by
    # created_at is then the batch's order, with no ties for the sort to break on ids, so
    # the (item_type, created_at) index serves it. Its other times (updated_at, published,
    # its version's) are that same moment, as for a single create.
    saved = {
        i: services.finish_record(pending.pop(i), model, creator_id, start + _STEP * i)
        for i in keep
    }
    _write(saved, mode, result, event, nested, creator_id)
    return result


_STEP = timedelta(microseconds=1)  # the finest step both databases store


def _to_keep(mode: Mode, result: BatchResult, pending: dict) -> list[int]:
    good = [index for index in pending if index not in result.failed]
    if mode is Mode.ROLLBACK:
        return [] if result.failed else good
    if mode is Mode.STOP and result.failed:
        first_failure = min(result.failed)
        return [index for index in good if index < first_failure]
    return good


def _write(saved: dict, mode: Mode, result: BatchResult, event, nested, creator_id) -> None:
    """One statement per table (INSERT or COPY), the nested records around them; if a concurrent
    write won a unique value meanwhile, find the losers one by one (all fail under
    rollback). The audit log's event goes in the first try's transaction; a batch that
    takes the slow way is recorded once answered."""
    if not saved:
        return
    model = next(iter(saved.values())).model
    try:
        with transaction.atomic():
            if nested:
                nested.write(saved, editor_id=creator_id, model=model)
            services.place_new(list(saved.values()))
            services.write_new(list(saved.values()))
            model.ensure_current()
            if nested:  # what links to the records (has_many), after them
                nested.write(saved, editor_id=creator_id, model=model, after=True)
            result.created.update(saved)  # the result as it commits, for the event's answer
            if event is not None:
                event.insert(result)
    except IntegrityError:
        for index in saved:  # rolled back (the foreign keys are checked at the commit)
            result.created.pop(index, None)
        if nested:
            nested.forget(saved)
        if mode is Mode.ROLLBACK:
            for index, record in saved.items():
                result.failed[index] = _concurrent_write_errors(record)
            return
    else:
        if event is not None:
            event.written()
        return
    for index in sorted(saved):
        if mode is Mode.STOP and result.failed and index > min(result.failed):
            break
        try:
            with transaction.atomic():
                if nested:
                    nested.write([index], editor_id=creator_id, model=model)
                services.place_new([saved[index]])
                services.write_new([saved[index]])
                model.ensure_current()
                if nested:
                    nested.write([index], editor_id=creator_id, model=model, after=True)
            result.created[index] = saved[index]
        except IntegrityError:
            result.failed[index] = _concurrent_write_errors(saved[index])
        except ApiErrors as refused:  # its parent, in the batch, failed meanwhile
            result.failed[index] = refused.errors
        if index in result.failed and nested:
            nested.forget([index])


def _concurrent_write_errors(record: services.NewRecord) -> list[ApiError]:
    return services.concurrent_write_errors(
        record.id, record.item_type, record.unique_values, record.references
    ).errors


def mode_from_flags(rollback: bool, keep_going: bool) -> Mode:
    if rollback and keep_going:
        raise ApiErrors(
            [
                ApiError(
                    "BAD_REQUEST", 400, message=("Use rollback=true or continue=true, not both.")
                )
            ]
        )
    return Mode.ROLLBACK if rollback else Mode.CONTINUE if keep_going else Mode.STOP
