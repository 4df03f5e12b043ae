"""The content menu over HTTP (SPEC-2 §3.1): create, list, find, update, destroy, with
parents and dense 1-based positions among siblings."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.ids import new_id
from menus.models import MenuItem
from tests.menus.conftest import create, item_body, menu


def test_create_answers_the_item_with_defaults_and_the_chosen_id(api):
    model = api.create_item_type("post")
    chosen = new_id()
    body = item_body(id_=chosen, item_type=model["id"], label="Posts")
    response = api.post("/menu-items", body)

    assert response.status_code == 201, response.body
    data = response.body["data"]
    assert data == {
        "type": "menu_item",
        "id": chosen,
        "attributes": {
            "label": "Posts",
            "external_url": None,
            "position": 2,  # after the model's own item, made with the model
            "open_in_new_tab": False,
        },
        "relationships": {
            "item_type": {"data": {"type": "item_type", "id": model["id"]}},
            "item_type_filter": {"data": None},
            "parent": {"data": None},
            "children": {"data": []},
        },
    }
    assert api.get(f"/menu-items/{chosen}").body == {"data": data}


def test_positions_are_dense_among_siblings_and_inserting_shifts_them(api):
    a = create(api, "A")
    create(api, "B")
    create(api, "C")
    create(api, "first", position=1)
    create(api, "third", position=3)
    create(api, "far", position=99)  # past the end: last
    a1 = create(api, "A1", parent=a["id"])
    create(api, "A0", parent=a["id"], position=1)

    assert menu(api) == [
        ("first", None, 1),
        ("A", None, 2),
        ("A0", "A", 1),
        ("A1", "A", 2),
        ("third", None, 3),
        ("B", None, 4),
        ("C", None, 5),
        ("far", None, 6),
    ]
    parent = api.get(f"/menu-items/{a['id']}").body["data"]["relationships"]
    assert [c["id"] for c in parent["children"]["data"]] == [
        api.get("/menu-items").body["data"][2]["id"],
        a1["id"],
    ]


def test_moving_an_item_closes_its_old_group_and_opens_the_new_one(api):
    a, b, c = (create(api, label) for label in "ABC")
    b1 = create(api, "B1", parent=b["id"])

    # A moves under B, second: C moves up, B1 moves down.
    response = api.put(f"/menu-items/{a['id']}", item_body(id_=a["id"], parent=b["id"], position=2))
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["position"] == 2
    assert menu(api) == [("B", None, 1), ("B1", "B", 1), ("A", "B", 2), ("C", None, 2)]

    # Within a group: B1 from first to last.
    api.put(f"/menu-items/{b1['id']}", item_body(parent=..., item_type=..., position=5))
    assert menu(api) == [("B", None, 1), ("A", "B", 1), ("B1", "B", 2), ("C", None, 2)]

    # A new parent without a position: last there.
    api.put(f"/menu-items/{b1['id']}", item_body(parent=None, item_type=...))
    assert menu(api) == [("B", None, 1), ("A", "B", 1), ("C", None, 2), ("B1", None, 3)]

    # Attributes alone leave the place as it is; the client may send no relationships.
    response = api.put(
        f"/menu-items/{c['id']}",
        {"data": {"type": "menu_item", "attributes": {"label": "Links", "open_in_new_tab": True}}},
    )
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["open_in_new_tab"] is True
    assert menu(api) == [("B", None, 1), ("A", "B", 1), ("Links", None, 2), ("B1", None, 3)]


def test_an_external_link_and_its_tab(api):
    item = create(api, "Site", external_url="https://example.com/x", open_in_new_tab=True)
    assert item["attributes"]["external_url"] == "https://example.com/x"
    response = api.put(
        f"/menu-items/{item['id']}",
        {"data": {"type": "menu_item", "attributes": {"external_url": None}}},
    )
    assert response.body["data"]["attributes"]["external_url"] is None


def test_list_filters_by_ids_in_menu_order(api):
    a, b, c = (create(api, label) for label in "ABC")
    response = api.get(f"/menu-items?filter[ids]={c['id']},{a['id']}")
    assert response.status_code == 200
    assert [r["id"] for r in response.body["data"]] == [a["id"], c["id"]]
    assert "meta" not in response.body
    both = api.get(f"/menu-items?filter[ids][]={b['id']}&filter[ids][]={c['id']}")
    assert [r["id"] for r in both.body["data"]] == [b["id"], c["id"]]


def test_destroy_answers_the_item_and_takes_its_subtree(api):
    a, b, c = (create(api, label) for label in "ABC")
    b1 = create(api, "B1", parent=b["id"])
    create(api, "B11", parent=b1["id"])

    response = api.delete(f"/menu-items/{b['id']}")

    assert response.status_code == 200
    assert response.body["data"]["id"] == b["id"]
    assert response.body["data"]["relationships"]["children"]["data"] == [
        {"type": "menu_item", "id": b1["id"]}
    ]
    assert menu(api) == [("A", None, 1), ("C", None, 2)]
    assert set(MenuItem.objects.values_list("id", flat=True)) == {a["id"], c["id"]}
    assert api.get(f"/menu-items/{b1['id']}").status_code == 404


def test_children_are_read_only_on_a_menu_item(api):
    a, b = create(api, "A"), create(api, "B")
    body = item_body(parent=..., item_type=..., label="A!")
    body["data"]["relationships"]["children"] = {"data": [{"type": "menu_item", "id": b["id"]}]}
    response = api.put(f"/menu-items/{a['id']}", body)
    assert response.status_code == 200, response.body
    assert response.body["data"]["relationships"]["children"]["data"] == []
    assert menu(api) == [("A!", None, 1), ("B", None, 2)]


def test_editors_write_the_content_menu_readonly_tokens_read_it(editor_api, readonly_api):
    item = create(editor_api, "Mine")
    assert readonly_api.get(f"/menu-items/{item['id']}").status_code == 200
    refused = readonly_api.post("/menu-items", item_body(label="No"))
    assert refused.status_code == 403
    assert editor_api.delete(f"/menu-items/{item['id']}").status_code == 200


def test_unknown_ids_are_404(api):
    for method in ("get", "put", "delete"):
        response = getattr(api, method)("/menu-items/AAAAAAAAAAAAAAAAAAAAAA")
        assert response.status_code == 404
        assert response.body["data"][0]["attributes"]["code"] == "NOT_FOUND"


def test_a_list_costs_the_same_queries_however_long_the_menu(api):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/menu-items").status_code == 200
        return len(captured)

    parent = create(api, "A")
    short = queries()
    for n in range(6):
        create(api, f"A{n}", parent=parent["id"])
        create(api, f"B{n}")
    assert queries() == short
