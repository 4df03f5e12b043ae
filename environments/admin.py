"""Environments in the admin, read-only: forks, promotes, renames and destroys stay with the
API, where they run as jobs with their checks. The header's switcher (every admin page)
chooses the environment an editor works in (environments/admin_environment.py)."""

from django.contrib import admin

from access.admin_permissions import RoleBoundAdmin
from environments.models import Environment


@admin.register(Environment)
class EnvironmentAdmin(RoleBoundAdmin, admin.ModelAdmin):
    list_display = ["name", "primary", "status", "forked_from", "created_at"]
    list_select_related = ["forked_from"]
    fields = [
        "name",
        "primary",
        "status",
        "fork_completion_percentage",
        "read_only_mode",
        "forked_from",
        "created_at",
        "last_data_change_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
