"""The DreamFactory-style record API: ``POST`` and ``GET /rest/<service>/<table>``,
``PUT``, ``PATCH`` (or ``MERGE``) and ``DELETE`` on it and on ``/rest/<service>/<table>/<id>``
(record_api.write_requests, record_api.writes), and ``GET /rest/<service>`` (the tables).

``<table>`` is a model's api_key. A ``{"record": [...]}`` wrapper (or a bare array) is a
batch, answered ``{"record": [...]}`` in order; a bare object is one record, answered
unwrapped. Values take the same forms as ``/items``. Errors use DreamFactory's shape,
``{"error": {"code", "status_code", "message", "context"}}``, with per-field details (the
same field, code and locale as the Content Management API's).
"""

import re

from django.conf import settings
from rest_framework.response import Response
from rest_framework.views import APIView

from cms import rate_limits
from cms.api.body_limit import BodyLimit
from cms.api.errors import ApiError, dreamfactory_body, dreamfactory_document, errors_for
from cms.api.idempotency import idempotent, kept_records
from cms.api.query import comma_list
from items.content_model import ContentModel
from items.pages import model_page
from items.placement import PARENT, POSITION, is_placed, placement_values, wire_attributes
from record_api import batch, limits, memory, write_requests, writes
from record_api.errors import RecordApiError, record_error
from record_api.resources import record_values
from record_api.selectors import table_records

TRUE = {"1", "true", "yes"}
DEFAULT_READ_LIMIT = 100
# DreamFactory parameters for features the record API does not have: refused, not dropped.
UNSUPPORTED_READ_PARAMETERS = frozenset(
    {"related", "id_field", "id_type", "group", "having", "count_only"}
)


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


def _columns(item_type, fields) -> list[str]:
    """The table's columns besides ``id``: its fields, and ``position`` (and
    ``parent_id``) for a sortable (or tree) model."""
    placement = [POSITION, PARENT] if item_type.tree else [POSITION] if item_type.sortable else []
    return [field.api_key for field in fields] + placement


def _wanted_fields(raw, known: list[str]) -> list[str] | None:
    """``fields``: absent or empty gives the id only, ``*`` every field, ``a,b`` the id
    and those. None means every field."""
    # Each name once: a long list of repeats would be read for every record answered.
    names = list(dict.fromkeys(n.strip() for n in str(raw or "").split(",") if n.strip()))
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


def _whole_number(params, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name, "")
    if not str(raw).strip():
        return default
    try:
        number = int(raw)
    except ValueError:
        number = None
    if number is None or not minimum <= number <= maximum:
        raise RecordApiError(
            400, f"{name} must be a whole number from {minimum} to {maximum}.", {name: raw}
        )
    return number


def _flag(request, name: str) -> bool:
    """DreamFactory's booleans: ``true``, ``1`` or ``yes`` switch on, anything else is off
    (its convention, unlike the Content Management API's strict true/false)."""
    return str(request.query_params.get(name, "")).lower() in TRUE


#: Verbs names are letters: anything else tunnelled is refused (405) rather than read.
VERB = re.compile(r"[A-Za-z]{1,16}")


class RecordApiView(APIView):
    scope = "content"
    #: DreamFactory's old verb for a merge (PATCH), still sent by its older clients.
    http_method_names = [*APIView.http_method_names, "merge"]

    def initialize_request(self, request, *args, **kwargs):
        """DreamFactory's tunnelling: a POST carrying ``X-HTTP-Method: <verb>`` (or
        ``?method=<verb>``) is handled as that verb, for clients and proxies that only send
        GET and POST. The verb replaces POST before anything reads it: permissions see the
        verb the request means (a read-only token can't DELETE through a POST), and a verb
        the path doesn't take is a 405, never a create."""
        if request.method == "POST":
            wanted = request.headers.get("X-HTTP-Method") or request.GET.get("method") or ""
            if wanted:
                request.method = wanted.upper() if VERB.fullmatch(wanted) else "INVALID"
        return super().initialize_request(request, *args, **kwargs)

    def handle_exception(self, exc):
        """Errors in DreamFactory's shape, whatever raised them; status, headers (such as
        ``WWW-Authenticate``) and logging as everywhere else in the API."""
        if isinstance(exc, RecordApiError):
            return Response(
                dreamfactory_body(exc.status, exc.message, exc.context), status=exc.status
            )
        response = super().handle_exception(exc)
        errors = errors_for(exc) or [ApiError("INTERNAL_SERVER_ERROR", 500)]
        response.data = dreamfactory_document(errors, response.status_code)
        return response


