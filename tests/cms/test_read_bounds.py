"""No read costs more than a bounded time: patterns run in linear time (RE2 on SQLite),
bad ones are refused before any query, and a statement past its time limit answers 503
``QUERY_TIMEOUT`` in the API's own shape, leaving the worker ready for the next request."""

import random
import threading
import time
from urllib.parse import quote

import pytest
from django.db import DatabaseError, connection, connections

from cms.models import ApiToken
from item_types.models import Field
from items import counts
from items.models import Item
from tests.conftest import Api, create_upload, png_bytes
from uploads.models import Upload

CATASTROPHIC = "^(.+)+#$"  # exponential in a backtracking engine, on "aaa...a"
BACKTRACKER_BAIT = "a" * 32


@pytest.fixture
def contacts(api, readonly_api):
    model = api.create_item_type("contact")
    api.create_field(model["id"], "first_name", "string")
    names = [BACKTRACKER_BAIT] * 20 + ["Ann", "anna", "Bob\nby", "a.b", "Zoë", "x{2}"]
    response = api.post("/rest/db/contact", {"record": [{"first_name": n} for n in names]})
    assert response.status_code == 200, response.body
    return readonly_api


def matching(client, pattern: str, case_sensitive: bool | None = None):
    query = f"filter[type]=contact&filter[fields][first_name][matches][pattern]={quote(pattern)}"
    if case_sensitive is not None:
        query += f"&filter[fields][first_name][matches][case_sensitive]={str(case_sensitive)}"
    return client.get(f"/items?{query}&page[limit]=100")


@pytest.mark.parametrize("case_sensitive", [None, True])
def test_a_catastrophic_pattern_answers_at_once(contacts, case_sensitive):
    started = time.monotonic()
    response = matching(contacts, CATASTROPHIC, case_sensitive)
    assert response.status_code == 200, response.body
    assert response.body["data"] == []
    assert time.monotonic() - started < 1  # a backtracking engine: hours


def test_a_catastrophic_pattern_on_uploads_answers_at_once(api, readonly_api):
    create_upload(api, png_bytes(), filename=BACKTRACKER_BAIT + ".png")
    started = time.monotonic()
    query = f"filter[fields][filename][matches][pattern]={quote(CATASTROPHIC)}"
    response = readonly_api.get(f"/uploads?{query}")
    assert response.status_code == 200, response.body
    assert response.body["data"] == []
    assert time.monotonic() - started < 1


# (pattern, case sensitive, names matched): the same on both databases.
PATTERNS = [
    ("^an", None, ["Ann", "anna"]),
    ("^an", True, ["anna"]),
    ("^ANN$", None, ["Ann"]),
    ("b.b", None, ["Bob\nby"]),  # "." matches a newline, as PostgreSQL has it
    (r"^a\.b$", None, ["a.b"]),
    (r"^\w\W\w$", None, ["a.b"]),
    ("^[[:upper:]][[:lower:]]*n$", True, ["Ann"]),
    (r"x\{2\}", None, ["x{2}"]),
    ("^a{3,}$", None, [BACKTRACKER_BAIT] * 20),
    ("(?:nn|ob)", None, ["Ann", "anna", "Bob\nby"]),
    ("ë", None, ["Zoë"]),
]


@pytest.mark.parametrize(("pattern", "case_sensitive", "names"), PATTERNS)
def test_patterns(contacts, pattern, case_sensitive, names):
    response = matching(contacts, pattern, case_sensitive)
    assert response.status_code == 200, response.body
    found = sorted(record["attributes"]["first_name"] for record in response.body["data"])
    assert found == sorted(names)


