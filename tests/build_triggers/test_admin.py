"""Build triggers in the admin: the list and the edit page, saved through the API's
services (the same refusals), and the list's "Trigger a build" action."""

import json

import pytest

from build_triggers.models import BuildTrigger
from jobs.models import Job
from tests.build_triggers.conftest import create
from tests.conftest import change_url

SETTINGS = {"trigger_url": "https://ci.example.com/b", "headers": {}, "payload": {"a": 1}}


def form(**changes) -> dict:
    values = {
        "name": "Production",
        "adapter": "custom",
        "adapter_settings": json.dumps(SETTINGS),
        "frontend_url": "",
        "autotrigger_on_scheduled_publications": "on",
        "enabled": "on",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def test_the_pages_render(admin_client, api):
    trigger = create(api)
    listed = admin_client.get("/admin/build_triggers/buildtrigger/")
    assert listed.status_code == 200 and "Production" in listed.content.decode()
    page = admin_client.get(change_url("build_triggers", "buildtrigger", trigger["id"]))
    assert page.status_code == 200
    assert trigger["attributes"]["webhook_url"] in page.content.decode()
    assert admin_client.get("/admin/build_triggers/buildtrigger/add/").status_code == 200


def test_adding_and_editing_go_through_the_services(admin_client):
    response = admin_client.post("/admin/build_triggers/buildtrigger/add/", form())
    assert response.status_code == 302, response.content.decode()[:2000]
    trigger = BuildTrigger.objects.get()
    assert trigger.adapter_settings == SETTINGS and trigger.frontend_url is None
    assert trigger.autotrigger_on_scheduled_publications is True
    url = change_url("build_triggers", "buildtrigger", trigger.pk)
    response = admin_client.post(url, form(name="Staging", enabled=None))
    assert response.status_code == 302
    trigger.refresh_from_db()
    assert trigger.name == "Staging" and trigger.enabled is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"adapter": "netlify"}, "VALIDATION_NOT_SUPPORTED"),
        ({"adapter_settings": json.dumps({"trigger_url": "nope"})}, "VALIDATION_REQUIRED"),
        ({"adapter_settings": json.dumps({**SETTINGS, "trigger_url": "nope"})}, "VALIDATION_URL"),
        ({"frontend_url": "nope"}, "VALIDATION_URL"),
    ],
)
def test_refusals_show_on_the_form_and_write_nothing(admin_client, changes, message):
    response = admin_client.post("/admin/build_triggers/buildtrigger/add/", form(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BuildTrigger.objects.exists()


def test_the_trigger_action_queues_a_build(admin_client, api, settings, tmp_path):
    settings.CMS_QUEUE_URL = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    on, off = create(api), create(api, name="off", enabled=False)
    response = admin_client.post(
        "/admin/build_triggers/buildtrigger/",
        {"action": "trigger_builds", "_selected_action": [on["id"], off["id"]]},
        follow=True,
    )
    page = response.content.decode()
    assert "Production: build requested." in page and "disabled" in page
    assert BuildTrigger.objects.get(pk=on["id"]).build_status == "pending"
    assert BuildTrigger.objects.get(pk=off["id"]).build_status == "unknown"
    assert Job.objects.filter(kind="build_triggers.request").count() == 1
