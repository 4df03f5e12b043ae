"""The DreamFactory-style record API, in two path forms (record_api.urls): DreamFactory
2's ``/api/v2/<service>/_table/<table>[/<id>]`` with the ``resource`` wrapper, and the
seed's ``/rest/<service>/<table>[/<id>]`` with ``record``; the tables and ``_schema``.
Reads (record_api.reads), creates (record_api.batch), and ``PUT``, ``PATCH`` (or ``MERGE``)
and ``DELETE`` (record_api.write_requests, record_api.writes).

``<table>`` is a model's api_key. A ``{"record": [...]}`` (or ``{"resource": [...]}``)
wrapper, or a bare array, is a batch, answered wrapped in order; a bare object is one
record, answered unwrapped. Reads: record_api.reads. Values take the same forms as
``/items``. Errors use DreamFactory's shape,
``{"error": {"code", "status_code", "message", "context"}}``, with per-field details (the
same field, code and locale as the Content Management API's).
"""

from contextlib import nullcontext

from django.conf import settings
from django.db import transaction
from rest_framework.response import Response
from rest_framework.views import APIView

from access.permissions import records as record_permissions
from access.records import check_create, check_record, check_update, everything
from audit_log.folding import EventInWrite
from cms import rate_limits
from cms.api.body_limit import BodyLimit
from cms.api.errors import ApiError, dreamfactory_body, dreamfactory_document, errors_for
from cms.api.idempotency import idempotent, kept_records
from items.content_model import ContentModel
from items.placement import placement_values
from record_api import batch, memory, options, reads, schema, write_requests, writes
from record_api import nested as nested_writes
from record_api.errors import RecordApiError, record_error
from record_api.resources import record_values

# One helper each for both path forms and every verb (record_api.options).
_columns = options.columns
_wanted_fields = options.wanted_fields
_whole_number = options.whole_number
_table = options.table


def _records(body, wrapper: str = "record") -> tuple[list, bool, object]:
    """(records, answered wrapped, fields from the body)."""
    if isinstance(body, list):
        return body, True, None
    if isinstance(body, dict) and wrapper in body:
        if not isinstance(body[wrapper], list):
            raise RecordApiError(400, f'"{wrapper}" must be an array of records.')
        return body[wrapper], True, body.get("fields")
    if isinstance(body, dict):
        return [body], False, None
    raise RecordApiError(400, f'Send a record, an array of records or {{"{wrapper}": [...]}}.')


def _flag(request, name: str) -> bool:
    """DreamFactory's booleans (record_api.options.is_true), from the query."""
    return options.is_true(request.query_params.get(name, ""))


def _check_create(request, item_type_id, values, model, index) -> None:
    try:
        check_create(request, item_type_id, values, model)
    except ApiError as error:
        error.details["record"] = index
        raise


def _update_check(request, model):
    """The role's update permission on a record about to change (per locale for a
    translator), run by the write on the rows it locked; None when the role may update
    every record (nothing to check)."""
    if everything(request, "update"):
        return None

    def check(item, values):
        try:
            check_update(request, item, values, model)
        except ApiError as refusal:  # named: in a batch, which record was refused
            refusal.details.setdefault("item", item.pk)
            raise

    return check


def _nested_writes(request, slots: list, item_type, model, ids=None):
    """The related records ``slots`` carry (record_api.nested), taken out of them, with the
    role's checks for them; None when none carries any. ``ids``: the records updated."""
    nested = nested_writes.take(slots, item_type, model, ids)
    if nested is not None:
        if not everything(request, "create"):
            nested.check_create = lambda type_id, values: check_create(
                request, type_id, values, model
            )
        nested.check_update = _update_check(request, model)
    return nested


def _delete_check(request):
    if everything(request, "delete"):
        return None
    return lambda item: check_record(request, "delete", item)


