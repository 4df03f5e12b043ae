"""Roles in the Django admin: a staff user bound to a role (access.models.StaffRole) may do
there what the role lets a token do through the APIs, judged by the same evaluator
(access/permissions.py's Grants), in the environment they work in.

Who gets what:

- a superuser: everything, bound or not (as Django gives them);
- a staff user bound to a role: the role, and only the role (Django's per-model
  permissions are not consulted): records per model, creator and locale (a save that
  changes a locale the role may not update is a 403 naming the field and locale), uploads
  per collection, and the schema, site, menu, upload collections, build triggers, roles
  and tokens per their flags. Pages of a model the rule table doesn't know, and Django's
  users and groups (a role must not make accounts or superusers), are closed to them;
- an unbound staff user: Django's own model permissions, as before roles were bound.

One mixin, :class:`RoleBoundAdmin`, first among an admin class's bases; the rules are
looked up by model here (:data:`RULES`), so an admin module only names the mixin.
"""

from types import SimpleNamespace

from django.core.exceptions import PermissionDenied
from django.http import HttpResponseForbidden

from access.permissions import Grants
from cms.api.errors import ApiError
from environments.storages import is_per_environment

#: Each action the admin asks about, as the role's entries name it (DatoCMS's names).
ADMIN_ACTIONS = {"view": "read", "add": "create", "change": "update", "delete": "delete"}
#: Admin bulk actions (by function name) and the record or upload action each one is.
BULK_ACTIONS = {"publish": "publish", "unpublish": "publish", "delete_selected": "delete"}


class Flag:
    """Writes need ``flag``; reads need ``read`` (None: any bound user may read)."""

    def __init__(self, flag: str, read: str | None = None):
        self.flag, self.read = flag, read

    def allows(self, grants: Grants, env: str, what: str, obj=None) -> bool:
        needed = self.read if what == "view" else self.flag
        return needed is None or grants.flag(needed)

    def narrow(self, grants: Grants, env: str, queryset):
        return queryset


class Entries:
    """Per-object permission entries: records (by model and creator) or uploads (by
    collection); a list shows only what may be read."""

    def __init__(self, family: str, target: str, column: str):
        self.family, self.target, self.column = family, target, column

    def entries(self, grants: Grants, env: str):
        return grants.records(env) if self.family == "records" else grants.uploads(env)

    def creator(self, obj) -> tuple:
        return (getattr(obj, "creator_type", "access_token"), obj.creator_id)

    def allows(self, grants: Grants, env: str, what: str, obj=None) -> bool:
        action, allowed = ADMIN_ACTIONS[what], self.entries(grants, env)
        if obj is None and action == "create" and self.family == "uploads":
            return allowed.allows(action, None, None)  # the admin's uploads are in no collection
        if obj is None:
            return allowed.allows_some(action)
        target = getattr(obj, self.column)
        if action == "update":  # per locale: checked on save (check_save)
            return allowed.allows_some(action, target)
        return allowed.allows(action, target, self.creator(obj))

    def narrow(self, grants: Grants, env: str, queryset):
        condition = self.entries(grants, env).filter("read", self.column)
        return queryset if condition is None else queryset.filter(condition)


class Nobody:
    def allows(self, grants, env, what, obj=None) -> bool:
        return False

    def narrow(self, grants, env, queryset):
        return queryset.none()


RECORDS = Entries("records", "item_type", "item_type_id")
#: app_label.model_name -> what a bound user may do with it. Webhooks have no admin pages.
RULES = {
    "items.item": RECORDS,
    "uploads.upload": Entries("uploads", "upload_collection", "upload_collection_id"),
    "uploads.uploadcollection": Flag("can_manage_upload_collections"),
    "uploads.uploadtag": Flag("can_manage_upload_collections"),
    "item_types.itemtype": Flag("can_edit_schema"),
    "item_types.field": Flag("can_edit_schema"),
    "item_types.fieldset": Flag("can_edit_schema"),
    "item_types.site": Flag("can_edit_site"),
    "menus.menuitem": Flag("can_manage_menu"),
    "environments.environment": Flag("can_manage_environments"),
    "build_triggers.buildtrigger": Flag("can_manage_build_triggers", "can_manage_build_triggers"),
    "access.role": Flag("can_manage_users"),
    "cms.apitoken": Flag("can_manage_access_tokens", "can_manage_access_tokens"),
}
NOBODY = Nobody()


def staff_grants(request) -> Grants | None:
    """The request user's role as Grants (read once per request); None for a superuser or
    an unbound user, whom Django's permissions govern."""
    if not hasattr(request, "cms_staff_grants"):
        request.cms_staff_grants = None
        user = getattr(request, "user", None)
        if user is not None and user.is_active and not user.is_superuser:
            from access.models import StaffRole

            binding = StaffRole.objects.filter(user_id=user.pk).select_related("role").first()
            if binding is not None:
                # A stand-in token: no token made these admin requests (on_creator "self"
                # entries match nothing here).
                request.cms_staff_grants = Grants(
                    SimpleNamespace(
                        pk=None, role_id=binding.role_id, cms_role=binding.role.final_permissions
                    )
                )
    return request.cms_staff_grants


