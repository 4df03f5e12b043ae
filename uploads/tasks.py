"""The uploads' jobs, run in the environment they were asked in."""

import jobs
from environments.scoped_jobs import running_here
from uploads.destroying import destroy_unused


@jobs.handler("uploads.bulk_destroy", rerunnable=True)
def bulk_destroy(job):
    """Rerunnable: a rerun after a crash finds the uploads already deleted (NOT_FOUND)."""
    with running_here(job):
        outcome = destroy_unused(job.arguments["uploads"])
    # The client keeps only ``data``; the per-upload failures are for whoever reads the
    # job result raw.
    meta = {
        "successful": len(outcome.deleted),
        "failed": len(outcome.failures),
        "failures": outcome.failures,
    }
    return 200, {"data": [], "meta": meta}
