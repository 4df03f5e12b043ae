"""The world's webhooks: one webhook (to a public address no test reaches: its calls stay
pending or fail, which is all the fuzz needs) and a call, seeded over HTTP; the valid
webhook body the strategies mutate."""

WEBHOOK_ATTRIBUTES = {
    "name": "Fuzz hook",
    "url": "https://example.com/hook/{{entity_type}}",
    "custom_payload": '{"id": "{{entity.id}}", "at": "{{event_triggered_at}}"}',
    "headers": {"X-Fuzz": "1"},
    "events": [
        {
            "entity_type": "item",
            "event_types": ["create", "update"],
            "filters": [{"entity_type": "item_type", "entity_ids": ["x"]}],
        },
        {"entity_type": "item", "event_types": ["publish"]},
    ],
    "http_basic_user": "u",
    "http_basic_password": "p",
    "enabled": True,
    "payload_api_version": "3",
    "nested_items_in_payload": False,
    "auto_retry": True,
}


def seed_webhooks(api, record_id: str) -> tuple[list[str], list[str]]:
    """A webhook listening to publishes, and the call a publish made (ids as strings)."""
    made = api.post("/webhooks", {"data": {"type": "webhook", "attributes": WEBHOOK_ATTRIBUTES}})
    assert made.status_code == 201, made.body
    published = api.put(f"/items/{record_id}/publish")
    assert published.status_code == 200, published.body
    calls = api.get("/webhook_calls").body["data"]
    assert calls, "the publish made a webhook call"
    return [made.body["data"]["id"]], [call["id"] for call in calls]


def webhook_payloads(world) -> dict[str, object]:
    attributes = {**WEBHOOK_ATTRIBUTES, "name": "Another hook"}
    return {"webhook": {"data": {"type": "webhook", "attributes": attributes}}}
