"""Fieldsets, each on its own page, saved through the fieldset services. The model's page
shows them as groups of its fields (item_types.admin.layout)."""

from django import forms
from django.contrib import admin

from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.models import Fieldset


class FieldsetForm(ServiceModelForm):
    position = forms.IntegerField(
        required=False, min_value=1, help_text="Among the top-level fields; empty for the end"
    )

    class Meta:
        model = Fieldset
        fields = ["item_type", "title", "hint", "collapsible", "start_collapsed", "position"]

    def call_service(self):
        attributes = self.attributes(["title", "hint", "collapsible", "start_collapsed"])
        if self.cleaned_data.get("position") is not None:
            attributes["position"] = self.cleaned_data["position"]
        document = ResourceDocument(type="fieldset", attributes=attributes)
        if self.instance.pk and not self.instance._state.adding:
            return services.fieldset_update(fieldset=self.instance, document=document)
        return services.fieldset_create(item_type=self.cleaned_data["item_type"], document=document)


@admin.register(Fieldset)
class FieldsetAdmin(ServiceModelAdmin):
    form = FieldsetForm
    list_display = ["title", "item_type", "position", "collapsible"]
    list_filter = ["item_type"]
    search_fields = ["title"]

    def get_readonly_fields(self, request, obj=None):
        return ["item_type"] if obj else []  # a fieldset stays with its model

    def delete_model(self, request, obj):
        services.fieldset_destroy(fieldset=obj)  # its fields move to the top level

    def delete_queryset(self, request, queryset):
        for fieldset in queryset:
            services.fieldset_destroy(fieldset=fieldset)
