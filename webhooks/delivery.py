"""Sending calls, on the workers (never on a request's thread).

- the delivery pass (periodic, every ``CMS_WEBHOOK_POLL_SECONDS`` in every worker):
  first the calls big batches deferred (webhooks/batch_events.py), then pending calls,
  oldest first, claimed ``CHUNK`` at a time by one conditional UPDATE
  (a token and a time), so that each is sent by one worker; a claim older than
  ``CLAIM_EXPIRES`` belonged to a worker that died, and is taken again.
- the retry pass (periodic): rescheduled calls now due, each claimed by one conditional
  UPDATE so that one worker sends it.
- ``webhooks.resend`` (a job per ``resend_webhook``): one call, now; it doesn't count as
  an auto-retry; success stops further retries, failure leaves the schedule as it was.

Each attempt builds the request from the webhook's settings as they are then.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import F, Q
from django.utils.timezone import now

from cms import outbound
from cms.ids import new_id
from webhooks import batch_events, expand, payload
from webhooks.models import DeferredCalls, Webhook, WebhookCall

logger = logging.getLogger("cms.webhooks")
Status = WebhookCall.Status
MAX_STORED_PAYLOAD = 16 * 1024
SENT_FIELDS = [
    "request_url",
    "request_headers",
    "request_payload",
    "response_status",
    "response_headers",
    "response_payload",
    "last_sent_at",
    "next_retry_at",
    "status",
    "claim",
    "claimed_at",
]


CHUNK = 50
FLUSH_SECONDS = 1.0
CLAIM_EXPIRES = timedelta(minutes=10)  # > CHUNK calls at the total timeout each


def deliver_pending(limit: int = 10_000) -> int:
    """Send pending calls until none is left (or ``limit``); how many were sent."""
    sent = 0
    while sent < limit:
        batch_events.write_deferred()  # big batches' calls first (their ids come first)
        calls = claim_pending()
        if not calls:
            return sent
        hooks = Webhook.objects.in_bulk({call.webhook_id for call in calls})
        calls = _without_orphans(calls, hooks)
        events = _events(calls)
        done, since = [], time.monotonic()
        for call in calls:
            hook = hooks.get(call.webhook_id)
            if attempt(call, hook, manual=False, event=events.get(call.pk), save=False):
                done.append(call)
            # Written a chunk at a time, or sooner when a slow receiver holds the chunk up
            # (GET /webhook_calls shows the outcome within about FLUSH_SECONDS).
            if time.monotonic() - since > FLUSH_SECONDS:
                record(done)
                done, since = [], time.monotonic()
        record(done)
        sent += len(calls)
    return sent


def _without_orphans(calls: list[WebhookCall], hooks: dict) -> list[WebhookCall]:
    """The calls whose webhook exists; the others (written as their webhook was deleted:
    calls have no foreign-key constraint, webhooks/models.py) are deleted."""
    orphans = [call.pk for call in calls if call.webhook_id not in hooks]
    if orphans:
        WebhookCall.objects.filter(pk__in=orphans).delete()
    return [call for call in calls if call.webhook_id in hooks]


def claim_pending() -> list[WebhookCall]:
    """Up to CHUNK pending calls, now this worker's."""
    moment, token = now(), new_id()
    claimable = WebhookCall.objects.filter(status=Status.PENDING).filter(
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=moment - CLAIM_EXPIRES)
    )
    ids = list(claimable.order_by("pk").values_list("pk", flat=True)[:CHUNK])
    if not ids:
        return []
    # Conditional: a worker that read the same ids a moment earlier claims them first.
    claimable.filter(pk__in=ids).update(claim=token, claimed_at=moment)
    return list(WebhookCall.objects.filter(claim=token, pk__in=ids).order_by("pk"))


def retry_due(limit: int = 200) -> int:
    due = WebhookCall.objects.filter(status=Status.RESCHEDULED, next_retry_at__lte=now())
    sent = 0
    for call_id in list(due.order_by("next_retry_at").values_list("pk", flat=True)[:limit]):
        claimed = WebhookCall.objects.filter(
            pk=call_id, status=Status.RESCHEDULED, next_retry_at__lte=now()
        ).update(
            status=Status.PENDING,
            attempted_auto_retries_count=F("attempted_auto_retries_count") + 1,
            # Claimed too: the pending pass (another thread) must not send it as well.
            claim=new_id(),
            claimed_at=now(),
        )
        if claimed:
            call = WebhookCall.objects.get(pk=call_id)
            attempt(call, Webhook.objects.filter(pk=call.webhook_id).first(), manual=False)
            sent += 1
    return sent


def resend(call_id: int) -> None:
    call = WebhookCall.objects.filter(pk=call_id).first()
    if call is not None:
        attempt(call, Webhook.objects.filter(pk=call.webhook_id).first(), manual=True)


