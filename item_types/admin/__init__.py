"""Admin for the site and its locales, models with their fields and fieldsets, fields and
fieldsets.

Every save goes through ``item_types.services``, the same code the API runs. A model's
page shows its fields grouped by fieldset, reorderable (``layout``); a field's page edits
each validator and the editor with inputs of their own (``fields``, ``schema_inputs``).
"""

from django.contrib import admin
from django.db.models import Count
from django.urls import path

from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.admin import fields, fieldsets, site  # noqa: F401 (they register their admins)
from item_types.admin.layout import render_layout, reorder_view
from item_types.models import ItemType

ITEM_TYPE_FORM_FIELDS = [
    "name",
    "api_key",
    "modular_block",
    "singleton",
    "all_locales_required",
    "sortable",
    "tree",
    "draft_mode_active",
    "draft_saving_active",
    "ordering_meta",
    "ordering_direction",
    "collection_appearance",
    "hint",
    "inverse_relationships_enabled",
]


class ItemTypeForm(ServiceModelForm):
    class Meta:
        model = ItemType
        fields = ITEM_TYPE_FORM_FIELDS

    def call_service(self):
        document = ResourceDocument(
            type="item_type", attributes=self.attributes(ITEM_TYPE_FORM_FIELDS)
        )
        if self.instance.pk and not self.instance._state.adding:
            return services.item_type_update(item_type=self.instance, document=document)
        return services.item_type_create(document=document)


@admin.register(ItemType)
class ItemTypeAdmin(ServiceModelAdmin):
    form = ItemTypeForm
    list_display = ["name", "api_key", "modular_block", "singleton", "field_count"]
    list_filter = ["modular_block", "singleton"]
    search_fields = ["name", "api_key"]
    readonly_fields = ["form_layout"]

    class Media:
        css = {"all": ["item_types/schema_editor.css"]}
        js = ["item_types/schema_editor.js"]

    def get_fieldsets(self, request, obj=None):
        main = ("Settings", {"fields": ITEM_TYPE_FORM_FIELDS})
        if obj is None:
            return [main]
        # The fields first: what an editor of the schema comes to this page for.
        return [("Fields", {"fields": ["form_layout"], "classes": ["cms-form-layout"]}), main]

    def get_urls(self):
        reorder = self.admin_site.admin_view(
            lambda request, object_id: reorder_view(self, request, object_id)
        )
        name = "item_types_itemtype_reorder"
        return [path("<path:object_id>/reorder/", reorder, name=name), *super().get_urls()]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_fields=Count("fields"))

    @admin.display(description="Fields", ordering="number_of_fields")
    def field_count(self, obj):
        return obj.number_of_fields

    @admin.display(description="Grouped by fieldset, in form order")
    def form_layout(self, obj):
        return render_layout(obj)

    def delete_model(self, request, obj):
        services.item_type_destroy(item_type=obj)
