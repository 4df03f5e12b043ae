"""Every write route has its action name in audit_log/actions.py's table (a new route
without one would be recorded under a made-up name)."""

from django.urls import URLPattern, URLResolver, get_resolver

from audit_log.actions import ACTIONS, action_for

WRITES = ("post", "put", "patch", "delete")
#: Routes whose writes are not made with an API token (signed upload URLs), or answer
#: every method with a 404 (the record API's unknown paths); the admin is not the API.
NOT_TOKEN_WRITES = {
    "upload-content/<str:token>",
    "^rest(/[\\s\\S]*)?$",
    "^api/v2(/[\\s\\S]*)?$",
    "rest/<str:service>",
}


def _routes(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern.callback


def test_every_write_route_has_an_action():
    missing = []
    for route, callback in _routes(get_resolver()):
        view = getattr(callback, "view_class", None)
        # A view's methods are those its as_view() allows (an action view takes one).
        allowed = (getattr(callback, "view_initkwargs", {}) or {}).get(
            "http_method_names", getattr(view, "http_method_names", WRITES)
        )
        if view is None or route in NOT_TOKEN_WRITES or route.startswith("admin/"):
            continue
        for method in WRITES:
            known = hasattr(view, method) and method in allowed
            if known and (method.upper(), route) not in ACTIONS:
                missing.append(f"{method.upper()} {route}")
    assert not missing


def test_names_follow_datocms():
    assert action_for("POST", "items/bulk/publish") == "items.bulk_publish"
    assert action_for("DELETE", "uploads/<str:upload_id>") == "uploads.destroy"
    assert action_for("POST", "environments/<str:name>/fork") == "environments.fork"
    assert action_for("POST", "items/validate") is None
    assert action_for("PATCH", "new-things/<str:id>") == "new_things.update"