class RoleBoundAdmin:
    """Mixed into a ModelAdmin (first among its bases): a bound user's permissions come
    from their role; everyone else's from Django, unchanged."""

    def _judge(self, request, what: str, obj=None) -> bool | None:
        """The role's answer; None when Django's permissions decide."""
        grants = staff_grants(request)
        if grants is None:
            return None
        env = self._environment(request, grants)
        return env is not False and self._rule().allows(grants, env, what, obj)

    def _rule(self):
        return RULES.get(self.model._meta.label_lower, NOBODY)

    def _environment(self, request, grants: Grants):
        """The environment's name for a per-environment model (its entries are per
        environment); "" for a project-wide one; False when the role may not enter the
        environment the user works in (``environments_access``)."""
        if not is_per_environment(self.model._meta.app_label):
            return ""
        environment = getattr(request, "cms_environment", None)
        if environment is None or not grants.may_enter(environment):
            return False
        return environment.name

    def has_module_permission(self, request):
        if staff_grants(request) is None:
            return super().has_module_permission(request)
        return any(self._judge(request, what) for what in ADMIN_ACTIONS)

    def has_view_permission(self, request, obj=None):
        judged = self._judge(request, "view", obj)
        return super().has_view_permission(request, obj) if judged is None else judged

    def has_add_permission(self, request, *args):
        judged = self._judge(request, "add")
        return super().has_add_permission(request, *args) if judged is None else judged

    def has_change_permission(self, request, obj=None):
        judged = self._judge(request, "change", obj)
        return super().has_change_permission(request, obj) if judged is None else judged

    def has_delete_permission(self, request, obj=None):
        judged = self._judge(request, "delete", obj)
        return super().has_delete_permission(request, obj) if judged is None else judged

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        grants = staff_grants(request)
        if grants is None:
            return queryset
        env = self._environment(request, grants)
        return queryset.none() if env is False else self._rule().narrow(grants, env, queryset)

    def get_actions(self, request):
        """A bound user's bulk actions check each chosen object first (all or nothing)."""
        found = super().get_actions(request)
        rule = self._rule()
        if staff_grants(request) is None or not isinstance(rule, Entries):
            return found
        return {
            name: (self._checked(func, BULK_ACTIONS.get(name, "update"), rule), name, text)
            for name, (func, name, text) in found.items()
        }

    def _checked(self, func, action: str, rule: Entries):
        def checked(admin, request, queryset):
            grants = staff_grants(request)
            allowed = rule.entries(grants, self._environment(request, grants))
            for obj in queryset:
                if not allowed.allows(action, getattr(obj, rule.column), rule.creator(obj)):
                    raise PermissionDenied(f"{action} is not allowed on {obj.pk}.")
            return func(admin, request, queryset)

        return checked

    def may_on_record(self, request, action: str, obj) -> bool:
        """A record action beyond Django's four (``publish``; ``update`` of every locale, as
        restoring a version is): the role's entries for a bound user, the change
        permission for anyone else."""
        grants = staff_grants(request)
        if grants is None:
            return self.has_change_permission(request, obj)
        env = self._environment(request, grants)
        rule = self._rule()
        return (
            env is not False
            and isinstance(rule, Entries)
            and rule.entries(grants, env).allows(
                action, getattr(obj, rule.column), rule.creator(obj)
            )
        )

    def changeform_view(self, request, *args, **kwargs):
        try:
            return super().changeform_view(request, *args, **kwargs)
        except SaveRefused as refused:  # raised inside the view's transaction: undone
            return HttpResponseForbidden(refused.text, content_type="text/plain")

    def save_form(self, request, form, change):
        # save_form, not save_model: the records' admin saves through its own save_model,
        # and the admin calls this first, for every save.
        if self._rule() is RECORDS and staff_grants(request) is not None:
            env = self._environment(request, staff_grants(request))
            check_record_save(request, env, form.instance, form, change)
        return super().save_form(request, form, change)


def check_record_save(request, env: str, obj, form, change: bool) -> None:
    """A record saved in the admin: the role's create or update permission on each value
    it changes (per locale, as through the APIs); a 403 naming the refused field and
    locale otherwise (raised inside the admin's transaction: nothing is written)."""
    from access.records import changes, creator_of
    from items.content_model import ContentModel
    from items.resources import item_attributes

    allowed = staff_grants(request).records(env)
    attributes = getattr(form, "attributes", None) or {}  # the editor's API attributes
    model = ContentModel.load()
    try:
        if change:
            # As stored: the form's checks have applied the new values to its instance.
            obj = type(obj).objects.get(pk=obj.pk)
            found = changes(attributes, obj.item_type_id, model, item_attributes(obj, model))
            allowed.check_changes("update", obj.item_type_id, creator_of(obj), found)
        else:
            item_type = form.cleaned_data.get("item_type")
            item_type_id = item_type.pk if item_type else None
            found = changes(attributes, item_type_id, model)
            allowed.check_changes("create", item_type_id, None, found)
    except ApiError as refusal:
        raise SaveRefused(refusal) from None


class SaveRefused(PermissionDenied):
    """A save the role refuses, answered by the change form's view (a 403 naming what)."""

    def __init__(self, refusal: ApiError):
        details = refusal.details
        self.text = "Not saved: your role does not allow this ({}).".format(
            ", ".join(f"{k} {v}" for k, v in details.items() if v is not None)
        )
        super().__init__(self.text)
