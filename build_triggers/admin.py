"""Build triggers in the admin: listed with their last build, edited through the API's
services (the same checks: the custom adapter, its settings), triggered from the list (a
worker sends the request, as for ``POST /build-triggers/:id/trigger``)."""

import threading

from django.contrib import admin, messages

from build_triggers import services
from build_triggers.models import BuildTrigger
from build_triggers.resources import webhook_url
from cms.admin_forms import ServiceModelAdmin, ServiceModelForm
from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument

ATTRIBUTES = [
    "name",
    "adapter",
    "adapter_settings",
    "frontend_url",
    "autotrigger_on_scheduled_publications",
    "indexing_enabled",
    "enabled",
]
_page = threading.local()  # the request of the page being drawn (the URL's host)


class BuildTriggerForm(ServiceModelForm):
    class Meta:
        model = BuildTrigger
        fields = ATTRIBUTES
        help_texts = {
            "adapter_settings": 'custom: {"trigger_url": "https://…", "headers": {}, '
            '"payload": {}}',
        }

    def call_service(self):
        attributes = self.attributes(ATTRIBUTES)
        document = ResourceDocument(type="build_trigger", attributes=attributes)
        if self.instance.pk and not self.instance._state.adding:
            found = BuildTrigger.objects.get(pk=self.instance.pk)
            return services.trigger_update(trigger=found, document=document)
        return services.trigger_create(document=document)


@admin.register(BuildTrigger)
class BuildTriggerAdmin(ServiceModelAdmin):
    form = BuildTriggerForm
    list_display = [
        "name",
        "adapter",
        "enabled",
        "autotrigger_on_scheduled_publications",
        "build_status",
        "last_build_completed_at",
    ]
    list_filter = ["enabled", "build_status"]
    search_fields = ["name"]
    readonly_fields = [
        "the_webhook_url",
        "build_status",
        "last_build_completed_at",
        "last_request_at",
        "last_request_error",
        "indexing_status",
        "created_at",
    ]
    actions = ["trigger_builds"]

    @admin.display(description="Webhook URL (the CI reports here)")
    def the_webhook_url(self, obj):
        return webhook_url(obj, getattr(_page, "request", None)) if obj.pk else "-"

    def get_form(self, request, obj=None, **kwargs):
        _page.request = request
        return super().get_form(request, obj, **kwargs)

    @admin.action(description="Trigger a build")
    def trigger_builds(self, request, queryset):
        for trigger in queryset:
            try:
                services.trigger_build(trigger=trigger)
            except ApiError as error:
                messages.error(request, f"{trigger.name}: {error.details.get('message')}")
            else:
                messages.success(request, f"{trigger.name}: build requested.")
