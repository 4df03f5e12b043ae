"""The record API's request options, read the same way for every verb and both path
forms: which table, which columns, DreamFactory's flags and numbers, and the wrapper
(``record`` under ``/rest/``, ``resource`` under ``/api/v2/``)."""

import json

from django.conf import settings

from items.content_model import ContentModel
from items.placement import PARENT, POSITION
from record_api.errors import RecordApiError

TRUE = {"1", "true", "yes"}


def table(service: str, name: str, model: ContentModel):
    """The model a table name (its api_key) stands for; block models are no tables."""
    check_service(service)
    item_type = next(
        (it for it in model.item_types.values() if it.api_key == name and not it.modular_block),
        None,
    )
    if item_type is None:
        raise RecordApiError(404, f"Table '{name}' does not exist.")
    return item_type


def check_service(service: str) -> None:
    if service not in settings.CMS_REST_SERVICES:
        raise RecordApiError(404, f"Service '{service}' does not exist.")


def tables(model: ContentModel) -> list:
    """The tables (models, not block models), by name."""
    return sorted(
        (it for it in model.item_types.values() if not it.modular_block),
        key=lambda it: it.api_key,
    )


def columns(item_type, fields) -> list[str]:
    """The table's columns besides ``id``: its fields, and ``position`` (and
    ``parent_id``) for a sortable (or tree) model."""
    placement = [POSITION, PARENT] if item_type.tree else [POSITION] if item_type.sortable else []
    return [field.api_key for field in fields] + placement


def wanted_fields(raw, known: list[str]) -> list[str] | None:
    """``fields``: absent or empty gives the id only, ``*`` every field, ``a,b`` the id
    and those. None means every field."""
    if isinstance(raw, list):  # posted as a JSON list
        raw = ",".join(str(name) for name in raw)
    # Each name once: a long list of repeats would be read for every record answered.
    names = list(dict.fromkeys(n.strip() for n in str(raw or "").split(",") if n.strip()))
    if names == ["*"]:
        return None
    unknown = sorted(set(names) - set(known) - {"id"})
    if unknown:
        raise RecordApiError(400, f"Unknown fields: {', '.join(unknown)}.", {"fields": unknown})
    return ["id", *[name for name in names if name != "id"]]


def whole_number(params, name: str, default: int, minimum: int, maximum: int) -> int:
    raw = params.get(name, "")
    if isinstance(raw, bool) or not str(raw).strip():
        return default
    try:
        number = int(raw)
    except (TypeError, ValueError):
        number = None
    if number is None or not minimum <= number <= maximum:
        raise RecordApiError(
            400, f"{name} must be a whole number from {minimum} to {maximum}.", {name: raw}
        )
    return number


def is_true(value) -> bool:
    """DreamFactory's booleans: ``true``, ``1`` or ``yes`` switch on, anything else is off
    (its convention, unlike the Content Management API's strict true/false)."""
    return value is True or str(value).lower() in TRUE


def id_list(raw) -> list[str]:
    """``ids``: a comma list, or (posted) a JSON list of ids."""
    if isinstance(raw, list):
        return [str(v).strip() for v in raw if not isinstance(v, dict | list) and str(v).strip()]
    return [part.strip() for part in str(raw or "").split(",") if part.strip()]


def bound_params(query, posted) -> dict:
    """``params`` for a filter's ``:name``: posted as an object (or a list of
    ``{"name", "value"}``), or in the query as JSON (``params={":min":3}``) or PHP's way
    (``params[:min]=3``, a text value)."""
    raw = posted if posted is not None else query.get("params")
    found = {}
    if isinstance(raw, str) and raw.strip():
        try:
            raw = json.loads(raw)
        except ValueError:
            raise RecordApiError(400, "params must be a JSON object.", {"params": raw}) from None
    if isinstance(raw, list):
        pairs = [p for p in raw if isinstance(p, dict) and isinstance(p.get("name"), str)]
        if len(pairs) != len(raw):
            raise RecordApiError(400, 'params lists {"name", "value"} objects.')
        raw = {p["name"]: p.get("value") for p in pairs}
    if raw not in (None, "") and not isinstance(raw, dict):
        raise RecordApiError(400, "params must be an object of values by name.")
    found.update(raw or {})
    for key in query:
        if key.startswith("params[") and key.endswith("]"):
            found[key[7:-1]] = query.get(key)
    return found