BAD_PATTERNS = [
    "(",  # unbalanced: was a 500 once the model had records
    "a)",
    "[a-",
    "a**",
    r"(a)\1",  # back-reference: no linear-time engine runs it
    "(?=a)",  # look-ahead, likewise
    "(?P<name>a)",
    "(?i)a",  # flags: case_sensitive says it
    r"\bword",  # a word boundary to RE2, a backspace to PostgreSQL
    r"\Aa",
    r"\pL",
    "a{1,256}",  # PostgreSQL's limit is 255
    "a{1",
    "[[:^alpha:]]",
    "a" * 1001,
    "(.{0,255}a.{0,255}b){1,3}",  # too complex: about 12,000 steps per character
]


@pytest.mark.parametrize("pattern", BAD_PATTERNS)
def test_a_bad_pattern_is_refused_naming_the_parameter(contacts, pattern):
    before = Item.objects.count()
    response = matching(contacts, pattern)
    assert response.status_code == 422, response.body
    [error] = response.body["data"]
    assert error["attributes"]["code"] == "INVALID_FILTER_FIELDS_PARAM"
    details = error["attributes"]["details"]
    assert details["parameter"] == "filter[fields][first_name][matches][pattern]"
    assert details["field"] == "first_name"
    assert Item.objects.count() == before


@pytest.mark.parametrize("pattern", ["(", r"(a)\1"])
def test_a_bad_pattern_is_refused_without_records_too(api, readonly_api, pattern):
    model = api.create_item_type("contact")
    api.create_field(model["id"], "first_name", "string")
    response = matching(readonly_api, pattern)
    assert response.status_code == 422, response.body
    details = response.body["data"][0]["attributes"]["details"]
    assert details["parameter"] == "filter[fields][first_name][matches][pattern]"
    assert Item.objects.count() == 0


def test_a_bad_pattern_given_without_pattern_names_matches(contacts):
    response = contacts.get(
        "/items?filter[type]=contact&filter[fields][first_name][matches]=" + quote("(")
    )
    assert response.status_code == 422
    details = response.body["data"][0]["attributes"]["details"]
    assert details["parameter"] == "filter[fields][first_name][matches]"


@pytest.mark.parametrize("pattern", ["(", r"(a)\1", "a{1,256}"])
def test_a_bad_pattern_on_uploads_is_refused(api, readonly_api, pattern):
    create_upload(api, png_bytes())
    before = Upload.objects.count()
    response = readonly_api.get(f"/uploads?filter[fields][filename][matches]={quote(pattern)}")
    assert response.status_code == 422, response.body
    details = response.body["data"][0]["attributes"]["details"]
    assert details["parameter"] == "filter[fields][filename][matches]"
    assert Upload.objects.count() == before


# custom_pattern: run by RE2 on every write.


def test_a_custom_pattern_runs_in_linear_time(api):
    model = api.create_item_type("code")
    api.create_field(
        model["id"], "value", "string", validators={"format": {"custom_pattern": "^(a+)+$"}}
    )
    before = Item.objects.count()
    started = time.monotonic()
    response = api.post(
        "/items",
        {
            "data": {
                "type": "item",
                "attributes": {"value": "a" * 40 + "!"},
                "relationships": {"item_type": {"data": {"type": "item_type", "id": model["id"]}}},
            }
        },
    )
    assert time.monotonic() - started < 2  # Python's re: about 2**40 steps
    assert response.status_code == 422
    assert response.body["data"][0]["attributes"]["details"]["code"] == "VALIDATION_FORMAT"
    assert Item.objects.count() == before


@pytest.mark.parametrize(
    "pattern", [r"(a)\1", "(?=a)", "(?<!a)b", "a" * 1001, "(.{0,255}a.{0,255}b){1,3}"]
)
def test_a_custom_pattern_re2_cant_run_is_refused(api, pattern):
    model = api.create_item_type("code")
    before = Field.objects.count()
    response = api.post(
        f"/item-types/{model['id']}/fields",
        {
            "data": {
                "type": "field",
                "attributes": {
                    "label": "Value",
                    "api_key": "value",
                    "field_type": "string",
                    "validators": {"format": {"custom_pattern": pattern}},
                },
            }
        },
    )
    assert response.status_code == 422, response.body
    assert "custom_pattern" in str(response.body["data"][0]["attributes"]["details"])
    assert Field.objects.count() == before


