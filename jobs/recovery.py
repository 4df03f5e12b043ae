"""The recovery pass: no job is lost when a worker dies or a message goes missing.

Every worker runs it when it starts and at each heartbeat (jobs/worker.py); any number may
run at once, since each change is a conditional UPDATE of what the pass read.

- A running job whose heartbeat is older than ``CMS_JOB_STALE_SECONDS`` lost its worker
  (killed, host gone, stuck). If its handler is rerunnable and it was claimed fewer than
  ``CMS_JOB_MAX_ATTEMPTS`` times, it is queued again and its message sent; otherwise it
  fails with a 500: ``JOB_INTERRUPTED`` (not rerunnable) or ``JOB_ATTEMPTS_EXHAUSTED``.
- A queued job whose message was sent more than ``CMS_JOB_REQUEUE_SECONDS`` ago gets its
  message sent again (a duplicate is harmless: the claim decides).
"""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper
from django.db.models.functions import Now

from audit_log import job_events
from cms.api.errors import ApiError, error_document
from jobs import queue, registry, runner
from jobs.models import Job

logger = logging.getLogger("cms.jobs")

State = Job.State
BATCH = 500  # rows per scan; the next pass takes the rest


@dataclass
class Recovered:
    requeued: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    resent: list[str] = field(default_factory=list)


def _ago(seconds: float) -> ExpressionWrapper:
    """The database's clock, ``seconds`` ago."""
    return ExpressionWrapper(Now() - timedelta(seconds=seconds), output_field=DateTimeField())


def recover() -> Recovered:
    done = Recovered()
    stale = _ago(settings.CMS_JOB_STALE_SECONDS)
    lost = Job.objects.filter(state=State.RUNNING, heartbeat_at__lt=stale)
    for job in lost.only("id", "kind", "worker", "attempts")[:BATCH]:
        _take_back(job, stale, done)
    unsent = _ago(settings.CMS_JOB_REQUEUE_SECONDS)
    waiting = Job.objects.filter(state=State.QUEUED, enqueued_at__lt=unsent)
    for job_id in waiting.values_list("id", flat=True)[:BATCH]:
        if waiting.filter(pk=job_id).update(enqueued_at=Now()):
            done.resent.append(job_id)
            queue.send(job_id)
    if done.requeued or done.failed or done.resent:
        logger.warning(
            "Recovery: run again %s; failed %s; message sent again %s",
            done.requeued,
            done.failed,
            done.resent,
        )
    return done


def _take_back(job: Job, stale, done: Recovered) -> None:
    still_lost = Job.objects.filter(
        pk=job.pk,
        state=State.RUNNING,
        worker=job.worker,
        attempts=job.attempts,
        heartbeat_at__lt=stale,
    )
    handler = registry.find(job.kind)
    rerunnable = handler is not None and handler.rerunnable
    if rerunnable and job.attempts < settings.CMS_JOB_MAX_ATTEMPTS:
        if still_lost.update(state=State.QUEUED, worker="", heartbeat_at=None, enqueued_at=Now()):
            done.requeued.append(job.pk)
            queue.send(job.pk)
        return
    if rerunnable:
        error = ApiError(
            "JOB_ATTEMPTS_EXHAUSTED",
            500,
            attempts=job.attempts,
            message=f"The workers running this job stopped {job.attempts} times.",
        )
    else:
        error = ApiError(
            "JOB_INTERRUPTED",
            500,
            worker=job.worker,
            message="The worker running this job stopped; the job can't be run again safely.",
        )
    payload = error_document([error])
    with transaction.atomic():
        failed = still_lost.update(
            state=State.FAILED, status=500, payload=payload, finished_at=Now()
        )
        if failed:  # its audit log event commits with its outcome, as a run's
            job_events.record_job(job, 500, payload)
    if failed:
        done.failed.append(job.pk)
        runner.given_up(job)


def heartbeat(job_ids: list[str], worker: str) -> int:
    """Mark this worker's running jobs alive; how many it still holds."""
    if not job_ids:
        return 0
    return Job.objects.filter(pk__in=job_ids, state=State.RUNNING, worker=worker).update(
        heartbeat_at=Now()
    )
