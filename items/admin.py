"""Records in the admin: browsable per model, edited as the API's attributes JSON.

Saving goes through ``items.services`` (the API's own validation and writes), so the admin
has no rules of its own.
"""

import json

from django import forms
from django.contrib import admin, messages

from access.admin_permissions import RoleBoundAdmin
from cms.admin_forms import error_messages
from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from item_types.models import ItemType
from items import services
from items.content_model import ContentModel
from items.models import Item
from items.placement import wire_attributes
from items.resources import item_attributes


class RecordForm(forms.ModelForm):
    item_type = forms.ModelChoiceField(
        ItemType.objects.filter(modular_block=False),
        label="Model",
        help_text="Only when adding a record.",
    )
    attributes = forms.JSONField(
        widget=forms.Textarea(attrs={"rows": 24, "cols": 100, "style": "font-family:monospace"}),
        help_text="Field values by api_key, as the API takes them (localized fields keyed by "
        "locale, blocks as objects or ids); for a sortable model also its position (from 1), "
        "for a tree its position among its siblings and its parent_id (null for a root).",
    )

    class Meta:
        model = Item
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.instance._state.adding:
            self.fields["item_type"].required = False
            self.fields["item_type"].disabled = True
            self.initial["item_type"] = self.instance.item_type_id
            model = ContentModel.load()
            self.initial["attributes"] = {
                **item_attributes(self.instance, model),
                **wire_attributes(self.instance, model.item_types[self.instance.item_type_id]),
            }
        else:
            self.initial.setdefault("attributes", {})

    def clean(self):
        cleaned = super().clean()
        attributes = cleaned.get("attributes")
        if not isinstance(attributes, dict):
            self.add_error("attributes", "Give an object of field values.")
            return cleaned
        try:
            self._validate(cleaned)
        except (ApiError, ApiErrors) as exc:
            for message in error_messages(exc):
                self.add_error(None, message)
        return cleaned

    def _validate(self, cleaned):
        """The API's checks, without writing (both builders only read)."""
        model = ContentModel.load()
        if self.instance.pk and not self.instance._state.adding:
            return services.build_update(
                item=self.instance, attributes=cleaned["attributes"], editor_id=None, model=model
            )
        item_type = cleaned.get("item_type")
        document = ResourceDocument(
            type="item",
            attributes=cleaned["attributes"],
            relationships={
                "item_type": {
                    "data": {"type": "item_type", "id": item_type.pk if item_type else None}
                }
            },
        )
        return services.build_record(document=document, creator_id=None, model=model)

    def document(self) -> ResourceDocument:
        item_type = self.cleaned_data.get("item_type") or self.instance.item_type
        return ResourceDocument(
            type="item",
            attributes=json.loads(json.dumps(self.cleaned_data["attributes"])),
            relationships={"item_type": {"data": {"type": "item_type", "id": item_type.pk}}},
        )


@admin.register(Item)
class RecordAdmin(RoleBoundAdmin, admin.ModelAdmin):
    form = RecordForm
    list_display = ["id", "item_type", "title", "position", "status", "updated_at"]
    list_filter = ["item_type", "status"]
    search_fields = ["search_text", "id"]
    fields = [
        "item_type",
        "attributes",
        "status",
        "current_version",
        "created_at",
        "updated_at",
        "published_at",
    ]
    readonly_fields = ["status", "current_version", "created_at", "updated_at", "published_at"]
    actions = ["publish", "unpublish"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(root__isnull=True).select_related("item_type")

    @admin.display(description="Title")
    def title(self, record):
        title_field_id = record.item_type.title_field_id
        value = record.data.get(title_field_id) if title_field_id else None
        if isinstance(value, dict):  # localized: the first locale's
            value = next(iter(value.values()), None)
        return value or "—"

    def save_model(self, request, obj, form, change):
        try:
            if change:
                saved = services.item_update(
                    item_id=obj.pk, document=form.document(), editor_id=None
                )
            else:
                saved = services.item_create(document=form.document(), creator_id=None)
        except (ApiError, ApiErrors) as exc:  # a race lost since the form was checked
            self.message_user(request, "; ".join(error_messages(exc)), messages.ERROR)
            return
        obj.pk = saved.item.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        try:
            services.item_destroy(item_id=obj.pk)
        except (ApiError, ApiErrors) as exc:
            self.message_user(request, "; ".join(error_messages(exc)), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for record in queryset:
            self.delete_model(request, record)

    def _each(self, request, queryset, action):
        for record in queryset:
            try:
                action(item_id=record.pk, editor_id=None)
            except (ApiError, ApiErrors) as exc:
                self.message_user(
                    request, f"{record.pk}: " + "; ".join(error_messages(exc)), messages.ERROR
                )

    @admin.action(description="Publish the selected records")
    def publish(self, request, queryset):
        self._each(request, queryset, services.item_publish)

    @admin.action(description="Unpublish the selected records")
    def unpublish(self, request, queryset):
        self._each(request, queryset, services.item_unpublish)
