"""The record API's reads: ``GET /rest/<service>`` (the tables) and
``GET /rest/<service>/<table>`` with fields, limit, offset, order, ids, include_count and
filter; and the filter parser on its own (no database)."""

from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import ApiToken
from items.models import Item
from record_api.filter_parser import (
    MAX_DEPTH,
    And,
    Compare,
    FilterError,
    In,
    IsNull,
    Like,
    Not,
    Or,
    parse,
)
from record_api.filter_query import like_regex
from tests.conftest import Api, thing_with_a_field_id_holding_double_underscores

# The parser, on its own.

A, B = Compare("a", "=", 1), Compare("b", "=", 2)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("name = 'Ann'", Compare("name", "=", "Ann")),
        ("name='Ann'", Compare("name", "=", "Ann")),
        ("name = 'it''s'", Compare("name", "=", "it's")),
        ("name = ''", Compare("name", "=", "")),
        ("name = 'a -- b; DROP'", Compare("name", "=", "a -- b; DROP")),
        ("age != 3", Compare("age", "!=", 3)),
        ("age <> 3", Compare("age", "!=", 3)),
        ("age > -2.5", Compare("age", ">", -2.5)),
        ("age >= 1e3", Compare("age", ">=", 1000)),
        ("age < 0", Compare("age", "<", 0)),
        ("age <= 7", Compare("age", "<=", 7)),
        ("flag = TRUE", Compare("flag", "=", True)),
        ("flag = false", Compare("flag", "=", False)),
        ("name LIKE 'J%'", Like("name", "J%")),
        ("name not like '_x'", Not(Like("name", "_x"))),
        ("x IN (1, 'a', true)", In("x", (1, "a", True))),
        ("x in ('a')", In("x", ("a",))),
        ("x NOT IN (1,2)", Not(In("x", (1, 2)))),
        ("x is null", IsNull("x")),
        ("x IS NOT NULL", Not(IsNull("x"))),
        ("x = null", IsNull("x")),
        ("x != NULL", Not(IsNull("x"))),
        ("x <> null", Not(IsNull("x"))),
        ("a = 1 and b = 2", And((A, B))),
        ("a = 1 AND b = 2 AND a = 1", And((A, B, A))),
        ("a = 1 or b = 2", Or((A, B))),
        ("a = 1 or b = 2 and a = 1", Or((A, And((B, A))))),
        ("(a = 1 or b = 2) and a = 1", And((Or((A, B)), A))),
        ("not a = 1", Not(A)),
        ("NOT(a = 1)", Not(A)),
        ("not a = 1 and b = 2", And((Not(A), B))),
        ("not (a = 1 and b = 2)", Not(And((A, B)))),
        ("not not a = 1", Not(Not(A))),
        ("((a = 1))", A),
        ("  a\t=\n1  ", A),
        ("`a` = 1", A),
        ("`and` = 1 and `in` in (1)", And((Compare("and", "=", 1), In("in", (1,))))),
        ("`NULL` is null", IsNull("NULL")),
    ],
)
def test_the_parser_builds_a_tree(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("", "the filter is empty", 0),
        ("name = 'x'; DROP TABLE items_item; --", "unexpected character ';'", 10),
        ("name = 'x' -- comment", "comments are not allowed", 11),
        ("name = 'x' /* comment */", "comments are not allowed", 11),
        ("name = 'x' # comment", "comments are not allowed", 11),
        ("1=1 OR", "expected a field name, found '1'", 0),
        ("name = 'x' OR 1=1", "expected a field name, found '1'", 14),
        ("name = 'x' OR", "expected a field name, found the end of the filter", 13),
        ("name = (SELECT name FROM items_item)", "expected a value", 7),
        ("name IN (SELECT name FROM items_item)", "expected a value", 9),
        ("name = 'x' UNION SELECT key FROM cms_apitoken", "expected AND, OR", 11),
        ("name = 'x' UNION SELECT * FROM cms_apitoken", "unexpected character '*'", 24),
        ("name = 'a' || 'b'", "unexpected character '|'", 11),
        ("items_item.name = 'x'", "unexpected character '.'", 10),
        ("name == 'x'", "expected a value", 6),
        ('name = "x"', "quote text values with single quotes", 7),
        ("`name = 'x'", "a quoted field name is a name between backticks", 0),
        ("`na me` = 'x'", "a quoted field name is a name between backticks", 0),
        ("`name`` = 'x'", "a quoted field name is a name between backticks", 6),
        ("name = x", "expected a value", 7),
        ("name BETWEEN 'a' AND 'b'", "expected an operator", 5),
        ("name ~ 'a'", "unexpected character '~'", 5),
        ("sleep(10)", "expected an operator", 5),
        ("(name = 'x'", "expected ')'", 11),
        ("name = 'x')", "expected AND, OR", 10),
        ("()", "expected a field name", 1),
        ("name = 'x", "unterminated text value", 7),
        ("name = 'a\x00'", "NUL", 7),
        ("name LIKE 5", "expected a quoted LIKE pattern", 10),
        ("name NOT = 'x'", "expected LIKE or IN after NOT", 9),
        ("name IN ()", "expected a value", 9),
        ("name IN 'a'", "expected '(' after IN", 8),
        ("name IN ('a' 'b')", "expected ',' or ')'", 13),
        ("name IN ('a', null)", "null can't be in an IN list", 14),
        ("name IS 'x'", "expected NULL after IS", 8),
        ("name IS NOT 'x'", "expected NULL after IS", 12),
        ("age > null", "null can't be compared with >", 6),
        ("age = 1e999", "not a finite number", 6),
        ("age = 99999999999999999999", "out of range", 6),
        ("age = 0x10", "invalid number", 6),
        ("age = 1.2.3", "invalid number", 6),
        ("and = 1", "expected a field name, found 'and'", 0),
        ("nom = 'é'", None, None),  # fine: only the field is unknown (checked later)
        ("nóm = 'x'", "unexpected character 'ó'", 1),
        ("(" * (MAX_DEPTH + 1) + "a = 1" + ")" * (MAX_DEPTH + 1), "nested more than", None),
        ("not " * (MAX_DEPTH + 1) + "a = 1", "nested more than", None),
        ("name = '" + "x" * 5000 + "'", "longer than", None),
    ],
)
def test_the_parser_refuses(text, message, position):
    if message is None:
        parse(text)
        return
    with pytest.raises(FilterError) as caught:
        parse(text)
    assert message in caught.value.message
    if position is not None:
        assert caught.value.position == position


