"""The fuzzer's query strings: parameters each endpoint knows, hostile values, and crafted
filters per route."""

from urllib.parse import quote

from hypothesis import strategies as st

from tests.fuzz.endpoints import Endpoint
from tests.fuzz.values import (
    NASTY_DATES,
    NASTY_REGEXES,
    NASTY_STRINGS,
    NASTY_TEXT_NUMBERS,
    scalar_text,
    text,
)
from tests.fuzz.world import REST_TABLE, World

# --- Query strings ---------------------------------------------------------------------

FILTER_OPS = [
    *("eq", "neq", "in", "not_in", "notIn", "gt", "gte", "lt", "lte", "exists", "x"),
    *("matches", "not_matches", "is_blank", "is_present", "any_in", "all_in", "near"),
    *("in][", "eq][", "any_in][", "all_in][", "not_in][", "near][latitude", "near][radius"),
    *("matches][pattern", "matches][regexp", "matches][case_sensitive", "matches][x"),
]
REST_FILTERS = [
    "title = 'x'",
    "title LIKE '%%%%%%%%%%%%%%%%%%%%a%'",
    "count > 99999999999999999999999999",
    "count = nan",
    "ratio < 1e999",
    "at > '9999-12-31T23:59:59-23:59'",
    "day < '0001-01-01'",
    "id IN ()",
    "(((((((((((((((((((((((((((((((((((title = 'x')))))))))))))))))))))))))))))))))",
    "title = 'a\x00b'",
    "mother IS NULL OR related = 'x'",
    "NOT NOT NOT flag = true",
    "title = ",
    "`in` = 1",
    "title; DROP TABLE items",
]


def query_keys(world: World, endpoint: Endpoint) -> st.SearchStrategy[str]:
    names = [
        *world.field_ids,
        *("_created_at", "_updated_at", "id", "size", "created_at"),
        *("type", "in_use", "orientation", "resolution", "tags", "colors", "alt", "path"),
        *("position", "parent_id", "parent"),
    ]
    field_key = st.builds(
        lambda name, op: f"filter[fields][{name}][{op}]",
        st.sampled_from(names),
        st.sampled_from(FILTER_OPS),
    )
    fixed = st.sampled_from(
        [
            *endpoint.query,
            "page[offset]",
            "page[limit]",
            "page[x]",
            "filter[type]",
            "filter[ids]",
            "filter[query]",
            "filter[fields][title][matches][pattern]",
            "filter[fields][title][matches][case_sensitive]",
            "filter[fields][x][y][z]",
            "filter[fields]",
            "filter[]",
            "order_by",
            "",
            "[",
            "]]",
            "a[b",
            "ids[]",
        ]
    )
    return st.one_of(fixed, fixed, field_key, text())


def query_values(world: World) -> st.SearchStrategy[str]:
    known = [
        *world.field_ids,
        REST_TABLE,
        world.model_id,
        *world.record_ids,
        "en",
        "it",
        "true",
        "current",
        "published",
        "title_DESC",
        "_created_at_ASC",
        "*",
        "title,count",
        *("image", "red", "landscape", "icon", "pdfdocument"),
    ]
    return st.one_of(st.sampled_from(known), st.sampled_from(REST_FILTERS), scalar_text())


@st.composite
def query_strings(draw, world: World, endpoint: Endpoint) -> str:
    encode = lambda s: quote(s, safe="[]", errors="surrogatepass")  # noqa: E731
    roll = draw(st.integers(0, 9))
    if roll == 0:  # raw soup, not key=value pairs
        return draw(st.sampled_from(["=1", "&&&", "a=%", "%zz=1", "a=1&a=2&a[]=3", "=", "&=&"]))
    if roll <= 6:  # a known parameter, in a query that reaches the records, hostile value
        key = draw(
            st.sampled_from(
                CRAFTED[endpoint.template] if endpoint.template in CRAFTED else CRAFTED["*"]
            )
        )
        name = draw(st.sampled_from(list(world.field_ids)))
        pool = _query_pool(key, world.field_types.get(name, ""))
        value = draw(st.one_of(st.sampled_from(pool), query_values(world)))
        return key.format(table=REST_TABLE, field=name, value=encode(value))
    pairs = draw(st.lists(st.tuples(query_keys(world, endpoint), query_values(world)), max_size=4))
    return "&".join(f"{encode(key)}={encode(value)}" for key, value in pairs)


def _query_pool(template: str, field_type: str) -> list[str]:
    """Troublemakers for a parameter: patterns for ``matches``, dates for dates..."""
    if "near]" in template:
        return NASTY_TEXT_NUMBERS + ["-90", "90.0000001", "1e308", "-0", "nan", "inf"]
    if "matches" in template or "LIKE" in template:
        return NASTY_REGEXES + ["%" * 50 + "a", "_" * 50]
    if "_at]" in template or field_type in ("date", "date_time"):
        return NASTY_DATES
    if "offset" in template or "limit" in template or field_type in ("integer", "float"):
        return NASTY_TEXT_NUMBERS
    return NASTY_STRINGS + NASTY_TEXT_NUMBERS + NASTY_DATES


