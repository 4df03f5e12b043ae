"""The media library in the admin: collections (edited through the menus' tree services like
the API's, so positions stay dense and no collection ends up under itself) and tags (listed,
added through uploads.tags, deleted; a tag's name is its id, so it is not renamed)."""

from django import forms
from django.contrib import admin
from django.db.models import F

from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.parsing import ResourceDocument
from menus import services
from uploads import tags
from uploads.collections import TYPE, UPLOAD_COLLECTIONS
from uploads.models import UploadCollection, UploadTag


class UploadCollectionForm(ServiceModelForm):
    position = forms.IntegerField(
        required=False, help_text="Among the collections of the same parent; empty: last"
    )

    class Meta:
        model = UploadCollection
        fields = ["label", "parent", "position"]

    def call_service(self):
        attributes = self.attributes(["label", "position"])
        if attributes.get("position") is None:
            attributes.pop("position", None)
        parent = self.cleaned_data.get("parent")
        document = ResourceDocument(
            type=TYPE,
            attributes=attributes,
            relationships={"parent": {"data": {"type": TYPE, "id": parent.pk} if parent else None}},
        )
        if self.instance.pk and not self.instance._state.adding:
            return services.menu_update(UPLOAD_COLLECTIONS, item=self.instance, document=document)
        return services.menu_create(UPLOAD_COLLECTIONS, document=document)


@admin.register(UploadCollection)
class UploadCollectionAdmin(ServiceModelAdmin):
    form = UploadCollectionForm
    list_display = ["label", "parent", "position"]
    list_select_related = ["parent"]
    ordering = [F("parent__label").asc(nulls_first=True), "parent_id", "position"]
    search_fields = ["label"]

    def delete_model(self, request, obj):
        services.menu_destroy(UPLOAD_COLLECTIONS, item=obj)  # with its sub-collections

    def delete_queryset(self, request, queryset):
        for collection in queryset:
            if UploadCollection.objects.filter(pk=collection.pk).exists():  # not gone yet
                services.menu_destroy(UPLOAD_COLLECTIONS, item=collection)


class UploadTagForm(ServiceModelForm):
    class Meta:
        model = UploadTag
        fields = ["name"]

    def validate_unique(self):
        pass  # the service says so, with the API's words

    def call_service(self):
        return tags.tag_create(self.cleaned_data.get("name"))


@admin.register(UploadTag)
class UploadTagAdmin(ServiceModelAdmin):
    form = UploadTagForm
    list_display = ["name", "created_at"]
    search_fields = ["name"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "created_at"] if obj is not None else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)