# SQLite's REGEXP: RE2 on every connection, and Django's own lookups still work through it.


@pytest.mark.skipif("connection.vendor != 'sqlite'")
@pytest.mark.django_db(transaction=True)  # another thread reads what the fixture wrote
def test_sqlites_regexp_is_re2_on_every_connection(contacts):
    assert Item.objects.filter(search_text__regex="^anna").count() == 1
    assert Item.objects.filter(search_text__regex="^ANN").count() == 0  # lowercased
    assert Item.objects.filter(search_text__iregex="^ANN").count() == 2
    started = time.monotonic()
    assert Item.objects.filter(search_text__regex=CATASTROPHIC).count() == 0
    assert time.monotonic() - started < 1
    # A look-ahead compiles in Python's re, not in RE2: the function is RE2's.
    with pytest.raises(DatabaseError):
        Item.objects.filter(search_text__regex="(?=a)").count()

    answers = []

    def in_another_thread():
        try:
            answers.append(Item.objects.filter(search_text__regex=CATASTROPHIC).count())
            try:
                Item.objects.filter(search_text__regex="(?=a)").count()
            except DatabaseError:
                answers.append("refused")
        finally:
            connections.close_all()

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join(timeout=10)
    assert answers == [0, "refused"]


# Statement time limits.

# Linear, but slow per byte on each engine: many states alive at each byte of random
# text, and no literal either engine could look for first.
SLOW_PATTERN = {
    "sqlite": "(.{0,12}a){1,3}[yz]",
    "postgresql": "(.{0,20}a.{0,20}b){1,3}[yz]",
}
LETTERS = bytes(ord("a") + i % 10 for i in range(256))


def random_text(rnd: random.Random, size: int = 20_000) -> str:
    return rnd.randbytes(size).translate(LETTERS).decode()


@pytest.fixture
def documents(api):
    """800 records of 20 kB: a slow pattern over all of them takes about a second."""
    model = api.create_item_type("document")
    api.create_field(model["id"], "body", "text")
    rnd = random.Random(10)
    for _ in range(4):
        records = [{"body": random_text(rnd)} for _ in range(200)]
        response = api.post("/rest/db/document", {"record": records})
        assert response.status_code == 200, response.body
    return Api(ApiToken.create(name="reader", role="readonly")[1])


# LIKEs OR'ed in one filter: a second or more of work on each database.
SLOW_LIKES = {"sqlite": 16, "postgresql": 1}


def timed(client, path):
    counts.forget()  # each run counts its total (a worker remembers one: items/counts.py)
    started = time.monotonic()
    response = client.get(path)
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)  # as in production: no test transaction around
def test_a_read_past_its_time_limit_answers_query_timeout(documents, settings):
    pattern = quote(SLOW_PATTERN[connection.vendor])
    slow = f"/items?filter[type]=document&filter[fields][body][matches][pattern]={pattern}"
    settings.CMS_READ_TIMEOUT_MS = 0  # no limit: how long it takes
    # The faster of two runs: on a loaded machine one run alone may take several times
    # what the statement needs, and a limit derived from it would not be reached.
    runs = [timed(documents, slow) for _ in range(2)]
    for response, _ in runs:
        assert response.status_code == 200, response.body
        assert response.body["data"] == []
    unlimited = min(seconds for _, seconds in runs)
    assert unlimited > 0.25

    # A limit well below that, and well above what the request's other statements take.
    limit_ms = max(50, int(unlimited * 1000 / 5))
    settings.CMS_READ_TIMEOUT_MS = limit_ms
    response, limited = timed(documents, slow)
    assert response.status_code == 503, response.body
    [error] = response.body["data"]
    assert error["type"] == "api_error"
    assert error["attributes"]["code"] == "QUERY_TIMEOUT"
    assert error["attributes"]["details"]["timeout_ms"] == limit_ms
    assert limited < unlimited * 0.7

    # The same worker (thread and connection) answers the next request normally.
    response = documents.get("/items?filter[type]=document&page[limit]=1")
    assert response.status_code == 200
    assert response.body["meta"]["total_count"] == 800


