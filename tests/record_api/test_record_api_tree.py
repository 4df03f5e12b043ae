"""Sortable and tree models through the record API: ``position`` and ``parent_id`` are
columns, written by a batch (a whole tree in one, parents before children), read,
filtered and ordered; refusals name them and write nothing."""

from urllib.parse import quote

import pytest

from items.models import Item

CHOSEN = {
    "fruit": "hWl-mnkWRYmMCSTq4z_piQ",
    "pear": "aB3dEfGhIjKlMnOpQrStUw",
}

FRUIT_CHILDREN = quote(f"parent_id = '{CHOSEN['fruit']}'")


@pytest.fixture
def category(api):
    model = api.create_item_type("category", tree=True)
    api.create_field(model["id"], "name", "string")
    return model


def _tree_batch():
    return {
        "record": [
            {"id": CHOSEN["fruit"], "name": "fruit"},
            {"name": "vegetables"},
            {"name": "apple", "parent_id": CHOSEN["fruit"]},
            {"id": CHOSEN["pear"], "name": "pear", "parent_id": CHOSEN["fruit"]},
            {"name": "williams", "parent_id": CHOSEN["pear"]},
            {"name": "quince", "parent_id": CHOSEN["fruit"], "position": 1},
            {"name": "herbs", "position": 1},
        ]
    }


def _read(api, query: str) -> list:
    response = api.get(f"/rest/db/category?fields=name,position,parent_id&{query}")
    assert response.status_code == 200, response.body
    return [(r["name"], r["position"]) for r in response.body["record"]]


def test_a_tree_in_one_batch(api, category, django_assert_max_num_queries):
    # 14, and the audit log's (the role's name, the event's INSERT, and on PostgreSQL the
    # SET LOCAL that lets that INSERT not wait for the disk).
    with django_assert_max_num_queries(14):
        response = api.post("/rest/db/category?fields=*", _tree_batch())
    assert response.status_code == 200, response.body
    answered = {r["name"]: (r["parent_id"], r["position"]) for r in response.body["record"]}
    assert answered == {
        "fruit": (None, 2),
        "vegetables": (None, 3),
        "apple": (CHOSEN["fruit"], 2),
        "pear": (CHOSEN["fruit"], 3),
        "williams": (CHOSEN["pear"], 1),
        "quince": (CHOSEN["fruit"], 1),
        "herbs": (None, 1),
    }
    stored = {
        r.data and next(iter(r.data.values())): (r.tree_parent_id, r.position)
        for r in Item.objects.filter(item_type_id=category["id"])
    }
    assert stored == answered

    order = quote("position ASC, name ASC")
    assert _read(api, f"filter={quote('parent_id IS NULL')}&order={order}") == [
        ("herbs", 1),
        ("fruit", 2),
        ("vegetables", 3),
    ]
    assert _read(api, f"filter={FRUIT_CHILDREN}&order={order}") == [
        ("quince", 1),
        ("apple", 2),
        ("pear", 3),
    ]
    children = f"parent_id = '{CHOSEN['fruit']}' and position > 1"
    assert _read(api, f"filter={quote(children)}&order={quote('position DESC')}") == [
        ("pear", 3),
        ("apple", 2),
    ]

    # A second batch appends, or inserts and shifts the siblings there.
    response = api.post(
        "/rest/db/category?fields=*",
        [{"name": "fig", "parent_id": CHOSEN["fruit"], "position": 2}, {"name": "roots"}],
    )
    assert response.status_code == 200, response.body
    assert _read(api, f"filter={FRUIT_CHILDREN}&order={order}") == [
        ("quince", 1),
        ("fig", 2),
        ("apple", 3),
        ("pear", 4),
    ]
    assert _read(api, "filter=" + quote("name = 'roots'")) == [("roots", 4)]


@pytest.mark.parametrize(
    ("record", "field", "code"),
    [
        ({"name": "x", "position": 0}, "position", "VALIDATION_NUMBER_RANGE"),
        ({"name": "x", "position": "1"}, "position", "VALIDATION_FORMAT"),
        ({"name": "x", "parent_id": "nope"}, "parent_id", "VALIDATION_FORMAT"),
        ({"name": "x", "parent_id": CHOSEN["pear"]}, "parent_id", "VALIDATION_PARENT_NOT_FOUND"),
    ],
)
def test_refusals_name_the_column_and_write_nothing(api, category, record, field, code):
    response = api.post("/rest/db/category?rollback=true", [{"name": "ok"}, record])
    assert response.status_code == 400, response.body
    [failure] = response.body["error"]["context"]["record"][1]["details"]
    assert (failure["error"], failure["field"], failure["code"]) == ("INVALID_FIELD", field, code)
    assert not Item.objects.filter(item_type_id=category["id"]).exists()


def test_a_child_of_a_refused_record_is_refused_too(api, category):
    batch = [
        {"id": CHOSEN["fruit"], "name": "fruit", "position": -1},
        {"name": "apple", "parent_id": CHOSEN["fruit"]},
        {"name": "leek"},
    ]
    response = api.post("/rest/db/category?continue=true&fields=name,position", batch)
    assert response.status_code == 400, response.body
    assert response.body["error"]["context"]["error"] == [0, 1]
    assert response.body["error"]["context"]["record"][2] == {
        "id": response.body["error"]["context"]["record"][2]["id"],
        "name": "leek",
        "position": 1,
    }


def test_columns_of_other_models(api, category):
    plain = api.create_item_type("plain")
    api.create_field(plain["id"], "name", "string")
    response = api.post("/rest/db/plain", {"name": "x", "position": 1})
    assert response.status_code == 422, response.body
    [failure] = response.body["error"]["context"]["error"]
    assert failure["code"] == "VALIDATION_UNKNOWN_FIELD" and failure["field"] == "position"
    for query in ("fields=position", f"filter={quote('position = 1')}", "order=position"):
        assert api.get(f"/rest/db/plain?{query}").status_code == 400, query
