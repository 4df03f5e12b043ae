"""Upload tags and smart tags (SPEC-2 §7.4).

A tag is a non-empty string of at most ``TAG_MAX_LENGTH`` characters, trimmed; an upload's
tags keep their first order, without repeats. Every tag given to an upload (create,
update, bulk tag, the admin) is recorded as an ``UploadTag``, so ``GET /upload-tags`` knows
it; ``POST /upload-tags`` records one with no upload. A tag no upload carries any more stays
listed (DatoCMS's tags are "manually created" things of their own).

Smart tags are derived from the files (uploads.analysis) and stored on each upload;
``GET /upload-smart-tags`` lists the distinct ones of the environment's uploads, in one
query whatever their number.
"""

from django.db import IntegrityError, connection, transaction

from cms.api.errors import ApiError, invalid_field
from cms.api.query import page_bounds, refuse_unknown
from uploads.models import TAG_MAX_LENGTH, UploadTag

PAGE_LIMIT = 50  # SPEC-2 §7.4: default 50, at most 500
SHOWN = 100  # characters of a refused tag echoed in its error


def clean_tags(value, field: str = "tags") -> tuple[list[str], list[ApiError]]:
    """``value`` as a list of tags, and an error naming each bad one (by index and value)."""
    if not isinstance(value, list):
        return [], [invalid_field(field, "VALIDATION_FORMAT", message="A list of strings.")]
    errors, tags = [], {}
    for index, tag in enumerate(value):
        error = tag_error(tag, field, index=index)
        if error is not None:
            errors.append(error)
        else:
            tags.setdefault(tag.strip(), None)
    return list(tags), errors


def tag_error(tag, field: str, **where) -> ApiError | None:
    """The refusal of one tag (not a string, empty, too long), or None."""
    if not isinstance(tag, str):
        return invalid_field(
            field, "VALIDATION_FORMAT", tag=repr(tag)[:SHOWN], message="A tag is a string.", **where
        )
    if not tag.strip():
        return invalid_field(
            field, "VALIDATION_REQUIRED", tag=tag, message="A tag can't be empty.", **where
        )
    if len(tag.strip()) > TAG_MAX_LENGTH:
        return invalid_field(
            field,
            "VALIDATION_LENGTH",
            tag=tag[:SHOWN],
            max=TAG_MAX_LENGTH,
            message=f"A tag has at most {TAG_MAX_LENGTH} characters.",
            **where,
        )
    return None


def record(tags) -> None:
    """Make ``tags`` (already clean) known to the tag list: one INSERT, existing ones kept."""
    if tags:
        UploadTag.objects.bulk_create([UploadTag(name=t) for t in tags], ignore_conflicts=True)


def tag_create(name) -> UploadTag:
    """``POST /upload-tags``: a new tag; 422 if it is bad or already known."""
    error = tag_error(name, "name")
    if error is not None:
        raise error
    name = name.strip()
    try:
        with transaction.atomic():
            return UploadTag.objects.create(name=name)
    except IntegrityError:
        raise invalid_field(
            "name", "VALIDATION_UNIQUENESS", tag=name, message="This tag exists already."
        ) from None


def tag_resource(type_: str, name: str) -> dict:
    return {"type": type_, "id": name, "attributes": {"name": name}}


def _list_params(params: dict) -> tuple[str | None, int, int]:
    """``filter[query]``, ``page[offset]`` and ``page[limit]`` (default 50)."""
    refuse_unknown(params, {"filter", "page"})
    filters = params.get("filter", {})
    query = filters.get("query") if isinstance(filters, dict) else None
    if "filter" in params and (set(filters) != {"query"} or not isinstance(query, str)):
        raise ApiError(
            "INVALID_QUERY_PARAMETERS", 422, parameter="filter", allowed=["filter[query]"]
        )
    offset, limit = page_bounds(params, default_limit=PAGE_LIMIT)
    return (query.strip() or None) if query else None, offset, limit


def tag_list(params: dict) -> tuple[list[str], int]:
    """Tag names by name, filtered (case-insensitive substring) and paged; and the total."""
    query, offset, limit = _list_params(params)
    tags = UploadTag.objects.all()
    if query:
        tags = tags.filter(name__icontains=query)
    names = list(tags.order_by("name").values_list("name", flat=True)[offset : offset + limit])
    return names, tags.count()


# The distinct smart tags of the uploads, per database: each JSON array's elements.
_SMART_TAGS = {
    "postgresql": (
        "SELECT DISTINCT t.value FROM uploads_upload u, "
        "jsonb_array_elements_text(CASE WHEN jsonb_typeof(u.smart_tags) = 'array' "
        "THEN u.smart_tags ELSE '[]'::jsonb END) AS t(value)"
        " WHERE t.value ILIKE %s ESCAPE '\\'"
    ),
    "sqlite": (
        "SELECT DISTINCT t.value FROM uploads_upload u, json_each("
        "CASE WHEN json_type(u.smart_tags) = 'array' THEN u.smart_tags ELSE '[]' END) t"
        " WHERE t.value LIKE %s ESCAPE '\\'"
    ),
}


def smart_tag_list(params: dict) -> tuple[list[str], int]:
    """The distinct smart tags of the environment's uploads, by name, filtered and paged;
    and their total. One query: the window count rides along with the page."""
    query, offset, limit = _list_params(params)
    escaped = (query or "").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = f"%{escaped}%"
    sql = (
        f"SELECT value, COUNT(*) OVER () FROM ({_SMART_TAGS[connection.vendor]}) AS d"
        " ORDER BY value LIMIT %s OFFSET %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [pattern, limit, offset])
        rows = cursor.fetchall()
    if rows or offset == 0:
        return [row[0] for row in rows], rows[0][1] if rows else 0
    with connection.cursor() as cursor:  # a page past the end: count on its own
        cursor.execute(f"SELECT COUNT(*) FROM ({_SMART_TAGS[connection.vendor]}) AS d", [pattern])
        return [], cursor.fetchone()[0]
