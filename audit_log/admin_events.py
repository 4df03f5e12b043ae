"""Writes through the Django admin, as events: a form saved (the admin answers a save with
a redirect; a form with errors is shown again, 200, and is no write), a changelist action
run, an object deleted. The actor is the staff user; the payload the form's fields
(the CSRF token left out, password fields redacted, files by name)."""

#: model (app_label.model_name) -> the resource's name in action names.
RESOURCES = {
    "items.item": "items",
    "item_types.itemtype": "item_types",
    "item_types.field": "fields",
    "item_types.fieldset": "fieldsets",
    "uploads.upload": "uploads",
    "cms.apitoken": "access_tokens",
    "environments.environment": "environments",
    "webhooks.webhook": "webhooks",
    "auth.user": "users",
}
VERBS = {"add": "create", "change": "update", "delete": "destroy"}
BULK = {"delete_selected": "bulk_destroy"}
SAVED = 302


def admin_action(request, response) -> str | None:
    """The action an admin request was, or None when it wrote nothing (a login, a page
    shown again with its form's errors, a confirmation page)."""
    match = request.resolver_match
    model_admin = getattr(match.func, "model_admin", None) if match else None
    if model_admin is None or response.status_code != SAVED:
        return None
    meta = model_admin.model._meta
    resource = RESOURCES.get(meta.label_lower, f"{meta.model_name}s")
    verb = (match.url_name or "").rsplit("_", 1)[-1]
    if verb == "changelist":
        action = request.POST.get("action")
        if not action:
            return None  # (list_editable saves are not used here)
        return f"{resource}.{BULK.get(action, action)}"
    return f"{resource}.{VERBS[verb]}" if verb in VERBS else None


def form_payload(request) -> dict:
    fields = {}
    for key in request.POST:
        if key == "csrfmiddlewaretoken":
            continue
        values = request.POST.getlist(key)
        fields[key] = values[0] if len(values) == 1 else values
        if "password" in key and fields[key]:
            fields[key] = "[redacted]"
    for key in request.FILES:
        fields[key] = [f.name for f in request.FILES.getlist(key)]
    return fields
