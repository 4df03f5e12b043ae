"""Record endpoints of the Content Management API. Thin: parse, call a service, render."""

from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from access import records as permitted
from access.permissions import records as record_permissions
from audit_log.folding import EventInWrite
from cms.api.body_limit import BodyLimit
from cms.api.errors import ApiError, found
from cms.api.idempotency import idempotent
from cms.api.parsing import parse_resource
from cms.api.query import flag, nested_params, refuse_unknown
from environments.scoped_jobs import submit_here
from item_types.resources import item_type_resource
from items import duplicates, references, selectors, services
from items.content_model import ContentModel
from items.models import ItemVersion
from items.placement import mark_has_children
from items.publication_state import state_document
from items.resources import item_resource, record_document, version_resource


def _written_document(record: services.RecordWrite) -> dict:
    """A create's or update's answer: the record, its model and its written blocks."""
    model, item = record.model, record.item
    return {
        "data": item_resource(item, model),
        "included": [
            item_type_resource(
                model.item_types[item.item_type_id],
                model.field_ids(item.item_type_id),
                item.singleton_of and item.id,
            ),
            *(item_resource(block, model) for block in record.blocks),
        ],
    }


def _created(record: services.RecordWrite) -> Response:
    return Response(_written_document(record), status=201)


def _check_create(request, document) -> None:
    """The role may create records of the model with these values (a document naming no
    model is left to the create's own 422)."""
    item_type_id = document.relationship_id("item_type", "item_type")
    if item_type_id is not None:
        permitted.check_create(request, item_type_id, document.attributes)


def _check_update(request, item_id: str, document) -> None:
    if permitted.everything(request, "update") and permitted.everything(request, "read"):
        return
    item = services.find_record(item_id)
    permitted.check_update(request, item, document.attributes, ContentModel.load())


def _check(request, action: str, item_id: str) -> None:
    """``action`` on the record (read only when the role's permission depends on it)."""
    if not permitted.everything(request, action):
        permitted.check_record(request, action, services.find_record(item_id))


def _read_options(request, versions=("current", "published")) -> tuple[bool, str]:
    params = nested_params(request.query_params)
    refuse_unknown(params, {"nested", "version"})
    nested = flag(params, "nested")
    version = params.get("version", "current")
    if version not in versions:
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter="version", allowed=list(versions))
    return nested, version


class ItemListView(BodyLimit, APIView):
    scope = "content"

    def get(self, request):
        model = ContentModel.load()
        params = nested_params(request.query_params)
        readable = record_permissions(request)
        records, total, options = selectors.item_list(params, model, readable)
        mark_has_children(records, model)
        blocks = selectors.blocks_for(records, options["version"]) if options["nested"] else None
        published = options["version"] == "published"
        return Response(
            {
                "data": [
                    item_resource(
                        record,
                        model,
                        blocks=blocks,
                        data=record.published_version.data if published else None,
                    )
                    for record in records
                ],
                "meta": {"total_count": total},
            }
        )

    @idempotent
    def post(self, request):
        document = parse_resource(request.data, "item", allow_id=True)
        _check_create(request, document)
        # Its audit log event goes in the write's own statement where it can.
        event = EventInWrite(request, _created)
        record = services.item_create(document=document, creator_id=request.auth.id, event=event)
        return event.response(record)


class ItemValidateView(BodyLimit, APIView):
    """``POST /items/validate``: every check of a create, nothing written."""

    scope = "content"
    writes_nothing = True  # answered in maintenance and read-only modes too

    def post(self, request):
        document = parse_resource(request.data, "item", allow_id=True)
        _check_create(request, document)
        record = services.build_record(document=document, creator_id=request.auth.id)
        return Response(_written_document(record.saved()))


class ItemDetailView(BodyLimit, APIView):
    scope = "content"

    def get(self, request, item_id):
        nested, version = _read_options(request)
        item = services.find_record(item_id)
        permitted.check_record(request, "read", item)
        blocks = selectors.blocks_for([item], version) if nested else None
        model = ContentModel.load()
        return Response({"data": record_document(item, model, version=version, blocks=blocks)})

    def put(self, request, item_id):
        document = parse_resource(request.data, "item")
        _check_update(request, item_id, document)
        record = services.item_update(item_id=item_id, document=document, editor_id=request.auth.id)
        return Response(_written_document(record))

    def delete(self, request, item_id):
        _check(request, "delete", item_id)
        item = services.item_destroy(item_id=item_id)
        return Response({"data": item_resource(item, ContentModel.load())})


