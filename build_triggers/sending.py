"""Sending a build request to the CI: the job ``build_triggers.request``, on a worker
(never on a request's thread), through cms/outbound.py (its destination allow-list,
timeouts and answer cap apply).

The custom adapter POSTs ``adapter_settings.payload`` as JSON to ``trigger_url`` with
``adapter_settings.headers``. A 2xx means the CI took it: ``deploy_started``. Anything
else (another status, a refused address, a timeout) ends the build as ``failure``, with
``deploy_failed``; why is kept in ``last_request_error`` (the admin shows it) and logged.
"""

import logging

import orjson
from django.db import transaction
from django.utils.timezone import now

from build_triggers import services
from build_triggers.models import BuildTrigger
from cms import outbound
from webhooks import announce

logger = logging.getLogger("cms.build_triggers")
Status = BuildTrigger.BuildStatus
BASE_HEADERS = {"Content-Type": "application/json", "User-Agent": "DatoCMS (datocms.com)"}
MAX_ERROR = 2000


def build_request(trigger: BuildTrigger) -> tuple[str, dict, bytes]:
    """(url, headers, body) from the trigger's settings as they are now."""
    settings = trigger.adapter_settings or {}
    headers = {**BASE_HEADERS, **(settings.get("headers") or {})}
    return settings.get("trigger_url", ""), headers, orjson.dumps(settings.get("payload") or {})


def send(trigger_id: str) -> None:
    # Taken: a trigger from now on queues a request of its own.
    taken = BuildTrigger.objects.filter(pk=trigger_id, request_queued=True).update(
        request_queued=False
    )
    trigger = BuildTrigger.objects.filter(pk=trigger_id).first()
    if trigger is None or (not taken and trigger.build_status != Status.PENDING):
        # Deleted, or aborted before it was sent (the abort cancels the queued request,
        # which covered every trigger since): the job still succeeds, so say so here.
        logger.info("Build request of trigger %s not sent: deleted or aborted first", trigger_id)
        return
    error = _post(trigger)
    with transaction.atomic():
        BuildTrigger.objects.filter(pk=trigger_id).update(
            last_request_at=now(), last_request_error=error
        )
        if error is not None:
            services.finish(trigger_id, Status.FAILURE, only_pending=True)
        else:
            started = BuildTrigger.objects.filter(pk=trigger_id).first()
            if started is not None and started.build_status == Status.PENDING:
                announce.build_trigger("deploy_started", started)
    if error is not None:
        logger.warning("Build request of trigger %s failed: %s", trigger_id, error[:200])
    else:
        logger.info("Build request of trigger %s sent", trigger_id)


def _post(trigger: BuildTrigger) -> str | None:
    """None if the CI took the request (any 2xx); else why not."""
    try:
        url, headers, body = build_request(trigger)
        answer = outbound.post(url, body, headers)
    except outbound.OutboundError as error:
        return f"{error.code}: {error.message}"[:MAX_ERROR]
    except Exception as error:  # a header http.client can't send: a failed request
        return f"REQUEST_FAILED: {type(error).__name__}: {error}"[:MAX_ERROR]
    if answer.ok:
        return None
    # PostgreSQL stores no NUL in text.
    text = answer.body[:500].decode("utf-8", "replace").replace("\x00", "")
    return f"HTTP {answer.status}: {text}"[:MAX_ERROR]


def gave_up(trigger_id: str) -> None:
    """The request's job failed for good (its worker lost, say): the build failed."""
    with transaction.atomic():
        services.finish(
            trigger_id,
            Status.FAILURE,
            only_pending=True,
            request_queued=False,
            last_request_error="JOB_FAILED: the worker sending the request stopped",
        )