@pytest.mark.parametrize(
    ("pattern", "regex"),
    [
        ("J%", "(?s)^J.*$"),
        ("_ob", "(?s)^.ob$"),
        (r"100\%", "(?s)^100%$"),
        (r"a\_b", "(?s)^a_b$"),
        ("a.b(c)*[d]$^|+?{e}", r"(?s)^a\.b\(c\)\*\[d\]\$\^\|\+\?\{e\}$"),
        ("back\\", r"(?s)^back\\$"),
    ],
)
def test_like_patterns_become_anchored_regular_expressions(pattern, regex):
    assert like_regex(pattern) == regex


# Over HTTP.

PEOPLE = [
    {
        "name": "Ann",
        "age": 30,
        "score": 1.5,
        "active": True,
        "born": "1990-05-01",
        "seen_at": "2024-01-01T10:00:00Z",
        "motto": {"en": "Carpe diem", "it": "Cogli l'attimo"},
        "extra": '{"a": 1}',
        "best_pet": "rex",
    },
    {
        "name": "bob",
        "age": 25,
        "score": 2.5,
        "active": False,
        "born": "1995-12-31",
        "seen_at": "2024-06-01T12:00:00+02:00",
        "motto": {"en": "Less is more", "it": "Meno è più"},
        "best_pet": "tom",
    },
    {"name": "Carl O'Neil"},
    {
        "name": "Dana_100%",
        "age": 40,
        "score": 4,
        "active": True,
        "born": "2000-02-29",
        "seen_at": "2025-01-01T00:00:00Z",
        "motto": {"en": "Why not?", "it": "Perché no?"},
        "extra": "[1]",
        "best_pet": "rex",
    },
    {
        "name": "Eve",
        "age": 18,
        "score": -0.5,
        "active": False,
        "born": "2006-07-14",
        "seen_at": "2023-12-31T23:59:59Z",
        "motto": {"en": "100%", "it": "100%"},
    },
]
NAMES = [person["name"] for person in PEOPLE]


