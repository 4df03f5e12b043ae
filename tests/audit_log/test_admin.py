"""Saves in the Django admin are recorded, with the staff user as the actor; a form shown
again with its errors, and the login itself, are not writes."""

from access.models import Role
from tests.audit_log.conftest import events


def test_an_admin_save_is_recorded_with_its_user(admin_client, admin_user, api):
    editor = Role.named("editor").pk
    form = {"name": "site", "role": editor, "can_access_cma": "on"}
    response = admin_client.post("/admin/cms/apitoken/add/", form)
    assert response.status_code == 302
    refused = admin_client.post("/admin/cms/apitoken/add/", {**form, "name": ""})
    assert refused.status_code == 200  # the form again, with its error
    [event] = events(api, filter="actor.type = 'user'", detailed_log=True)
    attributes = event["attributes"]
    assert attributes["action_name"] == "access_tokens.create"
    assert attributes["actor"] == {
        "type": "user",
        "id": str(admin_user.pk),
        "name": admin_user.get_username(),
    }
    assert attributes["role"] is None
    assert attributes["environment"] == {"id": "main", "primary": True}
    assert attributes["request"]["path"] == "/admin/cms/apitoken/add/"
    assert attributes["request"]["payload"] == {
        "name": "site",
        "role": editor,
        "can_access_cma": "on",
    }
    assert attributes["response"] == {"status": 302, "payload": None}


def test_an_admin_login_is_not_a_write(client, admin_user, api):
    response = client.post("/admin/login/", {"username": "admin", "password": "password"})
    assert response.status_code == 302
    assert events(api, filter="actor.type = 'user'") == []
