"""Submitting a job."""

from functools import partial

from django.db import transaction

from jobs import queue, registry
from jobs.models import Job


def submit(kind: str, arguments: dict | None = None, *, environment: str | None = None) -> Job:
    """A new queued job of ``kind``. Its row is written in the caller's transaction, and its
    message sent once that commits: a rolled-back request leaves no job behind, and no
    worker looks for a row it can't see yet."""
    if registry.find(kind) is None:
        raise LookupError(f"No handler for jobs of kind {kind!r} (declare one in a tasks.py)")
    job = Job.objects.create(kind=kind, arguments=arguments or {}, environment=environment)
    transaction.on_commit(partial(queue.send, job.id))
    return job
