"""The fuzzer's endpoints (the routes it calls, the methods, bodies and query parameters
each takes) and the paths it draws for them, valid ids or hostile ones."""

from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.values import (
    UNKNOWN_ID,
    text,
)
from tests.fuzz.world import REST_TABLE, World

# --- Paths -----------------------------------------------------------------------------

HOSTILE_IDS = [
    "",
    "%00",
    "a%00b",
    "..",
    "%2e%2e",
    "..%2f..%2fsecret_key",
    "%2F",
    "%ED%BF%BF",  # a lone surrogate, UTF-8 encoded
    "%ff%fe",
    "%",
    "x" * 5000,
    "null",
    "-1",
    "9" * 40,
    "::",
    "a::b::c",
    f"{REST_TABLE}::",
    "%20",
    UNKNOWN_ID,
]


def segment(valid: list[str]) -> st.SearchStrategy[str]:
    """A path segment: a valid id, an unknown or hostile one, or random text."""
    return st.one_of(
        st.sampled_from(valid).map(lambda s: quote(s, safe=":")),
        st.sampled_from(HOSTILE_IDS),
        text().map(lambda s: quote(s, safe="", errors="surrogatepass")),
    )


@dataclass(frozen=True)
class Endpoint:
    template: str  # "/items/{item}", placeholders name the id kinds
    methods: tuple  # the methods it allows
    body: str | None = None  # the payload kind a write takes
    query: tuple = ()  # parameters it knows


