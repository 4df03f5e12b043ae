"""Which storage this thread's statements reach: one Django alias for every environment.

Each thread (Django's connection wrappers are per thread) wants one storage at a time:

- the project storage ``""`` by default (commands, jobs, tests: ``using()`` picks another);
- during a request, until its environment is selected, the storage that environment had
  last time, or *any*: before that only project-wide tables are read (the token, the
  environment's row), which resolve in every storage, so a guess costs nothing;
- the request's environment once selected (``environments.access``), and ``""`` again when
  the request ends (``environments.access.EnvironmentMiddleware``).

PostgreSQL: ``search_path`` is ``"env_xxx", public`` (``public`` for ``""``): unqualified
per-environment tables resolve in the environment's schema, project-wide ones in public.
The driver's connection (pooled ones too) remembers the path the server has, and the
execute wrapper in :mod:`cms.db` sends ``SET search_path`` only when the wanted one differs,
in the same round trip as the statement timeout's SET when both do. A SET inside a
transaction is undone by its rollback: the path is then remembered as unknown, and the next
statement sets it again. ``select()`` applies the path at once, outside any transaction,
and refuses to switch inside one.

SQLite: the thread's wrapper is closed and reopened on the environment's file (a copy of
the settings whose NAME is that file), with the project's file attached as ``project``:
SQLite looks an unqualified table up in the main file first, then in the attached ones, so
project-wide tables are found there. Swapping while the connection is closed is free, so a
request opens its environment's file (as guessed) and ends back on the project's file.

``migrating()`` narrows PostgreSQL's path to that storage's schema alone, so that Django's
introspection sees only that storage's tables, and tells the router which storage it is.
"""

import os
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.signals import connection_created

from environments.storages import PROJECT_STORAGE, is_storage_name, sqlite_file

PROJECT_SCHEMA = "public"
ATTACHED_PROJECT = "project"
ANY = None  # the wanted storage while any will do (see above)


class SelectionError(RuntimeError):
    """An environment that can't be selected here (inside a transaction, in memory)."""


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def wanted(connection=None) -> str | None:
    """The storage this thread's statements reach (``ANY``: whichever it is on)."""
    return getattr(connection or _connection(), "cms_storage", PROJECT_STORAGE)


def current() -> str:
    """The selected storage, for what keeps per-environment data in memory; an error
    while none is (a request before its environment is known)."""
    storage = wanted()
    if storage is ANY:
        raise SelectionError("No environment is selected yet.")
    return storage


def is_migrating(connection=None) -> bool:
    return getattr(connection or _connection(), "cms_migrating", False)


def select(storage: str) -> None:
    """From now on this thread's statements reach ``storage``. Free when it is already
    selected; otherwise one SET (PostgreSQL) or a reopened connection (SQLite)."""
    if not is_storage_name(storage):
        raise ValueError(f"Not a storage name: {storage!r}")
    connection = _connection()
    if connection.vendor == "sqlite":
        _reopen_sqlite(connection, storage)
    previous, connection.cms_storage = wanted(connection), storage
    if connection.vendor == "postgresql":
        try:
            _apply_postgresql(connection)
        except SelectionError:
            connection.cms_storage = previous
            raise


@contextmanager
def using(target, *, migrating: bool = False):
    """Statements inside reach ``target``'s storage (an environment or a storage name);
    the thread's selection comes back after. ``migrating``: see the module's notes."""
    storage = getattr(target, "storage", target)
    connection = _connection()
    previous, was_migrating = wanted(connection), is_migrating(connection)
    connection.cms_migrating = migrating
    try:
        select(storage)
    except BaseException:
        connection.cms_migrating = was_migrating
        raise
    try:
        yield
    finally:
        connection.cms_migrating = was_migrating
        if previous is ANY:
            connection.cms_storage = ANY
        else:
            select(previous)