@pytest.fixture
def people(api, two_locales):
    """person (name, age, score, active, born, seen_at, motto localized, extra json,
    best_pet link) with five records created in order; pet with two; note a block model."""
    pet = api.create_item_type("pet")
    api.create_field(pet["id"], "name", "string")
    api.create_item_type("note", modular_block=True)
    person = api.create_item_type("person")
    for api_key, field_type, extra in [
        ("name", "string", {}),
        ("age", "integer", {}),
        ("score", "float", {}),
        ("active", "boolean", {}),
        ("born", "date", {}),
        ("seen_at", "date_time", {}),
        ("motto", "string", {"localized": True}),
        ("extra", "json", {}),
        ("best_pet", "link", {"validators": {"item_item_type": {"item_types": [pet["id"]]}}}),
    ]:
        api.create_field(person["id"], api_key, field_type, **extra)
    pets = api.post("/rest/db/pet", [{"name": "Rex"}, {"name": "Tom"}]).body["record"]
    ids = {"rex": pets[0]["id"], "tom": pets[1]["id"]}
    for values in PEOPLE:
        values = dict(values)
        if "best_pet" in values:
            values["best_pet"] = ids[values["best_pet"]]
        if "motto" not in values:
            values["motto"] = {"en": None, "it": None}
        response = api.post("/rest/db/person", values)
        assert response.status_code == 200, response.body
        ids[values["name"]] = response.body["id"]
    return ids


def read(api, path: str, **params):
    query = "&".join(f"{key}={quote(str(value))}" for key, value in params.items())
    response = api.get(path + ("?" + query if query else ""))
    return response


def names_of(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [record["name"] for record in response.body["record"]]


def test_the_tables(api, people):
    response = api.get("/rest/db")
    assert response.status_code == 200, response.body
    assert response.body == {
        "resource": [{"name": "person", "label": "Person"}, {"name": "pet", "label": "Pet"}]
    }
    unknown = api.get("/rest/nothing")
    assert unknown.status_code == 404
    assert unknown.body["error"]["status_code"] == 404
    assert api.post("/rest/db", {}).status_code == 405


def test_records_in_creation_order_with_dreamfactorys_wrapper(api, people):
    response = api.get("/rest/db/person?fields=name")
    assert response.status_code == 200, response.body
    assert set(response.body) == {"record"}
    assert names_of(response) == NAMES
    assert response.body["record"][0] == {"id": people["Ann"], "name": "Ann"}


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        (None, ["id", *PEOPLE[0]]),  # a read answers every field by default (DreamFactory's)
        ("", ["id"]),
        ("*", ["id", *PEOPLE[0]]),
        ("name,age", ["id", "name", "age"]),
        ("age, id ,name", ["id", "age", "name"]),
    ],
)
def test_fields(api, people, fields, keys):
    path = "/rest/db/person?ids=" + people["Ann"]
    response = api.get(path + ("" if fields is None else f"&fields={quote(fields)}"))
    assert response.status_code == 200, response.body
    [record] = response.body["record"]
    assert list(record) == keys
    if fields in ("*", None):
        assert record["motto"] == PEOPLE[0]["motto"]  # localized: every locale
        assert record["best_pet"] == people["rex"]
        assert record["seen_at"] == "2024-01-01T10:00:00.000+00:00"


def test_unknown_fields_are_refused(api, people):
    response = api.get("/rest/db/person?fields=name,colour")
    assert response.status_code == 400
    assert response.body["error"]["context"] == {"fields": ["colour"]}


def test_limit_and_offset(api, people):
    assert names_of(read(api, "/rest/db/person", fields="name", limit=2)) == NAMES[:2]
    assert names_of(read(api, "/rest/db/person", fields="name", limit=2, offset=2)) == NAMES[2:4]
    assert names_of(read(api, "/rest/db/person", fields="name", offset=4)) == NAMES[4:]
    assert names_of(read(api, "/rest/db/person", fields="name", offset=9)) == []
    assert read(api, "/rest/db/person", limit=1000).status_code == 200


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 1001},
        {"limit": 0},
        {"limit": "ten"},
        {"limit": "1; DROP TABLE items_item"},
        {"offset": -1},
        {"offset": "1.5"},
        {"offset": 2**63},
    ],
)
def test_bad_pages_are_refused(api, people, params):
    response = read(api, "/rest/db/person", **params)
    assert response.status_code == 400, response.body
    assert response.body["error"]["status_code"] == 400
    assert next(iter(params)) in response.body["error"]["message"]


