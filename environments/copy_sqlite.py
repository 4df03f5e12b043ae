"""A storage copied on SQLite: one file's per-environment tables into a new file, built
under a temporary name and renamed into place once complete.

- One snapshot: the copier opens the new file as ``main``, attaches the source, and reads
  every table in one read transaction. In WAL mode that is a snapshot of the last commit
  (WAL content included, since SQLite reads through it), and writers go on meanwhile.
- All or nothing: the file is built as ``<target>.copy-<random>``, flushed to disk, then
  linked to its name (``link`` fails if the name is taken, where a rename would replace
  it). A process killed midway leaves only the temporary file, which no one opens and
  ``drop_partials`` (or ``drop_file``) removes.
- Only the per-environment tables: their definitions (tables, then their indexes, then
  triggers) come from the source's ``sqlite_master``, so the project-wide tables of the
  project file stay out. Each table gets its indexes before its rows: SQLite's transfer
  optimisation (``INSERT INTO t SELECT * FROM src.t`` into an empty table of the same shape)
  then copies rows and index entries as they are stored, without re-sorting.
"""

import contextlib
import os
import secrets
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from environments.errors import StorageExists, StorageMissing

Progress = Callable[[int, "str | None"], None]
BUSY_TIMEOUT_SECONDS = 20


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def copy_file(
    source: Path, target: Path, tables: list[str], on_progress: Progress | None = None
) -> dict[str, float]:
    """Copy ``tables`` of the SQLite file ``source`` into the new file ``target`` (which
    must not exist). Answers the seconds each table took."""
    if target.exists():
        raise StorageExists(f"{target} exists")
    if not source.exists():
        raise StorageMissing(f"{source} does not exist")
    partial = target.with_name(f"{target.name}.copy-{secrets.token_hex(8)}")
    try:
        seconds = _build(source, partial, tables, on_progress)
        _flush(partial)
        for leftover in _companions(target):  # a stale WAL would be replayed into the copy
            leftover.unlink(missing_ok=True)
        try:
            os.link(partial, target)  # unlike a rename, never replaces a file there
        except FileExistsError as exc:
            raise StorageExists(f"{target} exists") from exc  # made meanwhile
        _flush(target.parent)
    finally:
        partial.unlink(missing_ok=True)
    if on_progress:
        on_progress(100, None)
    return seconds


