"""How menu items and schema menu items look on the wire. ``children`` are the item's
children in order: the caller reads them (one query for a whole list)."""

from menus.models import MenuItem, SchemaMenuItem


def _to_one(type_: str, pk: str | None) -> dict:
    return {"data": {"type": type_, "id": pk} if pk else None}


def _to_many(type_: str, pks) -> dict:
    return {"data": [{"type": type_, "id": pk} for pk in pks]}


def menu_item_resource(item: MenuItem, children: list[str]) -> dict:
    return {
        "type": "menu_item",
        "id": item.id,
        "attributes": {
            "label": item.label,
            "external_url": item.external_url,
            "position": item.position,
            "open_in_new_tab": item.open_in_new_tab,
        },
        "relationships": {
            "item_type": _to_one("item_type", item.item_type_id),
            # No item type filters exist here yet: always null (see menus.cleaning).
            "item_type_filter": _to_one("item_type_filter", None),
            "parent": _to_one("menu_item", item.parent_id),
            "children": _to_many("menu_item", children),
        },
    }


def schema_menu_item_resource(item: SchemaMenuItem, children: list[str]) -> dict:
    return {
        "type": "schema_menu_item",
        "id": item.id,
        "attributes": {"label": item.label, "position": item.position, "kind": item.kind},
        "relationships": {
            "item_type": _to_one("item_type", item.item_type_id),
            "parent": _to_one("schema_menu_item", item.parent_id),
            "children": _to_many("schema_menu_item", children),
        },
    }