class ItemValidateExistingView(BodyLimit, APIView):
    """``POST /items/:id/validate``: every check of an update, nothing written."""

    scope = "content"
    writes_nothing = True  # answered in maintenance and read-only modes too

    def post(self, request, item_id):
        document = parse_resource(request.data, "item")
        _check_update(request, item_id, document)
        item = services.find_record(item_id)
        record = services.build_update(
            item=item,
            attributes=document.attributes,
            editor_id=request.auth.id,
            model=ContentModel.load(),
        )
        return Response(_written_document(record))


def _selection(body) -> services.Selection | None:
    """DatoCMS's selective publishing body, if one was sent."""
    if not body:
        return None
    document = parse_resource(body, "selective_publish_operation")
    return services.Selection.parse(document.attributes)


class PublishView(APIView):
    scope = "content"
    action = "publish"

    def put(self, request, item_id):
        params = nested_params(request.query_params)
        refuse_unknown(params, {"recursive"})
        recursive = flag(params, "recursive")  # in a tree: ancestors / descendants too
        selection = _selection(request.data)
        # Unpublishing is governed by the publish permission, as in DatoCMS.
        locales = None if selection is None else sorted(selection.locales)
        if selection is not None and selection.non_localized:
            locales.append(None)
        if not permitted.everything(request, "publish"):
            permitted.check_record(request, "publish", services.find_record(item_id), locales)
        if self.action == "publish":
            item = services.item_publish(
                item_id=item_id, editor_id=request.auth.id, selection=selection, recursive=recursive
            )
        else:
            if selection is not None:
                raise ApiError(
                    "INVALID_FORMAT",
                    422,
                    message=("Unpublishing part of a record is not supported: send no body."),
                )
            item = services.item_unpublish(
                item_id=item_id, editor_id=request.auth.id, recursive=recursive
            )
        return Response({"data": item_resource(item, ContentModel.load())})


class ReferencesView(APIView):
    """``GET /items/:id/references`` and ``GET /uploads/:id/references``: the records using
    this record or upload (items/references.py)."""

    scope = "content"
    kind = "item"

    def get(self, request, target_id):
        target = references.find_target(self.kind, target_id)
        if self.kind == "item":
            permitted.check_record(request, "read", target)
        params = nested_params(request.query_params)
        return Response(references.references_document(params, self.kind, target_id))


class DuplicateView(APIView):
    """``POST /items/:id/duplicate``: a job (items/duplicates.py); refused at once with
    the create's 422 when the copy can't be made."""

    scope = "content"

    def post(self, request, item_id):
        refuse_unknown(nested_params(request.query_params), set())
        _check(request, "duplicate", item_id)
        arguments = duplicates.start(item_id, request.auth.id)
        return jobs.accepted(submit_here("items.duplicate", arguments))


class PublicationStateView(APIView):
    """``GET /items/:id/current-vs-published-state`` (items/publication_state.py)."""

    scope = "content"

    def get(self, request, item_id):
        refuse_unknown(nested_params(request.query_params), set())
        item = services.find_record(item_id)
        permitted.check_record(request, "read", item)
        return Response(state_document(item, ContentModel.load()))


class ItemVersionListView(APIView):
    scope = "content"

    def get(self, request, item_id):
        item = services.find_record(item_id)
        permitted.check_record(request, "read", item)
        versions, total = selectors.record_versions(item, nested_params(request.query_params))
        model = ContentModel.load()
        return Response(
            {
                "data": [version_resource(v, item, model) for v in versions],
                "meta": {"total_count": total},
            }
        )


def _find_version(version_id: str) -> ItemVersion:
    version = ItemVersion.objects.select_related("item").filter(pk=version_id).first()
    return found(version, version=version_id)


class VersionDetailView(APIView):
    scope = "content"

    def get(self, request, version_id):
        version = _find_version(version_id)
        permitted.check_record(request, "read", version.item)
        return Response({"data": version_resource(version, version.item, ContentModel.load())})


class VersionRestoreView(APIView):
    """The official client POSTs; DatoCMS's documentation says PUT: both work."""

    scope = "content"

    def put(self, request, version_id):
        return self.post(request, version_id)

    def post(self, request, version_id):
        permitted.check_record(request, "update", _find_version(version_id).item)
        record = services.version_restore(version_id=version_id, editor_id=request.auth.id)
        # As DatoCMS: the record, then the version the restore wrote.
        return Response(
            {
                "data": [
                    item_resource(record.item, record.model),
                    version_resource(record.version, record.item, record.model),
                ]
            }
        )