@pytest.mark.django_db(transaction=True)
def test_a_record_api_read_past_its_time_limit_answers_in_its_own_shape(documents, settings):
    pattern = "%a_b%c__d%e___f%g_h"  # PostgreSQL: about 2 s a LIKE over 800 random 20 kB
    likes = " OR ".join(f"body LIKE '{pattern}{i}%'" for i in range(SLOW_LIKES[connection.vendor]))
    slow = f"/rest/db/document?filter={quote(likes)}&include_count=true"
    settings.CMS_READ_TIMEOUT_MS = 0
    response, unlimited = timed(documents, slow)
    assert response.status_code == 200, response.body
    assert unlimited > 0.25

    settings.CMS_READ_TIMEOUT_MS = max(50, int(unlimited * 1000 / 5))
    response, limited = timed(documents, slow)
    assert response.status_code == 503, response.body
    error = response.body["error"]
    assert error["status_code"] == 503
    assert error["context"]["error"][0]["error"] == "QUERY_TIMEOUT"
    assert limited < unlimited * 0.7
    response = documents.get("/rest/db/document?limit=1")
    assert response.status_code == 200
    assert len(response.body["record"]) == 1


@pytest.mark.django_db(transaction=True)
def test_writes_run_under_their_own_limit(documents, api, settings):
    """A write is not cut at the read limit: the 200-record batch takes longer than it."""
    settings.CMS_READ_TIMEOUT_MS = 1
    rnd = random.Random(11)
    records = [{"body": random_text(rnd)} for _ in range(200)]
    response = api.post("/rest/db/document", {"record": records})
    assert response.status_code == 200, response.body
    assert Item.objects.count() == 1000


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_postgresql_runs_each_kind_of_work_under_its_limit(api, admin_client, settings):
    def server_limit():
        with connection.connection.cursor() as cursor:  # raw: sends nothing else first
            cursor.execute("SHOW statement_timeout")
            return cursor.fetchone()[0]

    settings.CMS_READ_TIMEOUT_MS, settings.CMS_WRITE_TIMEOUT_MS = 1234, 56789
    assert api.get("/items").status_code == 200
    assert server_limit() == "1234ms"
    assert api.post("/item-types", {"data": {}}).status_code == 422
    assert server_limit() == "56789ms"
    assert api.get("/items").status_code == 200
    assert server_limit() == "1234ms"
    assert admin_client.get("/admin/items/item/").status_code == 200  # staff: no read limit
    assert server_limit() == "56789ms"
    Item.objects.count()  # outside a request: the jobs' limit (none)
    assert server_limit() == "0"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.django_db(transaction=True)
def test_steady_reads_send_no_extra_statement(api, settings, tmp_path):
    """libpq's own trace of what the connection sends: no SET between reads, one SET when
    a write follows a read (and one back)."""
    settings.CMS_READ_TIMEOUT_MS, settings.CMS_WRITE_TIMEOUT_MS = 4321, 98765
    assert api.get("/items").status_code == 200  # the connection now has the read limit

    def sent_sets(send) -> int:
        trace = tmp_path / "trace.txt"
        with trace.open("w") as out:
            connection.connection.pgconn.trace(out.fileno())
            try:
                send()
            finally:
                connection.connection.pgconn.untrace()
        sent = trace.read_text()
        assert "\tBind\t" in sent  # it traced the request's statements (the token's, prepared)
        return sent.count("SET statement_timeout")

    def reads():
        for _ in range(3):
            assert api.get("/items").status_code == 200

    assert sent_sets(reads) == 0
    assert sent_sets(lambda: api.post("/item-types", {"data": {}})) == 1
    assert sent_sets(reads) == 1
