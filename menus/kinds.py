"""The two menus, as the code that serves both sees them: the content menu (``menu_item``)
and the schema sidebar (``schema_menu_item``). A :class:`Menu` describes any tree of
labelled nodes ordered densely under their parents: the media library's folders
(uploads.collections) are served by the same code."""

from collections.abc import Callable
from dataclasses import dataclass

from menus.cleaning import clean_menu_item, clean_schema_menu_item
from menus.models import MenuItem, SchemaMenuItem
from menus.resources import menu_item_resource, schema_menu_item_resource

MENU_MODELS = (MenuItem, SchemaMenuItem)  # locked together, in this order


@dataclass(frozen=True)
class Menu:
    type: str  # the resource type on the wire
    model: type
    clean: Callable  # (document, item or None) -> menus.cleaning.Checked
    render: Callable  # (item, children ids) -> the resource
    has_kinds: bool  # items of a kind sit under parents of that kind (schema menu items)
    # The tables a write locks first (menus.services.menu_write), and what a write reads
    # with the node (its clean function looks at it).
    lock_models: tuple[type, ...] = MENU_MODELS
    related: tuple[str, ...] = ("item_type",)

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
