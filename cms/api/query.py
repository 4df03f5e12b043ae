"""List parameters as DatoCMS's client sends them: ``filter[fields][md5][eq]=x``,
``page[offset]=0&page[limit]=30``, ``order_by=created_at_DESC``, arrays as ``key[]``.
"""

import re

from django.conf import settings

from cms.api.errors import ApiError

KEY_PART = re.compile(r"\[([^\[\]]*)\]")
DEFAULT_PAGE_LIMIT = 30
MAX_PAGE_LIMIT = 500


def nested_params(query_params) -> dict:
    """``{"filter": {"fields": {"md5": {"eq": "x"}}}}`` from bracketed keys.

    A key ending in ``[]`` (or repeated) gives a list.
    """
    result: dict = {}
    for key in query_params:
        values = query_params.getlist(key)
        head, _, rest = key.partition("[")
        parts = [head, *KEY_PART.findall("[" + rest)] if rest else [head]
        is_list = parts[-1] == ""
        if is_list:
            parts = parts[:-1]
        if not parts or not parts[0]:  # "[", "[]" or "[x]": brackets with no name before
            raise ApiError(
                "INVALID_QUERY_STRING", 400, parameter=key, message="A query parameter has no name."
            )
        node = result
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ApiError(
                    "INVALID_FILTER_FIELDS_PARAM",
                    422,
                    parameter=key,
                    message="A parameter is given both as a value and as an object.",
                )
            node = child
        node[parts[-1]] = values if is_list or len(values) > 1 else values[0]
    return result


def refuse_unknown(params: dict, allowed: set[str]) -> None:
    """Unknown parameters are refused rather than silently ignored."""
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, unknown=unknown, allowed=sorted(allowed))


def _whole_number(value, name: str, minimum: int, maximum: int) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not minimum <= number <= maximum:
        raise ApiError(
            "INVALID_PAGINATION",
            422,
            parameter=name,
            message=f"{name} must be a whole number from {minimum} to {maximum}.",
            max=maximum,
        )
    return number


def page_bounds(params: dict, *, default_limit: int = DEFAULT_PAGE_LIMIT) -> tuple[int, int]:
    """(offset, limit) from ``page[offset]`` and ``page[limit]``: limit 30 by default (or
    ``default_limit``), 500 max."""
    page = params.get("page") or {}
    if not isinstance(page, dict) or set(page) - {"offset", "limit"}:
        raise ApiError(
            "INVALID_PAGINATION", 422, parameter="page", message="Use page[offset] and page[limit]."
        )
    # Deeper pages cost the database a scan of every record before them.
    offset = _whole_number(page.get("offset", 0), "page[offset]", 0, settings.CMS_MAX_OFFSET)
    limit = page.get("limit", default_limit)
    return offset, _whole_number(limit, "page[limit]", 1, MAX_PAGE_LIMIT)


def comma_list(value) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` (from ``key[]``) as a list of non-empty strings."""
    items = value if isinstance(value, list) else str(value).split(",")
    return [item.strip() for item in items if isinstance(item, str) and item.strip()]


def flag(params: dict, name: str) -> bool:
    """A true/false parameter (``nested=true``); anything else is refused, not read as false."""
    value = str(params.get(name, "false")).lower()
    if value not in ("true", "false"):
        raise ApiError(
            "INVALID_QUERY_PARAMETERS", 422, parameter=name, message=f"{name} is true or false."
        )
    return value == "true"