def begin_request(likely: str | None = None) -> None:
    """A request starts, probably in the storage ``likely`` (where the environment it
    names was last time): until its environment is known, its statements read only
    project-wide tables, which any storage resolves, so a wrong guess costs nothing more
    than the switch it then needs. A right one makes the switch free: PostgreSQL sets the
    path with the first statement (and with the statement timeout's SET, when that
    changes too); SQLite opens that file in the first place."""
    connection = _connection()
    if likely is None:
        connection.cms_storage = ANY
        return
    if connection.vendor == "sqlite":
        if connection.connection is not None or not os.path.exists(
            _sqlite_target(connection, likely)
        ):
            connection.cms_storage = ANY
            return
        _reopen_sqlite(connection, likely)  # closed (as after every request): free
    connection.cms_storage = likely


def end_request() -> None:
    """A request ends: back to the project storage (PostgreSQL sets it only if a statement
    runs before the next request; SQLite closes now, as it would after the request)."""
    connection = _connection()
    connection.cms_storage = PROJECT_STORAGE
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        _reopen_sqlite(connection, PROJECT_STORAGE)


# --- PostgreSQL ---------------------------------------------------------------------------


def search_path(storage: str, *, alone: bool = False) -> str:
    """The ``search_path`` for ``storage`` (``alone``: without the project's schema)."""
    if storage == PROJECT_STORAGE:
        return PROJECT_SCHEMA
    return f'"{storage}"' if alone else f'"{storage}", {PROJECT_SCHEMA}'


def schema(storage: str) -> str:
    """The schema a storage's tables are in."""
    return PROJECT_SCHEMA if storage == PROJECT_STORAGE else storage


def pending_search_path(connection) -> str | None:
    """The path the next statement needs, when the server may have another one."""
    storage = wanted(connection)
    if storage is ANY:
        return None
    path = search_path(storage, alone=is_migrating(connection))
    # A new connection starts on the project's path (``-c search_path`` in the settings).
    if getattr(connection.connection, "cms_search_path", PROJECT_SCHEMA) == path:
        return None
    return path


def remember_search_path(raw, path: str) -> None:
    """The server now has ``path``; for good unless the SET ran inside a transaction."""
    in_transaction = raw.info.transaction_status != 0  # IDLE, in psycopg and psycopg2
    raw.cms_search_path = None if in_transaction else path


def _apply_postgresql(connection) -> None:
    if connection.in_atomic_block:
        if connection.connection is not None and pending_search_path(connection) is not None:
            raise SelectionError("An environment can't be selected inside a transaction.")
        return  # nothing to change
    from cms.db import bring_in_line  # (cms.db's execute wrapper calls into this module)

    connection.ensure_connection()
    bring_in_line(connection)


# --- SQLite -------------------------------------------------------------------------------


def project_file(connection) -> str:
    """The project's database file: the wrapper's NAME before its first swap."""
    return getattr(connection, "cms_project_name", None) or connection.settings_dict["NAME"]


def _sqlite_target(connection, storage: str) -> str:
    project = project_file(connection)
    return project if storage == PROJECT_STORAGE else str(sqlite_file(project, storage))


def _reopen_sqlite(connection, storage: str) -> None:
    target = _sqlite_target(connection, storage)
    if connection.settings_dict["NAME"] == target:
        return
    project = project_file(connection)
    if connection.creation.is_in_memory_db(project):
        raise SelectionError(
            "Environments other than the first need a database file: an in-memory SQLite "
            "database (the test runner's) can't be attached to another file."
        )
    if connection.in_atomic_block:
        raise SelectionError("An environment can't be selected inside a transaction.")
    connection.close()
    connection.cms_project_name = project
    # A copy: the settings dict is shared by every thread's wrapper.
    connection.settings_dict = {**connection.settings_dict, "NAME": target}


def _attach_project(sender, connection, **kwargs) -> None:
    if connection.vendor != "sqlite" or connection.alias != DEFAULT_DB_ALIAS:
        return
    project = project_file(connection)
    if connection.settings_dict["NAME"] != project:
        # On the driver's connection: before any wrapper, and not in the query log.
        connection.connection.execute(f"ATTACH DATABASE ? AS {ATTACHED_PROJECT}", [project])


def install() -> None:
    """Called once, when the app registry is ready."""
    connection_created.connect(_attach_project, dispatch_uid="environments.attach_project")
