"""The record API's reads: ``GET /rest/<service>`` (the tables) and
``GET /rest/<service>/<table>`` with fields, limit, offset, order, ids and include_count;
unknown tables and parameters, tokens and roles. Filters: test_record_api_filters.py; the
filter parser on its own: test_record_api_filter_parser.py."""

from urllib.parse import quote

import pytest

from cms.models import ApiToken
from tests.conftest import Api, thing_with_a_field_id_holding_double_underscores
from tests.record_api.people import NAMES, PEOPLE, names_of, read


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
