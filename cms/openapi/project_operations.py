"""The catalog's project-wide resources: build triggers, roles, API tokens and the audit
log (their writes are admin's or need a role's flag; README "Build triggers", "Roles and
API tokens", "Audit log")."""

from cms.openapi.op_shapes import Op, crud, free, many, one

BUILD = "Build triggers"
ACCESS = "Roles and API tokens"

PROJECT = {
    **crud("build-triggers", "build_trigger", BUILD, "a build trigger", param="trigger_id"),
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
    **crud("roles", "role", ACCESS, "a role", param="role_id"),
    "POST /roles/{role_id}/duplicate": Op(ACCESS, "Copy a role", {200: one("role")}),
    **crud("access_tokens", "access_token", ACCESS, "an API token", param="token_id"),
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
