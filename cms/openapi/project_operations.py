"""The catalog's project-wide resources: build triggers, roles, API tokens and the audit
log (their writes are admin's or need a role's flag; README "Build triggers", "Roles and
API tokens", "Audit log")."""

from cms.openapi.operations import Op, free, many, one

BUILD = "Build triggers"
ACCESS = "Roles and API tokens"

PROJECT = {
    "GET /build-triggers": Op(BUILD, "List build triggers", {200: many("build_trigger")}),
    "POST /build-triggers": Op(
        BUILD, "Create a build trigger", {201: one("build_trigger")}, free("build_trigger")
    ),
    "GET /build-triggers/{trigger_id}": Op(
        BUILD, "Find a build trigger", {200: one("build_trigger")}
    ),
    "PUT /build-triggers/{trigger_id}": Op(
        BUILD, "Update a build trigger", {200: one("build_trigger")}, free("build_trigger")
    ),
    "DELETE /build-triggers/{trigger_id}": Op(
        BUILD, "Delete a build trigger", {200: one("build_trigger")}
    ),
    "POST /build-triggers/{trigger_id}/trigger": Op(
        BUILD, "Ask the CI for a build (a worker sends the request)", {204: None}
    ),
    "DELETE /build-triggers/{trigger_id}/abort": Op(
        BUILD, "Mark a pending build failed", {204: None}
    ),
    "DELETE /build-triggers/{trigger_id}/abort_indexing": Op(
        BUILD, "Stop site indexing (no effect: no Site Search here)", {204: None}
    ),
    "PUT /build-triggers/{trigger_id}/reindex": Op(
        BUILD, "Re-index the site (no effect: no Site Search here)", {204: None}
    ),
    "POST /build-triggers/{token}/deploy-results": Op(
        BUILD,
        "The CI reports a build (no API token: the trigger's token is in the path)",
        {204: None},
        {
            "type": "object",
            "properties": {"status": {"enum": ["success", "error"]}},
            "required": ["status"],
        },
    ),
    "GET /roles": Op(ACCESS, "List roles", {200: many("role")}),
    "POST /roles": Op(ACCESS, "Create a role", {201: one("role")}, free("role")),
    "GET /roles/{role_id}": Op(ACCESS, "Find a role", {200: one("role")}),
    "PUT /roles/{role_id}": Op(ACCESS, "Update a role", {200: one("role")}, free("role")),
    "DELETE /roles/{role_id}": Op(ACCESS, "Delete a role", {200: one("role")}),
    "POST /roles/{role_id}/duplicate": Op(ACCESS, "Copy a role", {200: one("role")}),
    "GET /access_tokens": Op(ACCESS, "List API tokens", {200: many("access_token")}),
    "POST /access_tokens": Op(
        ACCESS, "Create an API token", {201: one("access_token")}, free("access_token")
    ),
    "GET /access_tokens/{token_id}": Op(ACCESS, "Find an API token", {200: one("access_token")}),
    "PUT /access_tokens/{token_id}": Op(
        ACCESS, "Update an API token", {200: one("access_token")}, free("access_token")
    ),
    "DELETE /access_tokens/{token_id}": Op(
        ACCESS, "Delete an API token", {200: one("access_token")}
    ),
    "POST /access_tokens/{token_id}/regenerate_token": Op(
        ACCESS,
        "Give a token a new secret (the old one stops working at once)",
        {200: one("access_token")},
    ),
    "POST /audit-log-events/query": Op(
        "Audit log",
        "Query the audit log (since, before, a PartiQL filter, paging by next_token)",
        {200: many("audit_log_event")},
        free("audit_log_query"),
    ),
}
