"""Running the jobs a test's requests queued, in the test's own transaction: what a worker
does (claim, run the handler, record the answer) without the queue, so that the test then
reads the result over HTTP, GET /job-results/:id, as the client's poller does."""

from jobs import runner
from jobs.models import Job


def run_queued_jobs() -> list[str]:
    """Run every queued job, oldest first; answers their ids."""
    ran = []
    for job_id in (
        Job.objects.filter(state=Job.State.QUEUED)
        .order_by("created_at", "id")
        .values_list("id", flat=True)
    ):
        job = runner.claim(job_id)
        status, payload = runner.execute(job)
        runner.finish(job, status, payload)
        ran.append(job_id)
    return ran


def job_result(api, accepted) -> dict:
    """The result of the job a 202 answer started, after running it: its attributes."""
    assert accepted.status_code == 202, accepted.body
    assert accepted.body["data"]["type"] == "job"
    job_id = accepted.body["data"]["id"]
    pending = api.get(f"/job-results/{job_id}")
    assert pending.status_code == 404  # queued: not done yet
    assert job_id in run_queued_jobs()
    done = api.get(f"/job-results/{job_id}")
    assert done.status_code == 200, done.body
    return done.body["data"]["attributes"]
