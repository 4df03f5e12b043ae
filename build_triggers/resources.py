"""Build triggers on the wire (SPEC-2 §9), and the address their CI reports to.

``webhook_url`` is absolute: ``CMS_PUBLIC_URL`` when set (the address clients and CIs
reach this server at, behind a proxy say), else the request's own scheme and host. Where
there is no request (a webhook payload built by a worker) and no setting, it is the path
alone."""

from django.conf import settings
from django.urls import reverse

from build_triggers.models import BuildTrigger
from cms.api.wire import timestamp

ATTRIBUTES = (
    "name",
    "adapter",
    "adapter_settings",
    "frontend_url",
    "autotrigger_on_scheduled_publications",
    "indexing_enabled",
    "enabled",
    "webhook_token",
    "build_status",
    "indexing_status",
)


def webhook_url(trigger: BuildTrigger, request=None) -> str:
    path = reverse("build-trigger-results", args=[trigger.webhook_token])
    base = (settings.CMS_PUBLIC_URL or "").rstrip("/")
    if base:
        return base + path
    return request.build_absolute_uri(path) if request is not None else path


def build_trigger_resource(trigger: BuildTrigger, request=None) -> dict:
    attributes = {name: getattr(trigger, name) for name in ATTRIBUTES}
    attributes["webhook_url"] = webhook_url(trigger, request)
    attributes["last_build_completed_at"] = timestamp(trigger.last_build_completed_at)
    return {"type": "build_trigger", "id": trigger.id, "attributes": attributes}