def test_the_default_limit(api, people, monkeypatch):
    monkeypatch.setattr("record_api.reads.DEFAULT_READ_LIMIT", 3)
    assert len(read(api, "/rest/db/person").body["record"]) == 3


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("age DESC", ["Dana_100%", "Ann", "bob", "Eve"]),
        ("age ASC", ["Eve", "bob", "Ann", "Dana_100%"]),
        ("age", ["Eve", "bob", "Ann", "Dana_100%"]),  # ASC by default
        ("age desc", ["Dana_100%", "Ann", "bob", "Eve"]),
        ("score DESC", ["Dana_100%", "bob", "Ann", "Eve"]),
        ("born DESC", ["Eve", "Dana_100%", "bob", "Ann"]),
        ("seen_at ASC", ["Eve", "Ann", "bob", "Dana_100%"]),
        ("active DESC, age ASC", ["Ann", "Dana_100%", "Eve", "bob"]),
        ("active ASC,age DESC", ["bob", "Eve", "Dana_100%", "Ann"]),
        ("created_at DESC", ["Eve", "Dana_100%", "bob", "Ann"]),
        ("updated_at", ["Ann", "bob", "Dana_100%", "Eve"]),
    ],
)
def test_order(api, people, order, expected):
    response = read(api, "/rest/db/person", fields="name", order=order, filter="age is not null")
    assert names_of(response) == expected


def test_order_by_id(api, people):
    response = read(api, "/rest/db/person", order="id DESC")
    assert [r["id"] for r in response.body["record"]] == sorted(
        (people[name] for name in NAMES), reverse=True
    )


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("age SIDEWAYS", "order takes 'name ASC' or 'name DESC'"),
        ("age DESC NULLS FIRST", "order takes 'name ASC' or 'name DESC'"),
        ("colour ASC", "can't order by 'colour'"),
        ("extra ASC", "can't order by 'extra'"),  # a JSON field has no order
        ("age; DROP TABLE items_item", "order takes 'name ASC' or 'name DESC'"),
        ("age;", "can't order by 'age;'"),
        ("age,", "an empty order rule"),
        ("(SELECT 1)", "order takes 'name ASC' or 'name DESC'"),
        ("random()", "can't order by 'random()'"),
    ],
)
def test_bad_orders_are_refused(api, people, order, message):
    response = read(api, "/rest/db/person", order=order)
    assert response.status_code == 400, response.body
    assert message in response.body["error"]["message"]
    assert response.body["error"]["context"]["order"] == order


def test_ids(api, people):
    eve, ann = people["Eve"], people["Ann"]
    assert names_of(read(api, "/rest/db/person", fields="name", ids=f"{eve},{ann}")) == [
        "Eve",
        "Ann",
    ]
    assert names_of(read(api, "/rest/db/person", fields="name", ids=f"{ann}, {eve}")) == [
        "Ann",
        "Eve",
    ]
    ordered = read(api, "/rest/db/person", fields="name", ids=f"{eve},{ann}", order="age DESC")
    assert names_of(ordered) == ["Ann", "Eve"]
    filtered = read(api, "/rest/db/person", fields="name", ids=f"{eve},{ann}", filter="age > 20")
    assert names_of(filtered) == ["Ann"]
    # An id no record of the table has (another table's record's too) is DreamFactory's
    # 404, naming them; with continue=true, the records found.
    asked = f"nope,{people['rex']},{ann}"
    unknown = read(api, "/rest/db/person", fields="name", ids=asked)
    assert unknown.status_code == 404
    assert unknown.body["error"]["message"] == "Record with identifier 'nope' not found."
    assert unknown.body["error"]["context"] == {"ids": ["nope", people["rex"]]}
    other = read(api, "/rest/db/person", fields="name", ids=asked, **{"continue": "true"})
    assert names_of(other) == ["Ann"]
    paged = read(api, "/rest/db/person", fields="name", ids=f"{eve},{ann}", offset=1)
    assert names_of(paged) == ["Ann"]


def test_include_count(api, people):
    response = read(
        api, "/rest/db/person", fields="name", filter="age > 20", limit=2, include_count="true"
    )
    assert names_of(response) == ["Ann", "bob"]
    assert response.body["meta"] == {"count": 3}
    everything = read(api, "/rest/db/person", include_count="true", offset=10)
    assert everything.body == {"record": [], "meta": {"count": 5}}
    assert "meta" not in read(api, "/rest/db/person", include_count="false").body


