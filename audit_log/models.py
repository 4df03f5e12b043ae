"""Audit log events (SPEC-2 §11): project-wide, one row per write through the APIs.

The attributes the filter language reads are columns (``actor.type`` is ``actor_type``...);
payloads are JSON, so that ``request.payload.data.relationships.item_type.data.id`` reads
into them. The id is a ULID: ordering, paging and time ranges all use the primary key."""

from django.db import models


class AuditLogEvent(models.Model):
    id = models.CharField(primary_key=True, max_length=26, editable=False)
    occurred_at = models.DateTimeField()
    action_name = models.CharField(max_length=64)
    actor_type = models.CharField(max_length=32)
    actor_id = models.CharField(max_length=64, null=True)
    actor_name = models.CharField(max_length=200, null=True)
    role_id = models.CharField(max_length=64, null=True)
    role_name = models.CharField(max_length=200, null=True)
    environment_id = models.CharField(max_length=64, null=True)
    environment_primary = models.BooleanField(null=True)
    request_path = models.TextField()
    request_method = models.CharField(max_length=10)
    request_id = models.CharField(max_length=255, null=True)
    request_payload = models.JSONField(null=True)
    response_status = models.PositiveSmallIntegerField()
    response_payload = models.JSONField(null=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "audit log event"

    def __str__(self):
        return f"{self.id} {self.action_name}"
