"""Checking a build trigger's attributes (SPEC-2 §9): every problem at once, each naming
its attribute (422 INVALID_FIELD, ``details.code`` the rule), before anything is written.

Only the ``custom`` adapter exists: ``netlify``, ``vercel`` and ``gitlab`` are refused
with ``VALIDATION_NOT_SUPPORTED`` until they do (anything else: ``VALIDATION_INCLUSION``).
"""

import re
from functools import partial

from cms.api.attributes import Attribute, clean_attributes, clean_flag, clean_name, fail
from cms.api.errors import ApiError, ApiErrors
from cms.api.outbound_attributes import (
    HEADER_RULE,
    MAX_URL,
    BadHeaders,
    check_headers,
    check_reachable,
    is_url_sized,
)

ADAPTERS = ("custom", "netlify", "vercel", "gitlab")
SUPPORTED_ADAPTERS = ("custom",)
CUSTOM_SETTINGS = ("trigger_url", "headers", "payload")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_PAYLOAD_KEYS = 1000


def clean(attributes: dict, *, creating: bool, adapter: str | None = None) -> dict:
    """The attributes to write; ApiErrors naming each bad one. ``adapter``: the trigger's
    current adapter, on an update (its settings are checked against the adapter they'll
    have)."""
    cleaned, errors = clean_attributes(attributes, ATTRIBUTES, creating=creating, strict=True)
    # The settings are checked last, against the adapter they'll have: none if the one
    # sent was refused.
    settings = cleaned.pop("adapter_settings", None)
    adapter = cleaned.get("adapter", None if "adapter" in attributes else adapter)
    if "adapter_settings" in attributes and adapter is not None:
        try:
            cleaned["adapter_settings"] = _adapter_settings(settings)
        except ApiError as error:
            errors.append(error)
    if errors:
        raise ApiErrors(errors)
    return cleaned


def _adapter(name, value):
    if not isinstance(value, str) or value not in ADAPTERS:
        fail(name, "VALIDATION_INCLUSION", allowed=list(ADAPTERS))
    if value not in SUPPORTED_ADAPTERS:
        fail(
            name,
            "VALIDATION_NOT_SUPPORTED",
            allowed=list(SUPPORTED_ADAPTERS),
            message=f"The {value} adapter doesn't exist here yet: use custom.",
        )
    return value


def _adapter_settings(value) -> dict:
    """The custom adapter's: ``{trigger_url, headers, payload}``, all three, nothing else."""
    where = "adapter_settings"
    if not isinstance(value, dict):
        fail(where, message="An object: {trigger_url, headers, payload}.")
    for key in sorted(set(value) - set(CUSTOM_SETTINGS)):
        fail(where, "VALIDATION_UNKNOWN_ATTRIBUTE", key=key, allowed=list(CUSTOM_SETTINGS))
    for key in CUSTOM_SETTINGS:
        if key not in value:
            fail(where, "VALIDATION_REQUIRED", key=key)
    url = value["trigger_url"]
    if not is_url_sized(url):
        fail(where, key="trigger_url", message=f"A URL (at most {MAX_URL} characters).")
    check_reachable(url, partial(fail, where, key="trigger_url"))
    try:
        headers = check_headers(value["headers"])
    except BadHeaders as bad:
        if bad.header is None:
            fail(where, key="headers", message="An object of header names to string values.")
        fail(where, key="headers", header=bad.header, message=HEADER_RULE)
    payload = value["payload"]
    if not isinstance(payload, dict) or len(payload) > MAX_PAYLOAD_KEYS:
        fail(where, key="payload", message="A JSON object: the body POSTed to trigger_url.")
    return {"trigger_url": url, "headers": headers, "payload": payload}


def _frontend_url(name, value):
    if value is None:
        return None
    if not is_url_sized(value):
        fail(name, message=f"A URL (at most {MAX_URL} characters) or null.")
    return check_reachable(value, partial(fail, name))


def _webhook_token(name, value):
    if not isinstance(value, str) or not TOKEN.fullmatch(value):
        fail(name, message="16 to 64 letters, digits, '-' or '_'.")
    return value


def _kept_for_clean(name, value):
    return value


# Required ones first, in the order their absence is reported.
ATTRIBUTES = {
    "name": Attribute(required=True, clean=clean_name),
    "adapter": Attribute(required=True, clean=_adapter),
    "adapter_settings": Attribute(required=True, clean=_kept_for_clean),
    "frontend_url": Attribute(required=True, clean=_frontend_url),
    "autotrigger_on_scheduled_publications": Attribute(required=True, clean=clean_flag),
    "indexing_enabled": Attribute(clean=clean_flag),
    "enabled": Attribute(clean=clean_flag),
    "webhook_token": Attribute(immutable=True, clean=_webhook_token),
    # Answered, never written: the server keeps them.
    **{
        name: Attribute(read_only=True)
        for name in ("webhook_url", "build_status", "last_build_completed_at", "indexing_status")
    },
}