def _build(source: Path, partial: Path, tables: list[str], on_progress) -> dict[str, float]:
    connection = sqlite3.connect(partial, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        # A file no one else opens until it is complete: no journal, no syncs while building.
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.execute("ATTACH DATABASE ? AS src", [str(source)])
        connection.execute("BEGIN")
        # The first read of src: the snapshot every read below shares.
        schema = connection.execute(
            "SELECT type, name, tbl_name, sql FROM src.sqlite_master WHERE sql IS NOT NULL"
        ).fetchall()
        present = {name for kind, name, _, _ in schema if kind == "table"}
        copied = [table for table in tables if table in present]
        counts = {
            table: connection.execute(f"SELECT count(*) FROM src.{quote(table)}").fetchone()[0]
            for table in copied
        }
        total, done, seconds = sum(counts.values()) + len(copied), 0, {}
        for table in copied:
            started = time.perf_counter()
            for kind in ("table", "index"):
                for sql in _definitions(schema, kind, table):
                    connection.execute(sql)
            connection.execute(_insert(connection, table))
            seconds[table] = time.perf_counter() - started
            done += counts[table] + 1
            if on_progress:
                on_progress(min(99, done * 100 // total), table)
        for table in copied:
            for sql in _definitions(schema, "trigger", table):
                connection.execute(sql)
        _copy_sequences(connection, copied)
        connection.execute("COMMIT")
        # As the project file is: readers never wait for the writer (cms.settings).
        connection.execute("PRAGMA journal_mode = WAL")
    finally:
        connection.close()
    return seconds


def _definitions(schema, kind: str, table: str) -> list[str]:
    return [sql for k, _, tbl_name, sql in schema if k == kind and tbl_name == table]


def _insert(connection, table: str) -> str:
    columns = connection.execute(f"PRAGMA src.table_xinfo({quote(table)})").fetchall()
    if all(hidden == 0 for *_, hidden in columns):
        # Exactly this form (no column list) lets SQLite transfer the stored rows as they are.
        return f"INSERT INTO main.{quote(table)} SELECT * FROM src.{quote(table)}"
    listed = ", ".join(quote(column[1]) for column in columns if column[-1] == 0)
    return f"INSERT INTO main.{quote(table)} ({listed}) SELECT {listed} FROM src.{quote(table)}"


def _copy_sequences(connection, tables: list[str]) -> None:
    """AUTOINCREMENT counters: the copy's next id is the source's, never one used before."""
    has_sequences = connection.execute(
        "SELECT count(*) FROM src.sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()[0]
    made = connection.execute(
        "SELECT count(*) FROM main.sqlite_master WHERE name = 'sqlite_sequence'"
    ).fetchone()[0]
    if not (has_sequences and made):
        return
    marks = ", ".join("?" * len(tables))
    connection.execute(f"DELETE FROM main.sqlite_sequence WHERE name IN ({marks})", tables)
    connection.execute(
        f"INSERT INTO main.sqlite_sequence (name, seq) "
        f"SELECT name, seq FROM src.sqlite_sequence WHERE name IN ({marks})",
        tables,
    )


def _flush(path: Path) -> None:
    """To disk before the rename makes it visible (a file's bytes, a folder's entries)."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _companions(database: Path) -> list[Path]:
    return [database.with_name(database.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


def drop_file(database: Path) -> None:
    """The file gone, with its WAL and shared memory, and any copy to it left by a killed
    copier. Connections still open on it keep an unlinked file: close them first."""
    for path in [database, *_companions(database)]:
        path.unlink(missing_ok=True)
    drop_partials(database)


def drop_partials(database: Path) -> None:
    """The temporary files of copies to ``database``: left by copiers killed midway, or
    being written by one still running (which then fails to put it in place)."""
    for path in database.parent.glob(f"{database.name}.copy-*"):
        path.unlink(missing_ok=True)


def empty_tables(database: Path, tables: list[str]) -> None:
    """Every row of ``tables`` gone, in one transaction; foreign keys are checked at its
    end (deferred), so the order of the deletes does not matter, and a row of another
    table pointing at one of them makes it fail."""
    connection = sqlite3.connect(database, isolation_level=None, timeout=BUSY_TIMEOUT_SECONDS)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN IMMEDIATE")
        try:
            connection.execute("PRAGMA defer_foreign_keys = ON")
            present = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            for table in tables:
                if table in present:
                    connection.execute(f"DELETE FROM {quote(table)}")
            connection.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                connection.execute("ROLLBACK")
            raise
    finally:
        connection.close()


def holds_upload(database: Path, path: str) -> bool:
    return bool(held_upload_paths(database, [path]))


def held_upload_paths(database: Path, paths: list[str]) -> set[str]:
    """Which of ``paths`` an upload of ``database`` is stored at (none if it is gone)."""
    if not database.exists() or not paths:
        return set()
    # mode=rw: never creates the file (a storage dropped meanwhile stays dropped).
    connection = sqlite3.connect(
        f"{database.as_uri()}?mode=rw", uri=True, timeout=BUSY_TIMEOUT_SECONDS
    )
    try:
        exists = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'uploads_upload'"
        ).fetchone()[0]
        if not exists:
            return set()
        marks = ", ".join("?" * len(paths))
        rows = connection.execute(
            f"SELECT DISTINCT path FROM uploads_upload WHERE path IN ({marks})", list(paths)
        )
        return {row[0] for row in rows}
    finally:
        connection.close()
