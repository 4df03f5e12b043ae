"""The two menus, as the code that serves both sees them: the content menu (``menu_item``)
and the schema sidebar (``schema_menu_item``)."""

from collections.abc import Callable
from dataclasses import dataclass

from menus.cleaning import clean_menu_item, clean_schema_menu_item
from menus.models import MenuItem, SchemaMenuItem
from menus.resources import menu_item_resource, schema_menu_item_resource


@dataclass(frozen=True)
class Menu:
    type: str  # the resource type on the wire
    model: type
    clean: Callable  # (document, item or None) -> menus.cleaning.Checked
    render: Callable  # (item, children ids) -> the resource
    has_kinds: bool  # items of a kind sit under parents of that kind (schema menu items)

    @property
    def tree_columns(self) -> tuple[str, ...]:
        columns = ("id", "parent_id", "position")
        return (*columns, "kind") if self.has_kinds else columns


MENU_ITEMS = Menu("menu_item", MenuItem, clean_menu_item, menu_item_resource, False)
SCHEMA_MENU_ITEMS = Menu(
    "schema_menu_item",
    SchemaMenuItem,
    clean_schema_menu_item,
    schema_menu_item_resource,
    True,
)
MENUS = {menu.type: menu for menu in (MENU_ITEMS, SCHEMA_MENU_ITEMS)}
