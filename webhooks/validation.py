"""Checking a webhook's attributes (SPEC-2 §8.1): every problem at once, each naming its
attribute (422 INVALID_FIELD), before anything is written."""

import chevron

from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.outbound import OutboundError, check_url

#: entity_type -> the event types it has (SPEC-2 §8.1's table).
EVENTS = {
    "item": {"create", "update", "delete", "publish", "unpublish"},
    "item_type": {"create", "update", "delete"},
    "upload": {"create", "update", "delete"},
    "build_trigger": {"deploy_started", "deploy_succeeded", "deploy_failed"},
    "environment": {"promote"},
    "maintenance_mode": {"change"},
    "sso_user": {"create"},
    "cda_cache_tags": {"invalidate"},
}
FILTER_TYPES = {"item_type", "item", "build_trigger", "environment", "environment_type"}
REQUIRED = ("name", "url", "custom_payload", "headers", "events")
NULLABLE_TEXT = ("custom_payload", "http_basic_user", "http_basic_password")
FLAGS = ("enabled", "nested_items_in_payload", "auto_retry")
ATTRIBUTES = {*REQUIRED, *NULLABLE_TEXT, *FLAGS, "payload_api_version"}
MAX_TEXT = 64 * 1024


def clean(attributes: dict, *, creating: bool) -> dict:
    """The attributes to write; ApiErrors naming each bad one."""
    errors, cleaned = [], {}
    for name in sorted(set(attributes) - ATTRIBUTES):
        errors.append(invalid_field(name, "VALIDATION_UNKNOWN_ATTRIBUTE"))
    if creating:
        for name in REQUIRED:
            if name not in attributes:
                errors.append(invalid_field(name, "VALIDATION_REQUIRED"))
    for name in sorted(set(attributes) & ATTRIBUTES):
        try:
            cleaned[name] = CHECKS[name](attributes[name])
        except ApiError as error:
            errors.append(error)
    if errors:
        raise ApiErrors(errors)
    return cleaned


def _fail(name: str, code: str = "VALIDATION_FORMAT", **details):
    raise invalid_field(name, code, **details)


def _name(value):
    if not isinstance(value, str) or not value.strip():
        _fail("name", "VALIDATION_REQUIRED")
    if len(value) > 255:
        _fail("name", "VALIDATION_LENGTH", max=255)
    return value


def _template(name: str, value: str) -> str:
    """A Mustache template that parses (rendering it never runs code: chevron only looks
    keys up in the payload, and partials are off)."""
    try:
        chevron.render(value, {}, partials_path=None)
    except (chevron.ChevronError, IndexError, KeyError) as error:
        _fail(name, "VALIDATION_TEMPLATE", message=f"Not a valid Mustache template: {error}")
    return value


def _url(value):
    if not isinstance(value, str) or not value:
        _fail("url", "VALIDATION_REQUIRED")
    if len(value) > 2048:
        _fail("url", "VALIDATION_LENGTH", max=2048)
    _template("url", value)
    if "{{" not in value:  # with tags, checked once rendered, at each call
        try:
            check_url(value)
        except OutboundError as error:
            _fail("url", "VALIDATION_URL", message=error.message)
    return value


def _custom_payload(value):
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        _fail("custom_payload", max=MAX_TEXT, message="A string (a Mustache template) or null.")
    return _template("custom_payload", value)


def _headers(value):
    if not isinstance(value, dict) or len(value) > 50:
        _fail("headers", message="An object of header names to string values (at most 50).")
    for key, header in value.items():
        if not valid_header(key, header):
            _fail("headers", key=key, message="Header names are tokens; values, one-line strings.")
    return value


def valid_header(key: str, value) -> bool:
    """A header http.client can send as given (build triggers' headers too)."""
    valid_name = key and all(33 <= ord(c) < 127 and c != ":" for c in key)
    return bool(valid_name) and isinstance(value, str) and not any(c in value for c in "\r\n\0")


def _text(name):
    def check(value):
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            _fail(name, message="A string (at most 255 characters) or null.")
        return value

    return check


def _flag(name):
    def check(value):
        if not isinstance(value, bool):
            _fail(name, message="true or false.")
        return value

    return check


def _api_version(value):
    if value not in ("3",):
        _fail("payload_api_version", "VALIDATION_INCLUSION", allowed=["3"])
    return value


def _events(value):
    if not isinstance(value, list) or len(value) > 100:
        _fail("events", message="An array of {entity_type, event_types, filters}.")
    return [_event(index, entry) for index, entry in enumerate(value)]


def _event(index: int, entry) -> dict:
    where = {"index": index}
    if not isinstance(entry, dict) or set(entry) - {"entity_type", "event_types", "filters"}:
        _fail("events", **where, message="An object with entity_type, event_types, filters.")
    entity_type = entry.get("entity_type")
    if not isinstance(entity_type, str) or entity_type not in EVENTS:
        _fail("events", "VALIDATION_INCLUSION", **where, key="entity_type", allowed=sorted(EVENTS))
    types = entry.get("event_types")
    if (
        not isinstance(types, list)
        or not types
        or not all(isinstance(t, str) and t in EVENTS[entity_type] for t in types)
    ):
        _fail(
            "events",
            "VALIDATION_INCLUSION",
            **where,
            key="event_types",
            allowed=sorted(EVENTS[entity_type]),
        )
    filters = entry.get("filters")
    if filters is not None and (
        not isinstance(filters, list) or not all(_filter_ok(f) for f in filters)
    ):
        _fail(
            "events",
            **where,
            key="filters",
            message="Filters are [{entity_type, entity_ids: [string, ...]}].",
        )
    return {"entity_type": entity_type, "event_types": sorted(set(types)), "filters": filters}


def _filter_ok(value) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"entity_type", "entity_ids"}
        and isinstance(value["entity_type"], str)
        and value["entity_type"] in FILTER_TYPES
        and isinstance(value["entity_ids"], list)
        and 0 < len(value["entity_ids"]) <= 1000
        and all(isinstance(i, str) for i in value["entity_ids"])
    )


CHECKS = {
    "name": _name,
    "url": _url,
    "custom_payload": _custom_payload,
    "headers": _headers,
    "events": _events,
    "http_basic_user": _text("http_basic_user"),
    "http_basic_password": _text("http_basic_password"),
    "payload_api_version": _api_version,
    **{name: _flag(name) for name in FLAGS},
}
