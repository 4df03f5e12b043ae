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
    class Role(models.TextChoices):
        ADMIN = "admin", "Admin (schema and content)"
        EDITOR = "editor", "Editor (content only)"
        READONLY = "readonly", "Read-only"

    id = models.CharField(primary_key=True, max_length=22, default=new_id, editable=False)
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.READONLY)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "API token"

    def __str__(self):
        return f"{self.name} ({self.role})"

    def set_new_secret(self) -> str:
        """Give the token a fresh secret; return it (it is shown once and never stored)."""
        secret = secrets.token_urlsafe(32)
        self.secret_hash = hash_secret(secret)
        return secret

    @classmethod
    def create(cls, *, name: str, role: str) -> tuple["ApiToken", str]:
        token = cls(name=name, role=role)
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
