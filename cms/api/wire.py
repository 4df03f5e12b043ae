"""How values every resource shares look on the wire."""


def timestamp(value) -> str | None:
    """A datetime in ISO 8601 to the millisecond; ``None`` stays ``None``."""
    return value.isoformat(timespec="milliseconds") if value else None
