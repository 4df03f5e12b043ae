"""An audit log event as JSON:API (SPEC-2 §11)."""

from audit_log.models import AuditLogEvent


def event_resource(event: AuditLogEvent, detailed: bool) -> dict:
    role = None
    if event.role_id is not None or event.role_name is not None:
        role = {"id": event.role_id, "name": event.role_name}
    environment = None
    if event.environment_id is not None:
        environment = {"id": event.environment_id, "primary": event.environment_primary}
    request = {"path": event.request_path, "method": event.request_method}
    if event.request_id is not None:
        request["id"] = event.request_id
    response = {"status": event.response_status}
    if detailed:  # payloads only when asked for (they are most of an event's size)
        request["payload"] = event.request_payload
        response["payload"] = event.response_payload
    return {
        "id": event.id,
        "type": "audit_log_event",
        "attributes": {
            "action_name": event.action_name,
            "actor": {"type": event.actor_type, "id": event.actor_id, "name": event.actor_name},
            "role": role,
            "environment": environment,
            "request": request,
            "response": response,
            "impersonated": None,
        },
        "meta": {"occurred_at": event.occurred_at.isoformat().replace("+00:00", "Z")},
    }
