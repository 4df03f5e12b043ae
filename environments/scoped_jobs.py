"""Jobs that work inside one environment: the schema's (reorders, a field's copy), the
records' (validity re-checks, a record's copy) and the menus' reorders.

A job is queued with the storage of the environment its request (or job) works in, which
a rename or a promote doesn't change, and runs there while that environment is still
ready (else it fails with 404 ``ENVIRONMENT_NOT_FOUND``). A job that writes what a client
asked for is refused as the request would be now, under maintenance or read-only mode.
"""

from contextlib import contextmanager

import jobs
from cms.api.errors import ApiError
from environments import access, selection
from environments.models import Environment, MaintenanceMode
from environments.storages import PROJECT_STORAGE


def submit_here(kind: str, arguments: dict):
    """Queue a job of ``kind`` for the environment this request or job works in."""
    storage = selection.current()
    name = Environment.objects.filter(storage=storage).values_list("name", flat=True).first()
    return jobs.submit(kind, {**arguments, "storage": storage}, environment=name)


@contextmanager
def running_here(job, *, client_writes: bool = True):
    """The job's statements reach its environment's storage, while that is ready.

    ``client_writes``: the job writes what a client asked for, so maintenance and
    read-only mode refuse it (423) as they would the request; a job keeping derived data
    right (validity flags) passes ``False``."""
    storage = job.arguments["storage"]
    environment = Environment.objects.filter(
        storage=storage, status=Environment.Status.READY
    ).first()
    if environment is None and storage == PROJECT_STORAGE:
        environment = Environment.primary_one()  # a project whose table is still empty
    if environment is None:
        raise ApiError(
            "ENVIRONMENT_NOT_FOUND",
            404,
            environment=job.environment,
            message="The environment this job was queued in is gone, or not ready.",
        )
    if client_writes:
        maintenance = MaintenanceMode.load().active
        access.refuse_locked_writes(access.Selected.of(environment, maintenance))
    with selection.using(storage):
        yield
