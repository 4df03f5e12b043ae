"""The record API's ``filter`` over HTTP: what each filter finds, and what is refused
(with its position and the allowed fields)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item
from tests.record_api.people import NAMES, names_of, read

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