class RecordApiView(APIView):
    """Both path forms: ``wrapper`` is ``record`` under ``/rest/`` (the seed's, DSP 1.x)
    and ``resource`` under ``/api/v2/`` (DreamFactory 2's), in bodies and answers."""

    scope = "content"
    wrapper = "record"
    override_error = None
    #: X-DreamFactory-Api-Key, X-DreamFactory-Session-Token, and ``api_key=`` and
    #: ``session_token=`` in the query (cms/api/auth.py).
    dreamfactory_credentials = True

    def initialize_request(self, request, *args, **kwargs):
        """A ``POST`` tunnelling another verb (reads.method_override) is that verb, for
        the handler and the permissions alike (a read by POST is a read)."""
        try:
            verb = reads.method_override(request)
        except RecordApiError as error:
            self.override_error, verb = error, None
        if verb is not None:
            request.method = verb
        elif request.method == "MERGE":  # DreamFactory's old verb for a merge
            request.method = "PATCH"
        return super().initialize_request(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication first: 401 before 400
        if self.override_error is not None:
            raise self.override_error
        if request.method == "GET":  # a read tunnelled by POST counts as one request
            rate_limits.charge_records(request, 1)

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
    """Any other path under ``/rest/`` or ``/api/v2/`` (``_proc`` and ``_func`` among
    them: no stored procedures or functions here): DreamFactory's 404, not the CMA's."""

    def _not_found(self, request, *args, **kwargs):
        raise RecordApiError(404, f"No resource at {request.path}.")

    get = post = put = patch = delete = _not_found


class RecordServiceView(RecordApiView):
    def get(self, request, service):
        """``GET /rest/<service>`` and ``GET /api/v2/<service>/_table``: the tables
        (models, not block models), DreamFactory's ``{"resource": [{"name", "label"}]}``,
        by name."""
        options.check_service(service)
        readable = record_permissions(request)
        tables = [
            it for it in options.tables(ContentModel.load()) if readable.allows_some("read", it.id)
        ]
        return Response({"resource": [{"name": it.api_key, "label": it.name} for it in tables]})


class RecordSchemaView(RecordApiView):
    def get(self, request, service, table=None, field=None):
        """``GET /api/v2/<service>/_schema[/<table>[/<field>]]``: the tables, one table
        described as DreamFactory describes it, or one of its fields (record_api.schema)."""
        options.check_service(service)
        model = ContentModel.load()
        if table is None:
            tables = options.tables(model)
            return Response({"resource": [{"name": it.api_key, "label": it.name} for it in tables]})
        item_type = options.table(service, table, model)
        if field is None:
            return Response(schema.table(item_type, model))
        found = next((f for f in schema.fields(item_type, model) if f["name"] == field), None)
        if found is None:
            raise RecordApiError(404, f"Field '{field}' does not exist in table '{table}'.")
        return Response(found)


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

    # Idempotency-Key as on POST (cms.api.idempotency): a retry replays the first answer.
    @idempotent
    def put(self, request, service, table, record_id=None):
        return self._update(request, service, table, record_id, replace=True)

    @idempotent
    def patch(self, request, service, table, record_id=None):
        return self._update(request, service, table, record_id, replace=False)

    def _update(self, request, service, table, record_id, *, replace: bool):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        mode = batch.mode_from_flags(_flag(request, "rollback"), _flag(request, "continue"))
        wanted = self._wanted(request, item_type, model)
        chosen = write_requests.chosen_for_update(
            request, item_type, model, record_id, self.wrapper
        )
        rate_limits.charge_records(request, len(chosen.changes))
        slots = [change.attributes for change in chosen.changes]
        ids = [change.record_id for change in chosen.changes]
        nested = _nested_writes(request, slots, item_type, model, ids)
        for change, values in zip(chosen.changes, slots, strict=True):
            change.attributes = values
        result = writes.update_records(
            item_type=item_type,
            changes=chosen.changes,
            replace=replace,
            mode=mode,
            editor_id=request.auth.id,
            model=model,
            check=_update_check(request, model),
            nested=nested,
        )
        return self._answer(result, chosen, "updated", mode, item_type, model, wanted)

    @idempotent
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
            item_type=item_type,
            ids=chosen.ids,
            mode=mode,
            with_values=wanted != ["id"],
            check=_delete_check(request),
        )
        return self._answer(result, chosen, "deleted", mode, item_type, model, wanted)

    def _wanted(self, request, item_type, model):
        known = _columns(item_type, model.fields[item_type.id])
        sent = write_requests.body_fields(request.data, self.wrapper)
        return _wanted_fields(request.query_params.get("fields", sent), known)

    def _answer(self, result, chosen, verb, mode, item_type, model, wanted):
        response = write_requests.answer(
            result,
            chosen,
            wrapper=self.wrapper,
            verb=verb,
            mode=mode,
            values_of=write_requests.values_of(item_type, model, wanted),
        )
        # A failed batch that still wrote records keeps its Idempotency-Key.
        return kept_records(response) if result.records and not result.ok else response


