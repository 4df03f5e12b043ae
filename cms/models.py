"""API access tokens."""

import hashlib
import secrets

from django.db import models
from django.utils import timezone

from cms.ids import new_id


def hash_secret(secret: str) -> str:
    # Secrets are 256 random bits, so a fast hash is enough: nothing to brute-force.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    class Role:
        # The built-in roles' keys (access.models.Role.builtin), as create_token takes them.
        ADMIN = "admin"
        EDITOR = "editor"
        READONLY = "readonly"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=200)
    role = models.ForeignKey("access.Role", on_delete=models.PROTECT, related_name="tokens")
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    #: The secret, encrypted (access/secrets.py), so that token managers can read it again
    #: as DatoCMS shows it; null for tokens made before it was kept (until regenerated).
    secret_encrypted = models.TextField(null=True, blank=True, editable=False)
    can_access_cma = models.BooleanField(default=True)
    can_access_cda = models.BooleanField(default=True)
    can_access_cda_preview = models.BooleanField(default=False)
    #: Factory tokens (none yet): their attributes can't be edited through the API.
    hardcoded_type = models.CharField(max_length=32, null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    #: The last request to the CMA or record API (to the minute: cms/api/auth.py).
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "API token"

    def __str__(self):
        return self.name

    def set_new_secret(self) -> str:
        """Give the token a fresh secret and return it: checked by its hash, kept encrypted."""
        from access.secrets import encrypt

        secret = secrets.token_urlsafe(32)
        self.secret_hash = hash_secret(secret)
        self.secret_encrypted = encrypt(secret)
        return secret

    @classmethod
    def create(cls, *, name: str, role, **flags) -> tuple["ApiToken", str]:
        """A token with ``role``: a Role, or a built-in key (admin, editor, readonly) or a
        role's name."""
        from access.models import Role

        if not isinstance(role, Role):
            role = Role.named(role)
        token = cls(name=name, role=role, **flags)
        secret = token.set_new_secret()
        token.save()
        return token, secret

    @classmethod
    def find(cls, secret: str) -> "ApiToken | None":
        return cls.objects.filter(secret_hash=hash_secret(secret)).first()

    @property
    def is_authenticated(self) -> bool:
        # DRF treats request.user as the caller; a token stands in for a user.
        return True


class IdempotencyKey(models.Model):
    """A client's ``Idempotency-Key`` and the first answer given to it (kept 24 h).

    Committed with the records it answers for (see cms.api.idempotency): a committed row
    always has its answer."""

    token_id = models.CharField(max_length=22)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)  # null: uncommitted
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token_id", "key"], name="idempotency_key_unique")
        ]

    def __str__(self):
        return f"{self.token_id}:{self.key}"