FILTERS = [
    # = != <>
    ("name = 'Ann'", {"Ann"}),
    ("name = 'ann'", set()),  # = is exact; LIKE is the case-insensitive one
    ("name != 'Ann'", set(NAMES) - {"Ann"}),
    ("name <> 'Ann'", set(NAMES) - {"Ann"}),
    ("name = 'Carl O''Neil'", {"Carl O'Neil"}),
    ("age = 30", {"Ann"}),
    ("age = 30.0", {"Ann"}),
    ("age != 30", {"bob", "Dana_100%", "Eve"}),  # no age: not different, unknown
    ("score = -0.5", {"Eve"}),
    ("score = 4", {"Dana_100%"}),
    ("active = true", {"Ann", "Dana_100%"}),
    ("active = false", {"bob", "Eve"}),
    ("active != true", {"bob", "Eve"}),
    ("born = '2000-02-29'", {"Dana_100%"}),
    ("seen_at = '2024-06-01T10:00:00Z'", {"bob"}),  # the same instant, another offset
    ("motto = 'Carpe diem'", {"Ann"}),
    ("motto = 'Cogli l''attimo'", set()),  # the main locale (en)
    # > >= < <=
    ("age > 25", {"Ann", "Dana_100%"}),
    ("age >= 25", {"Ann", "bob", "Dana_100%"}),
    ("age < 25", {"Eve"}),  # Carl has no age: never less than anything
    ("age <= 25", {"bob", "Eve"}),
    ("score < 0", {"Eve"}),
    ("score >= 1.5", {"Ann", "bob", "Dana_100%"}),
    ("born >= '1995-01-01'", {"bob", "Dana_100%", "Eve"}),
    ("born < '1995-01-01'", {"Ann"}),
    ("seen_at > '2024-01-01T10:00:00Z'", {"bob", "Dana_100%"}),
    ("seen_at >= '2024-01-01T11:00:00+01:00'", {"Ann", "bob", "Dana_100%"}),
    ("seen_at < '2024-01-01'", {"Eve"}),  # a date is its midnight, UTC
    ("name > 'C'", {"Carl O'Neil", "Dana_100%", "Eve", "bob"}),
    ("name <= 'Carl O''Neil'", {"Ann", "Carl O'Neil"}),
    # LIKE
    ("name like 'a%'", {"Ann"}),
    ("name LIKE 'A%'", {"Ann"}),
    ("name like '%O%'", {"bob", "Carl O'Neil"}),
    ("name like '_ob'", {"bob"}),
    ("name like '_o'", set()),
    ("name like '%'", set(NAMES)),
    ("name like 'dana_100%'", {"Dana_100%"}),
    (r"name like '%\%'", {"Dana_100%"}),
    (r"name like '%\_%'", {"Dana_100%"}),
    ("name like '%.%'", set()),  # regular-expression characters are literal
    ("name like '(%'", set()),
    ("name like '%''%'", {"Carl O'Neil"}),
    ("name not like '%o%'", {"Ann", "Dana_100%", "Eve"}),
    ("motto like 'less%'", {"bob"}),
    ("motto like '100\\%'", {"Eve"}),
    ("seen_at like '2024-%'", {"Ann", "bob"}),
    ("born like '%-12-%'", {"bob"}),
    ("id like '{Ann}'", {"Ann"}),
    # IN
    ("name in ('Ann', 'Eve', 'Nobody')", {"Ann", "Eve"}),
    ("name not in ('Ann', 'Eve')", {"bob", "Carl O'Neil", "Dana_100%"}),
    ("age in (18, 40)", {"Eve", "Dana_100%"}),
    ("age not in (18, 40)", {"Ann", "bob"}),  # Carl has no age
    ("score in (1.5, 4)", {"Ann", "Dana_100%"}),
    ("born in ('1990-05-01', '2006-07-14')", {"Ann", "Eve"}),
    ("seen_at in ('2025-01-01T01:00:00+01:00')", {"Dana_100%"}),
    ("id in ('{Ann}', '{bob}')", {"Ann", "bob"}),
    ("id not in ('{Ann}', '{bob}')", {"Carl O'Neil", "Dana_100%", "Eve"}),
    # IS NULL
    ("age is null", {"Carl O'Neil"}),
    ("age is not null", set(NAMES) - {"Carl O'Neil"}),
    ("age = null", {"Carl O'Neil"}),
    ("age != null", set(NAMES) - {"Carl O'Neil"}),
    ("active is null", {"Carl O'Neil"}),
    ("born is null", {"Carl O'Neil"}),
    ("seen_at is null", {"Carl O'Neil"}),
    ("motto is null", {"Carl O'Neil"}),
    ("extra is null", {"bob", "Carl O'Neil", "Eve"}),
    ("extra is not null", {"Ann", "Dana_100%"}),
    ("name is null", set()),
    ("id is null", set()),
    ("created_at is not null", set(NAMES)),
    # links
    ("best_pet = '{rex}'", {"Ann", "Dana_100%"}),
    ("best_pet != '{rex}'", {"bob"}),  # no pet: unknown
    ("best_pet in ('{rex}', '{tom}')", {"Ann", "bob", "Dana_100%"}),
    ("best_pet not in ('{tom}')", {"Ann", "Dana_100%"}),
    ("best_pet is null", {"Carl O'Neil", "Eve"}),
    ("best_pet = 'nothing'", set()),
    # record columns
    ("id = '{Ann}'", {"Ann"}),
    ("id != '{Ann}'", set(NAMES) - {"Ann"}),
    ("created_at > '2000-01-01'", set(NAMES)),
    ("created_at < '2000-01-01T00:00:00Z'", set()),
    ("updated_at >= '2000-01-01T00:00:00+05:00'", set(NAMES)),
    # AND, OR, NOT, parentheses
    ("age > 20 and active = true", {"Ann", "Dana_100%"}),
    ("age < 20 or name = 'bob'", {"bob", "Eve"}),
    ("name = 'Ann' or name = 'bob' and age > 100", {"Ann"}),  # AND binds first
    ("(name = 'Ann' or name = 'bob') and age > 100", set()),
    ("(name = 'Ann' or name = 'bob') and not (age > 26)", {"bob"}),
    ("not (name = 'Ann')", set(NAMES) - {"Ann"}),
    ("NOT name = 'Ann' AND NOT name = 'bob'", {"Carl O'Neil", "Dana_100%", "Eve"}),
    ("not (age > 25)", {"bob", "Eve"}),  # SQL: NOT unknown is unknown, Carl stays out
    ("not (age > 20 and active = true)", {"bob", "Eve"}),
    ("not (age < 20 or active = false)", {"Ann", "Dana_100%"}),
    ("not not name = 'Ann'", {"Ann"}),
    ("not (age is null)", set(NAMES) - {"Carl O'Neil"}),
    ("not (best_pet = '{rex}' or best_pet is null)", {"bob"}),
    ("((((name = 'Ann'))))", {"Ann"}),
    (
        "(age >= 18 and age <= 25) or (score > 3 and not active = false)",
        {"bob", "Eve", "Dana_100%"},
    ),
    ("name = 'Ann' AnD age = 30 oR name = 'Eve'", {"Ann", "Eve"}),
    # SQL inside a text value is only text
    ("name = 'x'' OR ''1''=''1'", set()),
    ("name = 'x''; DROP TABLE items_item; --'", set()),
    ("name like '%'' OR 1=1 --'", set()),
]


