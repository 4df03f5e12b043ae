"""Reading uploads: the list's filters and ordering, declared once."""

from django.db.models import Q

from cms.api.errors import ApiError
from cms.api.filters import (
    COMPARISON,
    EQUALITY,
    TEXT,
    FilterColumn,
    field_filters,
    listed,
    ordering,
    search_words,
)
from cms.api.query import page_bounds, refuse_unknown
from uploads.models import Upload

MEDIA_PREFIXES = {"image": None, "video": "video/", "audio": "audio/"}
UPLOAD_TYPES = (*MEDIA_PREFIXES, "document")


def type_condition(kind: str) -> Q:
    """image, video, audio, or document (everything else)."""
    if kind == "image":
        return Q(is_image=True)
    if kind in ("video", "audio"):
        return Q(is_image=False, mime_type__startswith=MEDIA_PREFIXES[kind])
    if kind == "document":
        return (
            Q(is_image=False)
            & ~Q(mime_type__startswith="video/")
            & ~Q(mime_type__startswith="audio/")
        )
    raise ApiError(
        "INVALID_FILTER_FIELDS_PARAM", 422, field="type", value=kind, allowed=list(UPLOAD_TYPES)
    )


def _type_filter(op: str, value) -> Q:
    if op == "in":
        condition = Q(pk__in=[])
        for kind in value:
            condition |= type_condition(kind)
        return condition
    condition = type_condition(value)
    return ~condition if op == "neq" else condition


FILTER_COLUMNS = {
    "id": FilterColumn("id"),
    "md5": FilterColumn("md5"),
    "filename": FilterColumn("filename", ops=TEXT, blank_values=("",)),
    "basename": FilterColumn("basename", ops=TEXT, blank_values=("",)),
    "format": FilterColumn("format", ops=TEXT, blank_values=("",)),
    "mime_type": FilterColumn("mime_type", ops=TEXT, blank_values=("",)),
    "author": FilterColumn("author", ops=TEXT, blank_values=("",)),
    "copyright": FilterColumn("copyright", ops=TEXT, blank_values=("",)),
    "notes": FilterColumn("notes", ops=TEXT, blank_values=("",)),
    "size": FilterColumn("size", kind="number", ops=COMPARISON),
    "width": FilterColumn("width", kind="number", ops=COMPARISON | {"exists"}),
    "height": FilterColumn("height", kind="number", ops=COMPARISON | {"exists"}),
    "is_image": FilterColumn("is_image", kind="boolean", ops=frozenset({"eq"})),
    "created_at": FilterColumn("created_at", kind="datetime", ops=COMPARISON),
    "updated_at": FilterColumn("updated_at", kind="datetime", ops=COMPARISON),
    "type": FilterColumn("type", ops=EQUALITY, build=_type_filter),
}
ORDER_COLUMNS = {
    name: name
    for name in (
        "created_at",
        "updated_at",
        "size",
        "filename",
        "basename",
        "width",
        "height",
        "format",
        "mime_type",
    )
}
FILTERS = {"ids", "type", "query", "fields"}


def upload_list(params: dict) -> tuple[list[Upload], int]:
    """One page of uploads and the total count, as ``GET /uploads`` asks."""
    refuse_unknown(params, {"filter", "page", "order_by", "locale"})
    offset, limit = page_bounds(params)
    filters = params.get("filter") or {}
    if not isinstance(filters, dict):
        raise ApiError("INVALID_FILTER_FIELDS_PARAM", 422, message="Use filter[...]=...")
    unknown = sorted(set(filters) - FILTERS)
    if unknown:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM", 422, field=unknown[0], allowed=sorted(FILTERS)
        )
    queryset = Upload.objects.all()
    if "ids" in filters:
        queryset = queryset.filter(pk__in=listed(filters["ids"], "filter[ids]"))
    if "type" in filters:
        queryset = queryset.filter(_type_filter("in", listed(filters["type"], "filter[type]")))
    if filters.get("query"):
        for word in search_words(filters["query"]):
            queryset = queryset.filter(search_text__contains=word)
    if "fields" in filters:
        queryset = queryset.filter(field_filters(filters["fields"], FILTER_COLUMNS))
    queryset = queryset.order_by(
        *ordering(params.get("order_by"), ORDER_COLUMNS, ["-created_at", "id"])
    )
    return list(queryset[offset : offset + limit]), queryset.count()
