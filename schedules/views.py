"""``/items/:id/scheduled-publication`` and ``/items/:id/scheduled-unpublishing``
(SPEC-2 §5). Thin: parse, call a service, render."""

from rest_framework.response import Response
from rest_framework.views import APIView

from access.records import check_record, everything
from cms.api.parsing import parse_resource
from cms.api.query import nested_params, refuse_unknown
from items.content_model import ContentModel
from items.resources import item_resource
from items.services import find_record
from schedules import services
from schedules.kinds import Kind
from schedules.resources import schedule_resource


class ScheduleView(APIView):
    """Scheduling (un)publication needs the publish permission on the record."""

    scope = "content"
    kind: Kind = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not everything(request, "publish"):
            check_record(request, "publish", find_record(kwargs["item_id"]))

    def post(self, request, item_id):
        refuse_unknown(nested_params(request.query_params), set())
        document = parse_resource(request.data, self.kind.type)
        schedule, item = services.schedule_create(
            kind=self.kind, item_id=item_id, document=document, creator_id=request.auth.id
        )
        return Response(
            {
                "data": schedule_resource(schedule),
                "included": [item_resource(item, ContentModel.load())],
            },
            status=201,
        )

    def delete(self, request, item_id):
        refuse_unknown(nested_params(request.query_params), set())
        item = services.schedule_destroy(kind=self.kind, item_id=item_id)
        return Response({"data": item_resource(item, ContentModel.load())})
