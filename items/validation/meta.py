"""The times in a record's ``meta`` that an import may set."""

from datetime import datetime

from cms.api.errors import ApiError, invalid_field
from item_types.field_types import FieldValueError
from item_types.field_types.scalar import parse_date_time


def parse_meta_time(meta: dict, name: str, errors: list[ApiError]) -> datetime | None:
    """``meta.created_at`` / ``meta.first_published_at``: the time, or None (not given, or
    not a date and time: then an error lands in ``errors``)."""
    raw = meta.get(name)
    if raw is None:
        return None
    try:
        return parse_date_time(raw)
    except FieldValueError:
        errors.append(
            invalid_field(
                f"meta.{name}", "INVALID_FORMAT", message="Expected an ISO 8601 date and time."
            )
        )
        return None
