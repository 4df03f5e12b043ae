"""The content menu in the admin: its items in menu order (by parent, then position), each
edited through ``menus.services`` like the API's, so positions stay dense and no item ends
up under itself."""

from django import forms
from django.contrib import admin
from django.db.models import F

from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.parsing import ResourceDocument
from item_types.models import ItemType
from menus import services
from menus.kinds import MENU_ITEMS
from menus.models import MenuItem

ATTRIBUTES = ["label", "external_url", "open_in_new_tab", "position"]


class MenuItemForm(ServiceModelForm):
    item_type = forms.ModelChoiceField(
        ItemType.objects.filter(modular_block=False),
        required=False,
        label="Model",
        help_text="The model whose records this item lists (or an external URL, or neither "
        "for a group).",
    )
    position = forms.IntegerField(
        required=False, help_text="Among the items of the same parent; empty: last"
    )

    class Meta:
        model = MenuItem
        fields = ["label", "parent", "position", "item_type", "external_url", "open_in_new_tab"]

    def call_service(self):
        attributes = self.attributes(ATTRIBUTES)
        if attributes.get("position") is None:
            attributes.pop("position", None)
        parent, item_type = self.cleaned_data.get("parent"), self.cleaned_data.get("item_type")
        relationships = {
            "parent": {"data": {"type": "menu_item", "id": parent.pk} if parent else None},
            "item_type": {"data": {"type": "item_type", "id": item_type.pk} if item_type else None},
        }
        document = ResourceDocument(
            type="menu_item", attributes=attributes, relationships=relationships
        )
        if self.instance.pk and not self.instance._state.adding:
            return services.menu_update(MENU_ITEMS, item=self.instance, document=document)
        return services.menu_create(MENU_ITEMS, document=document)


@admin.register(MenuItem)
class MenuItemAdmin(ServiceModelAdmin):
    form = MenuItemForm
    list_display = ["label", "parent", "position", "item_type", "external_url"]
    list_select_related = ["parent", "item_type"]
    # The top level first (SQLite and PostgreSQL put nulls apart otherwise).
    ordering = [F("parent__label").asc(nulls_first=True), "parent_id", "position"]
    search_fields = ["label"]

    def delete_model(self, request, obj):
        services.menu_destroy(MENU_ITEMS, item=obj)  # with the items under it

    def delete_queryset(self, request, queryset):
        for item in queryset:
            if MenuItem.objects.filter(pk=item.pk).exists():  # not gone with its parent
                services.menu_destroy(MENU_ITEMS, item=item)
