"""The world's roles and API tokens: a role (inheriting from Editor, with entries for the
fuzz model) and a token of it, seeded over HTTP; the valid bodies the strategies mutate.
The fuzz's own tokens are never named by an id it draws (a regenerate would end the run).
A user bound to the role logs in at DreamFactory's session endpoint."""

from django.contrib.auth.models import User

from access.models import StaffRole


def _role_attributes(world_or_model) -> dict:
    model = world_or_model if isinstance(world_or_model, str) else world_or_model.model_id
    return {
        "name": "Fuzz translators",
        "can_manage_menu": True,
        "environments_access": "all",
        "positive_item_type_permissions": [
            {"environment": "main", "item_type": model, "action": "read", "on_creator": "anyone"},
            {
                "environment": "main",
                "item_type": model,
                "action": "update",
                "on_creator": "self",
                "localization_scope": "localized",
                "locale": "en",
            },
        ],
        "negative_item_type_permissions": [
            {"environment": "main", "item_type": None, "action": "delete", "on_creator": "anyone"}
        ],
        "positive_upload_permissions": [
            {
                "environment": "main",
                "upload_collection": None,
                "action": "read",
                "on_creator": "anyone",
            }
        ],
        "negative_upload_permissions": [],
    }


SESSION_LOGIN = {"email": "fuzz@example.com", "password": "fuzz-password"}


def seed_access(api, model_id: str) -> tuple[list[str], list[str]]:
    """A role and a token of it (ids)."""
    role = api.post("/roles", {"data": {"type": "role", "attributes": _role_attributes(model_id)}})
    assert role.status_code == 201, role.body
    role_id = role.body["data"]["id"]
    token = api.post("/access_tokens", access_token_body(role_id, "Fuzz victim"))
    assert token.status_code == 201, token.body
    # A user with the role, for DreamFactory's session login (/api/v2/user/session).
    user = User.objects.create_user("fuzz", SESSION_LOGIN["email"], SESSION_LOGIN["password"])
    StaffRole.objects.create(user=user, role_id=role_id)
    return [role_id], [token.body["data"]["id"]]


def access_token_body(role_id: str, name: str = "Another token") -> dict:
    return {
        "data": {
            "type": "access_token",
            "attributes": {
                "name": name,
                "can_access_cma": True,
                "can_access_cda": True,
                "can_access_cda_preview": False,
            },
            "relationships": {"role": {"data": {"type": "role", "id": role_id}}},
        }
    }


def access_payloads(world) -> dict[str, object]:
    attributes = {**_role_attributes(world), "name": "Another role"}
    return {
        "role": {"data": {"type": "role", "attributes": attributes}},
        "access_token": access_token_body(world.role_ids[0]),
        "user_session": SESSION_LOGIN,
    }