class RecordNotFoundView(RecordApiView):
    """Any other path under ``/rest/``: DreamFactory's 404, not the CMA's."""

    def _not_found(self, request, *args, **kwargs):
        raise RecordApiError(404, f"No resource at {request.path}.")

    get = post = put = patch = delete = _not_found


class RecordServiceView(RecordApiView):
    def get(self, request, service):
        """``GET /rest/<service>``: the tables (models, not block models), DreamFactory's
        ``{"resource": [{"name", "label"}]}``, by name."""
        if service not in settings.CMS_REST_SERVICES:
            raise RecordApiError(404, f"Service '{service}' does not exist.")
        tables = sorted(
            (it for it in ContentModel.load().item_types.values() if not it.modular_block),
            key=lambda it: it.api_key,
        )
        return Response({"resource": [{"name": it.api_key, "label": it.name} for it in tables]})


class RecordWritesView(BodyLimit, RecordApiView):
    """Replace, merge and delete, on a table (records chosen by ``ids``, ``filter`` or the
    body) or on one record (``record_id``); see record_api.write_requests."""

    body_limit_setting = "CMS_MAX_BATCH_BYTES"
    #: The array's name in bodies and answers: ``record`` here, ``resource`` on
    #: DreamFactory 2's ``/api/v2/.../_table/...`` (``as_view(wrapper="resource")``).
    wrapper = "record"

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        memory.give_back_after(request, response)  # a big batch's memory, once answered
        return response

    def put(self, request, service, table, record_id=None):
        return self._update(request, service, table, record_id, replace=True)

    def patch(self, request, service, table, record_id=None):
        return self._update(request, service, table, record_id, replace=False)

    merge = patch

    def _update(self, request, service, table, record_id, *, replace: bool):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        mode = batch.mode_from_flags(_flag(request, "rollback"), _flag(request, "continue"))
        wanted = self._wanted(request, item_type, model)
        chosen = write_requests.chosen_for_update(
            request, item_type, model, record_id, self.wrapper
        )
        rate_limits.charge_records(request, len(chosen.changes))
        result = writes.update_records(
            item_type=item_type,
            changes=chosen.changes,
            replace=replace,
            mode=mode,
            editor_id=request.auth.id,
            model=model,
        )
        return self._answer(result, chosen, "updated", mode, item_type, model, wanted)

    def delete(self, request, service, table, record_id=None):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        mode = batch.mode_from_flags(_flag(request, "rollback"), _flag(request, "continue"))
        wanted = self._wanted(request, item_type, model)
        chosen = write_requests.chosen_for_delete(
            request, item_type, model, record_id, self.wrapper, _flag(request, "force")
        )
        rate_limits.charge_records(request, len(chosen.changes))
        result = writes.delete_records(
            item_type=item_type, ids=chosen.ids, mode=mode, with_values=wanted != ["id"]
        )
        return self._answer(result, chosen, "deleted", mode, item_type, model, wanted)

    def _wanted(self, request, item_type, model):
        known = _columns(item_type, model.fields[item_type.id])
        sent = write_requests.body_fields(request.data, self.wrapper)
        return _wanted_fields(request.query_params.get("fields", sent), known)

    def _answer(self, result, chosen, verb, mode, item_type, model, wanted):
        return write_requests.answer(
            result,
            chosen,
            wrapper=self.wrapper,
            verb=verb,
            mode=mode,
            values_of=write_requests.values_of(item_type, model, wanted),
        )


class RecordView(RecordWritesView):
    """``/rest/<service>/<table>/<id>``: one record."""


