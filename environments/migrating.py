"""Migrations per storage: ``manage.py migrate`` brings the project storage up to date,
then every ready environment's own (environments/management/commands/migrate.py).

Each storage has its own ``django_migrations``, so each knows what it has applied. While
one is migrated, PostgreSQL's search path holds its schema alone (Django's introspection
then sees only its tables) and the router lets only the per-environment apps create tables
outside the project storage.
"""

from django.core.management import call_command
from django.db import connection

from environments import selection
from environments.models import Environment
from environments.storages import PROJECT_STORAGE


def create_storage(storage: str) -> None:
    """An empty storage: a schema on PostgreSQL (SQLite makes the file when it opens it)."""
    if storage != PROJECT_STORAGE and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE SCHEMA IF NOT EXISTS "{selection.schema(storage)}"')


def migrate_storage(storage: str, **options) -> None:
    """Apply every migration to ``storage`` (created first if need be)."""
    from django.core.management.commands.migrate import Command as DjangoMigrate

    create_storage(storage)
    with selection.using(storage, migrating=True):
        call_command(DjangoMigrate(), **{"interactive": False, "verbosity": 0, **options})


def environments_to_migrate() -> tuple[list[Environment], list[Environment]]:
    """(ready environments outside the project storage, the others: being made or dropped
    by a job that owns their storage, left alone)."""
    if Environment._meta.db_table not in connection.introspection.table_names():
        return [], []  # migrated back to before environments
    others = list(Environment.objects.exclude(storage=PROJECT_STORAGE).order_by("created_at"))
    return [e for e in others if e.is_ready], [e for e in others if not e.is_ready]
