"""The job protocol's documents (SPEC-2 §6): the 202 that starts one, the result that ends it."""

from rest_framework.response import Response

from jobs.models import Job


def accepted(job: Job) -> Response:
    """The answer of an endpoint that does its work as ``job``: the official client polls
    ``GET /job-results/<id>`` when it sees a 202, whatever the endpoint."""
    return Response({"data": {"type": "job", "id": job.id}}, status=202)


def job_result_resource(job: Job) -> dict:
    return {
        "type": "job_result",
        "id": job.id,
        "attributes": {"status": job.status, "payload": job.payload},
    }
