"""Records in the admin, edited with the record editor (items/admin_editor/): one widget per
field type, generated from the content model; version history with restore; publish and
unpublish with messages.

Saving goes through ``items.services`` (the API's own validation and writes), so the admin
has no rules of its own. Custom views check the admin's standard permission hooks.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse

from access.admin_permissions import RoleBoundAdmin
from cms.admin_forms import error_messages
from cms.api.errors import ApiError, ApiErrors
from items import services
from items.admin_editor import choosers
from items.admin_editor.form import RecordForm
from items.models import Item, ItemVersion

VERSIONS_SHOWN = 20


@admin.register(Item)
class RecordAdmin(RoleBoundAdmin, admin.ModelAdmin):
    form = RecordForm
    list_display = ["id", "item_type", "title", "position", "status", "updated_at"]
    list_filter = ["item_type", "status"]
    search_fields = ["search_text", "id"]
    fields = ["item_type", "values", "status", "created_at", "updated_at", "published_at"]
    readonly_fields = ["status", "created_at", "updated_at", "published_at"]
    actions = ["publish", "unpublish"]
    change_form_template = "admin/items/item/record_change_form.html"

    def get_queryset(self, request):
        return super().get_queryset(request).filter(root__isnull=True).select_related("item_type")

    @admin.display(description="Title")
    def title(self, record):
        return choosers.record_title(record)

    # --- the editor ---------------------------------------------------------------------

    def get_urls(self):
        def view(function, permission):
            def checked(request, *args, **kwargs):
                if not permission(request):
                    raise PermissionDenied
                return function(request, *args, **kwargs)

            return self.admin_site.admin_view(checked)

        viewing = self.has_view_permission
        return [
            path("choose/records/", view(choosers.records, viewing), name="items_item_records"),
            path("choose/uploads/", view(choosers.uploads, viewing), name="items_item_uploads"),
            path(
                "choose/upload-file/",
                view(choosers.upload_file, self.has_change_permission),
                name="items_item_upload_file",
            ),
            path(
                "<str:object_id>/publish/",
                self._publication_view(services.item_publish, "published"),
                name="items_item_publish",
            ),
            path(
                "<str:object_id>/unpublish/",
                self._publication_view(services.item_unpublish, "unpublished"),
                name="items_item_unpublish",
            ),
            path(
                "<str:object_id>/restore/<str:version_id>/",
                self.admin_site.admin_view(self.restore_view),
                name="items_item_restore",
            ),
            *super().get_urls(),
        ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is not None else ["item_type", "values"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.urls = {
            "records": reverse("admin:items_item_records"),
            "uploads": reverse("admin:items_item_uploads"),
            "upload_file": reverse("admin:items_item_upload_file"),
        }
        return form

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["adminform"].form.prepare_editor()
        if obj is not None:
            context["record_versions"] = ItemVersion.objects.filter(item=obj).order_by(
                "-created_at"
            )[:VERSIONS_SHOWN]
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _record_or_404(self, request, object_id, action: str) -> Item:
        record = get_object_or_404(self.get_queryset(request), pk=unquote(object_id))
        if request.method != "POST" or not self.may_on_record(request, action, record):
            raise PermissionDenied
        return record

    def _back(self, record) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:items_item_change", args=[quote(record.pk)]))

    def _publication_view(self, service, done: str):
        def publication(request, object_id):
            record = self._record_or_404(request, object_id, "publish")
            try:
                service(item_id=record.pk, editor_id=None)
            except (ApiError, ApiErrors) as exc:
                self.message_user(
                    request, f"Not {done}: " + "; ".join(error_messages(exc)), messages.ERROR
                )
            else:
                self.message_user(request, f"The record was {done}.", messages.SUCCESS)
            return self._back(record)

        return self.admin_site.admin_view(publication)

    def restore_view(self, request, object_id, version_id):
        # A restore rewrites every locale: the role must update them all.
        record = self._record_or_404(request, object_id, "update")
        version = get_object_or_404(ItemVersion, pk=unquote(version_id), item=record)
        try:
            services.version_restore(version_id=version.pk, editor_id=None)
        except (ApiError, ApiErrors) as exc:
            self.message_user(
                request, "Not restored: " + "; ".join(error_messages(exc)), messages.ERROR
            )
        else:
            self.message_user(
                request,
                f"The version of {version.created_at:%Y-%m-%d %H:%M:%S} was restored "
                "(as a new version).",
                messages.SUCCESS,
            )
        return self._back(record)

    # --- writes -------------------------------------------------------------------------

    def save_model(self, request, obj, form, change):
        try:
            if change:
                document = form.document(form.attributes, obj.item_type_id)
                saved = services.item_update(item_id=obj.pk, document=document, editor_id=None)
            else:
                item_type_id = form.cleaned_data["item_type"].pk
                document = form.document(form.attributes, item_type_id)
                saved = services.item_create(document=document, creator_id=None)
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

    def _each(self, request, queryset, action, done: str):
        succeeded = 0
        for record in queryset:
            try:
                action(item_id=record.pk, editor_id=None)
                succeeded += 1
            except (ApiError, ApiErrors) as exc:
                self.message_user(
                    request, f"{record.pk}: " + "; ".join(error_messages(exc)), messages.ERROR
                )
        if succeeded:
            self.message_user(request, f"{succeeded} record(s) {done}.", messages.SUCCESS)

    @admin.action(description="Publish the selected records")
    def publish(self, request, queryset):
        self._each(request, queryset, services.item_publish, "published")

    @admin.action(description="Unpublish the selected records")
    def unpublish(self, request, queryset):
        self._each(request, queryset, services.item_unpublish, "unpublished")
