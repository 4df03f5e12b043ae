"""Roles in the Django admin: name, flags, environments and inheritance. Permission entries
are shown, and edited through the API (PUT /roles/:id), which checks each one."""

from django.contrib import admin

from access.final import recompute_all
from access.models import ARRAYS, FLAGS, Role


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ["name", "builtin", "environments_access", "can_edit_schema", "id"]
    search_fields = ["name", "id"]
    fields = ["name", "environments_access", "inherits_permissions_from", *FLAGS, *ARRAYS]
    readonly_fields = list(ARRAYS)
    filter_horizontal = ["inherits_permissions_from"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_all()  # the role's and its heirs' final permissions

    def has_delete_permission(self, request, obj=None):
        # A built-in role, or one tokens have, stays (as DELETE /roles/:id says).
        if obj is not None and (obj.builtin or obj.tokens.exists()):
            return False
        return super().has_delete_permission(request, obj)
