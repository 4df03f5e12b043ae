"""Query parameters a database can't hold, and reads that would cost too much, are refused
with a 4xx naming the parameter, on every database: ``GET /items``, ``GET /uploads`` and
the record API (``GET /rest/db/<table>``). Each case shows that nothing was written."""

from urllib.parse import quote

import pytest

from cms.api.filters import (
    MAX_FILTER_VALUES,
    MAX_ORDER_RULES,
    MAX_QUERY_LENGTH,
    MAX_QUERY_WORDS,
)
from items.models import Item
from record_api.limits import (
    MAX_FILTER_TERMS,
    MAX_LIKE_LENGTH,
    MAX_LIKE_TERMS,
    MAX_LIKE_WILDCARDS,
)
from record_api.limits import MAX_ORDER_RULES as MAX_REST_ORDER_RULES
from tests.conftest import create_upload, png_bytes
from uploads.models import Upload

NINES_30 = "9" * 30
NINES_40 = "9" * 40
LATE = "9999-12-31T23:59:59-23:59"  # past year 9999 in UTC
EARLY = "0001-01-01T00:00:00+23:00"  # before year 1 in UTC


@pytest.fixture
def thing(api, readonly_api):
    """A model with a number, a float, a date and a date-time field, two records and an
    upload; answers the read-only client (every case here is a read)."""
    model = api.create_item_type("thing")
    for api_key, field_type in [
        ("name", "string"),
        ("count", "integer"),
        ("ratio", "float"),
        ("day", "date"),
        ("at", "date_time"),
    ]:
        api.create_field(model["id"], api_key, field_type)
    records = [
        {"name": "one", "count": 1, "ratio": 0.5, "day": "2020-01-01", "at": "2020-01-01T10:00Z"},
        {"name": "two", "count": 2, "ratio": 1.5, "day": "2021-06-30", "at": "2021-06-30T10:00Z"},
    ]
    assert api.post("/rest/db/thing", {"record": records}).status_code == 200
    create_upload(api, png_bytes())
    return readonly_api


def counts():
    return Item.objects.count(), Upload.objects.count()


def refused(client, path: str, status: int):
    before = counts()
    response = client.get(path)
    assert response.status_code == status, (path, response.body)
    assert counts() == before
    return response


ITEMS = "/items?filter[type]=thing&"


IDS = ",".join(f"id{i}" for i in range(MAX_FILTER_VALUES + 1))
TOO_MANY = ",".join(["x"] * (MAX_FILTER_VALUES + 1))
TOO_MANY_WORDS = "+".join(["w"] * (MAX_QUERY_WORDS + 1))


def expected(query: str) -> tuple[str, str]:
    """(error code, parameter) a refused query answers: it names its parameter."""
    parameter = query.partition("=")[0]
    if parameter.startswith("page"):
        return "INVALID_PAGINATION", parameter
    if parameter == "order_by":
        return "INVALID_ORDERING", parameter
    return "INVALID_FILTER_FIELDS_PARAM", parameter


# GET /items: each query is refused, naming its parameter.
ITEMS_REFUSED = [
    f"page[offset]={NINES_30}",
    "page[offset]=100001",
    "page[offset]=-1",
    f"page[limit]={NINES_30}",
    "page[limit]=nan",
    f"filter[fields][count][gt]={NINES_40}",
    "filter[fields][count][eq]=9223372036854775808",
    "filter[fields][count][eq]=nan",
    "filter[fields][count][lt]=inf",
    "filter[fields][ratio][gte]=-inf",
    "filter[fields][ratio][lte]=1e400",
    "filter[fields][ratio][neq]=NaN",
    f"filter[fields][_created_at][gt]={quote(LATE)}",
    f"filter[fields][_created_at][lt]={quote(EARLY)}",
    f"filter[fields][_updated_at][eq]={quote(LATE)}",
    f"filter[fields][at][gt]={quote(LATE)}",
    f"filter[fields][at][lte]={quote(EARLY)}",
    "filter[fields][day][gt]=10000-01-01",
    "filter[fields][day][lt]=2020-13-45",
    "filter[fields][day][eq]=0000-01-01",
    "filter[ids]=" + IDS,
    "filter[fields][name][in]=" + TOO_MANY,
    "filter[fields][name][not_in]=" + TOO_MANY,
    "filter[query]=" + TOO_MANY_WORDS,
    "filter[query]=" + "w" * (MAX_QUERY_LENGTH + 1),
    "order_by=" + ",".join(["name_ASC"] * (MAX_ORDER_RULES + 1)),
]


