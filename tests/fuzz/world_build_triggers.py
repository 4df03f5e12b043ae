"""The world's build trigger: one, to a public address no test reaches (its build
requests are queued, never sent: no worker runs in the fuzz), seeded over HTTP; the valid
bodies the strategies mutate (a trigger, and the CI's report on its webhook_url)."""

BUILD_TRIGGER_ATTRIBUTES = {
    "name": "Fuzz build",
    "adapter": "custom",
    "adapter_settings": {
        "trigger_url": "https://example.com/build",
        "headers": {"X-Fuzz": "1"},
        "payload": {"ref": "main"},
    },
    "frontend_url": "https://example.com/",
    "autotrigger_on_scheduled_publications": True,
    "indexing_enabled": False,
    "enabled": True,
}


def seed_build_triggers(api) -> tuple[list[str], list[str]]:
    """(trigger ids, webhook tokens)."""
    body = {"data": {"type": "build_trigger", "attributes": BUILD_TRIGGER_ATTRIBUTES}}
    made = api.post("/build-triggers", body)
    assert made.status_code == 201, made.body
    return [made.body["data"]["id"]], [made.body["data"]["attributes"]["webhook_token"]]


def build_trigger_payloads(world) -> dict[str, object]:
    attributes = {**BUILD_TRIGGER_ATTRIBUTES, "name": "Another build"}
    return {
        "build_trigger": {"data": {"type": "build_trigger", "attributes": attributes}},
        "deploy_result": {"status": "success"},
    }
