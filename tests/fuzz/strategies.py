"""Hypothesis strategies: one request (a :class:`Case`) aimed at an endpoint of either API,
with hostile path ids, query strings, headers, bodies and a token of any role."""

import json
from dataclasses import dataclass
from urllib.parse import quote

from hypothesis import strategies as st

from tests.conftest import png_bytes
from tests.fuzz.case import Case
from tests.fuzz.values import (
    NASTY_DATES,
    NASTY_REGEXES,
    NASTY_STRINGS,
    NASTY_TEXT_NUMBERS,
    RAW_BODIES,
    UNKNOWN_ID,
    json_bodies,
    rest_bodies,
    scalar_text,
    text,
    upload_bodies,
)
from tests.fuzz.world import REST_TABLE, World

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]


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
    Endpoint("/api/v2/{service}/_schema", ("GET",)),
    Endpoint("/api/v2/{service}/_schema/{table}", ("GET",)),
    Endpoint("/api/v2/{service}/_schema/{table}/{unknown}", ("GET",)),
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


# --- Query strings ---------------------------------------------------------------------

FILTER_OPS = [
    *("eq", "neq", "in", "not_in", "notIn", "gt", "gte", "lt", "lte", "exists", "x"),
    *("matches", "not_matches", "is_blank", "is_present", "any_in", "all_in", "near"),
    *("in][", "eq][", "any_in][", "all_in][", "not_in][", "near][latitude", "near][radius"),
    *("matches][pattern", "matches][regexp", "matches][case_sensitive", "matches][x"),
]
REST_FILTERS = [
    "title = 'x'",
    "title LIKE '%%%%%%%%%%%%%%%%%%%%a%'",
    "count > 99999999999999999999999999",
    "count = nan",
    "ratio < 1e999",
    "at > '9999-12-31T23:59:59-23:59'",
    "day < '0001-01-01'",
    "id IN ()",
    "(((((((((((((((((((((((((((((((((((title = 'x')))))))))))))))))))))))))))))))))",
    "title = 'a\x00b'",
    "mother IS NULL OR related = 'x'",
    "NOT NOT NOT flag = true",
    "title = ",
    "`in` = 1",
    "title; DROP TABLE items",
]


def query_keys(world: World, endpoint: Endpoint) -> st.SearchStrategy[str]:
    names = [
        *world.field_ids,
        *("_created_at", "_updated_at", "id", "size", "created_at"),
        *("type", "in_use", "orientation", "resolution", "tags", "colors", "alt", "path"),
        *("position", "parent_id", "parent"),
    ]
    field_key = st.builds(
        lambda name, op: f"filter[fields][{name}][{op}]",
        st.sampled_from(names),
        st.sampled_from(FILTER_OPS),
    )
    fixed = st.sampled_from(
        [
            *endpoint.query,
            "page[offset]",
            "page[limit]",
            "page[x]",
            "filter[type]",
            "filter[ids]",
            "filter[query]",
            "filter[fields][title][matches][pattern]",
            "filter[fields][title][matches][case_sensitive]",
            "filter[fields][x][y][z]",
            "filter[fields]",
            "filter[]",
            "order_by",
            "",
            "[",
            "]]",
            "a[b",
            "ids[]",
        ]
    )
    return st.one_of(fixed, fixed, field_key, text())


def query_values(world: World) -> st.SearchStrategy[str]:
    known = [
        *world.field_ids,
        REST_TABLE,
        world.model_id,
        *world.record_ids,
        "en",
        "it",
        "true",
        "current",
        "published",
        "title_DESC",
        "_created_at_ASC",
        "*",
        "title,count",
        *("image", "red", "landscape", "icon", "pdfdocument"),
    ]
    return st.one_of(st.sampled_from(known), st.sampled_from(REST_FILTERS), scalar_text())


