"""POST /audit-log-events/query over HTTP: paging, time ranges, each filter form, and the
refusals (each a 422 naming its code, position and token; a query is never recorded)."""

import time
from datetime import timedelta

import pytest

from audit_log.models import AuditLogEvent
from audit_log.ulid import moment_of
from tests.audit_log.conftest import actions, events, query
from tests.conftest import error_codes
from tests.items.conftest import make, put


@pytest.fixture
def history(api):
    """A model, a field, a record created, updated, published; a refused create."""
    model = api.create_item_type("post", draft_mode_active=True)
    time.sleep(0.01)
    api.create_field(model["id"], "title", "string")
    time.sleep(0.01)
    item = make(api, model["id"], {"title": "A"})
    time.sleep(0.01)
    assert put(api, item["id"], {"title": "B"}).status_code == 200
    time.sleep(0.01)
    assert api.put(f"/items/{item['id']}/publish").status_code == 200
    time.sleep(0.01)
    assert api.post("/items", {"data": {"type": "item", "attributes": {}}}).status_code == 422
    return {"model": model, "item": item}


ALL = [
    "item_types.create",
    "fields.create",
    "items.create",
    "items.update",
    "items.publish",
    "items.create",
]


def test_paging_follows_next_token_to_the_end(api, history, settings):
    settings.CMS_AUDIT_LOG_PAGE_SIZE = 4
    first = query(api).body
    assert len(first["data"]) == 4 and first["meta"]["next_token"] is not None
    second = query(api, next_token=first["meta"]["next_token"]).body
    assert len(second["data"]) == 2 and second["meta"]["next_token"] is None
    ids = [e["id"] for e in first["data"] + second["data"]]
    assert ids == sorted(ids) and len(set(ids)) == 6
    settings.CMS_AUDIT_LOG_PAGE_SIZE = 3  # exactly two pages: the second ends it
    assert actions(api) == ALL
    assert query(api, next_token=ids[-1]).body == {"data": [], "meta": {"next_token": None}}


def test_since_and_before(api, history):
    found = events(api)
    third = moment_of(found[2]["id"])
    fifth = moment_of(found[4]["id"])
    since, before = third.isoformat(), fifth.isoformat()
    assert actions(api, since=since) == ALL[2:]
    assert actions(api, before=before) == ALL[:4]
    assert actions(api, since=since, before=before) == ALL[2:4]
    naive = (fifth + timedelta(hours=2)).replace(tzinfo=None).isoformat()  # UTC when naive
    assert actions(api, before=naive) == ALL
    assert actions(api, since="2999-01-01T00:00:00Z") == []


def test_filter_forms(api, history):
    item, model = history["item"], history["model"]
    found = events(api)
    token_id = found[0]["attributes"]["actor"]["id"]
    start = int(moment_of(found[2]["id"]).timestamp())
    since_start = [
        a for e, a in zip(found, ALL, strict=True) if moment_of(e["id"]).timestamp() >= start
    ]
    cases = {
        "action_name = 'items.update'": ["items.update"],
        "action_name != 'items.create'": [a for a in ALL if a != "items.create"],
        "action_name <> 'items.create'": [a for a in ALL if a != "items.create"],
        "begins_with(action_name,'fields')": ["fields.create"],
        "BEGINS_WITH(action_name, 'items.c')": ["items.create", "items.create"],
        "contains(action_name,'update')": ["items.update"],
        "contains(action_name,'UPDATE')": [],  # case-sensitive on both databases
        "begins_with(action_name, '%')": [],  # no LIKE: % is a character
        f"actor.type = 'access_token' AND actor.id = '{token_id}'": ALL,
        "actor.type = 'user'": [],
        f"request.path = '/items/{item['id']}/publish'": ["items.publish"],
        "request.method = 'PUT'": ["items.update", "items.publish"],
        f"request.payload.data.relationships.item_type.data.id = '{model['id']}'": ["items.create"],
        "response.payload.data.attributes.title = 'B'": ["items.update", "items.publish"],
        "begins_with(request.payload.data.type, 'item_')": ["item_types.create"],
        "response.status >= 400": ["items.create"],
        "response.status < 201": ["items.update", "items.publish"],
        "response.status = 201 AND NOT begins_with(action_name, 'items')": [
            "item_types.create",
            "fields.create",
        ],
        "(action_name = 'items.update' OR action_name = 'items.publish') AND role.name = 'Admin'": [
            "items.update",
            "items.publish",
        ],
        "not (response.status <= 200 or response.status > 201)": ALL[:3],
        "environment.id = 'main' AND environment.primary = true": ALL,
        "environment.primary = false": [],
        f"id >= min_ulid({start})": since_start,
        f"id >= min_ulid({start}) AND id < min_ulid({start + 3600})": since_start,
        "id < min_ulid(0)": [],
        "request.id = 'none'": [],
        "request.payload.data.attributes.missing = 'x'": [],
    }
    for text, expected in cases.items():
        assert actions(api, filter=text) == expected, text