@pytest.mark.parametrize("query", ITEMS_REFUSED)
def test_items_refuses(thing, query):
    response = refused(thing, ITEMS + query, 422)
    [error] = response.body["data"]
    code, parameter = expected(query)
    assert error["attributes"]["code"] == code
    assert error["attributes"]["details"]["parameter"] == parameter


# The same bounds, just inside them: answered.
ITEMS_ANSWERED = [
    ("page[offset]=100000", []),
    ("filter[fields][count][lt]=9223372036854775807", ["one", "two"]),
    ("filter[fields][count][gt]=-9223372036854775807", ["one", "two"]),
    ("filter[fields][ratio][gt]=1.25", ["two"]),
    ("filter[fields][name][in]=" + ",".join(["two"] * MAX_FILTER_VALUES), ["two"]),
    ("filter[fields][_created_at][gt]=0001-01-01T00:00:00Z", ["one", "two"]),
    ("filter[fields][_created_at][lt]=9999-12-31T23:59:59Z", ["one", "two"]),
    (f"filter[fields][at][gt]={quote('2020-06-01T00:00:00+23:00')}", ["two"]),
    ("filter[fields][day][lt]=2021-01-01", ["one"]),
    ("filter[query]=" + "+".join(["one"] * MAX_QUERY_WORDS), ["one"]),
    ("order_by=" + ",".join(["name_DESC"] * MAX_ORDER_RULES), ["two", "one"]),
]


@pytest.mark.parametrize(("query", "names"), ITEMS_ANSWERED)
def test_items_answers_within_the_bounds(thing, query, names):
    response = thing.get(ITEMS + query + "&order_by=name_ASC" * ("order_by" not in query))
    assert response.status_code == 200, response.body
    assert [record["attributes"]["name"] for record in response.body["data"]] == names


UPLOADS_REFUSED = [
    f"page[offset]={NINES_30}",
    f"filter[fields][size][gt]={NINES_40}",
    "filter[fields][size][eq]=nan",
    "filter[fields][width][lt]=inf",
    f"filter[fields][created_at][gt]={quote(LATE)}",
    f"filter[fields][updated_at][lt]={quote(EARLY)}",
    "filter[ids]=" + IDS,
    "filter[query]=" + TOO_MANY_WORDS,
    "order_by=" + ",".join(["size_ASC"] * (MAX_ORDER_RULES + 1)),
]


@pytest.mark.parametrize("query", UPLOADS_REFUSED)
def test_uploads_refuses(thing, query):
    response = refused(thing, "/uploads?" + query, 422)
    [error] = response.body["data"]
    code, parameter = expected(query)
    assert error["attributes"]["code"] == code
    assert error["attributes"]["details"]["parameter"] == parameter


def test_uploads_answers_within_the_bounds(thing):
    response = thing.get("/uploads?filter[fields][size][lt]=9223372036854775807")
    assert response.status_code == 200
    assert len(response.body["data"]) == 1


TEN_VALUES = "count IN (1,3,4,5,6,7,8,9,10,11)"


def _many(term: str, count: int, joiner: str = " OR ") -> str:
    return joiner.join([term] * count)


