"""Sortable and tree models over HTTP, writes: positions stay 1, 2, 3... among siblings
through creates, moves and deletes; parents can't make loops; refusals write nothing; a
model made sortable or a tree numbers its records; concurrent writes on PostgreSQL."""

import pytest

from items.models import Item, ItemVersion
from tests.conftest import Api, error_codes, race
from tests.items.conftest import item_body, put
from tests.items.trees import TREE, category, create, import_tree, move, names, shape, slide

__all__ = ["category", "slide"]  # fixtures


def test_a_category_tree_imported_and_reordered(api, category):
    ids = import_tree(api, category["id"])
    assert shape(api, category["id"]) == TREE

    # Before its sibling, then under another parent, in the middle, then last.
    assert move(api, ids["abate"], position=1).status_code == 200
    assert move(api, ids["apple"], parent_id=ids["vegetables"], position=1).status_code == 200
    assert move(api, ids["vegetables"], position=1).status_code == 200
    response = move(api, ids["williams"], parent_id=None)  # a root, last
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["parent_id"] is None
    assert response.body["data"]["attributes"]["position"] == 3
    assert shape(api, category["id"]) == {
        "vegetables": (None, 1),
        "fruit": (None, 2),
        "williams": (None, 3),
        "apple": ("vegetables", 1),
        "leek": ("vegetables", 2),
        "pear": ("fruit", 1),
        "abate": ("pear", 1),
    }
    # A position past the end is the end; a position and a value together move and edit.
    response = put(api, ids["leek"], {"name": "Leek", "position": 99, "parent_id": ids["pear"]})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["position"] == 2
    assert shape(api, category["id"])["Leek"] == ("pear", 2)


def test_create_at_a_position_shifts_the_siblings_after_it(api, category):
    ids = import_tree(api, category["id"])
    create(api, category["id"], "quince", parent_id=ids["fruit"], position=1)
    create(api, category["id"], "fig", parent_id=ids["fruit"], position=2)
    create(api, category["id"], "herbs", position=1)
    tree = shape(api, category["id"])
    assert [tree[n] for n in ("quince", "fig", "apple", "pear")] == [
        ("fruit", 1),
        ("fruit", 2),
        ("fruit", 3),
        ("fruit", 4),
    ]
    assert [tree[n] for n in ("herbs", "fruit", "vegetables")] == [
        (None, 1),
        (None, 2),
        (None, 3),
    ]


def test_sortable_positions(api, slide):
    for name in ("a", "b", "c"):
        assert create(api, slide, name)["attributes"]["position"] == "abc".index(name) + 1
    record = create(api, slide, "first", position=1)
    assert "parent_id" not in record["attributes"]
    assert record["meta"]["has_children"] is None
    assert names(api.get(f"/items?filter[type]={slide}&order_by=position_ASC")) == [
        "first",
        "a",
        "b",
        "c",
    ]
    assert move(api, record["id"], position=3).status_code == 200
    assert names(api.get(f"/items?filter[type]={slide}&order_by=position_DESC")) == [
        "c",
        "first",
        "b",
        "a",
    ]
    # A sortable model has no parents: parent_id is not one of its attributes.
    response = move(api, record["id"], parent_id=None)
    assert response.status_code == 422
    assert error_codes(response) == [
        ("INVALID_ATTRIBUTES", "parent_id", "VALIDATION_UNKNOWN_FIELD")
    ]


def test_deleting_a_record_moves_its_children_up_into_its_place(api, category):
    ids = import_tree(api, category["id"])
    create(api, category["id"], "plum", parent_id=ids["fruit"])
    response = api.delete(f"/items/{ids['pear']}")
    assert response.status_code == 200, response.body
    tree = shape(api, category["id"])
    assert [tree[n] for n in ("apple", "williams", "abate", "plum")] == [
        ("fruit", 1),
        ("fruit", 2),
        ("fruit", 3),
        ("fruit", 4),
    ]
    assert api.delete(f"/items/{ids['vegetables']}").status_code == 200
    tree = shape(api, category["id"])
    assert tree["fruit"] == (None, 1) and tree["leek"] == (None, 2)
    assert api.delete(f"/items/{ids['fruit']}").status_code == 200
    assert sorted(p for _, p in shape(api, category["id"]).values() if _ is None) == [1, 2, 3, 4, 5]