ITEM_QUERY = ("nested", "version")
TRANSFORMATIONS = ("w", "h", "fit", "crop", "fp-x", "fp-y", "fm", "q", "auto", "dpr", "fill-color")
LIST_QUERY = ("filter", "page", "order_by", "version", "locale", "nested")
# DreamFactory's read options (record_api.reads).
TABLE_READ = (
    *("filter", "order", "ids", "limit", "offset", "include_count", "locale", "fields"),
    *("params", "count_only", "include_schema", "group", "related", "id_field", "id_type"),
    *("continue", "as_list", "method"),
)
RECORD_READ = ("fields", "related", "id_field", "id_type")
ENDPOINTS = [
    Endpoint("/site", ("GET", "PUT"), "site", ("include",)),
    Endpoint("/item-types", ("GET", "POST"), "item_type"),
    Endpoint("/item-types/{item_type}", ("GET", "PUT", "DELETE"), "item_type"),
    Endpoint("/item-types/{item_type}/fields", ("GET", "POST"), "field"),
    Endpoint("/fields/{field}", ("GET", "PUT", "DELETE"), "field_update"),
    Endpoint("/fields/{field}/duplicate", ("POST",)),
    Endpoint("/item-types/{item_type}/fieldsets", ("GET", "POST"), "fieldset"),
    Endpoint("/fieldsets/{fieldset}", ("GET", "PUT", "DELETE"), "fieldset_update"),
    Endpoint("/item-types/{item_type}/duplicate", ("POST",)),
    Endpoint("/item-types/{item_type}/referencing", ("GET",)),
    Endpoint("/item-types/{item_type}/schema.json", ("GET",)),
    Endpoint("/item-types/{item_type}/fields/referencing", ("GET",)),
    Endpoint("/item-types/{item_type}/fields/related", ("GET",)),
    Endpoint("/item-types/{item_type}/reorder-fields-and-fieldsets", ("POST",), "reorder"),
    Endpoint("/upload-requests", ("POST",), "upload_request"),
    Endpoint("/upload-content/{signed}", ("PUT",), "bytes"),
    Endpoint("/uploads", ("GET", "POST"), "upload", LIST_QUERY),
    Endpoint("/uploads/bulk/tag", ("POST",), "upload_bulk_tag"),
    Endpoint("/uploads/bulk/set-upload-collection", ("POST",), "upload_bulk_set_upload_collection"),
    Endpoint("/uploads/bulk/destroy", ("POST",), "upload_bulk_destroy"),
    Endpoint("/uploads/{upload}", ("GET", "PUT", "DELETE"), "upload", ("replace_strategy",)),
    Endpoint("/uploads/{upload}/references", ("GET",), None, ITEM_QUERY),
    Endpoint("/upload-collections", ("GET", "POST"), "upload_collection", ("filter",)),
    Endpoint("/upload-collections/reorder", ("POST",), "upload_collection_reorder"),
    Endpoint(
        "/upload-collections/{upload_collection}",
        ("GET", "PUT", "DELETE"),
        "upload_collection_update",
    ),
    Endpoint("/upload-tags", ("GET", "POST"), "upload_tag", ("filter", "page")),
    Endpoint("/upload-smart-tags", ("GET",), None, ("filter", "page")),
    # imgix-style image parameters (uploads/transformations.py).
    Endpoint("/media/{media}", ("GET",), None, TRANSFORMATIONS),
    Endpoint("/items", ("GET", "POST"), "item", LIST_QUERY),
    Endpoint("/items/validate", ("POST",), "item"),
    Endpoint("/items/bulk/publish", ("POST",), "bulk_publish"),
    Endpoint("/items/bulk/unpublish", ("POST",), "bulk_unpublish"),
    Endpoint("/items/bulk/destroy", ("POST",), "bulk_destroy"),
    Endpoint("/items/bulk/move-to-stage", ("POST",), "bulk_move_to_stage"),
    Endpoint("/items/{item}", ("GET", "PUT", "DELETE"), "item_update", ITEM_QUERY),
    Endpoint("/items/{item}/validate", ("POST",), "item_update"),
    Endpoint("/items/{item}/publish", ("PUT",), "publish", ("recursive",)),
    Endpoint("/items/{item}/unpublish", ("PUT",), "publish", ("recursive",)),
    Endpoint("/items/{item}/references", ("GET",), None, ITEM_QUERY),
    Endpoint("/items/{item}/duplicate", ("POST",)),
    Endpoint("/items/{item}/current-vs-published-state", ("GET",)),
    Endpoint("/items/{item}/scheduled-publication", ("POST", "DELETE"), "scheduled_publication"),
    Endpoint("/items/{item}/scheduled-unpublishing", ("POST", "DELETE"), "scheduled_unpublishing"),
    Endpoint("/items/{item}/versions", ("GET",), None, ("page",)),
    Endpoint("/versions/{version}", ("GET",)),
    Endpoint("/versions/{version}/restore", ("POST", "PUT")),
    Endpoint("/menu-items", ("GET", "POST"), "menu_item", ("filter",)),
    Endpoint("/menu-items/reorder", ("POST",), "menu_reorder"),
    Endpoint("/menu-items/{menu_item}", ("GET", "PUT", "DELETE"), "menu_item"),
    Endpoint("/schema-menu-items", ("GET", "POST"), "schema_menu_item", ("filter",)),
    Endpoint("/schema-menu-items/reorder", ("POST",), "schema_menu_reorder"),
    Endpoint(
        "/schema-menu-items/{schema_menu_item}",
        ("GET", "PUT", "DELETE"),
        "schema_menu_item_update",
    ),
    Endpoint("/job-results/{job}", ("GET",)),
    Endpoint("/webhooks", ("GET", "POST"), "webhook"),
    Endpoint("/webhooks/{webhook}", ("GET", "PUT", "DELETE"), "webhook"),
    Endpoint("/webhook_calls", ("GET",), None, ("filter", "page", "order_by")),
    Endpoint("/webhook_calls/{webhook_call}", ("GET",)),
    Endpoint("/webhook_calls/{webhook_call}/resend_webhook", ("POST",)),
    Endpoint("/build-triggers", ("GET", "POST"), "build_trigger"),
    Endpoint("/build-triggers/{build_trigger}", ("GET", "PUT", "DELETE"), "build_trigger"),
    Endpoint("/build-triggers/{build_trigger}/trigger", ("POST",)),
    Endpoint("/build-triggers/{build_trigger}/abort", ("DELETE",)),
    Endpoint("/build-triggers/{build_trigger}/abort_indexing", ("DELETE",)),
    Endpoint("/build-triggers/{build_trigger}/reindex", ("PUT",)),
    Endpoint("/build-triggers/{build_token}/deploy-results", ("POST",), "deploy_result"),
    Endpoint("/roles", ("GET", "POST"), "role"),
    Endpoint("/roles/{role}", ("GET", "PUT", "DELETE"), "role"),
    Endpoint("/roles/{role}/duplicate", ("POST",)),
    Endpoint("/access_tokens", ("GET", "POST"), "access_token"),
    Endpoint(
        "/access_tokens/{access_token}",
        ("GET", "PUT", "DELETE"),
        "access_token",
        ("destination_user_type", "destination_user_id"),
    ),
    Endpoint("/access_tokens/{access_token}/regenerate_token", ("POST",)),
    Endpoint("/audit-log-events/query", ("POST",), "audit_log_query"),
    Endpoint("/{unknown}", ("GET",)),
    Endpoint("/rest/{service}", ("GET",)),
    Endpoint("/rest/{service}/{table}", ("GET", "POST"), "rest", TABLE_READ),
    Endpoint("/rest/{service}/{table}/{unknown}", ("GET",)),
    Endpoint("/rest/{service}/{table}/{item}", ("GET",), None, RECORD_READ),
    Endpoint("/api/v2/{service}/_table", ("GET",)),
    Endpoint("/api/v2/{service}/_table/{table}", ("GET", "POST"), "rest", TABLE_READ),
    Endpoint("/api/v2/{service}/_table/{table}/{item}", ("GET",), None, RECORD_READ),
    Endpoint("/api/v2/{service}/_table/{table}/{unknown}", ("GET",)),
    Endpoint(
        "/api/v2/{service}/_schema",
        ("GET", "POST", "PATCH", "PUT"),
        "df_tables",
        ("return_schema",),
    ),
    Endpoint(
        "/api/v2/{service}/_schema/{table}",
        ("GET", "POST", "PUT", "PATCH", "DELETE"),
        "df_table",
        ("return_schema",),
    ),
    Endpoint("/api/v2/{service}/_schema/{table}/_field", ("GET", "POST"), "df_fields"),
    Endpoint(
        "/api/v2/{service}/_schema/{table}/_field/{column}",
        ("GET", "PUT", "PATCH", "DELETE"),
        "df_field",
    ),
    Endpoint(
        "/api/v2/{service}/_schema/{table}/{column}", ("GET", "PUT", "PATCH", "DELETE"), "df_field"
    ),
    Endpoint("/api/v2/{service}/{unknown}", ("GET", "POST")),
    Endpoint("/api/v2/user/session", ("GET", "POST", "DELETE"), "user_session"),
    Endpoint("/rest/user/session", ("GET", "POST", "DELETE"), "user_session"),
]


