"""The DreamFactory-style record API: ``POST /rest/<service>/<table>``.

``<table>`` is a model's api_key. A ``{"record": [...]}`` wrapper (or a bare array) is a
batch, answered ``{"record": [...]}`` in order; a bare object is one record, answered
unwrapped. Values take the same forms as ``/items``. Errors use DreamFactory's shape,
``{"error": {"code", "status_code", "message", "context"}}``, with per-field details (the
same field, code and locale as the Content Management API's).
"""

from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.errors import ApiError, errors_for
from items import batch
from items.content_model import ContentModel
from items.resources import item_attributes

TRUE = {"1", "true", "yes"}


class RecordApiError(Exception):
    def __init__(self, status: int, message: str, context=None):
        super().__init__(message)
        self.status, self.message, self.context = status, message, context


def error_body(status: int, message: str, context=None, code: int | None = None) -> dict:
    return {
        "error": {
            "code": code or status,
            "status_code": status,
            "message": message,
            "context": context,
        }
    }


def record_error(errors: list[ApiError], index: int | None = None) -> dict:
    """One record's failure: DreamFactory's error object, with every problem in details."""
    where = f"Record {index}" if index is not None else "The record"
    return {
        "code": 422,
        "status_code": 422,
        "message": f"{where} is invalid: {len(errors)} problem(s).",
        "details": [{"error": error.code, **error.details} for error in errors],
    }


def _table(service: str, table: str, model: ContentModel):
    if service not in settings.CMS_REST_SERVICES:
        raise RecordApiError(404, f"Service '{service}' does not exist.")
    item_type = next(
        (it for it in model.item_types.values() if it.api_key == table and not it.modular_block),
        None,
    )
    if item_type is None:
        raise RecordApiError(404, f"Table '{table}' does not exist.")
    return item_type


def _wanted_fields(raw, known: list[str]) -> list[str] | None:
    """``fields``: absent or empty gives the id only, ``*`` every field, ``a,b`` the id
    and those. None means every field."""
    names = [name.strip() for name in str(raw or "").split(",") if name.strip()]
    if names == ["*"]:
        return None
    unknown = sorted(set(names) - set(known) - {"id"})
    if unknown:
        raise RecordApiError(400, f"Unknown fields: {', '.join(unknown)}.", {"fields": unknown})
    return ["id", *[name for name in names if name != "id"]]


def _records(body) -> tuple[list, bool, object]:
    """(records, answered wrapped, fields from the body)."""
    if isinstance(body, list):
        return body, True, None
    if isinstance(body, dict) and "record" in body:
        if not isinstance(body["record"], list):
            raise RecordApiError(400, '"record" must be an array of records.')
        return body["record"], True, body.get("fields")
    if isinstance(body, dict):
        return [body], False, None
    raise RecordApiError(400, 'Send a record, an array of records or {"record": [...]}.')


def _flag(request, name: str) -> bool:
    return str(request.query_params.get(name, "")).lower() in TRUE


class RecordTableView(APIView):
    scope = "content"

    def handle_exception(self, exc):
        """Errors in DreamFactory's shape, whatever raised them."""
        if isinstance(exc, RecordApiError):
            return Response(error_body(exc.status, exc.message, exc.context), status=exc.status)
        errors = errors_for(exc)
        if errors is None:
            return super().handle_exception(exc)
        first = errors[0]
        message = first.details.get("message") or first.code.replace("_", " ").capitalize()
        return Response(
            error_body(
                first.status, message, {"error": [{"error": e.code, **e.details} for e in errors]}
            ),
            status=first.status,
        )

    def post(self, request, service, table):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.CMS_MAX_BATCH_BYTES:
            raise RecordApiError(413, f"The body is over {settings.CMS_MAX_BATCH_BYTES} bytes.")
        records, wrapped, body_fields = _records(request.data)
        if len(records) > settings.CMS_MAX_BATCH_RECORDS:
            raise RecordApiError(
                413, f"A batch holds at most {settings.CMS_MAX_BATCH_RECORDS} records."
            )
        mode = batch.refuse_mixed_modes(_flag(request, "rollback"), _flag(request, "continue"))
        known = [field.api_key for field in model.fields[item_type.id]]
        wanted = _wanted_fields(request.query_params.get("fields", body_fields), known)
        result = batch.create_batch(
            item_type=item_type,
            records=records,
            mode=mode,
            creator_id=request.auth.id,
            model=model,
        )

        def answer(index):
            record = result.created.get(index)
            if record is None:
                return None
            if wanted == ["id"]:  # the default: no values to render
                return {"id": record.item.id}
            values = {"id": record.item.id, **item_attributes(record.item, result.model)}
            return values if wanted is None else {name: values[name] for name in wanted}

        if result.ok:
            answers = [answer(index) for index in range(result.size)]
            return Response({"record": answers} if wrapped else answers[0])
        if not wrapped:
            body = {"error": record_error(result.failed[0])}
            return Response(body, status=422)
        message = "Batch Error: Not all requested records could be created."
        if mode is batch.Mode.ROLLBACK:
            message += " All changes rolled back."
        slots = [
            record_error(result.failed[index], index) if index in result.failed else answer(index)
            for index in range(result.size)
        ]
        context = {"error": sorted(result.failed), "record": slots}
        return Response(error_body(400, message, context, code=1000), status=400)
