"""Writing build triggers, asking for builds and hearing how they went.

A build's life: :func:`trigger_build` marks it ``pending`` and queues one build request (a job:
a worker POSTs it to the CI, build_triggers/sending.py); the CI reports ``success`` or
``error`` on the trigger's ``webhook_url`` (:func:`report`), or :func:`abort` gives up on
it (``failure``). Every end of a build sets ``last_build_completed_at``. Webhook events
(``deploy_*``) are written in the same transaction as the state they announce.
"""

from django.db import IntegrityError, transaction
from django.utils.timezone import now

import jobs
from build_triggers import validation
from build_triggers.models import BuildTrigger
from cms.api.errors import ApiError, found, invalid_field
from cms.api.parsing import ResourceDocument
from webhooks import announce

Status = BuildTrigger.BuildStatus
REQUEST_JOB = "build_triggers.request"


def find_trigger(trigger_id: str) -> BuildTrigger:
    return found(BuildTrigger.objects.filter(pk=trigger_id).first(), build_trigger=trigger_id)


def trigger_create(*, document: ResourceDocument) -> BuildTrigger:
    attributes = validation.clean(document.attributes, creating=True)
    trigger = BuildTrigger(**attributes)
    taken = invalid_field("webhook_token", "VALIDATION_UNIQUENESS")
    try:
        with transaction.atomic():
            if BuildTrigger.objects.filter(webhook_token=trigger.webhook_token).exists():
                raise taken
            trigger.save(force_insert=True)
    except IntegrityError:  # a concurrent create with the same token
        raise taken from None
    return trigger


def trigger_update(*, trigger: BuildTrigger, document: ResourceDocument) -> BuildTrigger:
    attributes = validation.clean(document.attributes, creating=False, adapter=trigger.adapter)
    for name, value in attributes.items():
        setattr(trigger, name, value)
    if attributes:
        # Only what the client wrote: a build's state, written meanwhile by a worker or
        # the CI's report, is not overwritten with what this request read.
        trigger.save(update_fields=list(attributes))
    return trigger


def trigger_destroy(*, trigger: BuildTrigger) -> None:
    trigger.delete()


def trigger_build(*, trigger: BuildTrigger) -> None:
    """``POST /build-triggers/:id/trigger``: a build, asked for now and sent by a worker."""
    if not trigger.enabled:
        raise ApiError(
            "BUILD_TRIGGER_DISABLED",
            422,
            build_trigger=trigger.pk,
            message="The build trigger is disabled: enable it first.",
        )
    with transaction.atomic():
        request_builds([trigger.pk])


def request_builds(trigger_ids: list[str]) -> None:
    """Mark the builds pending and queue a request for each trigger that has none queued
    yet (inside the caller's transaction: the job's message is sent once it commits)."""
    BuildTrigger.objects.filter(pk__in=trigger_ids).update(build_status=Status.PENDING)
    for trigger_id in trigger_ids:
        # Conditional: a request already queued (not yet taken by a worker) covers this one.
        if BuildTrigger.objects.filter(pk=trigger_id, request_queued=False).update(
            request_queued=True
        ):
            jobs.submit(REQUEST_JOB, {"trigger": trigger_id})


def abort(*, trigger: BuildTrigger) -> None:
    """``DELETE /build-triggers/:id/abort``: a pending build is marked failed (and a request
    not yet sent never will be); any other state is left as it is."""
    with transaction.atomic():
        finish(trigger.pk, Status.FAILURE, only_pending=True, request_queued=False)


def report(*, token: str, status: str) -> None:
    """The CI's report on ``webhook_url``: ``success`` or ``error`` (validated by the
    view). Taken whatever the state: the CI knows how its build ended."""
    trigger = None
    if validation.TOKEN.fullmatch(token):
        trigger = BuildTrigger.objects.filter(webhook_token=token).first()
    if trigger is None:
        raise ApiError("NOT_FOUND", 404, message="No build trigger has this token.")
    with transaction.atomic():
        finish(trigger.pk, Status.SUCCESS if status == "success" else Status.FAILURE)


def finish(trigger_id: str, status: str, *, only_pending: bool = False, **columns) -> bool:
    """A build ended with ``status``: written and announced (``deploy_succeeded`` or
    ``deploy_failed``); False if there was nothing to end."""
    rows = BuildTrigger.objects.filter(pk=trigger_id)
    if only_pending:
        rows = rows.filter(build_status=Status.PENDING)
    if not rows.update(build_status=status, last_build_completed_at=now(), **columns):
        return False
    ended = BuildTrigger.objects.get(pk=trigger_id)
    announce.build_trigger(
        "deploy_succeeded" if status == Status.SUCCESS else "deploy_failed", ended
    )
    return True
