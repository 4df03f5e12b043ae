"""Which action a write is, by its route and method, in DatoCMS's names (the official
client's resource and method, snake_case: ``items.bulk_publish``). One table: a new write
endpoint adds its rows here, and a write missing from it is still recorded, as
``<first path segment>.<method>`` (tests/audit_log/test_actions.py lists every route)."""

ITEM = "items/<str:item_id>"
ITEM_TYPE = "item-types/<str:id_or_api_key>"

#: (method, route) -> action name; None: a POST that writes nothing (not recorded).
ACTIONS: dict[tuple[str, str], str | None] = {
    # Records (the record API's batch create is records too).
    ("POST", "items"): "items.create",
    ("PUT", ITEM): "items.update",
    ("DELETE", ITEM): "items.destroy",
    ("PUT", f"{ITEM}/publish"): "items.publish",
    ("PUT", f"{ITEM}/unpublish"): "items.unpublish",
    ("POST", f"{ITEM}/duplicate"): "items.duplicate",
    ("POST", "items/bulk/publish"): "items.bulk_publish",
    ("POST", "items/bulk/unpublish"): "items.bulk_unpublish",
    ("POST", "items/bulk/destroy"): "items.bulk_destroy",
    ("POST", "items/bulk/move-to-stage"): "items.bulk_move_to_stage",
    ("POST", "items/validate"): None,
    ("POST", f"{ITEM}/validate"): None,
    ("POST", "rest/<str:service>/<str:table>"): "items.create",
    ("POST", "api/v2/<str:service>/_table/<str:table>"): "items.create",
    ("PUT", "versions/<str:version_id>/restore"): "item_versions.restore",
    ("POST", "versions/<str:version_id>/restore"): "item_versions.restore",
    ("POST", f"{ITEM}/scheduled-publication"): "scheduled_publication.create",
    ("DELETE", f"{ITEM}/scheduled-publication"): "scheduled_publication.destroy",
    ("POST", f"{ITEM}/scheduled-unpublishing"): "scheduled_unpublishing.create",
    ("DELETE", f"{ITEM}/scheduled-unpublishing"): "scheduled_unpublishing.destroy",
    # Schema.
    ("PUT", "site"): "site.update",
    ("POST", "item-types"): "item_types.create",
    ("PUT", ITEM_TYPE): "item_types.update",
    ("DELETE", ITEM_TYPE): "item_types.destroy",
    ("POST", f"{ITEM_TYPE}/duplicate"): "item_types.duplicate",
    ("POST", f"{ITEM_TYPE}/reorder-fields-and-fieldsets"): (
        "item_types.reorder_fields_and_fieldsets"
    ),
    ("POST", f"{ITEM_TYPE}/fields"): "fields.create",
    ("PUT", "fields/<str:id_or_api_key>"): "fields.update",
    ("DELETE", "fields/<str:id_or_api_key>"): "fields.destroy",
    ("POST", "fields/<str:id_or_api_key>/duplicate"): "fields.duplicate",
    ("POST", f"{ITEM_TYPE}/fieldsets"): "fieldsets.create",
    ("PUT", "fieldsets/<str:id_or_api_key>"): "fieldsets.update",
    ("DELETE", "fieldsets/<str:id_or_api_key>"): "fieldsets.destroy",
    # Uploads and the media library.
    ("POST", "upload-requests"): "upload_requests.create",
    ("POST", "uploads"): "uploads.create",
    ("PUT", "uploads/<str:upload_id>"): "uploads.update",
    ("DELETE", "uploads/<str:upload_id>"): "uploads.destroy",
    ("POST", "uploads/bulk/destroy"): "uploads.bulk_destroy",
    ("POST", "uploads/bulk/tag"): "uploads.bulk_tag",
    ("POST", "uploads/bulk/set-upload-collection"): "uploads.bulk_set_upload_collection",
    ("POST", "upload-tags"): "upload_tags.create",
    # Environments and maintenance mode.
    ("POST", "environments/<str:name>/fork"): "environments.fork",
    ("PUT", "environments/<str:name>/promote"): "environments.promote",
    ("PUT", "environments/<str:name>/rename"): "environments.rename",
    ("DELETE", "environments/<str:name>"): "environments.destroy",
    ("PUT", "maintenance-mode/activate"): "maintenance_mode.activate",
    ("PUT", "maintenance-mode/deactivate"): "maintenance_mode.deactivate",
    # Webhooks.
    ("POST", "webhooks"): "webhooks.create",
    ("PUT", "webhooks/<str:webhook_id>"): "webhooks.update",
    ("DELETE", "webhooks/<str:webhook_id>"): "webhooks.destroy",
    ("POST", "webhook_calls/<str:call_id>/resend_webhook"): "webhook_calls.resend_webhook",
    # Build triggers (project-wide); the CI's report carries no token, so names no actor.
    ("POST", "build-triggers"): "build_triggers.create",
    ("PUT", "build-triggers/<str:trigger_id>"): "build_triggers.update",
    ("DELETE", "build-triggers/<str:trigger_id>"): "build_triggers.destroy",
    ("POST", "build-triggers/<str:trigger_id>/trigger"): "build_triggers.trigger",
    ("DELETE", "build-triggers/<str:trigger_id>/abort"): "build_triggers.abort",
    ("DELETE", "build-triggers/<str:trigger_id>/abort_indexing"): "build_triggers.abort_indexing",
    ("PUT", "build-triggers/<str:trigger_id>/reindex"): "build_triggers.reindex",
    ("POST", "build-triggers/<str:token>/deploy-results"): None,
    # Roles and API tokens.
    ("POST", "roles"): "roles.create",
    ("PUT", "roles/<str:role_id>"): "roles.update",
    ("DELETE", "roles/<str:role_id>"): "roles.destroy",
    ("POST", "roles/<str:role_id>/duplicate"): "roles.duplicate",
    ("POST", "access_tokens"): "access_tokens.create",
    ("PUT", "access_tokens/<str:token_id>"): "access_tokens.update",
    ("DELETE", "access_tokens/<str:token_id>"): "access_tokens.destroy",
    ("POST", "access_tokens/<str:token_id>/regenerate_token"): "access_tokens.regenerate_token",
    # DreamFactory's session login and logout (the session's token is the actor).
    ("POST", "api/v2/user/session"): "user_session.create",
    ("DELETE", "api/v2/user/session"): "user_session.destroy",
    ("POST", "rest/user/session"): "user_session.create",
    ("DELETE", "rest/user/session"): "user_session.destroy",
    # The audit log's query is a read.
    ("POST", "audit-log-events/query"): None,
}

