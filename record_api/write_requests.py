"""Which records a ``PUT``, ``PATCH``/``MERGE`` or ``DELETE`` names, and how it is answered,
DreamFactory's way (its ``handlePATCH``/``handleDELETE``), in this order:

1. an id in the path (``/<table>/<id>``): that record, answered unwrapped;
2. ``ids=a,b,c``: those records, one body for all of them (updates);
3. ``filter=...``: the records it matches, one body for all of them (updates);
4. the body's records (``{"<wrapper>": [...]}`` or an array, each carrying its ``id``; a
   bare object is one record, answered unwrapped);
5. for a ``DELETE`` naming none of these, ``force=true`` empties the table; without it the
   call is refused (DreamFactory's rule: a table is never emptied by mistake).

``<wrapper>`` is ``record`` on ``/rest/...`` and ``resource`` on ``/api/v2/.../_table/...``:
a parameter here, so both path forms share this code.
"""

from dataclasses import dataclass

from django.conf import settings
from rest_framework.response import Response

from cms.api.errors import ApiError, dreamfactory_body
from cms.api.query import comma_list
from items.models import Item
from items.placement import is_placed, wire_attributes
from record_api.batch import Mode
from record_api.errors import RecordApiError, record_error
from record_api.resources import record_values
from record_api.selectors import table_records
from record_api.writes import Change, WriteResult


@dataclass
class Chosen:
    """The slots of a write: an id each (and, for an update, its values)."""

    changes: list[Change]
    single: bool  # answered unwrapped: a path id, or a bare object
    whole_table: bool = False  # DELETE with force=true and nothing named

    @property
    def ids(self) -> list:
        return [change.record_id for change in self.changes]


def _too_many(count: int) -> RecordApiError:
    limit = settings.CMS_MAX_BATCH_RECORDS
    return RecordApiError(
        413, f"A write changes at most {limit} records; this one names {count}.", {"max": limit}
    )


def _unwrap(body, wrapper: str) -> tuple[list, bool]:
    """(records, sent wrapped): ``{"<wrapper>": [...]}``, an array, or one bare object."""
    if isinstance(body, list) and body:
        return body, True
    if isinstance(body, dict) and wrapper in body:
        if not isinstance(body[wrapper], list) or not body[wrapper]:
            raise RecordApiError(400, f'"{wrapper}" must be an array of records.')
        return body[wrapper], True
    if isinstance(body, dict) and body:
        return [body], False
    raise RecordApiError(
        400, f'No record(s) detected in request: send a record or {{"{wrapper}": [...]}}.'
    )


def body_fields(body, wrapper: str):
    """``fields`` sent beside the wrapper, as POST takes it."""
    return body.get("fields") if isinstance(body, dict) and wrapper in body else None


def _one_body(body, wrapper: str) -> dict:
    """The values a write by path id, ``ids`` or ``filter`` gives every record it names."""
    records, _ = _unwrap(body, wrapper)
    if len(records) != 1 or not isinstance(records[0], dict):
        raise RecordApiError(
            400, "A write by id, ids or filter takes one record: the values to set.", None
        )
    return records[0]


def _without_id(values: dict, record_id) -> dict:
    """The values to write; an ``id`` sent with them must be the record's own."""
    if "id" not in values:
        return values
    if values["id"] != record_id:
        raise RecordApiError(400, "The id in the body is not the record's.", {"id": values["id"]})
    return {name: value for name, value in values.items() if name != "id"}


def _matching(item_type, model, params) -> list[str]:
    """The ids of the records ``filter`` matches (in the main locale, or ``locale``), in
    creation order; more than a batch holds is refused."""
    locale = params.get("locale") or model.locales[0]
    if locale not in model.locales:
        raise RecordApiError(
            400, f"Unknown locale '{locale}'.", {"locale": locale, "allowed": model.locales}
        )
    records, condition = table_records(
        item_type,
        model.fields[item_type.id],
        locale=locale,
        filter_text=params.get("filter", ""),
        order_text="",
        ids=[],
    )
    limit = settings.CMS_MAX_BATCH_RECORDS
    ids = list(records.filter(condition).values_list("id", flat=True)[: limit + 1])
    if len(ids) > limit:
        raise _too_many(len(ids))
    return ids


def _named_ids(params, model, item_type) -> list | None:
    """The ids ``ids`` or ``filter`` names, or None when the query names none."""
    if comma_list(params.get("ids", "")):
        ids = comma_list(params.get("ids", ""))
        if len(ids) > settings.CMS_MAX_BATCH_RECORDS:
            raise _too_many(len(ids))
        return ids
    if str(params.get("filter", "")).strip():
        return _matching(item_type, model, params)
    return None


