"""Events of the writes the job workers make: every job a worker runs (bulk operations,
an environment's fork or destroy, a record's or field's copy, reorders, validity checks,
build requests...) and every scheduled publication or unpublishing.

Their actor is ``{type: "job", id, name}``: a job's id and kind, or for a scheduled run
the schedule's id and ``scheduled_publication`` / ``scheduled_unpublishing``. The request
that queued a job has an event of its own (its token, and the job's id in its answer).
The ``request`` of a job's event is ``JOB`` on ``/job-results/<id>`` with the job's
arguments; its ``response`` the job's status and answer. A scheduled run's is ``JOB`` on
the record's schedule route, and its outcome: 200 and the record's id, or 422 and the
refusal's errors.

Each is inserted in the transaction that records the outcome (the job's row, or the
scheduled run's own writes): it commits with it or not at all. Periodic housekeeping
(webhook deliveries, pruning) writes nothing a client asked for, and records nothing.
"""

import logging

from django.db import DatabaseError, transaction

from audit_log import recording
from environments.models import Environment

logger = logging.getLogger("cms.audit_log")
METHOD = "JOB"
ACTOR_TYPE = "job"
REFUSED = 422


def record_job(job, status: int, payload) -> None:
    """Inside the transaction that records the job's outcome (jobs/runner.py)."""
    path = f"/job-results/{job.id}"
    _insert(
        recording.event_of(
            (path, METHOD, None),
            job.kind,
            _actor(job.id, job.kind),
            None,
            _environment(job.environment),
            status=status,
            sent=recording.kept(job.arguments),
            answered=recording.kept(payload),
        )
    )


def record_scheduled_run(outcome, action: str) -> None:
    """Inside the scheduled run's transaction (schedules/execution.py): ``outcome`` its
    ``Outcome``; ``action`` ``items.publish`` or ``items.unpublish``."""
    if outcome.succeeded:
        status, answered = 200, {"data": {"type": "item", "id": outcome.item_id}}
    else:  # refused as the record's publish would be
        status, answered = REFUSED, {"data": outcome.errors}
    path = f"/items/{outcome.item_id}/scheduled-{outcome.kind}"
    _insert(
        recording.event_of(
            (path, METHOD, None),
            action,
            {
                "type": ACTOR_TYPE,
                "id": str(outcome.schedule_id),
                "name": f"scheduled_{outcome.kind}",
            },
            None,
            _environment(outcome.environment),
            status=status,
            sent=recording.kept({"scheduled_at": outcome.scheduled_at.isoformat()}),
            answered=recording.kept(answered),
        )
    )


def _actor(actor_id: str, name: str) -> dict:
    return {"type": ACTOR_TYPE, "id": actor_id, "name": name}


def _environment(name: str | None) -> dict | None:
    if name is None:
        return None
    primary = Environment.objects.filter(name=name).values_list("primary", flat=True).first()
    return {"id": name, "primary": primary}


def _insert(event: dict) -> None:
    # A savepoint: an event that can't be written is logged, and the outcome it records
    # still commits.
    try:
        with transaction.atomic():
            recording.insert_in_transaction(event)
    except DatabaseError:
        logger.exception("Could not record a job's audit log event.")