def _snapshot(model_id):
    return sorted(
        Item.objects.filter(item_type_id=model_id).values_list(
            "id", "tree_parent_id", "position", "status", "current_version", "data"
        )
    )


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"position": 0}, ("position", "VALIDATION_NUMBER_RANGE")),
        ({"position": -3}, ("position", "VALIDATION_NUMBER_RANGE")),
        ({"position": 1.5}, ("position", "VALIDATION_FORMAT")),
        ({"position": "2"}, ("position", "VALIDATION_FORMAT")),
        ({"position": True}, ("position", "VALIDATION_FORMAT")),
        ({"parent_id": "not an id"}, ("parent_id", "VALIDATION_FORMAT")),
        ({"parent_id": 12}, ("parent_id", "VALIDATION_FORMAT")),
        ({"parent_id": "hWl-mnkWRYmMCSTq4z_piQ"}, ("parent_id", "VALIDATION_PARENT_NOT_FOUND")),
        ({"parent_id": "@other"}, ("parent_id", "VALIDATION_PARENT_MODEL")),
        ({"parent_id": "@self"}, ("parent_id", "VALIDATION_TREE_CYCLE")),
        ({"parent_id": "@williams"}, ("parent_id", "VALIDATION_TREE_CYCLE")),
        ({"parent_id": "@abate", "name": "x"}, ("parent_id", "VALIDATION_TREE_CYCLE")),
    ],
)
def test_bad_moves_are_refused_and_write_nothing(api, category, attributes, expected):
    ids = import_tree(api, category["id"])
    ids["self"] = ids["pear"]
    ids["other"] = create(api, category["other"], "elsewhere")["id"]
    attributes = {
        key: ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        for key, value in attributes.items()
    }
    before = _snapshot(category["id"])
    versions = ItemVersion.objects.count()
    response = move(api, ids["pear"], **attributes)
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", *expected)]
    assert _snapshot(category["id"]) == before
    assert ItemVersion.objects.count() == versions


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"position": 0}, ("position", "VALIDATION_NUMBER_RANGE")),
        ({"position": "last"}, ("position", "VALIDATION_FORMAT")),
        ({"parent_id": "hWl-mnkWRYmMCSTq4z_piQ"}, ("parent_id", "VALIDATION_PARENT_NOT_FOUND")),
        ({"parent_id": "@other"}, ("parent_id", "VALIDATION_PARENT_MODEL")),
        ({"parent_id": "@block"}, ("parent_id", "VALIDATION_PARENT_NOT_FOUND")),
    ],
)
def test_bad_creates_are_refused_and_write_nothing(api, category, attributes, expected):
    ids = import_tree(api, category["id"])
    ids["other"] = create(api, category["other"], "elsewhere")["id"]
    ids["block"] = "hWl-mnkWRYmMCSTq4z_piQ"
    attributes = {
        key: ids[value[1:]] if isinstance(value, str) and value.startswith("@") else value
        for key, value in attributes.items()
    }
    before = _snapshot(category["id"])
    response = api.post("/items", item_body(category["id"], {"name": "new", **attributes}))
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", *expected)]
    assert _snapshot(category["id"]) == before


def test_a_record_can_t_be_its_own_parent_on_create(api, category):
    chosen = "hWl-mnkWRYmMCSTq4z_piQ"
    body = item_body(category["id"], {"name": "loop", "parent_id": chosen}, id=chosen)
    response = api.post("/items", body)
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "parent_id", "VALIDATION_TREE_CYCLE")]
    assert not Item.objects.filter(pk=chosen).exists()


def test_other_models_refuse_position_and_parent(api):
    plain = api.create_item_type("plain")
    api.create_field(plain["id"], "name", "string")
    response = api.post("/items", item_body(plain["id"], {"name": "x", "position": 1}))
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_ATTRIBUTES", "position", "VALIDATION_UNKNOWN_FIELD")]
    record = api.post("/items", item_body(plain["id"], {"name": "x"})).body["data"]
    assert "position" not in record["attributes"]
    assert record["meta"]["has_children"] is None