@st.composite
def query_strings(draw, world: World, endpoint: Endpoint) -> str:
    encode = lambda s: quote(s, safe="[]", errors="surrogatepass")  # noqa: E731
    roll = draw(st.integers(0, 9))
    if roll == 0:  # raw soup, not key=value pairs
        return draw(st.sampled_from(["=1", "&&&", "a=%", "%zz=1", "a=1&a=2&a[]=3", "=", "&=&"]))
    if roll <= 6:  # a known parameter, in a query that reaches the records, hostile value
        key = draw(
            st.sampled_from(
                CRAFTED[endpoint.template] if endpoint.template in CRAFTED else CRAFTED["*"]
            )
        )
        name = draw(st.sampled_from(list(world.field_ids)))
        pool = _query_pool(key, world.field_types.get(name, ""))
        value = draw(st.one_of(st.sampled_from(pool), query_values(world)))
        return key.format(table=REST_TABLE, field=name, value=encode(value))
    pairs = draw(st.lists(st.tuples(query_keys(world, endpoint), query_values(world)), max_size=4))
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def _query_pool(template: str, field_type: str) -> list[str]:
    """Troublemakers for a parameter: patterns for ``matches``, dates for dates..."""
    if "near]" in template:
        return NASTY_TEXT_NUMBERS + ["-90", "90.0000001", "1e308", "-0", "nan", "inf"]
    if "matches" in template or "LIKE" in template:
        return NASTY_REGEXES + ["%" * 50 + "a", "_" * 50]
    if "_at]" in template or field_type in ("date", "date_time"):
        return NASTY_DATES
    if "offset" in template or "limit" in template or field_type in ("integer", "float"):
        return NASTY_TEXT_NUMBERS
    return NASTY_STRINGS + NASTY_TEXT_NUMBERS + NASTY_DATES


