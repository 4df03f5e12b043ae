"""Running schedules when their time comes: every worker process, every
``CMS_SCHEDULE_POLL_SECONDS``, in every ready environment (schedules/tasks.py).

Exactly once, with any number of workers on any number of hosts: a schedule is claimed
by one conditional statement (``SELECT … FOR UPDATE`` of the row if it is still due and
not failed; SQLite's transactions take the write lock when they begin) inside the
transaction that publishes the record and deletes the row. A second worker waits for
that row, then finds it gone; a worker killed midway commits nothing, so the schedule is
still there for the next pass (no claim to recover). Times are the database's clock.

A refused run (the record became invalid, links to unpublished records, its parent is
unpublished...) keeps the row, with ``failed_at`` and the errors, and the record keeps
its ``meta.*_scheduled_at`` (now in the past): it is not tried again until a new schedule
replaces it or it is cancelled. Every run, done or refused, is reported once, after its
commit, through :func:`report`: a log line and the ``schedule_ran`` signal
(schedules/signals.py), where webhooks and build triggers will listen.

Environments in maintenance or read-only mode are skipped: their schedules run once
writes are allowed again.
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models.functions import Now

from audit_log import job_events
from cms.api.errors import ApiError, ApiErrors, error_document
from environments import access, selection
from environments.models import Environment, MaintenanceMode
from items.models import Item
from schedules.kinds import KINDS
from schedules.models import Schedule
from schedules.signals import schedule_ran

logger = logging.getLogger("cms.schedules")

BATCH = 200  # schedules one pass runs per environment; the next pass takes the rest
#: A run's action in the audit log: what a client's call doing it is.
AUDIT_ACTIONS = {"publication": "items.publish", "unpublishing": "items.unpublish"}


@dataclass(frozen=True)
class Outcome:
    """One schedule's run, as :func:`report` gets it."""

    environment: str
    kind: str
    item_id: str
    schedule_id: int
    scheduled_at: object
    item: Item | None = None  # the record as the run left it (None when it failed)
    errors: list | None = None  # the api_error documents' errors, when it failed

    @property
    def succeeded(self) -> bool:
        return self.errors is None


def report(outcome: Outcome) -> None:
    """The one place a scheduled run is announced, after its transaction committed: a
    log line, and the ``schedule_ran`` signal (a receiver's failure is logged, never
    undoes the run)."""
    for _receiver, result in schedule_ran.send_robust(sender=Outcome, outcome=outcome):
        if isinstance(result, Exception):
            logger.error("A receiver of schedule_ran failed: %r", result, exc_info=result)
    if outcome.succeeded:
        logger.info(
            "Scheduled %s of record %s (environment %s, due %s) ran",
            outcome.kind,
            outcome.item_id,
            outcome.environment,
            outcome.scheduled_at.isoformat(),
        )
    else:
        logger.warning(
            "Scheduled %s of record %s (environment %s, due %s) failed: %s",
            outcome.kind,
            outcome.item_id,
            outcome.environment,
            outcome.scheduled_at.isoformat(),
            "; ".join(
                f"{e['attributes']['code']} {e['attributes']['details']}" for e in outcome.errors
            ),
        )


def _due():
    return Schedule.objects.filter(failed_at__isnull=True, scheduled_at__lte=Now())


def run_due() -> list[Outcome]:
    """Every due schedule of every ready environment that takes writes now."""
    outcomes = []
    maintenance = MaintenanceMode.load().active
    for environment in Environment.objects.filter(status=Environment.Status.READY):
        try:
            access.refuse_locked_writes(access.Selected.of(environment, maintenance))
        except ApiError:
            continue  # runs once writes are allowed again
        with selection.using(environment.storage):
            due = _due().order_by("scheduled_at", "id").values_list("id", flat=True)
            for schedule_id in list(due[:BATCH]):
                outcome = _run_reporting(schedule_id, environment.name)
                if outcome is not None:
                    outcomes.append(outcome)
    return outcomes


def _run_reporting(schedule_id: int, environment: str) -> Outcome | None:
    try:
        outcome = run_one(schedule_id, environment)
    except Exception:  # a lost race with a write, the database away: the next pass retries
        logger.exception("Scheduled run %s (environment %s) interrupted", schedule_id, environment)
        return None
    if outcome is not None:
        report(outcome)
    return outcome


def run_one(schedule_id: int, environment: str) -> Outcome | None:
    """Claim the schedule if still due and run it; None if another worker did (or it was
    cancelled, replaced or is no longer due)."""
    with transaction.atomic():
        schedule = _due().select_for_update().filter(pk=schedule_id).first()
        if schedule is None:
            return None
        kind = KINDS[schedule.kind]
        facts = {
            "environment": environment,
            "kind": schedule.kind,
            "item_id": schedule.item_id,
            "schedule_id": schedule.pk,
            "scheduled_at": schedule.scheduled_at,
        }
        try:
            with transaction.atomic():  # undone alone if the run is refused
                # Cleared first: the run's own events show the record as the run leaves it.
                Item.objects.filter(pk=schedule.item_id).update(**{kind.at: None})
                item = kind.run(schedule)
                setattr(item, kind.at, None)
                schedule.delete()
        except (ApiError, ApiErrors) as refused:
            errors = refused.errors if isinstance(refused, ApiErrors) else [refused]
            if any(error.details.get("transient") for error in errors):
                raise  # a write conflict, not a refusal: the next pass tries again
            failure = error_document(errors)["data"]
            Schedule.objects.filter(pk=schedule.pk).update(failed_at=Now(), failure=failure)
            outcome = Outcome(**facts, errors=failure)
        else:
            outcome = Outcome(**facts, item=item)
        # Its audit log event, with what it wrote (audit_log/job_events.py).
        job_events.record_scheduled_run(outcome, AUDIT_ACTIONS[schedule.kind])
    return outcome
