"""Reading uploads: ``GET /uploads``'s page, filtered and ordered (uploads/filters.py)."""

from cms.api.errors import ApiError
from cms.api.filters import field_filters, listed, search_words
from cms.api.query import page_bounds, refuse_unknown
from item_types.models import Site
from uploads import filters
from uploads.models import Upload

FILTERS = {"ids", "type", "query", "fields"}


def _locale(params: dict, fields) -> str:
    """``locale``, else the main locale; read only when a filter needs one."""
    locale = params.get("locale")
    if locale is None and not (isinstance(fields, dict) and set(fields) & set(filters.LOCALIZED)):
        return ""
    locales = Site.load().locales
    if locale is None:
        return locales[0]
    if locale not in locales:
        raise ApiError("INVALID_QUERY_PARAMETERS", 422, parameter="locale", allowed=locales)
    return locale


def upload_list(params: dict, readable=None) -> tuple[list[Upload], int]:
    """One page of uploads and the total count, as ``GET /uploads`` asks; ``readable``
    (access.permissions.EntrySet): only the uploads the role may read."""
    refuse_unknown(params, {"filter", "page", "order_by", "locale"})
    offset, limit = page_bounds(params)
    filter_param = params.get("filter") or {}
    if not isinstance(filter_param, dict):
        raise ApiError("INVALID_FILTER_FIELDS_PARAM", 422, message="Use filter[...]=...")
    unknown = sorted(set(filter_param) - FILTERS)
    if unknown:
        raise ApiError(
            "INVALID_FILTER_FIELDS_PARAM", 422, field=unknown[0], allowed=sorted(FILTERS)
        )
    locale = _locale(params, filter_param.get("fields"))
    queryset = Upload.objects.all()
    condition = readable.filter("read", "upload_collection_id") if readable else None
    if condition is not None:
        queryset = queryset.filter(condition)
    if "ids" in filter_param:
        queryset = queryset.filter(pk__in=listed(filter_param["ids"], "filter[ids]"))
    if "type" in filter_param:
        queryset = queryset.filter(filters.of_types(listed(filter_param["type"], "filter[type]")))
    if filter_param.get("query"):
        for word in search_words(filter_param["query"]):
            queryset = queryset.filter(search_text__contains=word)
    if "fields" in filter_param:
        columns = filters.filter_columns(locale)
        queryset = queryset.filter(field_filters(filter_param["fields"], columns))
    queryset = filters.order(queryset, params.get("order_by"))
    return list(queryset[offset : offset + limit]), queryset.count()
