"""Prepared statements for the few statements every request runs (PostgreSQL).

Django sends each statement as text with its values inlined (psycopg's client-side
binding), so PostgreSQL parses and plans it every time. For the statements on the hot
paths (the token's query, a create's one statement, a count's change number) that was
a third of the database's work: preparing them once per connection took a create's
PostgreSQL CPU from 2.8-3.3 ms to 1.7-2.1 ms in the production server, on a machine where a
create cost the worker 6-7 ms (bench/compare_peers.py --phases create, alternated with the
code before; README "Decisions").

:func:`prepared_cursor` is a Django cursor (execute wrappers, debug logging and error
translation as usual) over a server-binding psycopg cursor whose every statement is
prepared on first use and kept by the driver's connection (psycopg keeps the last 100, a
pooled connection across requests). Other statements are untouched: Django's own cursors
bind on the client, which never prepares. (psycopg ignores a request to prepare on a
connection without a threshold, so ``cms/settings_parts/database.py`` gives it one no statement
reaches.)

Correct across environments: PostgreSQL plans a prepared statement again when the
``search_path`` differs from the one it was planned under, and when a table it reads is
altered. ``CMS_DB_PREPARED=0`` turns it off, for a connection pooler that can't keep
prepared statements (PgBouncer before 1.21 in transaction mode): then this is
``connection.cursor()``.
"""

from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.postgresql.base import CursorDebugWrapper, ServerBindingCursor


def prepared_cursor():
    """A cursor of the default connection whose statements are prepared (PostgreSQL)."""
    # This thread's connection itself: each use of the ``connection`` proxy looks it up.
    wrapper = connections[DEFAULT_DB_ALIAS]
    if wrapper.vendor != "postgresql" or not settings.CMS_DB_PREPARED:
        return wrapper.cursor()
    wrapper.close_if_health_check_failed()
    wrapper.ensure_connection()
    wrapper.validate_thread_sharing()
    with wrapper.wrap_database_errors:
        raw = _PreparingCursor(wrapper.connection)
    if wrapper.queries_logged:
        return _DebugWrapper(raw, wrapper)
    return wrapper.make_cursor(raw)


class _PreparingCursor(ServerBindingCursor):
    """psycopg's server-binding cursor, preparing every statement it runs."""

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


class _DebugWrapper(CursorDebugWrapper):
    """Logs a statement as written (placeholders, not values): Django reads the values'
    rendering off a client-binding cursor, which this is not."""

    @contextmanager
    def debug_sql(self, sql=None, params=None, use_last_executed_query=False, many=False):
        with super().debug_sql(sql, params, use_last_executed_query=False, many=many):
            yield
