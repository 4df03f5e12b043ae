"""Test only: ``POST /test-jobs`` submits a job (answering the protocol's 202, as a product
endpoint does), ``GET /test-jobs/<id>`` shows its row; then every product route."""

from django.db import transaction
from django.urls import include, path
from rest_framework.response import Response
from rest_framework.views import APIView

import jobs
from cms.api.errors import ApiError
from jobs import queue
from jobs.models import Job

ROW = ["id", "kind", "state", "status", "attempts", "worker", "environment", "payload"]


class TestJobs(APIView):
    def post(self, request):
        """``{"kind", "arguments"?, "environment"?, "messages"?}``; ``messages``: how many
        times its message is sent (0: never, as when the send after commit failed)."""
        body = request.data
        messages = body.get("messages", 1)
        with transaction.atomic():
            if messages == 0:
                job = Job.objects.create(kind=body["kind"], arguments=body.get("arguments", {}))
            else:
                job = jobs.submit(
                    body["kind"], body.get("arguments"), environment=body.get("environment")
                )
        for _ in range(messages - 1):
            queue.send(job.id)
        return jobs.accepted(job)


class TestJob(APIView):
    def get(self, request, job_id):
        row = Job.objects.filter(pk=job_id).values(*ROW).first()
        if row is None:
            raise ApiError("NOT_FOUND", 404)
        return Response({"data": row})


urlpatterns = [
    path("test-jobs", TestJobs.as_view()),
    path("test-jobs/<str:job_id>", TestJob.as_view()),
    path("", include("cms.urls")),
]

handler404 = "cms.api.fallback.not_found"
handler500 = "cms.api.fallback.server_error"
