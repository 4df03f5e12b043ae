"""Hypothesis strategies: one request (a :class:`Case`) aimed at an endpoint of either API,
with hostile path ids, query strings, headers, bodies and a token of any role.
Endpoints and paths: endpoints.py; query strings: queries.py."""

import json

from hypothesis import strategies as st

from tests.conftest import png_bytes
from tests.fuzz.case import Case
from tests.fuzz.endpoints import ENDPOINTS, paths
from tests.fuzz.queries import (
    CRAFTED,  # noqa: F401  (tests/uploads/test_upload_filters.py imports it from here)
    query_strings,
)
from tests.fuzz.values import (
    RAW_BODIES,
    json_bodies,
    rest_bodies,
    upload_bodies,
)
from tests.fuzz.world import REST_TABLE, World

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE", "PROPFIND"]


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
