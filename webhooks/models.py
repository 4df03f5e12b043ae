"""Webhooks and their calls (SPEC-2 §8.1, §8.3). Project-wide tables: the header
``X-Environment`` doesn't scope them; a call names the environment its event came from."""

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from cms.ids import new_id


class Webhook(models.Model):
    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=255, unique=True)
    url = models.TextField()
    custom_payload = models.TextField(null=True, blank=True)
    headers = models.JSONField(default=dict)
    #: [{"entity_type", "event_types": [...], "filters": [{entity_type, entity_ids}] | null}]
    events = models.JSONField(default=list)
    http_basic_user = models.CharField(max_length=255, null=True, blank=True)
    http_basic_password = models.CharField(max_length=255, null=True, blank=True)
    enabled = models.BooleanField(default=True)
    payload_api_version = models.CharField(max_length=8, default="3")
    nested_items_in_payload = models.BooleanField(default=False)
    auto_retry = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name


class WebhooksVersion(models.Model):
    """One row, rewritten by every webhook write: the API's token query reads it, so a
    process knows without a query of its own whether its cached webhooks are current
    (webhooks/config.py). No row: no webhook was ever written."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    version = models.CharField(max_length=22, default=new_id)

    def __str__(self):
        return self.version


class WebhookCall(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending"
        SUCCESS = "success"
        FAILED = "failed"
        RESCHEDULED = "rescheduled"

    #: No database constraint, and no LIKE twin of its index: a batch writes one call per
    #: record (10,000 constraint checks at commit, a third of what the calls cost). A call
    #: written as its webhook is deleted is dropped by the delivery pass
    #: (webhooks/delivery.py); Django's delete still cascades to the calls.
    webhook = models.ForeignKey(
        Webhook,
        on_delete=models.CASCADE,
        related_name="calls",
        db_constraint=False,
        db_index=False,
    )
    entity_type = models.CharField(max_length=32)
    event_type = models.CharField(max_length=32)
    created_at = models.DateTimeField(default=now)
    #: What the event carries, whichever webhook receives it: entity, previous_entity,
    #: related_entities, environment, is_environment_primary. The request is built from
    #: it and the webhook's settings at each attempt.
    #: JSON text (orjson), not a JSONField: written in bulk (10,000 in a batch) and only
    #: ever read whole, so neither json.dumps nor jsonb's parsing is worth paying.
    event = models.TextField(default="{}")
    #: The record a not yet built event refers to (webhooks/expand.py): deleting the
    #: record builds these calls' events first (webhooks/records.py), while it exists.
    ref_item = models.CharField(max_length=64, null=True, blank=True)
    #: A worker's claim on a pending call (webhooks/delivery.py): its token and when. A
    #: claim older than ``CLAIM_EXPIRES`` is a dead worker's, and taken again.
    claim = models.CharField(max_length=22, null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    request_url = models.TextField(null=True, blank=True)
    request_headers = models.JSONField(null=True, blank=True)
    request_payload = models.TextField(null=True, blank=True)
    response_status = models.IntegerField(null=True, blank=True)
    response_headers = models.JSONField(null=True, blank=True)
    response_payload = models.TextField(null=True, blank=True)
    attempted_auto_retries_count = models.IntegerField(default=0)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    next_retry_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)

    class Meta:
        indexes = [
            models.Index(fields=["created_at"], name="webhook_calls_by_time"),
            models.Index(fields=["webhook"], name="webhook_calls_by_webhook"),
            # The delivery pass: pending calls, oldest first.
            models.Index(
                fields=["id"], condition=Q(status="pending"), name="webhook_calls_pending"
            ),
            # A record's deletion: its calls still holding a reference.
            models.Index(
                fields=["ref_item"],
                condition=Q(ref_item__isnull=False),
                name="webhook_calls_by_record",
            ),
            # The retry pass: rescheduled calls, soonest first.
            models.Index(
                fields=["next_retry_at"],
                condition=Q(status="rescheduled"),
                name="webhook_calls_due",
            ),
        ]

    def __str__(self):
        return f"{self.entity_type}.{self.event_type} -> {self.webhook_id} ({self.status})"


class DeferredCalls(models.Model):
    """A big batch's create events, not yet written as calls (webhooks/batch_events.py):
    one row in the batch's transaction instead of one call per record and webhook, each
    with its index entries. The delivery pass writes the calls, with the ids reserved here
    (so they sort where the batch's events happened); so does a read of the calls, and the
    deletion of one of its records (webhooks/expand.py), first."""

    created_at = models.DateTimeField(default=now)
    #: The calls' INSERT's arguments but the records' ids, JSON (orjson):
    #: {"format": batch_events.FORMAT, "arguments": [...]}.
    arguments = models.TextField()
    #: The batch's record ids, comma-separated, in order: a record's deletion looks for them.
    item_ids = models.TextField(default="")
    #: The calls' ids, taken from their sequence by the batch, comma-separated.
    call_ids = models.TextField()
    #: Why writing its calls failed (a worker's exception): set aside, never retried.
    error = models.TextField(null=True, blank=True)

    def __str__(self):
        return f"calls of a batch at {self.created_at}"
