"""Checking a webhook's attributes (SPEC-2 §8.1): every problem at once, each naming its
attribute (422 INVALID_FIELD), before anything is written."""

from functools import partial

import chevron

from cms.api.attributes import Attribute, clean_attributes, clean_flag, clean_name, fail
from cms.api.errors import ApiErrors
from cms.api.outbound_attributes import (
    HEADER_RULE,
    MAX_HEADERS,
    MAX_URL,
    BadHeaders,
    check_headers,
    check_reachable,
)

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
MAX_TEXT = 64 * 1024


def clean(attributes: dict, *, creating: bool) -> dict:
    """The attributes to write; ApiErrors naming each bad one."""
    cleaned, errors = clean_attributes(attributes, ATTRIBUTES, creating=creating, strict=True)
    if errors:
        raise ApiErrors(errors)
    return cleaned


def _template(name: str, value: str) -> str:
    """A Mustache template that parses (rendering it never runs code: chevron only looks
    keys up in the payload, and partials are off)."""
    try:
        chevron.render(value, {}, partials_path=None)
    except (chevron.ChevronError, IndexError, KeyError) as error:
        fail(name, "VALIDATION_TEMPLATE", message=f"Not a valid Mustache template: {error}")
    return value


def _url(name, value):
    if not isinstance(value, str) or not value:
        fail(name, "VALIDATION_REQUIRED")
    if len(value) > MAX_URL:
        fail(name, "VALIDATION_LENGTH", max=MAX_URL)
    _template(name, value)
    if "{{" not in value:  # with tags, checked once rendered, at each call
        check_reachable(value, partial(fail, name))
    return value


def _custom_payload(name, value):
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_TEXT:
        fail(name, max=MAX_TEXT, message="A string (a Mustache template) or null.")
    return _template(name, value)


def _headers(name, value):
    try:
        return check_headers(value)
    except BadHeaders as bad:
        if bad.header is None:
            fail(
                name, message=f"An object of header names to string values (at most {MAX_HEADERS})."
            )
        fail(name, key=bad.header, message=HEADER_RULE)


def _text(name, value):
    if value is not None and (not isinstance(value, str) or len(value) > 255):
        fail(name, message="A string (at most 255 characters) or null.")
    return value


def _api_version(name, value):
    if value not in ("3",):
        fail(name, "VALIDATION_INCLUSION", allowed=["3"])
    return value


def _events(name, value):
    if not isinstance(value, list) or len(value) > 100:
        fail(name, message="An array of {entity_type, event_types, filters}.")
    return [_event(index, entry) for index, entry in enumerate(value)]


def _event(index: int, entry) -> dict:
    where = {"index": index}
    if not isinstance(entry, dict) or set(entry) - {"entity_type", "event_types", "filters"}:
        fail("events", **where, message="An object with entity_type, event_types, filters.")
    entity_type = entry.get("entity_type")
    if not isinstance(entity_type, str) or entity_type not in EVENTS:
        fail("events", "VALIDATION_INCLUSION", **where, key="entity_type", allowed=sorted(EVENTS))
    types = entry.get("event_types")
    if (
        not isinstance(types, list)
        or not types
        or not all(isinstance(t, str) and t in EVENTS[entity_type] for t in types)
    ):
        fail(
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
        fail(
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


# Required ones first, in the order their absence is reported.
ATTRIBUTES = {
    "name": Attribute(required=True, clean=clean_name),
    "url": Attribute(required=True, clean=_url),
    "custom_payload": Attribute(required=True, clean=_custom_payload),
    "headers": Attribute(required=True, clean=_headers),
    "events": Attribute(required=True, clean=_events),
    "http_basic_user": Attribute(clean=_text),
    "http_basic_password": Attribute(clean=_text),
    "payload_api_version": Attribute(clean=_api_version),
    **{
        name: Attribute(clean=clean_flag)
        for name in ("enabled", "nested_items_in_payload", "auto_retry")
    },
}