CRAFTED = {
    "/items": [
        "filter[type]={table}&filter[fields][{field}][eq]={value}",
        "filter[type]={table}&filter[fields][parent_id][eq]={value}&order_by=position_DESC",
        "filter[type]={table}&filter[fields][parent][exists]={value}",
        "filter[type]={table}&filter[fields][position][lte]={value}",
        "filter[type]={table}&filter[fields][{field}][gt]={value}",
        "filter[type]={table}&filter[fields][{field}][in]={value}",
        "filter[type]={table}&filter[fields][{field}][matches][pattern]={value}",
        "filter[type]={table}&filter[fields][{field}][not_matches][pattern]={value}"
        "&filter[fields][{field}][not_matches][regexp]=false",
        "filter[type]={table}&filter[fields][{field}][matches][pattern]=a"
        "&filter[fields][{field}][matches][case_sensitive]={value}",
        "filter[type]={table}&filter[fields][{field}][is_blank]={value}",
        "filter[type]={table}&filter[fields][{field}][any_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][all_in][]={value}"
        "&filter[fields][{field}][all_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][eq][]={value}",
        "filter[type]={table}&filter[fields][{field}][not_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][near][latitude]={value}"
        "&filter[fields][{field}][near][longitude]=0&filter[fields][{field}][near][radius]=1",
        "filter[type]={table}&filter[fields][{field}][near][latitude]=0"
        "&filter[fields][{field}][near][longitude]=179.9"
        "&filter[fields][{field}][near][radius]={value}",
        "filter[type]={table}&filter[fields][id][notIn][]={value}",
        "filter[type]={table}&filter[fields][_status][notIn][]={value}",
        "filter[type]={table}&filter[fields][_creator][eq]={value}",
        "filter[type]={table}&filter[fields][_publication_scheduled_at][eq]={value}",
        "filter[type]={table}&filter[fields][_unpublishing_scheduled_at][gt]={value}",
        "filter[query]={value}&order_by=_rank_DESC",
        "filter[type]={table}&filter[query]={value}&order_by=_rank_ASC,{field}_DESC",
        "filter[type]={table}&filter[fields][_created_at][lt]={value}",
        "filter[type]={table}&filter[fields][_updated_at][gte]={value}",
        "filter[type]={table}&order_by={field}_ASC&page[offset]={value}",
        "filter[type]={table}&filter[only_valid]={value}",
        "filter[type]={table}&filter[fields][_is_valid][eq]={value}",
        "order_by=_is_valid_{value}&version=published",
        "filter[query]={value}",
        "filter[ids]={value}",
        "page[offset]={value}",
        "page[limit]={value}",
        "version={value}&nested=true",
    ],
    "/uploads": [
        "filter[fields][size][gt]={value}",
        "filter[fields][created_at][lt]={value}",
        "filter[fields][filename][matches][pattern]={value}",
        "filter[fields][width][eq]={value}",
        "filter[query]={value}",
        "page[offset]={value}",
        "order_by={value}",
        # SPEC-2 §7.2's filters (uploads/filters.py).
        "filter[fields][type][in][]={value}",
        "filter[fields][in_use][eq]={value}",
        "filter[fields][orientation][neq]={value}",
        "filter[fields][resolution][not_in]={value}",
        "filter[fields][tags][contains]={value}",
        "filter[fields][tags][all_in][]={value}&filter[fields][tags][all_in][]={value}",
        "filter[fields][smart_tags][eq][]={value}",
        "filter[fields][colors][any_in]={value}",
        "filter[fields][colors][eq][]={value}&filter[fields][colors][eq][]=red",
        "filter[fields][alt][matches][pattern]={value}&locale=en",
        "filter[fields][title][in]={value}&locale={value}",
        "filter[fields][path][not_in][]={value}",
        "filter[fields][basename][not_matches][pattern]={value}"
        "&filter[fields][basename][not_matches][regexp]=false",
        "filter[fields][_created_at][eq]={value}",
        "filter[fields][_updated_at][gte]={value}",
        "filter[fields][upload_collection][eq]={value}",
        "filter[fields][mime_type][in]={value}",
        "order_by={value}_DESC,resolution_ASC",
    ],
    "/rest/{service}/{table}": [
        "filter={field}%20GTE%20:v&params%5B:v%5D={value}",
        "filter={field}%20CONTAINS%20%27{value}%27",
        "filter={field}%20%3E%20:v&params={value}",
        "related={value}",
        "group={value}&count_only=true",
        "ids={value}&id_field={value}&continue=true",
        "filter={field}%20%3E%20{value}",
        "filter=parent_id%20%3D%20%27{value}%27&order=position",
        "filter={field}%20%3D%20%27{value}%27",
        "filter={field}%20LIKE%20%27{value}%27",
        "filter={value}",
        "offset={value}",
        "limit={value}",
        "order={value}",
        "ids={value}",
        "fields={value}",
        "locale={value}",
    ],
    "/menu-items": ["filter[ids]={value}", "filter[ids][]={value}"],
    "/schema-menu-items": ["filter[ids]={value}"],
    "/upload-collections": ["filter[ids]={value}", "filter[ids][]={value}"],
    "/upload-tags": ["filter[query]={value}", "page[limit]={value}&page[offset]={value}"],
    "/upload-smart-tags": ["filter[query]={value}", "page[limit]={value}"],
    "/webhook_calls": [
        "filter[ids]={value}",
        "filter[fields][status][eq]={value}",
        "filter[fields][created_at][gt]={value}",
        "filter[fields][webhook_id][eq]={value}&order_by={value}",
        "order_by={value}",
        "page[limit]={value}&page[offset]={value}",
    ],
    "*": ["nested={value}", "version={value}", "page[offset]={value}", "include={value}"],
}
# DreamFactory 2's path to a table takes the same options as the seed's.
CRAFTED["/api/v2/{service}/_table/{table}"] = CRAFTED["/rest/{service}/{table}"]


# --- Headers ---------------------------------------------------------------------------

HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=255), max_size=30)
CONTENT_TYPES = [
    "application/json",
    "application/json",
    "application/vnd.api+json",
    "application/json; charset=utf-16",
    "application/json; charset=nonsense",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
    "multipart/form-data; boundary=xyz",
    "",
    "*/*",
]


