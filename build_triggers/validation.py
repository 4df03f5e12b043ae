"""Checking a build trigger's attributes (SPEC-2 §9): every problem at once, each naming
its attribute (422 INVALID_FIELD, ``details.code`` the rule), before anything is written.

Only the ``custom`` adapter exists: ``netlify``, ``vercel`` and ``gitlab`` are refused
with ``VALIDATION_NOT_SUPPORTED`` until they do (anything else: ``VALIDATION_INCLUSION``).
"""

import re

from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.outbound import OutboundError, check_url
from webhooks.validation import valid_header

ADAPTERS = ("custom", "netlify", "vercel", "gitlab")
SUPPORTED_ADAPTERS = ("custom",)
REQUIRED = (
    "name",
    "adapter",
    "adapter_settings",
    "frontend_url",
    "autotrigger_on_scheduled_publications",
)
FLAGS = ("autotrigger_on_scheduled_publications", "indexing_enabled", "enabled")
WRITABLE = {*REQUIRED, *FLAGS, "webhook_token"}
#: Answered, never written: the server keeps them.
READ_ONLY = {"webhook_url", "build_status", "last_build_completed_at", "indexing_status"}
CUSTOM_SETTINGS = ("trigger_url", "headers", "payload")
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_URL = 2048
MAX_PAYLOAD_KEYS = 1000


def clean(attributes: dict, *, creating: bool, adapter: str | None = None) -> dict:
    """The attributes to write; ApiErrors naming each bad one. ``adapter``: the trigger's
    current adapter, on an update (its settings are checked against the adapter they'll
    have)."""
    errors, cleaned = [], {}
    for name in sorted(set(attributes) - WRITABLE - READ_ONLY):
        errors.append(invalid_field(name, "VALIDATION_UNKNOWN_ATTRIBUTE"))
    for name in sorted(set(attributes) & READ_ONLY):
        errors.append(invalid_field(name, "VALIDATION_READ_ONLY"))
    if creating:
        for name in REQUIRED:
            if name not in attributes:
                errors.append(invalid_field(name, "VALIDATION_REQUIRED"))
    elif "webhook_token" in attributes:
        errors.append(invalid_field("webhook_token", "VALIDATION_IMMUTABLE"))
    for name in sorted(set(attributes) & (WRITABLE - {"adapter_settings"})):
        if name == "webhook_token" and not creating:
            continue
        try:
            cleaned[name] = CHECKS[name](attributes[name])
        except ApiError as error:
            errors.append(error)
    adapter = cleaned.get("adapter", None if "adapter" in attributes else adapter)
    if "adapter_settings" in attributes and adapter is not None:
        try:
            cleaned["adapter_settings"] = _adapter_settings(attributes["adapter_settings"])
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


def _adapter(value):
    if not isinstance(value, str) or value not in ADAPTERS:
        _fail("adapter", "VALIDATION_INCLUSION", allowed=list(ADAPTERS))
    if value not in SUPPORTED_ADAPTERS:
        _fail(
            "adapter",
            "VALIDATION_NOT_SUPPORTED",
            allowed=list(SUPPORTED_ADAPTERS),
            message=f"The {value} adapter doesn't exist here yet: use custom.",
        )
    return value


def _adapter_settings(value) -> dict:
    """The custom adapter's: ``{trigger_url, headers, payload}``, all three, nothing else."""
    where = "adapter_settings"
    if not isinstance(value, dict):
        _fail(where, message="An object: {trigger_url, headers, payload}.")
    for key in sorted(set(value) - set(CUSTOM_SETTINGS)):
        _fail(where, "VALIDATION_UNKNOWN_ATTRIBUTE", key=key, allowed=list(CUSTOM_SETTINGS))
    for key in CUSTOM_SETTINGS:
        if key not in value:
            _fail(where, "VALIDATION_REQUIRED", key=key)
    url = value["trigger_url"]
    if not isinstance(url, str) or not url or len(url) > MAX_URL:
        _fail(where, key="trigger_url", message=f"A URL (at most {MAX_URL} characters).")
    try:
        check_url(url)
    except OutboundError as error:
        _fail(where, "VALIDATION_URL", key="trigger_url", message=error.message)
    headers = value["headers"]
    if not isinstance(headers, dict) or len(headers) > 50:
        _fail(where, key="headers", message="An object of header names to string values.")
    for name, header in headers.items():
        if not valid_header(name, header):
            _fail(
                where,
                key="headers",
                header=name,
                message="Header names are tokens; values, one-line strings.",
            )
    payload = value["payload"]
    if not isinstance(payload, dict) or len(payload) > MAX_PAYLOAD_KEYS:
        _fail(where, key="payload", message="A JSON object: the body POSTed to trigger_url.")
    return {"trigger_url": url, "headers": headers, "payload": payload}


def _frontend_url(value):
    if value is None:
        return None
    if not isinstance(value, str) or not value or len(value) > MAX_URL:
        _fail("frontend_url", message=f"A URL (at most {MAX_URL} characters) or null.")
    try:
        check_url(value)
    except OutboundError as error:
        _fail("frontend_url", "VALIDATION_URL", message=error.message)
    return value


def _flag(name):
    def check(value):
        if not isinstance(value, bool):
            _fail(name, message="true or false.")
        return value

    return check


def _webhook_token(value):
    if not isinstance(value, str) or not TOKEN.fullmatch(value):
        _fail("webhook_token", message="16 to 64 letters, digits, '-' or '_'.")
    return value


CHECKS = {
    "name": _name,
    "adapter": _adapter,
    "frontend_url": _frontend_url,
    "webhook_token": _webhook_token,
    **{name: _flag(name) for name in FLAGS},
}
