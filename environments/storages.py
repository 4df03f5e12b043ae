"""Where an environment's data lives: its *storage*.

PostgreSQL keeps each environment in a schema of its own, SQLite in a file of its own. The
project database itself (PostgreSQL's ``public`` schema, SQLite's main file) is the storage
named ``PROJECT_STORAGE`` (""): it holds the project-wide tables (tokens, environments, jobs,
Django's own) and the per-environment tables of the first environment, so an installation
from before environments has nothing to move. Every other storage is named
``env_<random>``, never after its environment: a rename or a promote moves no data.

Why storages and not an environment column: a fork keeps every id (DatoCMS does), so ids
are unique per environment only; with one storage per environment every key, index and
query stays what it was, no query can forget to filter, and a fork is a copy of tables.
"""

import secrets
import string
from pathlib import Path

from django.apps import apps

PROJECT_STORAGE = ""
#: Apps whose tables every storage has; the rest are project-wide.
PER_ENVIRONMENT_APPS = ("item_types", "items", "uploads", "menus", "schedules")
#: Django's record of applied migrations: per storage, so ``migrate`` knows each one's state.
MIGRATIONS_TABLE = "django_migrations"
STORAGE_PREFIX = "env_"

_ALPHABET = string.ascii_lowercase + string.digits


def new_storage_name() -> str:
    """A fresh storage name: a valid PostgreSQL schema and file-name part, never reused."""
    return STORAGE_PREFIX + "".join(secrets.choice(_ALPHABET) for _ in range(16))


def is_storage_name(name: str) -> bool:
    suffix = name.removeprefix(STORAGE_PREFIX)
    return name == PROJECT_STORAGE or (
        name.startswith(STORAGE_PREFIX) and suffix != "" and set(suffix) <= set(_ALPHABET)
    )


def is_per_environment(app_label: str) -> bool:
    return app_label in PER_ENVIRONMENT_APPS


def per_environment_tables() -> list[str]:
    """Every table a storage holds: the per-environment apps' models (many-to-many tables
    included) and the migrations record."""
    tables = [
        model._meta.db_table
        for label in PER_ENVIRONMENT_APPS
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    ]
    return [*tables, MIGRATIONS_TABLE]


def sqlite_file(project_file: str | Path, storage: str) -> Path:
    """The SQLite file of ``storage``, next to the project's file."""
    project = Path(project_file)
    if storage == PROJECT_STORAGE:
        return project
    return project.with_name(f"{project.stem}.{storage}{project.suffix or '.sqlite3'}")