@st.composite
def headers(draw) -> dict:
    chosen = {}
    if draw(st.booleans()):
        chosen["Idempotency-Key"] = draw(
            st.one_of(st.sampled_from(["k1", "", " ", "x" * 300]), HEADER_TEXT)
        )
    if draw(st.integers(0, 4)) == 0:
        chosen["X-Api-Version"] = draw(
            st.one_of(st.sampled_from(["2", "", " 3 ", "3.0"]), HEADER_TEXT)
        )
    if draw(st.integers(0, 4)) == 0:
        chosen["X-Environment"] = draw(
            st.one_of(st.sampled_from(["main", "sandbox", ""]), HEADER_TEXT)
        )
    if draw(st.integers(0, 6)) == 0:
        chosen["Accept"] = draw(st.sampled_from(["text/html", "application/xml", "*/*", ""]))
    return chosen


# --- Whole requests --------------------------------------------------------------------

ROLES = ["admin", "editor", "readonly", "none", "bad"]


# Each case is hostile in one respect (or, sometimes, in all), and ordinary in the others,
# so that most requests get past authentication and lookups to the code behind them.
FOCUS = ["path", "query", "query", "headers", "body", "body", "body", "role", "method", "all"]
BENIGN_QUERIES = {
    "/items": ["", f"filter[type]={REST_TABLE}&page[limit]=5", "nested=true&version=current"],
    "/uploads": ["", "page[limit]=2", "filter[fields][size][gt]=1"],
    "/rest/{service}/{table}": ["", "fields=*&limit=5", "filter=title%20%3D%20%27x%27"],
    "/items/{item}/publish": ["", "recursive=true", "recursive=false"],
    "/items/{item}/unpublish": ["", "recursive=true", "recursive=false"],
}
BENIGN_QUERIES["/api/v2/{service}/_table/{table}"] = BENIGN_QUERIES["/rest/{service}/{table}"]


# Record bodies and record queries reach the most code: drawn more often.
WEIGHTED_ENDPOINTS = [
    endpoint
    for endpoint in ENDPOINTS
    for _ in range(4 if endpoint.body in ("item", "item_update", "rest") else 1)
] + [endpoint for endpoint in ENDPOINTS if endpoint.template in ("/items", "/uploads")]


@st.composite
def cases(draw, world: World) -> Case:
    endpoint = draw(st.sampled_from(WEIGHTED_ENDPOINTS))
    lists = endpoint.query and "GET" in endpoint.methods
    focus = draw(st.sampled_from(FOCUS + ["query"] * 4 if lists else FOCUS))
    hostile = lambda part: focus in (part, "all")  # noqa: E731
    method = draw(st.sampled_from(METHODS if hostile("method") else endpoint.methods))
    case = Case(
        endpoint=f"{method} {endpoint.template}",
        method=method,
        path=draw(paths(world, endpoint, hostile("path"))),
        role=draw(st.sampled_from(ROLES if hostile("role") else ["admin", "editor"])),
    )
    if hostile("query"):
        case.query = draw(query_strings(world, endpoint))
    else:
        case.query = draw(st.sampled_from(BENIGN_QUERIES.get(endpoint.template, [""])))
    if hostile("headers"):
        case.headers = draw(headers())
    kind = endpoint.body if method in ("POST", "PUT", "PATCH") else None
    if kind == "bytes":
        case.body = png_bytes() if not hostile("body") else draw(st.sampled_from([b"", b"x"]))
        case.content_type = "image/png"
        case.chunked = hostile("body") and draw(st.booleans())
    elif kind is None:
        if hostile("body") and draw(st.booleans()):  # a body where none is expected
            case.body = draw(st.sampled_from(RAW_BODIES[:8]))
    elif not hostile("body"):
        payload = world.payloads["rest_one" if kind == "rest" else kind]
        case.body = json_dumps(payload)
    elif kind == "upload" and method == "POST" and draw(st.booleans()):
        case.body, case.content_type = draw(upload_bodies())
    elif kind == "rest":
        case.body = draw(rest_bodies(world))
    else:
        case.body = draw(json_bodies(world.payloads[kind], world))
    if case.body and hostile("headers") and draw(st.booleans()):
        case.content_type = draw(st.sampled_from(CONTENT_TYPES))
    return case


def json_dumps(value) -> bytes:
    return json.dumps(value).encode()
