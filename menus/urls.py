from django.urls import path

from menus.kinds import MENU_ITEMS, SCHEMA_MENU_ITEMS
from menus.views import MenuDetailView, MenuListView, MenuReorderView

urlpatterns = []
for prefix, menu, scope in (
    ("menu-items", MENU_ITEMS, "content"),
    ("schema-menu-items", SCHEMA_MENU_ITEMS, "schema"),
):
    views = {"menu": menu, "scope": scope}
    urlpatterns += [
        path(prefix, MenuListView.as_view(**views)),
        # Before "<item_id>": "reorder" is no id.
        path(f"{prefix}/reorder", MenuReorderView.as_view(**views)),
        path(f"{prefix}/<str:item_id>", MenuDetailView.as_view(**views)),
    ]
