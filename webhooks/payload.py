"""The request a call sends (SPEC-2 §8.2), built at each attempt from the event and the
webhook's settings as they are then (a retry uses the latest)."""

import base64

import chevron
import orjson

from cms.api.wire import timestamp
from webhooks import expand
from webhooks.models import Webhook, WebhookCall

BASE_HEADERS = {
    "Accept": "*/*",
    "User-Agent": "DatoCMS (datocms.com)",
    "Content-Type": "application/json",
}


def default_body(call: WebhookCall, webhook: Webhook, event: dict | None = None) -> dict:
    """``event``: the call's, its record built (webhooks/expand.py); else read from it."""
    if event is None:
        event = expand.events_of([call])[call.pk]
    body = {
        "site_id": event.get("site_id"),
        "webhook_id": webhook.id,
        "environment": event.get("environment"),
        "is_environment_primary": event.get("is_environment_primary"),
        "webhook_call_id": str(call.pk),
        "event_triggered_at": timestamp(call.created_at),
        "attempted_auto_retries_count": call.attempted_auto_retries_count,
        "entity_type": call.entity_type,
        "event_type": call.event_type,
        "entity": event.get("entity"),
        "related_entities": event.get("related_entities", []),
    }
    if "previous_entity" in event:
        body["previous_entity"] = event["previous_entity"]
    return body


def render(template: str, data: dict) -> str:
    """A Mustache template over the payload: keys looked up, values HTML-escaped by
    ``{{x}}`` (``{{{x}}}`` raw), no partials (nothing read from disk), no code run."""
    return chevron.render(template, data, partials_path=None)


def build_request(
    call: WebhookCall, webhook: Webhook, event: dict | None = None
) -> tuple[str, dict, bytes]:
    """(url, headers, body)."""
    data = default_body(call, webhook, event)
    url = render(webhook.url, data) if "{{" in webhook.url else webhook.url
    if webhook.custom_payload is None:
        body = orjson.dumps(data)
    else:
        body = render(webhook.custom_payload, data).encode()
    headers = {**BASE_HEADERS, **(webhook.headers or {})}
    if webhook.http_basic_user or webhook.http_basic_password:
        secret = f"{webhook.http_basic_user or ''}:{webhook.http_basic_password or ''}"
        headers["Authorization"] = "Basic " + base64.b64encode(secret.encode()).decode()
    return url, headers, body
