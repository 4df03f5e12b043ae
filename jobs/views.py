"""``GET /job-results/:id``: a finished job's answer; 404 until then (the client's poller
keeps asking on a 404 and stops at the first 2xx, so never a 2xx before the end)."""

from rest_framework.response import Response
from rest_framework.views import APIView

from cms.api.errors import ApiError
from jobs.models import Job
from jobs.resources import job_result_resource


class JobResultView(APIView):
    def get(self, request, job_id):
        job = Job.objects.filter(pk=job_id, state__in=Job.FINISHED).first()
        if job is None:
            raise ApiError("NOT_FOUND", 404, job_result=job_id)
        return Response({"data": job_result_resource(job)})