@pytest.mark.parametrize(("text", "expected"), FILTERS)
def test_filters(api, people, text, expected):
    text = text.format(**people) if "{" in text else text
    response = read(api, "/rest/db/person", fields="name", filter=text, limit=1000)
    assert set(names_of(response)) == expected
    assert Item.objects.count() == 7


def test_an_empty_filter_is_no_filter(api, people):
    assert names_of(read(api, "/rest/db/person", fields="name", filter="  ")) == NAMES


def test_localized_fields_filter_in_the_main_locale_or_the_one_asked(api, people):
    assert names_of(read(api, "/rest/db/person", fields="name", filter="motto like 'cogli%'")) == []
    italian = read(api, "/rest/db/person", fields="name", filter="motto like 'cogli%'", locale="it")
    assert names_of(italian) == ["Ann"]
    ordered = read(
        api, "/rest/db/person", fields="name", filter="age > 20", order="motto DESC", locale="it"
    )
    assert names_of(ordered) == ["Dana_100%", "bob", "Ann"]  # Perché, Meno, Cogli
    unknown = read(api, "/rest/db/person", locale="fr")
    assert unknown.status_code == 400
    assert unknown.body["error"]["context"] == {"locale": "fr", "allowed": ["en", "it"]}


def test_an_empty_string_is_a_value_not_null(api, people):
    blank = api.post("/rest/db/person", {"name": "", "motto": {"en": "", "it": ""}}).body["id"]
    assert [r["id"] for r in read(api, "/rest/db/person", filter="name = ''").body["record"]] == [
        blank
    ]
    assert blank not in str(read(api, "/rest/db/person", filter="name is null").body)
    assert blank in str(read(api, "/rest/db/person", filter="name != 'Ann'").body)


