"""Admin for API tokens: the secret is shown once, when the token is created."""

from django.contrib import admin, messages

from access.admin_permissions import RoleBoundAdmin
from cms.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(RoleBoundAdmin, admin.ModelAdmin):
    list_display = ["name", "role", "can_access_cma", "id", "created_at", "last_used_at"]
    list_filter = ["role"]
    search_fields = ["name", "id"]
    fields = ["name", "role", "can_access_cma", "id", "created_at", "last_used_at"]
    readonly_fields = ["id", "created_at", "last_used_at"]

    def get_queryset(self, request):
        # DreamFactory sessions' tokens are the users' (access/sessions.py), not listed.
        return super().get_queryset(request).filter(session__isnull=True)

    def save_model(self, request, obj, form, change):
        if not change:
            secret = obj.set_new_secret()
            messages.warning(
                request,
                f"Token {obj.name!r} created. Copy it now, it will not be shown again: {secret}",
            )
        super().save_model(request, obj, form, change)
