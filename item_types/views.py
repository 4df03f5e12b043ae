"""Schema endpoints: /site, /item-types, /fields, /fieldsets. Thin: parse, call a service,
render. (Copies, references and the form's order: item_types/operation_views.py.)"""

from collections.abc import Callable
from typing import NamedTuple

from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.errors import found
from cms.api.parsing import parse_resource
from item_types import services
from item_types.models import Field, Fieldset, ItemType, Site
from item_types.resources import (
    field_resource,
    fieldset_resource,
    item_type_resource,
    render_item_type,
    render_item_types,
    site_resource,
)
from item_types.selectors import in_form_order


def find_item_type(id_or_api_key: str) -> ItemType:
    item_type = ItemType.objects.filter(pk=id_or_api_key).first() or (
        ItemType.objects.filter(api_key=id_or_api_key).first()
    )
    return found(item_type, item_type=id_or_api_key)


def find_field(id_or_api_key: str) -> Field:
    """A field by id, or as ``model_api_key::field_api_key``."""
    if "::" in id_or_api_key:
        model_key, _, field_key = id_or_api_key.partition("::")
        field = Field.objects.filter(item_type__api_key=model_key, api_key=field_key).first()
    else:
        field = Field.objects.filter(pk=id_or_api_key).first()
    return found(field, field=id_or_api_key)


def find_fieldset(fieldset_id: str) -> Fieldset:
    return found(Fieldset.objects.filter(pk=fieldset_id).first(), fieldset=fieldset_id)


class SiteView(APIView):
    scope = "schema"

    def get(self, request):
        return Response(self._document(Site.load(), request.query_params.get("include", "")))

    def put(self, request):
        document = parse_resource(request.data, "site")
        site = services.site_update(site=Site.load(), document=document)
        return Response(self._document(site, ""))

    @staticmethod
    def _document(site: Site, include: str) -> dict:
        wanted = {part.strip() for part in include.split(",") if part.strip()}
        if wanted & {"item_types", "item_types.fields"}:
            included = render_item_types()
            item_type_ids = [resource["id"] for resource in included]
        else:
            included = []
            item_type_ids = list(ItemType.objects.values_list("id", flat=True))
        if "item_types.fields" in wanted:
            included += [field_resource(f) for f in Field.objects.order_by("item_type", "position")]
        body = {"data": site_resource(site, item_type_ids)}
        if wanted:
            body["included"] = included
        return body


class ItemTypeListView(APIView):
    scope = "schema"

    def get(self, request):
        return Response({"data": render_item_types()})

    def post(self, request):
        document = parse_resource(request.data, "item_type", allow_id=True)
        # The query parameters are for what a new model brings along (its menu items).
        options = request.query_params.dict()
        item_type = services.item_type_create(document=document, options=options)
        # A new model has no fields and no record yet.
        return Response({"data": item_type_resource(item_type, field_ids=[])}, status=201)


class _Kind(NamedTuple):
    """A kind of schema resource as its detail view handles it: how to find and render
    one, and the services that update and destroy it, which take it by the kind's name
    (``field_update(field=..., document=...)``)."""

    find: Callable
    render: Callable
    update: Callable
    destroy: Callable


class _SchemaResourceView(APIView):
    """GET, PUT and DELETE of one model, field or fieldset (``resource_type``, a key of
    ``KINDS``); DELETE answers the resource as it was."""

    scope = "schema"
    resource_type: str

    @property
    def kind(self) -> _Kind:
        return KINDS[self.resource_type]

    def get(self, request, id_or_api_key):
        return Response({"data": self.kind.render(self.kind.find(id_or_api_key))})

    def put(self, request, id_or_api_key):
        instance = self.kind.find(id_or_api_key)
        document = parse_resource(request.data, self.resource_type)
        updated = self.kind.update(**{self.resource_type: instance}, document=document)
        return Response({"data": self.kind.render(updated)})

    def delete(self, request, id_or_api_key):
        instance = self.kind.find(id_or_api_key)
        answer = self.kind.render(instance)
        self.kind.destroy(**{self.resource_type: instance})
        return Response({"data": answer})


class ItemTypeDetailView(_SchemaResourceView):
    resource_type = "item_type"

    def delete(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        answer = render_item_type(item_type)
        # The query parameters are for what goes with the model (its menu items).
        services.item_type_destroy(item_type=item_type, options=request.query_params.dict())
        return Response({"data": answer})


class FieldListView(APIView):
    scope = "schema"

    def get(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        fields = in_form_order(item_type.fields.all())
        return Response({"data": [field_resource(f) for f in fields]})

    def post(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        document = parse_resource(request.data, "field", allow_id=True)
        field = services.field_create(item_type=item_type, document=document)
        item_type.refresh_from_db()
        return Response(
            {
                "data": field_resource(field),
                "included": [render_item_type(item_type)],
            },
            status=201,
        )


class FieldDetailView(_SchemaResourceView):
    resource_type = "field"


class FieldsetListView(APIView):
    scope = "schema"

    def get(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        fieldsets = item_type.fieldsets.order_by("position")
        return Response({"data": [fieldset_resource(f) for f in fieldsets]})

    def post(self, request, id_or_api_key):
        item_type = find_item_type(id_or_api_key)
        document = parse_resource(request.data, "fieldset", allow_id=True)
        fieldset = services.fieldset_create(item_type=item_type, document=document)
        return Response(
            {"data": fieldset_resource(fieldset), "included": [render_item_type(item_type)]},
            status=201,
        )


class FieldsetDetailView(_SchemaResourceView):
    resource_type = "fieldset"


KINDS = {
    "item_type": _Kind(
        find_item_type, render_item_type, services.item_type_update, services.item_type_destroy
    ),
    "field": _Kind(find_field, field_resource, services.field_update, services.field_destroy),
    "fieldset": _Kind(
        find_fieldset, fieldset_resource, services.fieldset_update, services.fieldset_destroy
    ),
}
