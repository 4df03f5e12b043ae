"""Roles (SPEC-2 §10.1): flags, which environments, and permission entries.

Project-wide: a role's entries name the environment each applies to. A role's effective
permissions (its own, its ancestors', negatives subtracted) are computed when any role is
written and kept in ``final_permissions``, so a request reads them with its token in the
token's one query (environments.access.find_token) and never walks the inheritance.
"""

from django.db import models
from django.utils.timezone import now

from cms.ids import new_id

#: Every boolean flag of SPEC-2 §10.1, in its order.
FLAGS = (
    "can_edit_favicon",
    "can_edit_site",
    "can_edit_schema",
    "can_manage_menu",
    "can_edit_environment",
    "can_promote_environments",
    "can_manage_users",
    "can_manage_shared_filters",
    "can_manage_search_indexes",
    "can_manage_upload_collections",
    "can_manage_build_triggers",
    "can_manage_webhooks",
    "can_manage_environments",
    "can_manage_sso",
    "can_access_audit_log",
    "can_manage_workflows",
    "can_manage_access_tokens",
    "can_perform_site_search",
    "can_access_build_events_log",
    "can_access_search_index_events_log",
)
#: The families of permission arrays: each is a positive_<family>_permissions and a
#: negative_<family>_permissions attribute, sent both or neither.
FAMILIES = ("item_type", "upload", "build_trigger", "search_index")
ARRAYS = tuple(
    f"{sign}_{family}_permissions" for family in FAMILIES for sign in ("positive", "negative")
)


class EnvironmentsAccess(models.TextChoices):
    ALL = "all"
    PRIMARY_ONLY = "primary_only"
    SANDBOX_ONLY = "sandbox_only"
    NONE = "none"


class Role(models.Model):
    class Builtin(models.TextChoices):
        # The three roles tokens had before roles were data; create_token still takes these.
        ADMIN = "admin"
        EDITOR = "editor"
        READONLY = "readonly"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=255, unique=True)
    builtin = models.CharField(
        max_length=16, choices=Builtin.choices, null=True, blank=True, unique=True, editable=False
    )
    environments_access = models.CharField(
        max_length=16, choices=EnvironmentsAccess.choices, default=EnvironmentsAccess.ALL
    )
    inherits_permissions_from = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="inherited_by"
    )
    can_edit_favicon = models.BooleanField(default=False)
    can_edit_site = models.BooleanField(default=False)
    can_edit_schema = models.BooleanField(default=False)
    can_manage_menu = models.BooleanField(default=False)
    can_edit_environment = models.BooleanField(default=False)
    can_promote_environments = models.BooleanField(default=False)
    can_manage_users = models.BooleanField(default=False)
    can_manage_shared_filters = models.BooleanField(default=False)
    can_manage_search_indexes = models.BooleanField(default=False)
    can_manage_upload_collections = models.BooleanField(default=False)
    can_manage_build_triggers = models.BooleanField(default=False)
    can_manage_webhooks = models.BooleanField(default=False)
    can_manage_environments = models.BooleanField(default=False)
    can_manage_sso = models.BooleanField(default=False)
    can_access_audit_log = models.BooleanField(default=False)
    can_manage_workflows = models.BooleanField(default=False)
    can_manage_access_tokens = models.BooleanField(default=False)
    can_perform_site_search = models.BooleanField(default=False)
    can_access_build_events_log = models.BooleanField(default=False)
    can_access_search_index_events_log = models.BooleanField(default=False)
    #: Permission entries as declared on this role (validated: access/entries.py).
    positive_item_type_permissions = models.JSONField(default=list, blank=True)
    negative_item_type_permissions = models.JSONField(default=list, blank=True)
    positive_upload_permissions = models.JSONField(default=list, blank=True)
    negative_upload_permissions = models.JSONField(default=list, blank=True)
    positive_build_trigger_permissions = models.JSONField(default=list, blank=True)
    negative_build_trigger_permissions = models.JSONField(default=list, blank=True)
    positive_search_index_permissions = models.JSONField(default=list, blank=True)
    negative_search_index_permissions = models.JSONField(default=list, blank=True)
    #: meta.final_permissions: every flag and array after inheritance (access/final.py).
    final_permissions = models.JSONField(default=dict, blank=True, editable=False)
    created_at = models.DateTimeField(default=now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self):
        return self.name

    @classmethod
    def named(cls, key: str) -> "Role":
        """The built-in role with ``key`` (admin, editor, readonly), else the role so named;
        Role.DoesNotExist if neither."""
        from access import builtins

        if key in builtins.NAMES:
            builtins.ensure()  # an emptied project (a test database flushed) gets them back
        found = cls.objects.filter(builtin=key).first() or cls.objects.filter(name=key).first()
        if found is None:
            raise cls.DoesNotExist(f"No role is called {key!r}.")
        return found


class StaffRole(models.Model):
    """A staff user's role: what they may do in the admin, and through the record API with
    a DreamFactory session (access/sessions.py). A user without one keeps Django's own
    model permissions in the admin (superusers: everything); see access/admin_permissions."""

    user = models.OneToOneField(
        "auth.User", on_delete=models.CASCADE, primary_key=True, related_name="staff_role"
    )
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="staff_users")

    class Meta:
        verbose_name = "role binding"

    def __str__(self):
        return f"{self.user} → {self.role}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # The user's open sessions act with the role they have now, from the next request.
        from cms.models import ApiToken

        ApiToken.objects.filter(session__user_id=self.user_id).update(role_id=self.role_id)

    def delete(self, *args, **kwargs):
        from cms.models import ApiToken

        user_id = self.user_id
        result = super().delete(*args, **kwargs)
        # Unbound: the user's sessions end (a non-superuser has no role to act with).
        ApiToken.objects.filter(session__user_id=user_id).delete()
        return result


class UserSession(models.Model):
    """A DreamFactory session (``POST /api/v2/user/session``): a hidden API token with the
    user's role, whose secret is the ``session_token``; it works until ``expires_at`` or
    a logout (which deletes the token)."""

    token = models.OneToOneField(
        "cms.ApiToken", on_delete=models.CASCADE, primary_key=True, related_name="session"
    )
    user = models.ForeignKey("auth.User", on_delete=models.CASCADE, related_name="api_sessions")
    created_at = models.DateTimeField(default=now, editable=False)
    expires_at = models.DateTimeField()

    def __str__(self):
        return f"{self.user} until {self.expires_at}"