def _events(calls: list[WebhookCall]) -> dict:
    """The chunk's events, records built together (webhooks/expand.py); none when that
    fails (a record's environment gone...): each call then builds its own, and fails
    alone."""
    try:
        return expand.events_of(calls)
    except Exception:
        logger.exception("Building %s webhook payloads together failed", len(calls))
        return {}


def attempt(
    call: WebhookCall,
    webhook: Webhook | None,
    *,
    manual: bool,
    event: dict | None = None,
    save: bool = True,
) -> bool:
    """Send the call once and write what happened (``save=False``: the caller writes it,
    with others, :func:`record`); whether it was sent."""
    if webhook is None:
        return False  # deleted meanwhile: its calls went with it
    before = (call.status, call.next_retry_at)
    call.last_sent_at = now()
    try:
        url, headers, body = payload.build_request(call, webhook, event)
        call.request_url, call.request_headers = url, headers
        call.request_payload = body[:MAX_STORED_PAYLOAD].decode("utf-8", "replace")
        answer = outbound.post(url, body, headers, keep_alive=True)
    except outbound.OutboundError as error:
        url = call.request_url
        call.response_status, call.response_headers = None, None
        call.response_payload = f"{error.code}: {error.message}"
        succeeded = False
    except Exception as error:  # a header or URL http.client can't send: a failed attempt
        url = call.request_url
        call.response_status, call.response_headers = None, None
        call.response_payload = f"REQUEST_FAILED: {type(error).__name__}: {error}"
        succeeded = False
    else:
        call.response_status = answer.status
        # PostgreSQL stores no NUL in text or jsonb: a binary answer must not jam the call.
        call.response_headers = {
            _no_nul(key): _no_nul(value) for key, value in (answer.headers or {}).items()
        }
        call.response_payload = _no_nul(answer.body.decode("utf-8", "replace"))
        succeeded = answer.ok
    if succeeded:
        call.status, call.next_retry_at = Status.SUCCESS, None
    elif manual and before[0] == Status.RESCHEDULED:
        call.status, call.next_retry_at = before
    else:
        _failed(call, webhook)
    call.claim = call.claimed_at = None
    if save:
        record([call])
    if not succeeded:
        logger.info("Webhook call %s to %s failed: %s", call.pk, url, call.response_payload[:200])
    return True


def record(calls: list[WebhookCall]) -> None:
    """The calls' SENT_FIELDS, in one UPDATE ... FROM (VALUES ...) (PostgreSQL, and SQLite
    since 3.33): one statement per chunk, not one per call. Not the event: it doesn't
    change."""
    if not calls:
        return
    fields = [WebhookCall._meta.get_field(name) for name in SENT_FIELDS]
    quote = connection.ops.quote_name
    table = quote(WebhookCall._meta.db_table)
    names = ", ".join(quote(f"v_{field.column}") for field in fields)
    postgresql = connection.vendor == "postgresql"
    # PostgreSQL types a VALUES column from its values (text when all are NULL): cast.
    sets = ", ".join(
        f"{quote(field.column)} = v.{quote('v_' + field.column)}"
        + (f"::{field.db_type(connection)}" if postgresql else "")
        for field in fields
    )
    row = "(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"
    params = [
        value
        for call in calls
        for value in (
            call.pk,
            *(field.get_db_prep_save(getattr(call, field.attname), connection) for field in fields),
        )
    ]
    key = "::bigint" if postgresql else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH v(v_id, {names}) AS (VALUES {', '.join([row] * len(calls))}) "
            f"UPDATE {table} SET {sets} FROM v WHERE {table}.{quote('id')} = v.v_id{key}",
            params,
        )


def _failed(call: WebhookCall, webhook: Webhook) -> None:
    delays = settings.CMS_WEBHOOK_RETRY_DELAYS
    if webhook.auto_retry and call.attempted_auto_retries_count < len(delays):
        delay = delays[call.attempted_auto_retries_count]
        call.status, call.next_retry_at = Status.RESCHEDULED, now() + timedelta(seconds=delay)
    else:
        call.status, call.next_retry_at = Status.FAILED, None


def prune() -> int:
    cutoff = now() - timedelta(days=settings.CMS_WEBHOOK_CALL_RETENTION_DAYS)
    deleted, _ = WebhookCall.objects.filter(created_at__lt=cutoff).delete()
    # A big batch's calls set aside (batch_events: never written) go as calls would have.
    DeferredCalls.objects.filter(created_at__lt=cutoff, error__isnull=False).delete()
    return deleted


def _no_nul(text):
    return text.replace("\x00", "") if isinstance(text, str) else text
