"""``POST /items/bulk/...`` (items/bulk_operations.py). Thin: check the body, queue the
job, answer 202."""

from rest_framework.views import APIView

import jobs
from access.records import check_records
from cms.api.body_limit import BodyLimit
from cms.api.query import nested_params, refuse_unknown
from environments.scoped_jobs import submit_here
from items import bulk_operations

#: The permission each bulk operation needs on every record it names.
ACTIONS = {"publish": "publish", "unpublish": "publish", "destroy": "delete"}


class BulkView(BodyLimit, APIView):
    scope = "content"
    action = "publish"

    def post(self, request):
        refuse_unknown(nested_params(request.query_params), set())
        ids = bulk_operations.record_ids(self.action, request.data)
        check_records(request, ACTIONS[self.action], ids)
        kind = bulk_operations.OPERATIONS[self.action][1]
        return jobs.accepted(submit_here(kind, {"items": ids}))


class MoveToStageView(APIView):
    scope = "content"

    def post(self, request):
        bulk_operations.refuse_move_to_stage()
