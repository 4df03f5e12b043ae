"""Uploads in the admin: thumbnails, editable metadata, and adding a file.

Saves go through ``uploads.services`` like the API's.
"""

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from cms.admin_forms import ServiceModelAdmin, ServiceModelForm, dry_run
from cms.api.parsing import ResourceDocument
from uploads import (
    library_admin,  # noqa: F401 (registers collections and tags)
    services,
    storage,
)
from uploads.models import FILE_FACTS, Upload

EDITABLE = ["author", "copyright", "notes", "tags", "default_field_metadata"]


class UploadForm(ServiceModelForm):
    file = forms.FileField(required=False, help_text="Only when adding an upload")
    tags = forms.CharField(required=False, help_text="Comma-separated")
    default_field_metadata = forms.JSONField(
        required=False, help_text='Per locale: {"en": {"alt": "...", "title": "..."}}'
    )

    class Meta:
        model = Upload
        fields = ["file", "author", "copyright", "notes", "tags", "default_field_metadata"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["tags"] = ", ".join(self.instance.tags or [])
        if self.instance._state.adding:
            self.fields["file"].required = True

    def clean_tags(self):
        return [tag.strip() for tag in self.cleaned_data["tags"].split(",") if tag.strip()]

    def _attributes(self) -> dict:
        attributes = self.attributes(EDITABLE)
        if not attributes.get("default_field_metadata"):
            attributes.pop("default_field_metadata", None)
        return json.loads(json.dumps(attributes))

    def call_service(self):
        if self.instance._state.adding:
            return services.upload_create_from_file(
                uploaded=self.cleaned_data["file"],
                attributes=self._attributes(),
                creator_id=None,
            )
        document = ResourceDocument(type="upload", attributes=self._attributes())
        return services.upload_update(upload=self.instance, document=document)

    def clean(self):
        # Adding stores a file, which a rolled-back dry run would leave behind: check the
        # attributes alone, and store once in save_model.
        if not self.instance._state.adding:
            return super().clean()
        cleaned = forms.ModelForm.clean(self)
        if not self.errors:
            for message in dry_run(lambda: services.check_upload_attributes(self._attributes())):
                self.add_error(None, message)
        return cleaned


@admin.register(Upload)
class UploadAdmin(ServiceModelAdmin):
    form = UploadForm
    list_display = [
        "thumbnail",
        "filename",
        "upload_collection",
        "mime_type",
        "size",
        "width",
        "height",
        "created_at",
    ]
    list_select_related = ["upload_collection"]
    list_filter = ["is_image", "mime_type", "upload_collection"]
    search_fields = ["filename", "search_text", "md5"]
    readonly_fields = [
        "preview",
        "path",
        "upload_collection",
        *FILE_FACTS,
        "created_at",
        "updated_at",
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["file", *EDITABLE]
        return ["preview", *EDITABLE, *self.readonly_fields[1:]]

    @staticmethod
    def _url(obj) -> str:
        # The page's own origin serves a relative URL, so no request is needed (an admin
        # object is shared by every thread: it must not keep one).
        return storage.url(obj.storage_name)

    @admin.display(description="")
    def thumbnail(self, obj):
        if not obj.is_image:
            return obj.format or "file"
        return format_html('<img src="{}" style="max-height:48px;max-width:96px">', self._url(obj))

    @admin.display(description="Preview")
    def preview(self, obj):
        if not obj.is_image:
            return format_html('<a href="{}">{}</a>', self._url(obj), obj.filename)
        return format_html(
            '<img src="{}" style="max-height:240px;max-width:480px">', self._url(obj)
        )

    def delete_model(self, request, obj):
        services.upload_destroy(upload=obj)