def valid_ids(world: World) -> dict[str, list[str]]:
    token, _, _ = world.upload_content_token.partition("?")
    return {
        "item_type": [*world.item_type_ids, REST_TABLE, "fuzz_block"],
        "field": [*world.field_ids.values(), f"{REST_TABLE}::title", "fuzz_block::text"],
        "fieldset": [world.fieldset_id],
        "item": world.record_ids * 3 + world.block_ids,  # mostly records
        "version": world.version_ids,
        "upload": [world.upload_id],
        "signed": [token, token[:-1] + "A", token.split(":")[0]],
        "media": [world.upload_path.lstrip("/"), "secret_key", "../secret_key"],
        "job": [world.job_id],
        "menu_item": world.menu_item_ids,
        "schema_menu_item": world.schema_menu_item_ids,
        "upload_collection": world.upload_collection_ids,
        "webhook": world.webhook_ids,
        "webhook_call": [*world.webhook_call_ids, "0", "99999999999999999999"],
        "build_trigger": world.build_trigger_ids,
        "build_token": world.build_trigger_tokens,
        "role": world.role_ids,
        "access_token": world.access_token_ids,
        "service": ["db"],
        "table": [REST_TABLE, "fuzz_block"],
        "unknown": ["nope", "rest", "items/", "admin"],
        "column": ["title", "count", "at", "body", "blocks", "nope"],  # REST_TABLE's fields
    }


@st.composite
def paths(draw, world: World, endpoint: Endpoint, hostile: bool) -> str:
    ids = valid_ids(world)
    path = endpoint.template
    for kind, valid in ids.items():
        placeholder = "{" + kind + "}"
        if placeholder in path:
            choice = draw(segment(valid) if hostile else st.sampled_from(valid).map(quote))
            path = path.replace(placeholder, choice)
    return path
