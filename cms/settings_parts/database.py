"""Part of the settings (cms/settings.py imports every name here): the database, its
connection pool, prepared statements and statement timeouts."""

import os

import dj_database_url

from cms.settings_parts.paths import DATA_DIR

DATABASES = {
    # An empty DATABASE_URL (``DATABASE_URL=`` in a shell or an env file) means the default.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'cms.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
_engine = DATABASES["default"]["ENGINE"]
_on_postgres = _engine == "django.db.backends.postgresql"
_options = DATABASES["default"].setdefault("OPTIONS", {})
if _engine == "django.db.backends.sqlite3":
    # Writers wait for the lock instead of failing at once under concurrent requests: a
    # transaction takes the write lock when it begins (IMMEDIATE), since one that read
    # first and then wanted to write would be refused at once ("database is locked").
    # WAL: readers never wait for the writer, and several server processes share the file
    # without the rollback journal's create-and-delete on every commit (under two processes
    # of 16 writers each, a commit could fail with "disk I/O error" in the default mode).
    _options.update(
        timeout=int(os.environ.get("CMS_SQLITE_BUSY_TIMEOUT", "20")),
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL;",
    )
    # Each thread keeps its connection (CONN_MAX_AGE) as on PostgreSQL: opening one costs
    # about 3 ms of CPU a request (its pragmas, reading the schema), and closing the last
    # one checkpoints and deletes the WAL file, which the next request creates again. A
    # request in another environment still opens that environment's file and closes it
    # when it ends (environments/selection.py).

# One alias serves every environment; the router keeps project-wide tables out of an
# environment's own storage (environments/selection.py, environments/router.py).
DATABASE_ROUTERS = ["environments.router.EnvironmentRouter"]

CMS_DB_POOL_SIZE = int(os.environ.get("CMS_DB_POOL_SIZE", "10"))
if _on_postgres and CMS_DB_POOL_SIZE:
    # The production server (granian) runs requests on many threads per process; a pool
    # bounds the PostgreSQL connections a process holds, whatever its thread count, and
    # replaces per-thread persistent connections (Django allows only one of the two).
    DATABASES["default"].update(CONN_MAX_AGE=0, CONN_HEALTH_CHECKS=False)
    _options["pool"] = {
        "min_size": 1,
        "max_size": CMS_DB_POOL_SIZE,
        "timeout": int(os.environ.get("CMS_DB_POOL_TIMEOUT", "10")),
    }
# The hot paths' statements are prepared once per connection (cms/prepared.py); 0 turns
# that off, for a pooler that can't keep prepared statements (PgBouncer before 1.21 in
# transaction mode).
CMS_DB_PREPARED = os.environ.get("CMS_DB_PREPARED", "1") != "0"
if _on_postgres and CMS_DB_PREPARED:
    # psycopg prepares only on a connection with a threshold; one no statement reaches, so
    # that only cms/prepared.py's cursors, which ask, prepare. (Django's own cursors bind
    # on the client, which never prepares.)
    _options["prepare_threshold"] = 2**31
# How long one SQL statement may run, in milliseconds (0: no limit); see cms/db.py.
# Reads: GET requests (a read-only token can send nothing else). Writes: other requests.
# Jobs: everything outside a request (migrate and other management commands).
CMS_READ_TIMEOUT_MS = int(os.environ.get("CMS_READ_TIMEOUT_MS", 5_000))
CMS_WRITE_TIMEOUT_MS = int(os.environ.get("CMS_WRITE_TIMEOUT_MS", 60_000))
CMS_JOB_TIMEOUT_MS = int(os.environ.get("CMS_JOB_TIMEOUT_MS", 0))
if _on_postgres:
    # A new connection starts with the jobs' limit, sent with the connection itself, and
    # on the project's schema: the environment a request selects is set on it only when it
    # differs (environments/selection.py). libpq options from DATABASE_URL are kept.
    _given = _options.get("options", "")
    _options["options"] = (
        f"{_given} -c statement_timeout={CMS_JOB_TIMEOUT_MS} -c search_path=public".strip()
    )
