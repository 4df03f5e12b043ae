"""The media library's endpoints (SPEC-2 §7.3, §7.4, §7.1 bulk): upload tags, smart tags and
the bulk edits. Thin: parse, call uploads.tags or uploads.bulk, render. Upload collections
are served by the menus' views (uploads/library_urls.py)."""

from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from cms.api.body_limit import BodyLimit
from cms.api.parsing import parse_resource
from cms.api.query import nested_params
from environments.scoped_jobs import submit_here
from uploads import bulk, tags


class UploadTagListView(APIView):
    scope = "content"
    upload_permissions = True  # one action per method (access/permissions.py)

    def get(self, request):
        names, total = tags.tag_list(nested_params(request.query_params))
        return Response(
            {
                "data": [tags.tag_resource("upload_tag", name) for name in names],
                "meta": {"total_count": total},
            }
        )

    def post(self, request):
        document = parse_resource(request.data, "upload_tag")
        tag = tags.tag_create(document.attributes.get("name"))
        return Response({"data": tags.tag_resource("upload_tag", tag.name)}, status=201)


class UploadSmartTagListView(APIView):
    scope = "content"
    upload_permissions = "read"

    def get(self, request):
        names, total = tags.smart_tag_list(nested_params(request.query_params))
        return Response(
            {
                "data": [tags.tag_resource("upload_smart_tag", name) for name in names],
                "meta": {"total_count": total},
            }
        )


class BulkView(BodyLimit, APIView):
    """A bulk edit: the body checked whole (else 422, nothing queued), then a 202 job."""

    scope = "content"
    upload_permissions = "update"
    operation: bulk.Operation = None
    checker = None  # (body) -> the job's arguments, or 422

    def post(self, request):
        arguments = self.checker(request.data)
        return jobs.accepted(submit_here(self.operation.job_kind, arguments))
