"""Roles in the Django admin: name, flags, environments and inheritance. Permission entries
are shown, and edited through the API (PUT /roles/:id), which checks each one. A user's
page binds them to a role (what a staff user may do here: access/admin_permissions.py)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import User

from access.admin_permissions import RoleBoundAdmin
from access.final import recompute_all
from access.models import ARRAYS, FLAGS, Role, StaffRole


@admin.register(Role)
class RoleAdmin(RoleBoundAdmin, admin.ModelAdmin):
    list_display = ["name", "builtin", "environments_access", "can_edit_schema", "id"]
    search_fields = ["name", "id"]
    fields = ["name", "environments_access", "inherits_permissions_from", *FLAGS, *ARRAYS]
    readonly_fields = list(ARRAYS)
    filter_horizontal = ["inherits_permissions_from"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        recompute_all()  # the role's and its heirs' final permissions

    def has_delete_permission(self, request, obj=None):
        # A built-in role, or one tokens or users have, stays (as DELETE /roles/:id says).
        if obj is not None and (obj.builtin or obj.tokens.exists() or obj.staff_users.exists()):
            return False
        return super().has_delete_permission(request, obj)


class StaffRoleInline(admin.StackedInline):
    model = StaffRole
    can_delete = True
    verbose_name = "role"
    verbose_name_plural = "role (what this staff user may do in the admin and the record API)"


class StaffUserAdmin(RoleBoundAdmin, UserAdmin):
    """Django's user page with the user's role. Users are never a role's to manage: a
    bound staff user sees no user pages (a role must not make accounts or superusers)."""

    inlines = [*UserAdmin.inlines, StaffRoleInline]
    list_display = [*UserAdmin.list_display, "role"]
    list_select_related = ["staff_role__role"]

    @admin.display(description="Role")
    def role(self, user):
        binding = getattr(user, "staff_role", None)
        return binding.role.name if binding is not None else "—"


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, StaffUserAdmin)
