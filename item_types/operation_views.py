"""Schema operations beyond create, read, update and delete (SPEC-2 §2.2, §2.3): copies
of a model or a field, what references a model, the form's order, and the JSON Schema of
its records. Thin: find, call a
service or a selector (or queue a job: item_types/tasks.py), render."""

from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from cms.ids import new_id
from environments.scoped_jobs import submit_here
from item_types import services
from item_types.json_schema import record_schema
from item_types.models import ItemType
from item_types.resources import field_resource, render_item_type, render_item_types
from item_types.selectors import fields_linking_to, fields_naming, models_of
from item_types.views import find_field, find_item_type
from items.content_model import ContentModel


class ItemTypeDuplicateView(APIView):
    """Synchronous, as DatoCMS's: 201 with the new model."""

    scope = "schema"

    def post(self, request, id_or_api_key):
        copy = services.item_type_duplicate(item_type=find_item_type(id_or_api_key))
        return Response({"data": render_item_type(copy)}, status=201)


class ItemTypeReferencingView(APIView):
    """Models and block models whose fields link to this model or embed it as a block."""

    scope = "schema"

    def get(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        ids = models_of(fields_naming(item_type.pk))
        resources = {r["id"]: r for r in render_item_types(ItemType.objects.filter(pk__in=ids))}
        return Response({"data": [resources[i] for i in ids]})


class FieldsReferencingView(APIView):
    """Fields (of any model, this one's included) whose validators name this model."""

    scope = "schema"

    def get(self, request, id_or_api_key):
        fields = fields_naming(find_item_type(id_or_api_key).pk)
        return Response({"data": [field_resource(f) for f in fields]})


class FieldsRelatedView(APIView):
    """Fields through which records may link to this model's records: the model's inverse
    relationships (SPEC-2 leaves the semantics open; README "Decisions")."""

    scope = "schema"

    def get(self, request, id_or_api_key):
        fields = fields_linking_to(find_item_type(id_or_api_key).pk)
        return Response({"data": [field_resource(f) for f in fields]})


class ReorderFieldsAndFieldsetsView(APIView):
    """A job; the entries are checked before it is queued (422, nothing queued)."""

    scope = "schema"

    def post(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        entries = services.clean_reorder(item_type, request.data)
        job = submit_here(
            "item_types.reorder_fields_and_fieldsets",
            {"item_type": item_type.pk, "placements": entries},
        )
        return jobs.accepted(job)


class FieldDuplicateView(APIView):
    """A job, as DatoCMS's; the copy's id is chosen now, so that a rerun finds it."""

    scope = "schema"

    def post(self, request, id_or_api_key):
        field = find_field(id_or_api_key)
        job = submit_here("item_types.duplicate_field", {"field": field.pk, "copy": new_id()})
        return jobs.accepted(job)


class ItemTypeSchemaView(APIView):
    """The JSON Schema of the model's records, in the request's environment."""

    scope = "schema"

    def get(self, request, id_or_api_key):
        model = ContentModel.load()
        item_type = model.find(id_or_api_key)
        if item_type is None:
            find_item_type(id_or_api_key)  # its 404
        return Response(record_schema(model, item_type))