def _record_change(raw, index: int) -> Change:
    if not isinstance(raw, dict):
        message = f"Record {index} is not an object of field values."
        return Change(errors=[ApiError("INVALID_FORMAT", 422, record=index, message=message)])
    record_id = raw.get("id")
    if not isinstance(record_id, str) or not record_id:
        message = "Each record names the record it changes in its id."
        error = ApiError("INVALID_FORMAT", 422, field="id", record=index, message=message)
        return Change(errors=[error])
    values = {name: value for name, value in raw.items() if name != "id"}
    return Change(record_id=record_id, attributes=values)


def chosen_for_update(request, item_type, model, record_id, wrapper: str) -> Chosen:
    body = request.data
    if record_id is not None:
        values = _without_id(_one_body(body, wrapper), record_id)
        return Chosen([Change(record_id, values)], single=True)
    ids = _named_ids(request.query_params, model, item_type)
    if ids is not None:
        values = _one_body(body, wrapper)
        if "id" in values:
            raise RecordApiError(
                400, "A write by ids or filter sets values, not an id.", {"id": values["id"]}
            )
        return Chosen([Change(record_id, values) for record_id in ids], single=False)
    records, wrapped = _unwrap(body, wrapper)
    if len(records) > settings.CMS_MAX_BATCH_RECORDS:
        raise _too_many(len(records))
    changes = [_record_change(raw, index) for index, raw in enumerate(records)]
    return Chosen(changes, single=not wrapped)


def chosen_for_delete(request, item_type, model, record_id, wrapper: str, force: bool) -> Chosen:
    if record_id is not None:
        return Chosen([Change(record_id)], single=True)
    ids = _named_ids(request.query_params, model, item_type)
    if ids is not None:
        return Chosen([Change(record_id) for record_id in ids], single=False)
    body = request.data
    if body not in (None, {}, [], ""):  # records sent: their ids
        records, wrapped = _unwrap(body, wrapper)
        if len(records) > settings.CMS_MAX_BATCH_RECORDS:
            raise _too_many(len(records))
        changes = []
        for index, raw in enumerate(records):
            change = _record_change(raw, index)
            change.attributes = None
            changes.append(change)
        if changes:
            return Chosen(changes, single=not wrapped)
    if not force:
        raise RecordApiError(
            400,
            "No filter, ids or records given for delete request: "
            "add force=true to delete every record of the table.",
            {"force": False},
        )
    limit = settings.CMS_MAX_BATCH_RECORDS
    records = Item.objects.filter(item_type_id=item_type.id, root__isnull=True)
    every = list(records.order_by("created_at", "id").values_list("id", flat=True)[: limit + 1])
    if len(every) > limit:
        raise _too_many(len(every))
    return Chosen([Change(record_id) for record_id in every], single=False, whole_table=True)


def answer(
    result: WriteResult,
    chosen: Chosen,
    *,
    wrapper: str,
    verb: str,
    mode: Mode,
    values_of,
) -> Response:
    """DreamFactory's answers: the records (``values_of(item)``: chosen by ``fields``), in
    the request's order; a single record's refusal is its error object (404 for an
    unknown id, 422 for invalid values); a failed batch is its batch error (400,
    ``code`` 1000, ``context.error`` the failed slots, ``context.<wrapper>`` per slot the
    record or its error)."""

    def slot(index):
        item = result.records.get(index)
        return None if item is None else values_of(item)

    if result.ok:
        if chosen.whole_table:
            return Response({"success": True, "count": result.size})
        answers = [slot(index) for index in range(result.size)]
        return Response(answers[0] if chosen.single else {wrapper: answers})
    if chosen.single:
        errors = result.failed[0]
        if errors[0].code == "NOT_FOUND":
            error = errors[0]
            context = {"error": [{"error": error.code, **error.details}]}
            return Response(dreamfactory_body(404, error.details["message"], context), 404)
        failure = record_error(errors)
        body = dreamfactory_body(422, failure["message"], {"error": failure["details"]})
        return Response(body, status=422)
    message = f"Batch Error: Not all requested records could be {verb}."
    if mode is Mode.ROLLBACK:
        message += " All changes rolled back."
    slots = [
        record_error(result.failed[index], index) if index in result.failed else slot(index)
        for index in range(result.size)
    ]
    context = {"error": sorted(result.failed), wrapper: slots}
    return Response(dreamfactory_body(400, message, context, code=1000), status=400)


def values_of(item_type, model, wanted):
    """A written record as the answer shows it (``fields``)."""
    placed = is_placed(item_type)
    if wanted == ["id"]:  # a delete answered by ids reads nothing else of them
        return lambda item: {"id": item.id}

    def values(item):
        placement = wire_attributes(item, item_type) if placed else None
        return record_values(item.id, item.data, item.item_type_id, model, wanted, placement)

    return values