#: The record API's replace, merge and delete, in both path forms (record_api/urls.py).
for _route in (
    "rest/<str:service>/<str:table>",
    "rest/<str:service>/<str:table>/<record_id:record_id>",
    "api/v2/<str:service>/_table/<str:table>",
    "api/v2/<str:service>/_table/<str:table>/<str:record_id>",
):
    ACTIONS[("PUT", _route)] = "items.update"
    ACTIONS[("PATCH", _route)] = "items.update"
    ACTIONS[("DELETE", _route)] = "items.destroy"

#: The record API's _schema writes (record_api/schema_views.py): models and fields.
_SCHEMA = "api/v2/<str:service>/_schema"
ACTIONS[("POST", _SCHEMA)] = "item_types.create"
ACTIONS[("POST", f"{_SCHEMA}/<str:table>")] = "item_types.create"
ACTIONS[("POST", f"{_SCHEMA}/<str:table>/_field")] = "fields.create"
for _method in ("PUT", "PATCH"):
    ACTIONS[(_method, _SCHEMA)] = "item_types.update"
    ACTIONS[(_method, f"{_SCHEMA}/<str:table>")] = "item_types.update"
for _route in (f"{_SCHEMA}/<str:table>/_field/<str:field>", f"{_SCHEMA}/<str:table>/<str:field>"):
    ACTIONS[("PUT", _route)] = "fields.update"
    ACTIONS[("PATCH", _route)] = "fields.update"
    ACTIONS[("DELETE", _route)] = "fields.destroy"
ACTIONS[("DELETE", f"{_SCHEMA}/<str:table>")] = "item_types.destroy"
ACTIONS[("DELETE", _SCHEMA)] = "item_types.destroy"

#: Menus: the same views serve three resources.
for _prefix, _resource in (
    ("menu-items", "menu_items"),
    ("schema-menu-items", "schema_menu_items"),
    ("upload-collections", "upload_collections"),
):
    ACTIONS[("POST", _prefix)] = f"{_resource}.create"
    ACTIONS[("POST", f"{_prefix}/reorder")] = f"{_resource}.reorder"
    ACTIONS[("PUT", f"{_prefix}/<str:item_id>")] = f"{_resource}.update"
    ACTIONS[("DELETE", f"{_prefix}/<str:item_id>")] = f"{_resource}.destroy"

_FALLBACK_VERBS = {"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "destroy"}
_MISSING = object()


def action_for(method: str, route: str | None) -> str | None:
    """The action a write is; None for one that writes nothing."""
    found = ACTIONS.get((method, route or ""), _MISSING)
    if found is not _MISSING:
        return found
    resource = (route or "unknown").split("/", 1)[0].replace("-", "_") or "unknown"
    return f"{resource}.{_FALLBACK_VERBS.get(method, method.lower())}"