CRAFTED = {
    "/items": [
        "filter[type]={table}&filter[fields][{field}][eq]={value}",
        "filter[type]={table}&filter[fields][parent_id][eq]={value}&order_by=position_DESC",
        "filter[type]={table}&filter[fields][parent][exists]={value}",
        "filter[type]={table}&filter[fields][position][lte]={value}",
        "filter[type]={table}&filter[fields][{field}][gt]={value}",
        "filter[type]={table}&filter[fields][{field}][in]={value}",
        "filter[type]={table}&filter[fields][{field}][matches][pattern]={value}",
        "filter[type]={table}&filter[fields][{field}][not_matches][pattern]={value}"
        "&filter[fields][{field}][not_matches][regexp]=false",
        "filter[type]={table}&filter[fields][{field}][matches][pattern]=a"
        "&filter[fields][{field}][matches][case_sensitive]={value}",
        "filter[type]={table}&filter[fields][{field}][is_blank]={value}",
        "filter[type]={table}&filter[fields][{field}][any_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][all_in][]={value}"
        "&filter[fields][{field}][all_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][eq][]={value}",
        "filter[type]={table}&filter[fields][{field}][not_in][]={value}",
        "filter[type]={table}&filter[fields][{field}][near][latitude]={value}"
        "&filter[fields][{field}][near][longitude]=0&filter[fields][{field}][near][radius]=1",
        "filter[type]={table}&filter[fields][{field}][near][latitude]=0"
        "&filter[fields][{field}][near][longitude]=179.9"
        "&filter[fields][{field}][near][radius]={value}",
        "filter[type]={table}&filter[fields][id][notIn][]={value}",
        "filter[type]={table}&filter[fields][_status][notIn][]={value}",
        "filter[type]={table}&filter[fields][_creator][eq]={value}",
        "filter[type]={table}&filter[fields][_publication_scheduled_at][eq]={value}",
        "filter[type]={table}&filter[fields][_unpublishing_scheduled_at][gt]={value}",
        "filter[query]={value}&order_by=_rank_DESC",
        "filter[type]={table}&filter[query]={value}&order_by=_rank_ASC,{field}_DESC",
        "filter[type]={table}&filter[fields][_created_at][lt]={value}",
        "filter[type]={table}&filter[fields][_updated_at][gte]={value}",
        "filter[type]={table}&order_by={field}_ASC&page[offset]={value}",
        "filter[type]={table}&filter[only_valid]={value}",
        "filter[type]={table}&filter[fields][_is_valid][eq]={value}",
        "order_by=_is_valid_{value}&version=published",
        "filter[query]={value}",
        "filter[ids]={value}",
        "page[offset]={value}",
        "page[limit]={value}",
        "version={value}&nested=true",
    ],
    "/uploads": [
        "filter[fields][size][gt]={value}",
        "filter[fields][created_at][lt]={value}",
        "filter[fields][filename][matches][pattern]={value}",
        "filter[fields][width][eq]={value}",
        "filter[query]={value}",
        "page[offset]={value}",
        "order_by={value}",
        # SPEC-2 §7.2's filters (uploads/filters.py).
        "filter[fields][type][in][]={value}",
        "filter[fields][in_use][eq]={value}",
        "filter[fields][orientation][neq]={value}",
        "filter[fields][resolution][not_in]={value}",
        "filter[fields][tags][contains]={value}",
        "filter[fields][tags][all_in][]={value}&filter[fields][tags][all_in][]={value}",
        "filter[fields][smart_tags][eq][]={value}",
        "filter[fields][colors][any_in]={value}",
        "filter[fields][colors][eq][]={value}&filter[fields][colors][eq][]=red",
        "filter[fields][alt][matches][pattern]={value}&locale=en",
        "filter[fields][title][in]={value}&locale={value}",
        "filter[fields][path][not_in][]={value}",
        "filter[fields][basename][not_matches][pattern]={value}"
        "&filter[fields][basename][not_matches][regexp]=false",
        "filter[fields][_created_at][eq]={value}",
        "filter[fields][_updated_at][gte]={value}",
        "filter[fields][upload_collection][eq]={value}",
        "filter[fields][mime_type][in]={value}",
        "order_by={value}_DESC,resolution_ASC",
    ],
    "/rest/{service}/{table}": [
        "filter={field}%20GTE%20:v&params%5B:v%5D={value}",
        "filter={field}%20CONTAINS%20%27{value}%27",
        "filter={field}%20%3E%20:v&params={value}",
        "related={value}",
        "group={value}&count_only=true",
        "ids={value}&id_field={value}&continue=true",
        "filter={field}%20%3E%20{value}",
        "filter=parent_id%20%3D%20%27{value}%27&order=position",
        "filter={field}%20%3D%20%27{value}%27",
        "filter={field}%20LIKE%20%27{value}%27",
        "filter={value}",
        "offset={value}",
        "limit={value}",
        "order={value}",
        "ids={value}",
        "fields={value}",
        "locale={value}",
    ],
    "/menu-items": ["filter[ids]={value}", "filter[ids][]={value}"],
    "/schema-menu-items": ["filter[ids]={value}"],
    "/upload-collections": ["filter[ids]={value}", "filter[ids][]={value}"],
    "/upload-tags": ["filter[query]={value}", "page[limit]={value}&page[offset]={value}"],
    "/upload-smart-tags": ["filter[query]={value}", "page[limit]={value}"],
    "/webhook_calls": [
        "filter[ids]={value}",
        "filter[fields][status][eq]={value}",
        "filter[fields][created_at][gt]={value}",
        "filter[fields][webhook_id][eq]={value}&order_by={value}",
        "order_by={value}",
        "page[limit]={value}&page[offset]={value}",
    ],
    "*": ["nested={value}", "version={value}", "page[offset]={value}", "include={value}"],
}
# DreamFactory 2's path to a table takes the same options as the seed's.
CRAFTED["/api/v2/{service}/_table/{table}"] = CRAFTED["/rest/{service}/{table}"]
