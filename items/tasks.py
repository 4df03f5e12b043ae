"""The records' jobs, each in the environment it was submitted in (by its storage, which a
rename or a promote doesn't change): re-checking validity after the rules changed
(items/validity.py) and duplicating a record (items/duplicates.py). Both may run again
from the start: a re-check writes only what it finds, and a duplicate whose worker died
before its commit wrote nothing (after it, the record id it chose is taken, and the job
answers that record)."""

from contextlib import contextmanager

import jobs
from cms.api.errors import ApiError
from environments import selection
from environments.models import Environment
from items import duplicates, validity


def submit_here(kind: str, arguments: dict):
    """A job of ``kind`` working in the environment this request or job works in."""
    storage = selection.current()
    name = Environment.objects.filter(storage=storage).values_list("name", flat=True).first()
    return jobs.submit(kind, {**arguments, "storage": storage}, environment=name)


@contextmanager
def _in_its_environment(job):
    storage = job.arguments["storage"]
    alive = Environment.objects.filter(storage=storage).exclude(
        status=Environment.Status.DESTROYING
    )
    if not alive.exists():
        raise ApiError("ENVIRONMENT_NOT_FOUND", 404, message="The job's environment was destroyed.")
    with selection.using(storage):
        yield


@jobs.handler("items.check_validity", rerunnable=True)
def check_validity(job):
    with _in_its_environment(job):
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
    with _in_its_environment(job):
        return 200, duplicates.run(job.arguments)
