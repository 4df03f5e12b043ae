"""Running one job: claim it, run its handler, record its answer.

A worker runs a job only after claiming it with one conditional UPDATE (queued → running),
so two workers given the same message (a resend, a duplicate) never both run it. The claim
names the worker (``host:pid``) and counts the attempt; the answer is recorded only if the
row still shows that worker and attempt, so a worker the recovery pass gave up on (its
heartbeat went stale) can't overwrite what a later attempt did.

While a handler runs, its job is listed in :data:`running`; the worker's heartbeat
(jobs/worker.py) marks those rows alive. Each job runs as a request does: with the jobs'
statement limit (cms/db.py) and Django's ``close_old_connections`` before and after.
"""

import json
import logging
import os
import socket
import threading
import time

from django.db import close_old_connections, transaction
from django.db.models import F
from django.db.models.functions import Now

from audit_log import job_events
from cms.api.errors import ApiError, error_document, errors_for
from cms.db import use_limit
from jobs import registry
from jobs.models import Job

logger = logging.getLogger("cms.jobs")

State = Job.State

_running_lock = threading.Lock()
running: set[str] = set()  # ids of the jobs this process is running


def identity() -> str:
    """This worker process, as jobs name it: ``host:pid``."""
    return f"{socket.gethostname()}:{os.getpid()}"


def running_now() -> list[str]:
    with _running_lock:
        return list(running)


def run(job_id: str) -> None:
    """Run the job ``job_id`` if it is still queued: the queue's one task. Tests may call it
    on a transactional database (it commits, and closes connections, as a worker does)."""
    use_limit(None)  # the jobs' statement limit, whatever this thread did before
    close_old_connections()
    try:
        job = claim(job_id)
        if job is None:
            return
        started = time.monotonic()
        with _running_lock:
            running.add(job.id)
        try:
            status, payload = execute(job)
        finally:
            with _running_lock:
                running.discard(job.id)
        close_old_connections()  # the handler's connection may be broken: a fresh one
        with transaction.atomic():
            recorded = finish(job, status, payload)
            if recorded:  # its audit log event commits with its outcome
                job_events.record_job(job, status, payload)
        if recorded and not 200 <= status < 300:
            given_up(job)
        logger.info(
            "Job %s (%s) %s with %s in %.3f s%s",
            job.id,
            job.kind,
            "succeeded" if 200 <= status < 300 else "failed",
            status,
            time.monotonic() - started,
            "" if recorded else "; not recorded: it was taken back meanwhile",
        )
    finally:
        close_old_connections()


def claim(job_id: str) -> Job | None:
    """The job, now running on this worker; None if it isn't queued (unknown, another
    worker's, or done)."""
    claimed = Job.objects.filter(pk=job_id, state=State.QUEUED).update(
        state=State.RUNNING,
        attempts=F("attempts") + 1,
        worker=identity(),
        started_at=Now(),
        heartbeat_at=Now(),
    )
    return Job.objects.get(pk=job_id) if claimed else None


def execute(job: Job) -> tuple[int, object]:
    """The handler's (status, payload); an exception becomes its error document."""
    handler = registry.find(job.kind)
    try:
        if handler is None:
            raise ApiError("UNKNOWN_JOB_KIND", 500, kind=job.kind)
        status, payload = handler.run(job)
        if not (isinstance(status, int) and 100 <= status <= 599):
            raise TypeError(f"{job.kind} returned the status {status!r}")
        json.dumps(payload)  # the row must be able to hold it
        return status, payload
    except Exception as exc:
        errors = errors_for(exc)
        if errors is None:
            logger.exception("Job %s (%s) failed", job.id, job.kind)
            errors = [ApiError("INTERNAL_SERVER_ERROR", 500)]
        return errors[0].status, error_document(errors)


def finish(job: Job, status: int, payload) -> bool:
    """Record the answer, if the job is still this attempt of this worker's."""
    return bool(
        Job.objects.filter(
            pk=job.pk, state=State.RUNNING, worker=job.worker, attempts=job.attempts
        ).update(
            state=State.SUCCEEDED if 200 <= status < 300 else State.FAILED,
            status=status,
            payload=payload,
            finished_at=Now(),
        )
    )


def given_up(job: Job) -> None:
    """The job failed for good: its handler's ``on_failure``, if it has one (a failure
    there is logged: the job's answer is already recorded)."""
    handler = registry.find(job.kind)
    if handler is None or handler.on_failure is None:
        return
    try:
        handler.on_failure(job)
    except Exception:
        logger.exception("Job %s (%s): on_failure failed", job.id, job.kind)
