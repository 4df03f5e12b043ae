from django.urls import path

from menus.kinds import MENU_ITEMS, SCHEMA_MENU_ITEMS
from menus.views import MenuDetailView, MenuListView, MenuReorderView

urlpatterns = []
for prefix, menu, scope, write_flag in (
    ("menu-items", MENU_ITEMS, "content", "can_manage_menu"),
    ("schema-menu-items", SCHEMA_MENU_ITEMS, "schema", "can_edit_schema"),
):
    views = {"menu": menu, "scope": scope, "write_flag": write_flag}
    urlpatterns += [
        path(prefix, MenuListView.as_view(**views)),
        # Before "<item_id>": "reorder" is no id.
        path(f"{prefix}/reorder", MenuReorderView.as_view(**views)),
        path(f"{prefix}/<str:item_id>", MenuDetailView.as_view(**views)),
    ]
