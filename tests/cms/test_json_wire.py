"""JSON on the wire: answers are byte for byte what DRF's renderer wrote before orjson
made them, and bodies parse to what ``json`` parsed them to (cms/api/rendering.py,
cms/api/json_body.py)."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer as DRFRenderer

from cms.api import json_body
from cms.api.rendering import JSONRenderer, fast_json
from tests.items.conftest import item_body

UTC = datetime.UTC
FLOATS = [0.0, -0.0, 0.1, 1.5, 100.0, 1 / 3, 5e-324, 1e-7, 1e-5, 0.0001, 1.2e-4, 1e15, 1e16]
FLOATS += [1.5e17, 1e21, 1.7976931348623157e308, -2.5e-9, 9007199254740993.0, 12345.678]

DOCUMENTS = {
    "floats": {"data": FLOATS},
    "float keys and values nested": {"a": [{"b": 1e-06}], "c": {"d": [0.00001]}},
    "integers": [0, -1, 2**53, 2**63 - 1, -(2**63), 2**64, 2**70, -(2**63) - 1, True, False],
    "text": {"t": 'é 😀 \x00\x1f\x7f \u2028\u2029 \\ " / <script>', "ë": None},
    "text that looks like numbers": {"x": ":1e5,", "y": "[0.00001]", "z": "3e"},
    # A float as the whole document: no ":", "," or "[" before it.
    "a bare float": 1e-7,
    "a bare small float": -0.00001,
    "datetimes": {
        "aware": datetime.datetime(2024, 5, 31, 10, 0, 0, 123456, tzinfo=UTC),
        "naive": datetime.datetime(2024, 5, 31, 10, 0),
        "offset": datetime.datetime(
            2024, 5, 31, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2))
        ),
        "date": datetime.date(2024, 2, 29),
        "time": datetime.time(10, 30, 5, 500),
        "duration": datetime.timedelta(days=1, seconds=3),
    },
    "other types": {
        "decimal": decimal.Decimal("1.10"),
        "tiny decimal": decimal.Decimal("1E-7"),
        "uuid": uuid.UUID(int=12345),
        "lazy": gettext_lazy("Not found."),
        "tuple": (1, "two"),
        "bytes": b"abc",
    },
    "keys that are not text": {1: "one", None: "none", False: "no", 2.5: "x"},
    "deep": json.loads("[" * 300 + "]" * 300),
    "empty": {},
}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_answers_are_drfs_bytes(name):
    document = DOCUMENTS[name]
    assert JSONRenderer().render(document) == DRFRenderer().render(document)


def test_ordinary_documents_take_orjson():
    """The page of records a list answers, dates already text: no fallback."""
    record = {
        "type": "item",
        "id": "LyQFoaW9QOS9SC2bUUyovQ",
        "attributes": {"title": "Café", "rating": 7, "score": 0.5, "on": None, "ok": True},
        "meta": {"created_at": "2026-11-30T14:13:17.857+00:00"},
    }
    document = {"data": [record] * 25, "meta": {"total_count": 25}}
    assert fast_json(document) == DRFRenderer().render(document)
    assert fast_json({"t": "\u2028"}) == b'{"t":"\\u2028"}'
    assert fast_json({"f": 1e-7}) is None  # Python writes 1e-07: the standard library does
    assert fast_json(1e-7) is None and fast_json(0.00001) is None  # the document's start too


def test_a_record_answers_floats_and_separators_as_before(api):
    """Over HTTP: a float field's values keep Python's notation, U+2028 stays escaped, and
    every answer is the bytes DRF's renderer writes for it. (PostgreSQL's jsonb reads
    1e20 back as the integer 100000000000000000000, before and after orjson.)"""
    model = api.create_item_type("reading")
    api.create_field(model["id"], "value", "float")
    api.create_field(model["id"], "label", "string")
    written_as = [(1e-7, b'"value":1e-07'), (1e20, b'"value":1e+20'), (0.5, b'"value":0.5')]
    for value, written in written_as:
        response = api.post("/items", item_body(model["id"], {"value": value, "label": "a\u2028b"}))
        assert response.status_code == 201, response.body
        assert written in response.content
        assert b'"label":"a\\u2028b"' in response.content
        found = api.get(f"/items/{response.body['data']['id']}")
        for answer in (response, found):
            assert answer.content == DRFRenderer().render(json.loads(answer.content))


BODIES = [
    '{"a": 1, "b": [1.5, -0, -0.0, 1e5, 1E-7, 0.1], "c": {"d": null, "e": true}}',
    '{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',
    '{"at_limit": 9223372036854775807, "u64": 18446744073709551615, "f": 0.1234567890123456789}',
    '{"text": "caf\\u00e9 \\ud83d\\ude00 \\n \\/ é", "dup": 1, "dup": 2}',
    "[]",
    '  {"spaces": "around"}  ',
    '"just text"',
]


@pytest.mark.parametrize("body", BODIES)
def test_bodies_parse_as_json_parses_them(body):
    parsed = json_body.loads(body)
    expected = json.loads(body)
    assert parsed == expected
    assert json.dumps(parsed) == json.dumps(expected)  # int stays int, float float, exactly


@pytest.mark.parametrize("body", ["NaN", '{"a": 1,}', "", '{"a": "\x01"}', "[1] 2"])
def test_refused_bodies_say_what_json_says(body):
    with pytest.raises(json_body.ApiError) as refused:
        json_body.loads(body)
    try:
        json.loads(body, parse_constant=json_body._refuse_constant)
    except ValueError as error:
        expected = f"JSON parse error - {error}"
    assert refused.value.details["message"] == expected


def test_the_api_sets_no_cookie_and_the_admin_still_checks_csrf(api, db):
    """Sessions, CSRF, users and messages run for /admin/ (and /media/) only: an API
    request carrying the admin's cookies and no CSRF token is served as before, with no
    cookie set and no ``Vary: Cookie``; the admin's forms still need their token."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.cookies["sessionid"] = "not-a-session"
    strict.cookies["csrftoken"] = "x" * 32
    model = api.create_item_type("note")
    response = strict.post(
        "/items",
        json.dumps(item_body(model["id"], {})),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 201, response.content
    assert not response.cookies
    assert response["Vary"] == "origin"
    for name, value in [
        ("X-Frame-Options", "DENY"),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("Cross-Origin-Opener-Policy", "same-origin"),
        ("X-Environment", "main"),
        ("X-Api-Version", "3"),
        ("Content-Length", str(len(response.content))),
    ]:
        assert response[name] == value, name
    assert strict.post("/admin/login/", {"username": "a", "password": "b"}).status_code == 403
    assert strict.post("/media/anything").status_code == 403  # unchanged: CSRF refuses it
    page = Client().get("/admin/login/")
    assert page.status_code == 200 and "csrftoken" in page.cookies


def test_rows_for_the_database_read_as_the_standard_librarys():
    """Rows and JSON values go to PostgreSQL as JSON text made by orjson (the one-statement
    create, COPY): the same values the standard library wrote, times as ``isoformat``
    writes them, and the standard library's text where orjson can't write a value."""
    from items.services.rows import JSON_ENCODER, json_text

    offset = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))
    rows = [
        {
            "id": "LyQFoaW9QOS9SC2bUUyovQ",
            "created_at": datetime.datetime(2026, 12, 2, 10, 0, 0, 123456, tzinfo=UTC),
            "updated_at": datetime.datetime(2026, 12, 2, 10, 0, tzinfo=offset),
            "data": {"t": {"en": 'Café \u2028 😀 \\ "'}, "f": [1e-7, 0.1, 1e21], "n": None},
            "position": 2**63 - 1,
        }
    ]
    written = json_text(rows)
    assert json.loads(written) == json.loads(JSON_ENCODER.encode(rows))
    assert '"2026-12-02T10:00:00.123456+00:00"' in written
    assert '"2026-12-02T10:00:00-03:30"' in written
    for unwritable in ([{"n": 2**70, "at": rows[0]["created_at"]}], {1: "a key not text"}):
        assert json_text(unwritable) == JSON_ENCODER.encode(unwritable)
