"""Forks and destroys at the storage level: copy a storage into a new one, drop one, and
find which storages still use an upload's file.

A fork is a copy inside the database, never a loop in Python, and keeps every id and row
as it is: PostgreSQL copies a schema into a new schema in one transaction
(:mod:`environments.copy_postgresql`), SQLite a file's tables into a new file renamed into
place once complete (:mod:`environments.copy_sqlite`). Either way the copy is one
consistent snapshot of the source, the source keeps answering reads and writes meanwhile,
and a copy that fails or is killed leaves no storage behind.

Upload files are not copied: an upload row is, and both storages then point at the same
file, which may be deleted only when no storage's uploads use its path
(:func:`storages_using_upload_path`). A fork still in progress is not visible to that
question (its schema or file appears only once complete), so the caller must count every
environment still being created as a user of every file.
"""

from pathlib import Path

from django.conf import settings
from django.db import connections

from environments import copy_postgresql, copy_sqlite
from environments.errors import StorageExists, StorageMissing
from environments.storages import (
    MIGRATIONS_TABLE,
    PROJECT_STORAGE,
    is_storage_name,
    per_environment_tables,
    sqlite_file,
)

DATABASE = "default"
__all__ = [
    "StorageExists",
    "StorageMissing",
    "copy_storage",
    "discard_unfinished_copies",
    "drop_storage",
    "project_database_file",
    "storage_exists",
    "storages_using_upload_path",
    "upload_paths_in_use",
]


def copy_storage(source: str, target: str, on_progress=None) -> dict[str, float]:
    """Create storage ``target`` holding a copy of every per-environment table of storage
    ``source`` (``""``: the project's), ``django_migrations`` included.

    The copy reads what is committed (on PostgreSQL it runs on a connection of its own),
    as of one instant, and writes nothing the caller's transaction could roll back.
    ``on_progress(percent, table)`` is called after each table (percent below 100), and
    with ``(100, None)`` once the copy is committed; it runs outside the copy's
    transaction, so it may record the progress with the ORM. Answers the seconds each
    table took.

    Raises ValueError for names that are not storages, StorageMissing when ``source``
    does not exist, StorageExists when ``target`` does (then nothing was written).
    """
    _check_name(source)
    _check_name(target)
    if target in (PROJECT_STORAGE, source):
        raise ValueError(f"can't copy storage {source!r} into {target!r}")
    tables = per_environment_tables()
    if _vendor() == "postgresql":
        return copy_postgresql.copy_schema(
            copy_postgresql.schema_of(source),
            copy_postgresql.schema_of(target),
            tables,
            on_progress,
            alias=DATABASE,
        )
    project = project_database_file()
    return copy_sqlite.copy_file(
        sqlite_file(project, source), sqlite_file(project, target), tables, on_progress
    )


def drop_storage(storage: str) -> None:
    """Remove ``storage`` and everything in it; nothing happens if it does not exist.

    The project storage (``""``) also holds the project-wide tables, so it is never
    dropped: its per-environment tables are emptied instead (``django_migrations`` is kept,
    as their shape stays what it was).
    """
    _check_name(storage)
    if storage == PROJECT_STORAGE:
        tables = [t for t in per_environment_tables() if t != MIGRATIONS_TABLE]
        if _vendor() == "postgresql":
            copy_postgresql.empty_tables("public", tables, alias=DATABASE)
        else:
            copy_sqlite.empty_tables(project_database_file(), tables)
    elif _vendor() == "postgresql":
        copy_postgresql.drop_schema(copy_postgresql.schema_of(storage), alias=DATABASE)
    else:
        copy_sqlite.drop_file(sqlite_file(project_database_file(), storage))


def discard_unfinished_copies(storage: str) -> None:
    """Remove what copies into ``storage`` killed midway left: SQLite's file under a
    temporary name (PostgreSQL rolls a killed copy back by itself). For the one owner of
    ``storage`` only, before it copies (a fork's job run again): a copy into ``storage``
    still running elsewhere loses its file and fails."""
    _check_name(storage)
    if storage != PROJECT_STORAGE and _vendor() != "postgresql":
        copy_sqlite.drop_partials(sqlite_file(project_database_file(), storage))


def storage_exists(storage: str) -> bool:
    """Whether ``storage`` is there (a fork's appears only once complete)."""
    _check_name(storage)
    if storage == PROJECT_STORAGE:
        return True
    if _vendor() == "postgresql":
        with connections[DATABASE].cursor() as cursor:
            return copy_postgresql.schema_exists(cursor, copy_postgresql.schema_of(storage))
    return sqlite_file(project_database_file(), storage).exists()


def storages_using_upload_path(path: str, storages: list[str]) -> set[str]:
    """Which of ``storages`` hold an upload whose file is ``path``; a storage that does
    not exist holds none."""
    for storage in storages:
        _check_name(storage)
    if _vendor() == "postgresql":
        by_schema = {copy_postgresql.schema_of(s): s for s in storages}
        found = copy_postgresql.schemas_holding_upload(path, list(by_schema), alias=DATABASE)
        return {by_schema[schema] for schema in found}
    project = project_database_file()
    return {s for s in storages if copy_sqlite.holds_upload(sqlite_file(project, s), path)}


def upload_paths_in_use(paths: list[str], storages: list[str]) -> set[str]:
    """Which of ``paths`` an upload of one of ``storages`` is stored at: a statement or a
    file opened per storage, whatever the number of paths."""
    for storage in storages:
        _check_name(storage)
    if _vendor() == "postgresql":
        schemas = [copy_postgresql.schema_of(s) for s in storages]
        held = copy_postgresql.schemas_holding_uploads(list(paths), schemas, alias=DATABASE)
        return {path for _, path in held}
    project = project_database_file()
    return {
        p for s in storages for p in copy_sqlite.held_upload_paths(sqlite_file(project, s), paths)
    }


def project_database_file() -> Path:
    """The project's SQLite file (storage ``""``); every other storage's is next to it."""
    name = str(settings.DATABASES[DATABASE]["NAME"])
    if name == ":memory:" or "mode=memory" in name:
        raise RuntimeError("environments on SQLite need a database file, not one in memory")
    return Path(name)


def _vendor() -> str:
    return connections[DATABASE].vendor


def _check_name(storage: str) -> None:
    if not is_storage_name(storage):
        raise ValueError(f"{storage!r} is not a storage name")