def test_refusals_name_the_code_position_and_token(api, history):
    before = AuditLogEvent.objects.count()
    cases = {
        "action_name = ": ("UNEXPECTED_END", 14, ""),
        "action_name == 'x'": ("UNEXPECTED_TOKEN", 13, "="),
        "action_name LIKE 'x%'": ("UNEXPECTED_TOKEN", 12, "LIKE"),
        "action_name = 'x' action_name": ("UNEXPECTED_TOKEN", 18, "action_name"),
        "'x' = action_name": ("UNEXPECTED_TOKEN", 0, "'x'"),
        "action_name IN ('x')": ("UNEXPECTED_TOKEN", 12, "IN"),
        "foo = 'x'": ("UNKNOWN_FIELD", 0, "foo"),
        "actor.secret = 'x'": ("UNKNOWN_FIELD", 0, "actor.secret"),
        "request.payload = 'x'": ("UNKNOWN_FIELD", 0, "request.payload"),
        "lower(action_name) = 'x'": ("UNKNOWN_FUNCTION", 0, "lower"),
        "action_name = upper('x')": ("UNKNOWN_FUNCTION", 14, "upper"),
        "min_ulid(1) = id": ("UNKNOWN_FUNCTION", 0, "min_ulid"),
        "action_name = 'x": ("UNTERMINATED_STRING", 14, "'"),
        "\"action_name\" = 'x'": ("UNEXPECTED_CHARACTER", 0, '"'),
        "action_name = 'x'; DELETE FROM audit_log_auditlogevent": (
            "UNEXPECTED_CHARACTER",
            17,
            ";",
        ),
        "request.payload.data[0] = 'x'": ("UNEXPECTED_CHARACTER", 20, "["),
        "action_name = 3": ("TYPE_MISMATCH", 0, "action_name"),
        "response.status = '201'": ("TYPE_MISMATCH", 0, "response.status"),
        "environment.primary > true": ("TYPE_MISMATCH", 0, "environment.primary"),
        "action_name >= min_ulid(1)": ("TYPE_MISMATCH", 0, "action_name"),
        "begins_with(response.status, '2')": ("TYPE_MISMATCH", 12, "response.status"),
        "begins_with(action_name, 3)": ("UNEXPECTED_TOKEN", 25, "3"),
        "response.status = 1e999": ("INVALID_NUMBER", 18, "1e999"),
        "(" * 40 + "action_name = 'x'" + ")" * 40: ("FILTER_TOO_DEEP", 32, "("),
        "NOT " * 40 + "action_name = 'x'": ("FILTER_TOO_DEEP", 128, "NOT"),
        "action_name = 'x' AND " * 200 + "action_name = 'x'": ("FILTER_TOO_LONG", 4000, ""),
    }
    for text, (code, position, token) in cases.items():
        response = query(api, 422, filter=text)
        [error] = response.body["data"]
        assert error["attributes"]["code"] == "INVALID_AUDIT_LOG_FILTER", text
        details = error["attributes"]["details"]
        assert (details["code"], details["position"], details["token"]) == (
            code,
            position,
            token,
        ), text
        assert details["field"] == "filter"
    assert AuditLogEvent.objects.count() == before  # queries, refused or not, aren't writes


def test_bad_query_bodies(api, history):
    assert error_codes(query(api, 422, since="yesterday")) == [
        ("INVALID_FIELD", "since", "VALIDATION_FORMAT")
    ]
    assert error_codes(query(api, 422, before="2024-13-45T00:00:00Z")) == [
        ("INVALID_FIELD", "before", "VALIDATION_FORMAT")
    ]
    assert error_codes(query(api, 422, detailed_log="yes")) == [
        ("INVALID_FIELD", "detailed_log", "VALIDATION_FORMAT")
    ]
    assert error_codes(query(api, 422, filter=5)) == [
        ("INVALID_FIELD", "filter", "VALIDATION_FORMAT")
    ]
    assert error_codes(query(api, 422, next_token="garbage")) == [
        ("INVALID_NEXT_TOKEN", "next_token", None)
    ]
    assert error_codes(query(api, 422, page=2))[0][:2] == ("INVALID_ATTRIBUTES", "page")
    wrong = api.post("/audit-log-events/query", {"data": {"type": "item", "attributes": {}}})
    assert wrong.status_code == 422 and error_codes(wrong)[0][0] == "INVALID_TYPE"
    assert api.post("/audit-log-events/query", {"nope": 1}).status_code == 422
    assert api.get("/audit-log-events/query").status_code == 405


def test_only_roles_that_may_read_the_log(api, editor_api, readonly_api, anonymous_api, history):
    for other in (editor_api, readonly_api):
        response = query(other, 403)
        assert error_codes(response)[0][0] == "INSUFFICIENT_PERMISSIONS"
    assert query(anonymous_api, 401).status_code == 401
    assert len(query(api).body["data"]) == 6
