"""The records' jobs, each in the environment it was submitted in (by its storage, which a
rename or a promote doesn't change): re-checking validity after the rules changed
(items/validity.py) and duplicating a record (items/duplicates.py). Both may run again
from the start: a re-check writes only what it finds, and a duplicate whose worker died
before its commit wrote nothing (after it, the record id it chose is taken, and the job
answers that record)."""

import jobs
from environments.scoped_jobs import running_here
from items import bulk_operations, duplicates, validity


@jobs.handler("items.check_validity", rerunnable=True)
def check_validity(job):
    with running_here(job, client_writes=False):
        counts = validity.recheck(job.arguments["item_types"])
    return 200, {
        "data": {
            "type": "item_validity_check",
            "id": job.id,
            "attributes": {**counts, "item_types": job.arguments["item_types"]},
        }
    }


@jobs.handler("items.duplicate", rerunnable=True)
def duplicate(job):
    with running_here(job):
        return 200, duplicates.run(job.arguments)


def _bulk(job, action: str):
    with running_here(job):
        return 200, bulk_operations.OPERATIONS[action][2](job.arguments["items"]).document()


# Rerunnable: a run whose worker died before its commit wrote nothing; after it, a second
# run finds the work done (published again, or the records gone: those then fail as
# NOT_FOUND in its result).
@jobs.handler("items.bulk_publish", rerunnable=True)
def bulk_publish(job):
    return _bulk(job, "publish")


@jobs.handler("items.bulk_unpublish", rerunnable=True)
def bulk_unpublish(job):
    return _bulk(job, "unpublish")


@jobs.handler("items.bulk_destroy", rerunnable=True)
def bulk_destroy(job):
    return _bulk(job, "destroy")
