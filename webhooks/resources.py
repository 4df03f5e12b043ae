"""Webhooks and webhook calls on the wire (SPEC-2 §8.1, §8.3)."""

from cms.api.wire import timestamp
from webhooks.models import Webhook, WebhookCall

ATTRIBUTES = (
    "name",
    "url",
    "custom_payload",
    "headers",
    "events",
    "http_basic_user",
    "http_basic_password",
    "enabled",
    "payload_api_version",
    "nested_items_in_payload",
    "auto_retry",
)


def webhook_resource(webhook: Webhook) -> dict:
    return {
        "type": "webhook",
        "id": webhook.id,
        "attributes": {name: getattr(webhook, name) for name in ATTRIBUTES},
    }


def call_resource(call: WebhookCall) -> dict:
    return {
        "type": "webhook_call",
        "id": str(call.pk),
        "attributes": {
            "entity_type": call.entity_type,
            "event_type": call.event_type,
            "created_at": timestamp(call.created_at),
            "request_url": call.request_url,
            "request_headers": call.request_headers or {},
            "request_payload": call.request_payload,
            "response_status": call.response_status,
            "response_headers": call.response_headers,
            "response_payload": call.response_payload,
            "attempted_auto_retries_count": call.attempted_auto_retries_count,
            "last_sent_at": timestamp(call.last_sent_at),
            "next_retry_at": timestamp(call.next_retry_at),
            "status": call.status,
        },
        "relationships": {"webhook": {"data": {"type": "webhook", "id": call.webhook_id}}},
    }