REFUSED = [
    # injection attempts
    ("name = 'x'; DROP TABLE items_item; --", "unexpected character ';'"),
    ("name = 'x'; DELETE FROM items_item", "unexpected character ';'"),
    ("1=1 OR", "expected a field name, found '1'"),
    ("1=1", "expected a field name"),
    ("name = 'x' OR 1=1", "expected a field name, found '1'"),
    ("name = 'x' OR '1'='1'", "expected a field name, found \"'1'\""),
    ("name = 'x' -- ", "comments are not allowed"),
    ("name = 'x' /* */", "comments are not allowed"),
    ("name = (SELECT name FROM items_item)", "expected a value"),
    ("name in (SELECT name FROM items_item)", "expected a value"),
    ("name = 'x' UNION SELECT key FROM cms_apitoken", "expected AND, OR"),
    ("exists (select 1)", "expected an operator"),
    ("pg_sleep(5) = 1", "expected an operator"),
    ("name = 'a' || 'b'", "unexpected character '|'"),
    ("items_item.name = 'x'", "unexpected character '.'"),
    ("data = '{}'", "unknown field 'data'"),  # the JSON column itself is no field
    ("item_type_id = 'x'", "unknown field 'item_type_id'"),
    ("search_text like '%'", "unknown field 'search_text'"),
    # unknown fields
    ("colour = 'red'", "unknown field 'colour'"),
    ("NAME = 'Ann'", "unknown field 'NAME'"),
    ("name = 'Ann' and colour = 'red'", "unknown field 'colour'"),
    # bad syntax
    ("name == 'x'", "expected a value"),
    ('name = "x"', "quote text values with single quotes"),
    ("name = Ann", "expected a value"),
    ("name between 'a' and 'b'", "expected an operator"),
    ("(name = 'Ann'", "expected ')'"),
    ("name = 'Ann')", "expected AND, OR"),
    ("((name = 'Ann')", "expected ')'"),
    ("name = 'Ann", "unterminated text value"),
    ("name like 5", "expected a quoted LIKE pattern"),
    ("name in ()", "expected a value"),
    ("name is 'x'", "expected NULL after IS"),
    ("and", "expected a field name"),
    ("name = 'Ann' and", "expected a field name, found the end of the filter"),
    ("age > null", "null can't be compared"),
    ("age in (1, null)", "null can't be in an IN list"),
    ("age = 99999999999999999999", "out of range"),
    ("(" * 40 + "age = 1" + ")" * 40, "nested more than"),
    # values and operators that don't fit the field
    ("age > 'ten'", "'age' compares with a number"),
    ("age = true", "'age' compares with a number, not true"),
    ("name = 5", "'name' compares with a 'quoted' text value"),
    ("active = 'yes'", "'active' compares with true or false, not 'yes'"),
    ("active > false", "> can't be used on 'active'"),
    ("age like '1%'", "LIKE can't be used on 'age'"),
    ("extra = 'x'", "= can't be used on 'extra'"),
    ("best_pet > 'a'", "> can't be used on 'best_pet'"),
    ("best_pet like 'a%'", "LIKE can't be used on 'best_pet'"),
    ("created_at like '2024%'", "LIKE can't be used on 'created_at'"),
    ("born = '1990-13-01'", "'born' compares with a 'YYYY-MM-DD' date"),
    ("born = '1990-05-01T00:00:00Z'", "'born' compares with a 'YYYY-MM-DD' date"),
    ("seen_at > 'yesterday'", "'seen_at' compares with a quoted ISO 8601 date and time"),
    ("created_at > 5", "'created_at' compares with a quoted ISO 8601 date and time"),
    ("id = 5", "'id' compares with a 'quoted' text value"),
]


def _tables() -> set[str]:
    return set(connection.introspection.table_names())


