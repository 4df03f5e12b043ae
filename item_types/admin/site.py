"""The site and its locales, edited through the site service."""

from django import forms
from django.contrib import admin

from access.admin_permissions import RoleBoundAdmin
from cms.admin_forms import ServiceModelForm
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.models import Site


class SiteForm(ServiceModelForm):
    locales = forms.CharField(
        help_text="Locale codes separated by commas, the main locale first: en, it, pt-BR",
    )

    class Meta:
        model = Site
        fields = ["name", "locales", "timezone", "no_index"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["locales"] = ", ".join(self.instance.locales or [])

    def clean_locales(self):
        return [code.strip() for code in self.cleaned_data["locales"].split(",") if code.strip()]

    def document(self):
        return ResourceDocument(type="site", attributes=self.attributes(self.Meta.fields))

    def call_service(self):
        return services.site_update(site=Site.load(), document=self.document())


@admin.register(Site)
class SiteAdmin(RoleBoundAdmin, admin.ModelAdmin):
    form = SiteForm
    list_display = ["name", "locales", "timezone"]

    def has_add_permission(self, request):
        return False  # there is one site; it exists from the first request on

    def has_delete_permission(self, request, obj=None):
        return False

    def changelist_view(self, request, extra_context=None):
        Site.load()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        form.call_service()