def test_moves_don_t_make_a_new_version_or_an_update_to_publish(api, category):
    ids = import_tree(api, category["id"])
    assert api.put(f"/items/{ids['pear']}/publish?recursive=true").status_code == 200
    version = api.get(f"/items/{ids['pear']}").body["data"]["meta"]["current_version"]
    versions = ItemVersion.objects.filter(item_id=ids["pear"]).count()
    response = move(api, ids["pear"], position=1, parent_id=ids["vegetables"])
    assert response.status_code == 200, response.body
    meta = response.body["data"]["meta"]
    assert meta["status"] == "published"
    assert meta["current_version"] == version
    assert ItemVersion.objects.filter(item_id=ids["pear"]).count() == versions
    # The optimistic lock still applies.
    response = put(api, ids["pear"], {"position": 2}, meta={"current_version": "x" * 22})
    assert error_codes(response)[0][0] == "STALE_ITEM_VERSION"


# --- Models that become sortable or trees -------------------------------------------------


def test_a_model_made_sortable_numbers_its_records(api):
    model = api.create_item_type("later")
    api.create_field(model["id"], "name", "string")
    for name in "abc":
        create(api, model["id"], name)
    response = api.put(
        f"/item-types/{model['id']}",
        {"data": {"type": "item_type", "id": model["id"], "attributes": {"sortable": True}}},
    )
    assert response.status_code == 200, response.body
    assert names(api.get(f"/items?filter[type]={model['id']}&order_by=position_ASC")) == [
        "a",
        "b",
        "c",
    ]
    api.put(
        f"/item-types/{model['id']}",
        {
            "data": {
                "type": "item_type",
                "id": model["id"],
                "attributes": {"sortable": False, "tree": True},
            }
        },
    )
    tree = shape(api, model["id"])
    assert tree == {"a": (None, 1), "b": (None, 2), "c": (None, 3)}
    api.put(
        f"/item-types/{model['id']}",
        {"data": {"type": "item_type", "id": model["id"], "attributes": {"tree": False}}},
    )
    assert set(
        Item.objects.filter(item_type_id=model["id"]).values_list("position", flat=True)
    ) == {None}


# --- Concurrency (PostgreSQL) -------------------------------------------------------------


def test_concurrent_writes_keep_positions_dense(racing_api):
    api = racing_api
    slide = api.create_item_type("slide", sortable=True)
    api.create_field(slide["id"], "name", "string")
    first = create(api, slide["id"], "first")

    def write(index):
        rival = Api(racing_api.token)
        if index % 3 == 2:
            return move(rival, first["id"], position=index).status_code
        body = {"name": f"r{index}", **({"position": 1} if index % 2 else {})}
        return rival.post("/items", item_body(slide["id"], body)).status_code

    statuses = race(9, write)
    assert all(status in (200, 201) for status in statuses), statuses
    positions = sorted(
        Item.objects.filter(item_type_id=slide["id"]).values_list("position", flat=True)
    )
    assert positions == list(range(1, 8))


def test_concurrent_moves_can_t_make_a_loop(racing_api):
    api = racing_api
    category = api.create_item_type("category", tree=True)
    api.create_field(category["id"], "name", "string")
    a = create(api, category["id"], "a")["id"]
    b = create(api, category["id"], "b")["id"]

    def write(index):
        record, parent = (a, b) if index % 2 else (b, a)
        return move(Api(racing_api.token), record, parent_id=parent).status_code

    statuses = race(2, write)
    assert sorted(statuses) == [200, 422], statuses
    parents = dict(Item.objects.filter(pk__in=[a, b]).values_list("id", "tree_parent_id"))
    assert None in parents.values()


def test_deleting_a_tree_model_deletes_its_records(api, category):
    import_tree(api, category["id"])
    response = api.delete(f"/item-types/{category['id']}")
    assert response.status_code in (200, 202), response.body
    assert not Item.objects.filter(item_type_id=category["id"]).exists()


def test_recursive_is_harmless_outside_trees(api, slide):
    record = create(api, slide, "one")
    for action in ("publish", "unpublish"):
        response = api.put(f"/items/{record['id']}/{action}?recursive=true")
        assert response.status_code == 200, response.body