class RecordTableView(RecordWritesView):
    def get(self, request, service, table):
        """``GET /rest/<service>/<table>``: records, answered ``{"record": [...]}``.

        The wrapper is ``record``, as POST's and DreamFactory's own (DSP 1.x)
        ``GET /rest/<service>/<table>`` answers; DreamFactory 2's ``/api/v2/.../_table``
        renamed it ``resource``. Each record is flat, ``{"id", <api_key>: value...}``,
        chosen by ``fields`` as POST does. Parameters:

        - ``filter``: see :mod:`record_api.filter_parser` (parsed, never pasted into SQL)
          and :mod:`record_api.filter_query`, within :mod:`record_api.limits`;
        - ``order``: ``name [ASC|DESC]``, comma separated, on sortable fields, ``id``,
          ``created_at`` and ``updated_at``; by default ``created_at``, then ``id``;
        - ``ids``: a comma list; without ``order`` the records come in the listed order;
        - ``limit`` (default 100, at most 1000, more is refused) and ``offset`` (at most
          ``CMS_MAX_OFFSET``);
        - ``include_count=true``: adds ``"meta": {"count": <records matching>}``;
        - ``locale``: the locale localized fields are filtered and ordered in (the
          site's main locale by default).

        Other DreamFactory parameters are ignored as DreamFactory ignores unknown ones,
        except those it uses for features not offered here (``related``, ``group``...),
        which are refused rather than silently dropped.
        """
        model = ContentModel.load()
        item_type = _table(service, table, model)
        params = request.query_params
        unsupported = sorted(UNSUPPORTED_READ_PARAMETERS & set(params))
        if unsupported:
            raise RecordApiError(
                400, f"Not supported: {', '.join(unsupported)}.", {"parameters": unsupported}
            )
        fields = model.fields[item_type.id]
        wanted = _wanted_fields(params.get("fields"), _columns(item_type, fields))
        limit = _whole_number(params, "limit", DEFAULT_READ_LIMIT, 1, limits.MAX_READ_LIMIT)
        offset = _whole_number(params, "offset", 0, 0, settings.CMS_MAX_OFFSET)
        locale = params.get("locale") or model.locales[0]
        if locale not in model.locales:
            raise RecordApiError(
                400, f"Unknown locale '{locale}'.", {"locale": locale, "allowed": model.locales}
            )

        records, condition = table_records(
            item_type,
            fields,
            locale=locale,
            filter_text=params.get("filter", ""),
            order_text=params.get("order", ""),
            ids=comma_list(params.get("ids", "")),
        )
        # The count first: it tells the page how to read the matches (items.pages).
        count = records.filter(condition).count() if _flag(request, "include_count") else None
        page = model_page(
            records, condition, item_type_id=item_type.id, offset=offset, limit=limit, total=count
        )

        placed = is_placed(item_type)
        body = {
            "record": [
                record_values(
                    item.id,
                    item.data,
                    item.item_type_id,
                    model,
                    wanted,
                    wire_attributes(item, item_type) if placed else None,
                )
                for item in page
            ]
        }
        if count is not None:
            body["meta"] = {"count": count}
        return Response(body)

    @idempotent
    def post(self, request, service, table):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        records, wrapped, body_fields = _records(request.data)
        if len(records) > settings.CMS_MAX_BATCH_RECORDS:
            raise RecordApiError(
                413, f"A batch holds at most {settings.CMS_MAX_BATCH_RECORDS} records."
            )
        rate_limits.charge_records(request, len(records))
        mode = batch.mode_from_flags(_flag(request, "rollback"), _flag(request, "continue"))
        known = _columns(item_type, model.fields[item_type.id])
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
            placement = None
            if record.placement is not None:
                placement = placement_values(item_type, record.position, record.placement.parent_id)
            return record_values(record.id, record.data, item_type.id, model, wanted, placement)

        if result.ok:
            answers = [answer(index) for index in range(result.size)]
            return Response({"record": answers} if wrapped else answers[0])
        if not wrapped:  # DreamFactory's error object, its problems in context.error
            failure = record_error(result.failed[0])
            body = dreamfactory_body(422, failure["message"], {"error": failure["details"]})
            return Response(body, status=422)
        message = "Batch Error: Not all requested records could be created."
        if mode is batch.Mode.ROLLBACK:
            message += " All changes rolled back."
        slots = [
            record_error(result.failed[index], index) if index in result.failed else answer(index)
            for index in range(result.size)
        ]
        context = {"error": sorted(result.failed), "record": slots}
        response = Response(dreamfactory_body(400, message, context, code=1000), status=400)
        return kept_records(response) if result.created else response
