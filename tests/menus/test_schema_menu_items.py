"""The schema sidebar over HTTP (SPEC-2 §3.2): kinds, groups, and ``children`` on update."""

from tests.menus.conftest import create, item_body, menu

SCHEMA = "schema_menu_item"


def children_body(ids: list[str]) -> dict:
    return {
        "data": {
            "type": SCHEMA,
            "relationships": {"children": {"data": [{"type": SCHEMA, "id": i} for i in ids]}},
        }
    }


def test_create_find_list_update_destroy(api):
    group = create(api, "Content", type_=SCHEMA)
    assert group["attributes"] == {"label": "Content", "position": 1, "kind": "item_type"}
    assert group["relationships"] == {
        "item_type": {"data": None},
        "parent": {"data": None},
        "children": {"data": []},
    }
    blocks = create(api, "Blocks", type_=SCHEMA, kind="modular_block")
    assert api.get(f"/schema-menu-items/{group['id']}").body["data"] == group
    listed = api.get(f"/schema-menu-items?filter[ids]={blocks['id']}").body["data"]
    assert [r["id"] for r in listed] == [blocks["id"]]

    response = api.put(
        f"/schema-menu-items/{blocks['id']}",
        item_body(SCHEMA, parent=..., item_type=..., label="Pieces", position=1),
    )
    assert response.status_code == 200, response.body
    assert menu(api, SCHEMA) == [("Pieces", None, 1), ("Content", None, 2)]

    response = api.delete(f"/schema-menu-items/{blocks['id']}")
    assert response.status_code == 200
    assert response.body["data"]["attributes"]["label"] == "Pieces"
    assert menu(api, SCHEMA) == [("Content", None, 1)]


def test_a_model_in_a_group_and_the_kind_follows_the_model(api):
    group = create(api, "Blog", type_=SCHEMA)
    post = api.create_item_type("post")
    quote = api.create_item_type("quote", modular_block=True)
    own = {
        r["relationships"]["item_type"]["data"]["id"]: r
        for r in api.get("/schema-menu-items").body["data"]
        if r["relationships"]["item_type"]["data"]
    }
    assert own[post["id"]]["attributes"] == {"label": None, "position": 2, "kind": "item_type"}
    assert own[quote["id"]]["attributes"]["kind"] == "modular_block"

    moved = api.put(
        f"/schema-menu-items/{own[post['id']]['id']}",
        item_body(SCHEMA, parent=group["id"], item_type=...),
    )
    assert moved.status_code == 200, moved.body
    assert moved.body["data"]["attributes"]["position"] == 1
    assert moved.body["data"]["relationships"]["parent"]["data"]["id"] == group["id"]
    # The block stays at the top level, moved up to close the gap.
    assert own[quote["id"]]["id"] in [
        r["id"]
        for r in api.get("/schema-menu-items").body["data"]
        if r["attributes"]["position"] == 2
    ]


def test_children_become_the_ones_listed_in_that_order(api):
    group = create(api, "G", type_=SCHEMA)
    a, b, c = (create(api, label, type_=SCHEMA) for label in "abc")
    old = create(api, "old", parent=group["id"], type_=SCHEMA)

    response = api.put(f"/schema-menu-items/{group['id']}", children_body([c["id"], a["id"]]))

    assert response.status_code == 200, response.body
    assert response.body["data"]["relationships"]["children"]["data"] == [
        {"type": SCHEMA, "id": c["id"]},
        {"type": SCHEMA, "id": a["id"]},
    ]
    # The child left out moves up a level, after the group's siblings.
    assert menu(api, SCHEMA) == [
        ("G", None, 1),
        ("c", "G", 1),
        ("a", "G", 2),
        ("b", None, 2),
        ("old", None, 3),
    ]
    assert api.get(f"/schema-menu-items/{old['id']}").body["data"]["attributes"]["position"] == 3

    emptied = api.put(f"/schema-menu-items/{group['id']}", children_body([]))
    assert emptied.body["data"]["relationships"]["children"]["data"] == []
    assert menu(api, SCHEMA) == [
        ("G", None, 1),
        ("b", None, 2),
        ("old", None, 3),
        ("c", None, 4),
        ("a", None, 5),
    ]


def test_a_group_changes_kind_when_its_children_follow(api):
    group = create(api, "G", type_=SCHEMA)
    response = api.put(
        f"/schema-menu-items/{group['id']}",
        {"data": {"type": SCHEMA, "attributes": {"kind": "modular_block"}}},
    )
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["kind"] == "modular_block"
