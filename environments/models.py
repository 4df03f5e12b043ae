"""Environments and maintenance mode: project-wide rows (storage ``""`` only).

An environment's public id is its ``name`` (SPEC-2: lowercase letters, digits, dashes).
The primary key is a surrogate, not the name: a rename changes one column, and whatever
points at the row (``forked_from``, jobs) follows it without being rewritten.
"""

import re

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from environments.storages import PROJECT_STORAGE

NAME_MAX_LENGTH = 64
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*\Z")  # [I] SPEC-2: lowercase, digits, dashes
FIRST_ENVIRONMENT = "main"


def is_environment_name(value: object) -> bool:
    return (
        isinstance(value, str)
        and len(value) <= NAME_MAX_LENGTH
        and NAME_PATTERN.match(value) is not None
    )


class Environment(models.Model):
    class Status(models.TextChoices):
        CREATING = "creating"
        READY = "ready"
        DESTROYING = "destroying"

    name = models.CharField(
        max_length=NAME_MAX_LENGTH,
        unique=True,
        validators=[RegexValidator(NAME_PATTERN, "Lowercase letters, digits and dashes.")],
    )
    # Where its data lives (environments.storages); never changes, never reused.
    storage = models.CharField(max_length=40, unique=True, editable=False)
    primary = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATING)
    fork_completion_percentage = models.PositiveSmallIntegerField(null=True, blank=True)
    read_only_mode = models.BooleanField(default=False)
    forked_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forks"
    )
    created_at = models.DateTimeField(default=now, editable=False)
    last_data_change_at = models.DateTimeField(default=now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # At most one primary; promote moves it in one transaction, so never none.
            models.UniqueConstraint(
                fields=["primary"], condition=Q(primary=True), name="one_primary_environment"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    @classmethod
    def primary_one(cls) -> "Environment":
        """The primary environment. A project whose table is empty (a test database just
        flushed) gets its first environment back, as the migration made it."""
        found = cls.objects.filter(primary=True).first()
        if found is None and not cls.objects.exists():
            found, _ = cls.objects.get_or_create(name=FIRST_ENVIRONMENT, defaults=first_values())
        if found is None:
            raise cls.DoesNotExist("No environment is primary.")
        return found


def first_values() -> dict:
    """The first environment: primary, ready, in the project's own storage."""
    return {"storage": PROJECT_STORAGE, "primary": True, "status": "ready"}


class MaintenanceMode(models.Model):
    """One row (id 1): while ``active``, the primary environment refuses writes."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    active = models.BooleanField(default=False)
    changed_at = models.DateTimeField(default=now)

    class Meta:
        verbose_name = "maintenance mode"
        constraints = [models.CheckConstraint(condition=Q(id=1), name="one_maintenance_mode")]

    def __str__(self):
        return "active" if self.active else "inactive"

    @classmethod
    def load(cls) -> "MaintenanceMode":
        found, _ = cls.objects.get_or_create(pk=cls.SINGLETON_ID)
        return found