@pytest.mark.parametrize(("text", "message"), REFUSED)
def test_refused_filters(api, people, text, message):
    tables, records = _tables(), sorted(Item.objects.values_list("id", "data"))
    with CaptureQueriesContext(connection) as queries:
        response = read(api, "/rest/db/person", filter=text)
    assert response.status_code == 400, response.body
    error = response.body["error"]
    assert (error["code"], error["status_code"]) == (400, 400)
    assert error["message"].startswith("Invalid filter")
    assert message in error["message"]
    assert error["context"]["filter"] == text
    # Refused before any query on the records: the text never reached the database.
    assert not [q["sql"] for q in queries.captured_queries if "items_item" in q["sql"]]
    assert _tables() == tables
    assert sorted(Item.objects.values_list("id", "data")) == records


def test_refusals_name_the_position_and_the_allowed_fields(api, people):
    error = read(api, "/rest/db/person", filter="name = 'x'; DROP TABLE items_item").body["error"]
    assert error["message"] == (
        "Invalid filter at position 10: unexpected character ';': "
        "statement separators are not allowed."
    )
    assert error["context"]["position"] == 10
    unknown = read(api, "/rest/db/person", filter="colour = 'red'").body["error"]
    assert unknown["message"] == "Invalid filter: unknown field 'colour'."
    assert unknown["context"]["field"] == "colour"
    assert {"id", "created_at", "updated_at", "name", "best_pet"} <= set(
        unknown["context"]["allowed"]
    )


def test_a_field_id_holding_double_underscores(api):
    """Ids may hold "__", Django's lookup separator: filters and order must not split it."""
    thing_with_a_field_id_holding_double_underscores(api)
    api.post("/rest/db/thing", [{"size": 3}, {"size": 1}, {"size": 2}])
    listed = read(api, "/rest/db/thing", fields="size", filter="size >= 2", order="size DESC")
    assert [r["size"] for r in listed.body["record"]] == [3, 2]


def test_fields_called_like_keywords_are_quoted_with_backticks(api):
    thing = api.create_item_type("gadget")
    for api_key in ("in", "and"):
        api.create_field(thing["id"], api_key, "integer")
    api.post("/rest/db/gadget", [{"in": 1, "and": 5}, {"in": 2, "and": 4}, {"in": 3}])
    listed = read(
        api,
        "/rest/db/gadget",
        fields="in",
        filter="`in` >= 2 AND `and` IS NOT NULL",
        order="`in` DESC",
    )
    assert [r["in"] for r in listed.body["record"]] == [2]
    bare = read(api, "/rest/db/gadget", filter="in >= 2")
    assert bare.status_code == 400 and "expected a field name" in bare.body["error"]["message"]


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/rest/db/nothing", "Table 'nothing' does not exist."),
        ("/rest/db/note", "Table 'note' does not exist."),  # a block model is no table
        ("/rest/other/person", "Service 'other' does not exist."),
    ],
)
def test_unknown_tables_and_services(api, people, path, message):
    response = api.get(path)
    assert response.status_code == 404
    assert response.body["error"]["status_code"] == 404
    assert response.body["error"]["message"] == message


def test_unsupported_dreamfactory_parameters_are_refused(api, people):
    response = read(api, "/rest/db/person", having="age > 1")
    assert response.status_code == 400
    assert response.body["error"]["context"] == {"parameters": ["having"]}
    # Parameters DreamFactory clients send along (app_name, api_key...) are ignored.
    assert read(api, "/rest/db/person", app_name="todo").status_code == 200


def test_tokens_and_roles(db, people, readonly_api):
    assert names_of(readonly_api.get("/rest/db/person?fields=name&limit=1")) == ["Ann"]
    assert readonly_api.get("/rest/db").status_code == 200
    _, secret = ApiToken.create(name="df", role="readonly")
    keyed = Api(None).get("/rest/db/person?fields=name", headers={"X-DreamFactory-Api-Key": secret})
    assert names_of(keyed) == NAMES
    tables = Api(None).get("/rest/db", headers={"X-DreamFactory-Api-Key": secret})
    assert tables.status_code == 200
    anonymous = Api(None).get("/rest/db/person")
    assert anonymous.status_code == 401
    assert anonymous.body["error"]["status_code"] == 401
    assert Api(None).get("/rest/db").status_code == 401
    wrong = Api(None).get("/rest/db/person", headers={"X-DreamFactory-Api-Key": "nope"})
    assert wrong.status_code == 401
