"""Reading the menus as their resources: a whole menu in one query, one item in two."""

from cms.api.errors import found
from menus.kinds import Menu
from menus.positions import Row, Tree


def menu_resources(menu: Menu, ids: list[str] | None = None) -> list[dict]:
    """Every item (or those of ``ids``) in menu order: depth first, each parent before its
    children, siblings by position."""
    items = {item.id: item for item in menu.model.objects.all()}
    tree = Tree({id_: Row(item.parent_id, item.position) for id_, item in items.items()})
    children = tree.children()
    wanted = None if ids is None else set(ids)
    return [
        menu.render(items[id_], children.get(id_, []))
        for id_ in tree.in_order()
        if wanted is None or id_ in wanted
    ]


def menu_resource(menu: Menu, item) -> dict:
    children = menu.model.objects.filter(parent_id=item.id).order_by("position", "id")
    return menu.render(item, list(children.values_list("id", flat=True)))


def find(menu: Menu, item_id: str):
    return found(menu.model.objects.filter(pk=item_id).first(), **{menu.type: item_id})