# The record API: (parameters, parameter named in the context, words of the message)
REST_REFUSED = [
    ({"offset": NINES_30}, "offset", "whole number"),
    ({"offset": "100001"}, "offset", "whole number"),
    ({"limit": NINES_30}, "limit", "whole number"),
    ({"limit": "nan"}, "limit", "whole number"),
    ({"filter": f"count > {NINES_40}"}, "filter", "out of range"),
    ({"filter": "count > 1e400"}, "filter", "not a finite number"),
    ({"filter": "ratio < -1e999"}, "filter", "not a finite number"),
    ({"filter": "count = nan"}, "filter", "expected a value"),
    ({"filter": f"created_at > '{LATE}'"}, "filter", "ISO 8601"),
    ({"filter": f"updated_at < '{EARLY}'"}, "filter", "ISO 8601"),
    ({"filter": f"at > '{LATE}'"}, "filter", "ISO 8601"),
    ({"filter": f"at <= '{EARLY}'"}, "filter", "ISO 8601"),
    ({"filter": "day > '10000-01-01'"}, "filter", "YYYY-MM-DD"),
    ({"filter": "name LIKE '" + "%a" * (MAX_LIKE_WILDCARDS + 1) + "'"}, "filter", "wildcards"),
    ({"filter": "name LIKE '" + "a" * (MAX_LIKE_LENGTH + 1) + "'"}, "filter", "LIKE pattern"),
    ({"filter": "name LIKE '%a%b%c%d%e%f%g%h" + "_" * 180 + "'"}, "filter", "too complex"),
    ({"filter": f"count IN ({','.join(['1'] * (MAX_FILTER_TERMS + 1))})"}, "filter", "IN value"),
    ({"filter": _many(TEN_VALUES, MAX_FILTER_TERMS // 10 + 1)}, "filter", "comparisons"),
    ({"filter": _many("name LIKE 'x%'", MAX_LIKE_TERMS + 1)}, "filter", "LIKE comparisons"),
    ({"order": _many("name", MAX_REST_ORDER_RULES + 1, ",")}, "order", "rules"),
    ({"ids": ",".join(f"id{i}" for i in range(1001))}, "ids", "at most"),
]


@pytest.mark.parametrize(("params", "parameter", "words"), REST_REFUSED)
def test_the_record_api_refuses(thing, params, parameter, words):
    query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
    response = refused(thing, f"/rest/db/thing?{query}", 400)
    error = response.body["error"]
    assert error["status_code"] == 400
    assert words in error["message"]
    assert parameter in error["context"]


REST_ANSWERED = [
    ({"offset": "100000"}, []),
    ({"filter": "count < 9223372036854775807"}, ["one", "two"]),
    ({"filter": "ratio < 1e300"}, ["one", "two"]),
    ({"filter": "created_at > '0001-01-01T00:00:00Z'"}, ["one", "two"]),
    ({"filter": "at > '2020-06-01T00:00:00+23:00'"}, ["two"]),
    ({"filter": "name LIKE '" + "%" * MAX_LIKE_WILDCARDS + "o'"}, ["two"]),
    ({"filter": "name LIKE '" + r"%\%" * MAX_LIKE_WILDCARDS + "' OR name = 'one'"}, ["one"]),
    ({"filter": "count IN (" + ",".join(["2"] * MAX_FILTER_TERMS) + ")"}, ["two"]),
    ({"filter": _many(TEN_VALUES, MAX_FILTER_TERMS // 10)}, ["one"]),
    ({"filter": _many("name LIKE '%n%'", MAX_LIKE_TERMS)}, ["one"]),
    ({"fields": ",".join(["name"] * 5000)}, ["one", "two"]),
]


@pytest.mark.parametrize(("params", "names"), REST_ANSWERED)
def test_the_record_api_answers_within_the_bounds(thing, params, names):
    params = {"fields": "name", "order": "name", **params}
    query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
    response = thing.get(f"/rest/db/thing?{query}")
    assert response.status_code == 200, response.body
    assert [record["name"] for record in response.body["record"]] == names
