"""Record endpoints of the Content Management API. Thin: parse, call a service, render."""

from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.errors import ApiError
from cms.api.parsing import parse_resource
from item_types.resources import item_type_resource
from items import services
from items.content_model import ContentModel
from items.models import Item
from items.resources import item_resource


def _created_document(record: services.SavedRecord) -> dict:
    model, item = record.model, record.item
    return {
        "data": item_resource(item, model),
        "included": [
            item_type_resource(
                item.item_type, model.field_ids(item.item_type_id), item.singleton_of and item.id
            ),
            *(item_resource(block, model) for block in record.blocks),
        ],
    }


class ItemListView(APIView):
    scope = "content"

    def post(self, request):
        document = parse_resource(request.data, "item", allow_id=True)
        record = services.item_create(document=document, creator_id=request.auth.id)
        return Response(_created_document(record), status=201)


class ItemValidateView(APIView):
    """``POST /items/validate``: every check of a create, nothing written."""

    scope = "content"

    def post(self, request):
        document = parse_resource(request.data, "item", allow_id=True)
        record = services.build_record(document=document, creator_id=request.auth.id)
        return Response(_created_document(record))


class ItemDetailView(APIView):
    scope = "content"

    def get(self, request, item_id):
        item = Item.objects.filter(pk=item_id).first()
        if item is None:
            raise ApiError("NOT_FOUND", 404, item=item_id)
        return Response({"data": item_resource(item, ContentModel.load())})
