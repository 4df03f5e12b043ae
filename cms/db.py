"""How long one SQL statement may run, and what answers when it runs out.

Three limits, in milliseconds (settings; 0 means none):

- ``CMS_READ_TIMEOUT_MS`` for every statement of a GET, HEAD or OPTIONS request to the
  API (all a read-only token can send);
- ``CMS_WRITE_TIMEOUT_MS`` for every statement of any other request, and of the admin's
  pages (staff only: a search over many records may take its time);
- ``CMS_JOB_TIMEOUT_MS`` outside requests: ``migrate``, other management commands, jobs.

Design, for as few round trips as possible:

- :class:`StatementTimeoutMiddleware` only records which limit the request wants
  (``connection.cms_wanted_ms``, back to the jobs' one when it ends): no statement, and
  no connection opened for it.
- An execute wrapper, innermost on every connection, brings the database in line just
  before a statement runs. PostgreSQL: a new connection starts with the jobs' limit (sent
  with the connection, ``-c statement_timeout`` in ``DATABASES`` OPTIONS); the driver's
  connection (so a pooled one too) remembers the value the server has, and
  ``SET statement_timeout`` is sent only when the wanted one differs. A connection serving
  reads sends nothing after its first request; one SET each time it switches between
  reads and writes.
  SQLite has no such setting: the wrapper stamps the statement's deadline and a progress
  handler (called every ``PROGRESS_STEPS`` virtual-machine steps, rows fetched later
  included) interrupts the statement once it is past.
- A statement cancelled either way raises ``OperationalError``; :func:`is_query_timeout`
  recognises it and the API answers 503 ``QUERY_TIMEOUT`` (cms/api/errors.py), in the
  record API's shape under /rest/. The connection stays usable.

The same wrapper gives PostgreSQL the selected environment's ``search_path``
(environments/selection.py), remembered the same way; when both differ, both SETs go in one
round trip.

The remembered value can go stale only if a SET is rolled back with its transaction,
which a request never does (the SET comes with its first statement, outside any
transaction) but a test transaction does: changing the settings forgets it. (A path set
inside a transaction is remembered as unknown, and set again: it decides where data goes.)

SQLite's ``REGEXP`` is replaced on every connection too: RE2 instead of Django's Python
``re``, so that no pattern backtracks (see :mod:`cms.api.patterns`).
"""

import time

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from django.db.backends.signals import connection_created
from django.db.utils import OperationalError

from environments import selection

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
ADMIN_PREFIX = "/admin/"
PROGRESS_STEPS = 1000
QUERY_CANCELED = "57014"  # PostgreSQL's SQLSTATE for a statement cancelled by its timeout


def wanted_limit(connection) -> int:
    """The limit (ms) statements on ``connection`` run under now."""
    wanted = getattr(connection, "cms_wanted_ms", None)
    return settings.CMS_JOB_TIMEOUT_MS if wanted is None else wanted


def use_limit(limit_ms: int | None) -> None:
    """Statements on every connection of this thread run under ``limit_ms`` from now on
    (None: the jobs' limit)."""
    for connection in connections.all(initialized_only=False):
        connection.cms_wanted_ms = limit_ms


class StatementTimeoutMiddleware:
    """Each request's statements run under the read or the write limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reading = request.method in SAFE_METHODS and not request.path.startswith(ADMIN_PREFIX)
        use_limit(settings.CMS_READ_TIMEOUT_MS if reading else settings.CMS_WRITE_TIMEOUT_MS)
        try:
            return self.get_response(request)
        finally:
            use_limit(None)  # what runs next on this thread is no longer this request


def is_query_timeout(exc: BaseException) -> bool:
    """Whether ``exc`` is a statement cancelled by its time limit (either database)."""
    if not isinstance(exc, OperationalError):
        return False
    if getattr(exc.__cause__, "sqlstate", None) == QUERY_CANCELED:
        return True
    return str(exc) == "interrupted"  # only our progress handler interrupts SQLite


def bring_in_line(connection) -> None:
    """PostgreSQL: give the server the wanted statement timeout and the selected
    environment's ``search_path`` (environments.selection), in one round trip, each only
    if it differs from what the server has."""
    # Remembered on the driver's connection, not Django's wrapper: with the pool, a
    # wrapper gets another server connection each request, with its own settings.
    raw = connection.connection
    wanted = wanted_limit(connection)
    statements = []
    timeout_differs = getattr(raw, "cms_server_ms", settings.CMS_JOB_TIMEOUT_MS) != wanted
    if timeout_differs:
        statements.append(f"SET statement_timeout = {int(wanted)}")
    path = selection.pending_search_path(connection)
    if path is not None:
        statements.append(f"SET search_path = {path}")
    if not statements:
        return
    with raw.cursor() as cursor:  # raw: no wrapper, no log
        cursor.execute("; ".join(statements))  # no parameters: one simple query
    if timeout_differs:
        raw.cms_server_ms = wanted
    if path is not None:
        selection.remember_search_path(raw, path)


def _within_limit(execute, sql, params, many, context):
    """The execute wrapper: the database in line with the wanted limit (and, on
    PostgreSQL, the selected environment), then the statement."""
    connection = context["connection"]
    if connection.vendor == "postgresql":
        bring_in_line(connection)
    elif connection.vendor == "sqlite":
        wanted = wanted_limit(connection)
        connection.cms_deadline = time.monotonic() + wanted / 1000 if wanted else None
    return execute(sql, params, many, context)


def _on_connection_created(sender, connection, **kwargs):
    # (A new server connection starts with the jobs' limit, from the connection options.)
    connection.cms_deadline = None
    if _within_limit not in connection.execute_wrappers:
        # First in the list: innermost, closest to the statement, and not the one a
        # ``with connection.execute_wrapper(...)`` block pops when it ends.
        connection.execute_wrappers.insert(0, _within_limit)
    if connection.vendor == "sqlite":
        from cms.api.patterns import regexp  # (import cycle: patterns -> errors -> db)

        raw = connection.connection
        raw.create_function("REGEXP", 2, regexp, deterministic=True)
        raw.set_progress_handler(lambda: _past_deadline(connection), PROGRESS_STEPS)


def _past_deadline(connection) -> bool:
    deadline = getattr(connection, "cms_deadline", None)
    return deadline is not None and time.monotonic() > deadline


def _forget_server_limits(setting, **kwargs):
    if setting.startswith("CMS_") and setting.endswith("_TIMEOUT_MS"):
        for connection in connections.all(initialized_only=True):
            if connection.vendor == "postgresql" and connection.connection is not None:
                connection.connection.cms_server_ms = None


def install() -> None:
    """Called once, when the app registry is ready."""
    connection_created.connect(_on_connection_created, dispatch_uid="cms.db.limits")
    setting_changed.connect(_forget_server_limits, dispatch_uid="cms.db.settings")
