"""Build triggers (SPEC-2 §9). A project-wide table, as on DatoCMS: a build deploys the
site, which reads the primary environment, so the header ``X-Environment`` doesn't scope
them and a fork doesn't copy them."""

import secrets

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id


def new_webhook_token() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 random bits


class BuildTrigger(models.Model):
    class Adapter(models.TextChoices):
        CUSTOM = "custom"
        NETLIFY = "netlify"
        VERCEL = "vercel"
        GITLAB = "gitlab"

    class BuildStatus(models.TextChoices):
        UNKNOWN = "unknown", "never built"
        PENDING = "pending"
        SUCCESS = "success"
        FAILURE = "failure"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=255)
    adapter = models.CharField(max_length=16, choices=Adapter.choices, default=Adapter.CUSTOM)
    #: custom: {"trigger_url": str, "headers": {name: value}, "payload": {...}}
    adapter_settings = models.JSONField(default=dict)
    frontend_url = models.TextField(null=True, blank=True)
    autotrigger_on_scheduled_publications = models.BooleanField(default=False)
    indexing_enabled = models.BooleanField(default=False)
    enabled = models.BooleanField(default=True)
    #: In the path of ``webhook_url``, where the CI reports a build's result: no API token.
    webhook_token = models.CharField(max_length=64, unique=True, default=new_webhook_token)
    build_status = models.CharField(
        max_length=16, choices=BuildStatus.choices, default=BuildStatus.UNKNOWN, editable=False
    )
    last_build_completed_at = models.DateTimeField(null=True, blank=True, editable=False)
    indexing_status = models.CharField(max_length=16, default="unknown", editable=False)
    #: A build request is queued and no worker has taken it yet: another trigger meanwhile
    #: joins it (one request to the CI, which builds whatever is there when it runs).
    request_queued = models.BooleanField(default=False, editable=False)
    #: When the last build request was sent, and why it failed (None: the CI took it).
    last_request_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_request_error = models.TextField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name
