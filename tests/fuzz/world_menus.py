"""The world's menus: seeded over HTTP, and the valid menu bodies the strategies mutate."""


def seed_menus(api) -> tuple[list[str], list[str]]:
    """Menu items: the model's own (made with it), a group, and an item under the model's;
    schema menu items: the block's and the model's own, and a group (last)."""
    own = api.get("/menu-items").body["data"]
    group = api.post("/menu-items", {"data": {"type": "menu_item", "attributes": {"label": "G"}}})
    assert group.status_code == 201, group.body
    child = api.post(
        "/menu-items",
        {
            "data": {
                "type": "menu_item",
                "attributes": {"label": "Under", "external_url": "https://example.com"},
                "relationships": {"parent": {"data": {"type": "menu_item", "id": own[0]["id"]}}},
            }
        },
    )
    assert child.status_code == 201, child.body
    schema_group = api.post(
        "/schema-menu-items",
        {"data": {"type": "schema_menu_item", "attributes": {"label": "G", "kind": "item_type"}}},
    )
    assert schema_group.status_code == 201, schema_group.body
    schema_ids = [item["id"] for item in api.get("/schema-menu-items").body["data"]]
    schema_ids.remove(schema_group.body["data"]["id"])
    return (
        [own[0]["id"], group.body["data"]["id"], child.body["data"]["id"]],
        [*schema_ids, schema_group.body["data"]["id"]],
    )


def _link(type_, id_):
    return {"data": {"type": type_, "id": id_}}


def _entry(type_, id_, position, parent_id):
    return {
        "type": type_,
        "id": id_,
        "attributes": {"position": position},
        "relationships": {"parent": {"data": parent_id and {"type": type_, "id": parent_id}}},
    }


def menu_payloads(world) -> dict[str, object]:
    """Valid bodies: an item in a group, a group taking a model's item as its child, and a
    reorder of each whole menu."""
    own, group, child = world.menu_item_ids
    *schema_own, schema_group = world.schema_menu_item_ids
    return {
        "menu_item": {
            "data": {
                "type": "menu_item",
                "attributes": {"label": "New", "position": 1, "open_in_new_tab": False},
                "relationships": {
                    "parent": _link("menu_item", group),
                    "item_type": _link("item_type", world.model_id),
                },
            }
        },
        "menu_reorder": {
            "data": [
                _entry("menu_item", group, 1, None),
                _entry("menu_item", own, 1, group),
                _entry("menu_item", child, 2, group),
            ]
        },
        "schema_menu_item": {
            "data": {
                "type": "schema_menu_item",
                "attributes": {"label": "New", "kind": "item_type", "position": 2},
                "relationships": {"parent": _link("schema_menu_item", schema_group)},
            }
        },
        "schema_menu_item_update": {
            "data": {
                "type": "schema_menu_item",
                "attributes": {"label": "Renamed"},
                "relationships": {
                    "children": {"data": [{"type": "schema_menu_item", "id": schema_own[-1]}]}
                },
            }
        },
        "schema_menu_reorder": {
            "data": [
                _entry("schema_menu_item", id_, position, None)
                for position, id_ in enumerate(reversed(world.schema_menu_item_ids), start=1)
            ]
        },
    }