class RecordTableView(RecordWritesView):
    def get(self, request, service, table):
        """``GET …/<table>`` (and a ``POST`` read as one): records, answered
        ``{"record": [...]}`` under ``/rest/`` (as POST's and DreamFactory's own DSP 1.x
        answers), ``{"resource": [...]}`` under ``/api/v2/``; every field unless
        ``fields`` says otherwise. Options: record_api.reads."""
        model = ContentModel.load()
        item_type = _table(service, table, model)
        opts = reads.Options(request.query_params, reads.posted_body(request), self.wrapper)
        readable = record_permissions(request)
        return Response(reads.Reader(item_type, model, opts, self.wrapper, readable).many())

    @idempotent
    def post(self, request, service, table):
        model = ContentModel.load()
        item_type = _table(service, table, model)
        records, wrapped, body_fields = _records(request.data, self.wrapper)
        if len(records) > settings.CMS_MAX_BATCH_RECORDS:
            raise RecordApiError(
                413, f"A batch holds at most {settings.CMS_MAX_BATCH_RECORDS} records."
            )
        rate_limits.charge_records(request, len(records))
        nested = _nested_writes(request, records, item_type, model)
        checked = [] if everything(request, "create") else records
        for index, values in enumerate(checked):
            # The whole batch is refused, before anything is written, naming the record.
            if isinstance(values, dict):
                _check_create(request, item_type.id, values, model, index)
        mode = batch.mode_from_flags(_flag(request, "rollback"), _flag(request, "continue"))
        known = _columns(item_type, model.fields[item_type.id])
        wanted = _wanted_fields(request.query_params.get("fields", body_fields), known)

        def answer(result, index):
            record = result.created.get(index)
            if record is None:
                return None
            placement = None
            if record.placement is not None:
                placement = placement_values(item_type, record.position, record.placement.parent_id)
            return record_values(record.id, record.data, item_type.id, model, wanted, placement)

        def respond(result) -> Response:
            if result.ok:
                answers = [answer(result, index) for index in range(result.size)]
                return Response({self.wrapper: answers} if wrapped else answers[0])
            if not wrapped:  # DreamFactory's error object, its problems in context.error
                failure = record_error(result.failed[0])
                body = dreamfactory_body(422, failure["message"], {"error": failure["details"]})
                return Response(body, status=422)
            message = "Batch Error: Not all requested records could be created."
            if mode is batch.Mode.ROLLBACK:
                message += " All changes rolled back."
            slots = [
                record_error(result.failed[index], index)
                if index in result.failed
                else answer(result, index)
                for index in range(result.size)
            ]
            context = {"error": sorted(result.failed), self.wrapper: slots}
            response = Response(dreamfactory_body(400, message, context, code=1000), status=400)
            return kept_records(response) if result.created else response

        # The audit log's event goes in the batch's transaction (audit_log/folding.py).
        event = EventInWrite(request, respond)
        # The related records carried, and the records: one transaction.
        with transaction.atomic() if nested else nullcontext():
            if nested:
                nested.prepare(model)
            result = batch.create_batch(
                item_type=item_type,
                records=records,
                mode=mode,
                creator_id=request.auth.id,
                model=model,
                event=event,
                nested=nested,
            )
        return event.response(result)


class RecordByIdView(RecordWritesView):
    """``…/<table>/<id>``: one record."""

    def get(self, request, service, table, record_id):
        """The record, unwrapped (``fields``, ``related``, ``id_field`` as for a list);
        DreamFactory's 404 if the table has none with that id."""
        model = ContentModel.load()
        item_type = _table(service, table, model)
        opts = reads.Options(request.query_params, None, self.wrapper)
        return Response(
            reads.Reader(item_type, model, opts, self.wrapper, record_permissions(request)).one(
                record_id
            )
        )
