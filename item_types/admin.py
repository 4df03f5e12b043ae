"""Admin for the site and its locales, models with their fields and fieldsets, fields and
fieldsets.

Every save goes through ``item_types.services``, the same code the API runs.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from access.admin_permissions import RoleBoundAdmin
from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.field_types import FIELD_TYPES
from item_types.models import Field, Fieldset, ItemType, Site
from item_types.selectors import in_form_order


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


class FieldInline(admin.TabularInline):
    """Fields in form order; each is edited on its own page, through the service."""

    model = Field
    fields = ["fieldset", "position", "label", "api_key", "field_type", "localized"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        return in_form_order(super().get_queryset(request).select_related("fieldset"))

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ItemType)
class ItemTypeAdmin(ServiceModelAdmin):
    form = ItemTypeForm
    list_display = ["name", "api_key", "modular_block", "singleton", "field_count"]
    list_filter = ["modular_block", "singleton"]
    search_fields = ["name", "api_key"]
    inlines = [FieldInline]
    readonly_fields = ["add_field_link", "fieldset_links"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(number_of_fields=Count("fields"))

    @admin.display(description="Fields", ordering="number_of_fields")
    def field_count(self, obj):
        return obj.number_of_fields

    @admin.display(description="")
    def add_field_link(self, obj):
        if not obj.pk:
            return "Save the model, then add its fields."
        url = reverse("admin:item_types_field_add") + f"?item_type={obj.pk}"
        return format_html('<a class="addlink" href="{}">Add a field</a>', url)

    @admin.display(description="Fieldsets")
    def fieldset_links(self, obj):
        """The model's fieldsets by position, each edited on its own page (a list, not an
        inline: its saves go through the service, as fields' do)."""
        if not obj.pk:
            return "Save the model, then group its fields in fieldsets."
        links = format_html_join(
            "",
            '<li><a href="{}">{}</a> (position {})</li>',
            (
                (change_url_of(fieldset), fieldset.title, fieldset.position)
                for fieldset in obj.fieldsets.order_by("position")
            ),
        )
        add = reverse("admin:item_types_fieldset_add") + f"?item_type={obj.pk}"
        return format_html('<ul>{}</ul><a class="addlink" href="{}">Add a fieldset</a>', links, add)

    def delete_model(self, request, obj):
        services.item_type_destroy(item_type=obj)


def change_url_of(fieldset: Fieldset) -> str:
    return reverse("admin:item_types_fieldset_change", args=[quote(fieldset.pk)])


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


FIELD_FORM_FIELDS = [
    "label",
    "api_key",
    "field_type",
    "localized",
    "validators",
    "appearance",
    "hint",
    "default_value",
    "position",
]


class FieldForm(ServiceModelForm):
    field_type = forms.ChoiceField(choices=[(code, code) for code in FIELD_TYPES])
    validators = forms.JSONField(
        required=False, initial=dict, help_text='For example {"required": {}}'
    )
    appearance = forms.JSONField(required=False, help_text="Empty for the type's default")
    default_value = forms.JSONField(required=False)
    position = forms.IntegerField(
        required=False,
        min_value=1,
        help_text="Among the top-level fields and fieldsets, or in its fieldset; empty for the end",
    )
    fieldset = forms.ModelChoiceField(
        queryset=Fieldset.objects.all(), required=False, help_text="Empty: at the top level"
    )

    class Meta:
        model = Field
        fields = ["item_type", *FIELD_FORM_FIELDS, "fieldset"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The model's own fieldsets, when it is known (a field's, or the add link's).
        item_type = self.instance.item_type_id or self.initial.get("item_type")
        if item_type and "fieldset" in self.fields:
            self.fields["fieldset"].queryset = Fieldset.objects.filter(item_type_id=item_type)

    def call_service(self):
        attributes = self.attributes(FIELD_FORM_FIELDS)
        for optional in ("appearance", "position"):
            if attributes.get(optional) is None:
                attributes.pop(optional, None)
        attributes["validators"] = attributes.get("validators") or {}
        fieldset = self.cleaned_data.get("fieldset")
        relationships = {"fieldset": {"data": fieldset and {"type": "fieldset", "id": fieldset.pk}}}
        document = ResourceDocument(
            type="field", attributes=attributes, relationships=relationships
        )
        if self.instance.pk and not self.instance._state.adding:
            return services.field_update(field=self.instance, document=document)
        return services.field_create(item_type=self.cleaned_data["item_type"], document=document)


@admin.register(Field)
class FieldAdmin(ServiceModelAdmin):
    form = FieldForm
    list_display = ["label", "api_key", "field_type", "item_type", "position", "localized"]
    list_filter = ["field_type", "item_type"]
    search_fields = ["label", "api_key"]
    readonly_fields = ["validator_help"]

    def get_readonly_fields(self, request, obj=None):
        # A field stays with its model: moving it would orphan the model's records' values.
        return ["item_type", "validator_help"] if obj else ["validator_help"]

    @admin.display(description="Validators by field type")
    def validator_help(self, obj):
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                "<li><b>{}</b>: {}</li>",
                (
                    (code, ", ".join(sorted(ft.allowed_validators)) or "none")
                    for code, ft in FIELD_TYPES.items()
                ),
            ),
        )

    def delete_model(self, request, obj):
        services.field_destroy(field=obj)
