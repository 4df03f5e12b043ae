"""Copying and dropping storages on SQLite (a file each), on content written through the
API. The test database lives in memory, so the project file is a copy of it on disk, in
WAL mode as cms.settings makes it; each storage's file is read with a connection of its own.
"""

import sqlite3
import subprocess
import threading

import pytest
from django.db import connection

from environments import copying
from environments.storages import PROJECT_STORAGE, per_environment_tables, sqlite_file
from tests.environments.conftest import sqlite_only
from tests.processes import PYTHON, ROOT, server_env

pytestmark = sqlite_only
TABLES = per_environment_tables()


@pytest.fixture
def project_file(content, tmp_path, monkeypatch):
    """The test database, content included, as the project's file."""
    path = tmp_path / "cms.sqlite3"
    with sqlite3.connect(path) as disk:
        connection.connection.backup(disk)
        disk.execute("PRAGMA journal_mode = WAL")
    disk.close()
    monkeypatch.setattr(copying, "project_database_file", lambda: path)
    return path


def open_storage(project_file, storage: str) -> sqlite3.Connection:
    path = sqlite_file(project_file, storage)
    assert path.exists(), path
    return sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, isolation_level=None)


def rows(project_file, storage: str, table: str) -> list[tuple]:
    with open_storage(project_file, storage) as database:
        found = database.execute(f'SELECT * FROM "{table}"').fetchall()
    return sorted(found, key=repr)


def definitions(project_file, storage: str) -> set[tuple]:
    with open_storage(project_file, storage) as database:
        return set(database.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_a_copy_holds_every_row_definition_and_nothing_project_wide(project_file, storages):
    target = storages()
    progress = []
    before = {table: rows(project_file, "", table) for table in TABLES}
    copying.copy_storage(PROJECT_STORAGE, target, lambda *step: progress.append(step))

    copied = definitions(project_file, target)
    source = definitions(project_file, PROJECT_STORAGE)
    assert {name for kind, name, _, _ in copied if kind == "table"} == {
        *TABLES,
        "sqlite_sequence",
    }
    # Every table, index (the per-field ones included) and trigger, as the source has it.
    assert copied == {d for d in source if d[2] in [*TABLES, "sqlite_sequence"]}
    assert sum(kind == "index" for kind, *_ in copied) >= 10
    for table in TABLES:
        copied = rows(project_file, target, table)
        assert copied == rows(project_file, "", table) == before[table], table
    assert len(rows(project_file, target, "items_item")) == 9
    assert len(rows(project_file, target, "items_itemversion")) == 4
    with open_storage(project_file, target) as database:
        assert database.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert database.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert [table for _, table in progress] == [*TABLES, None]
    percents = [percent for percent, _ in progress]
    assert percents == sorted(percents) and percents[-2] < 100 == percents[-1]


def test_a_copy_enforces_its_keys_and_continues_its_sequences(project_file, storages):
    target = storages()
    with sqlite3.connect(project_file) as source:  # its last id is no longer its largest
        handed_out = source.execute(
            "DELETE FROM items_reference WHERE id = (SELECT max(id) FROM items_reference) "
            "RETURNING id"
        ).fetchone()[0]
    source.close()
    copying.copy_storage(PROJECT_STORAGE, target)
    with open_storage(project_file, target) as database:
        database.execute("PRAGMA foreign_keys = ON")
        with pytest.raises(sqlite3.IntegrityError, match="UNIQUE"):
            database.execute(
                "INSERT INTO items_uniquevalue (locale, value_hash, field_id, item_id) "
                "SELECT locale, value_hash, field_id, item_id FROM items_uniquevalue LIMIT 1"
            )
        # A foreign key is checked at the commit (deferred, as Django makes them).
        database.execute("BEGIN")
        database.execute("UPDATE items_item SET item_type_id = 'no-such-model'")
        with pytest.raises(sqlite3.IntegrityError, match="FOREIGN KEY"):
            database.execute("COMMIT")
        database.execute("ROLLBACK")
        largest = database.execute("SELECT max(id) FROM items_reference").fetchone()[0]
        assert largest < handed_out
        cursor = database.execute(
            "INSERT INTO items_reference (field_id, holder_id, record_id, target_upload_id) "
            "SELECT field_id, holder_id, record_id, target_upload_id FROM items_reference "
            "LIMIT 1"
        )
        assert cursor.lastrowid > handed_out


def test_a_copy_includes_commits_still_in_the_wal(project_file, storages):
    target = storages()
    writer = sqlite3.connect(project_file, isolation_level=None)
    writer.execute("PRAGMA wal_autocheckpoint = 0")  # the commit stays in the WAL
    writer.execute("UPDATE items_item SET search_text = 'only in the wal'")
    try:
        assert sqlite_file(project_file, "").with_name("cms.sqlite3-wal").stat().st_size > 0
        copying.copy_storage(PROJECT_STORAGE, target)
    finally:
        writer.close()
    found = rows_of(project_file, target, "SELECT DISTINCT search_text FROM items_item")
    assert found == [("only in the wal",)]


def rows_of(project_file, storage: str, sql: str) -> list[tuple]:
    with open_storage(project_file, storage) as database:
        return database.execute(sql).fetchall()


def test_the_source_takes_writes_during_a_copy_which_it_does_not_hold(project_file, storages):
    target = storages()
    writes = []

    def write_while_copying(percent, table):
        if table == "items_item" and not writes:
            with sqlite3.connect(project_file, timeout=5, isolation_level=None) as writer:
                names = [c[1] for c in writer.execute("PRAGMA table_info(items_item)")]
                values = ["'written-during-copy'" if n == "id" else n for n in names]
                writer.execute(
                    f"INSERT INTO items_item ({', '.join(names)}) "
                    f"SELECT {', '.join(values)} FROM items_item WHERE root_id IS NULL LIMIT 1"
                )
            writer.close()
            writes.append(table)

    copying.copy_storage(PROJECT_STORAGE, target, write_while_copying)
    assert writes == ["items_item"]
    source_ids = {row[0] for row in rows(project_file, "", "items_item")}
    copied_ids = {row[0] for row in rows(project_file, target, "items_item")}
    assert "written-during-copy" in source_ids
    assert copied_ids == source_ids - {"written-during-copy"}


def test_two_copies_of_one_source_at_once(project_file, storages):
    targets = [storages(), storages()]
    barrier = threading.Barrier(2, timeout=60)
    errors = []

    def copy(target):
        try:
            barrier.wait()
            copying.copy_storage(PROJECT_STORAGE, target)
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=copy, args=(t,)) for t in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for table in TABLES:
        first, second = (rows(project_file, t, table) for t in targets)
        assert first == second == rows(project_file, "", table)


def test_a_copy_of_a_copy_and_a_taken_name(project_file, storages):
    first, second = storages(), storages()
    copying.copy_storage(PROJECT_STORAGE, first)
    copying.copy_storage(first, second)
    for table in TABLES:
        assert rows(project_file, second, table) == rows(project_file, first, table)
    with sqlite3.connect(sqlite_file(project_file, second)) as database:
        database.execute("DELETE FROM items_reference")
    database.close()
    with pytest.raises(copying.StorageExists):
        copying.copy_storage(PROJECT_STORAGE, second)
    assert rows(project_file, second, "items_reference") == []  # untouched
    never_made = storages()
    with pytest.raises(copying.StorageMissing):
        copying.copy_storage(never_made, storages())
    assert not sqlite_file(project_file, never_made).exists()
    assert not list(project_file.parent.glob("*.copy-*"))


def test_two_copies_into_one_name_at_once_make_one_storage(project_file, storages):
    target = storages()
    barrier = threading.Barrier(2, timeout=60)
    outcomes = []

    def copy(percent, table):
        if table is None:
            return
        if table == TABLES[0]:
            barrier.wait()  # both copies are under way, neither file is in place yet

    def run():
        try:
            copying.copy_storage(PROJECT_STORAGE, target, copy)
            outcomes.append("copied")
        except copying.StorageExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["copied", "refused"]
    for table in TABLES:
        assert rows(project_file, target, table) == rows(project_file, "", table)
    assert not list(project_file.parent.glob("*.copy-*"))  # the refused one cleaned up


def kill_a_copy_midway(project_file, target: str, tmp_path) -> None:
    """A copier process into ``target``, killed once it has copied items_item."""
    script = (
        "import time, django\n"
        "django.setup()\n"
        "from environments.copying import copy_storage\n"
        "def stall(percent, table):\n"
        "    print(table, flush=True)\n"
        "    if table == 'items_item':\n"
        "        time.sleep(120)\n"
        f"copy_storage('', {target!r}, stall)\n"
    )
    env = server_env(tmp_path, f"sqlite:///{project_file}")
    copier = subprocess.Popen(
        [PYTHON, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        reported = [copier.stdout.readline().strip()]
        while reported[-1] not in ("items_item", ""):
            reported.append(copier.stdout.readline().strip())
        assert reported == TABLES[: TABLES.index("items_item") + 1]
    finally:
        copier.kill()
        copier.wait(timeout=10)


def test_a_copy_killed_midway_leaves_no_storage(project_file, storages, tmp_path):
    target = storages()
    kill_a_copy_midway(project_file, target, tmp_path)
    path = sqlite_file(project_file, target)
    assert not path.exists()
    leftovers = list(path.parent.glob(f"{path.name}.copy-*"))
    assert len(leftovers) == 1  # the partial file: under a name no one opens
    copying.drop_storage(target)
    assert not list(path.parent.glob(f"{path.name}*"))
    copying.copy_storage(PROJECT_STORAGE, target)
    assert rows(project_file, target, "items_item") == rows(project_file, "", "items_item")


def test_a_copy_killed_midway_is_discarded_before_its_storage_is_copied_again(
    project_file, storages, tmp_path
):
    """What a fork's job run again does: the partial file goes, no other storage's does."""
    target, other = storages(), storages()
    kill_a_copy_midway(project_file, target, tmp_path)
    path = sqlite_file(project_file, target)
    others = sqlite_file(project_file, other)
    others = others.with_name(f"{others.name}.copy-0123")  # another storage's, under way
    others.touch()

    copying.discard_unfinished_copies(target)
    copying.copy_storage(PROJECT_STORAGE, target)

    assert not list(path.parent.glob(f"{path.name}.copy-*"))
    assert others.exists()
    assert rows(project_file, target, "items_item") == rows(project_file, "", "items_item")
    copying.discard_unfinished_copies(target)  # a complete storage stays
    assert rows(project_file, target, "items_item") == rows(project_file, "", "items_item")


def test_drop_storage_removes_a_file_and_empties_the_project_storage(project_file, storages):
    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    path = sqlite_file(project_file, target)
    reader = open_storage(project_file, target)  # makes its -wal and -shm files
    reader.execute("SELECT count(*) FROM items_item").fetchone()
    reader.close()
    copying.drop_storage(target)
    assert not list(path.parent.glob(f"{path.name}*"))
    copying.drop_storage(target)  # already gone: nothing to do

    tokens = rows(project_file, "", "cms_apitoken")
    migrations = rows(project_file, "", "django_migrations")
    copying.drop_storage(PROJECT_STORAGE)
    for table in TABLES:
        if table != "django_migrations":
            assert rows(project_file, "", table) == [], table
    assert rows(project_file, "", "django_migrations") == migrations
    assert rows(project_file, "", "cms_apitoken") == tokens != []


def test_which_storages_use_an_upload_file(project_file, content, storages):
    target, never_made = storages(), storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    one, two = (u["attributes"]["path"] for u in content.uploads)
    everywhere = [PROJECT_STORAGE, target, never_made]
    assert copying.storages_using_upload_path(one, everywhere) == {PROJECT_STORAGE, target}
    with sqlite3.connect(sqlite_file(project_file, target)) as database:
        database.execute("DELETE FROM items_reference")
        database.execute("DELETE FROM uploads_upload WHERE path = ?", [one])
    database.close()
    assert copying.storages_using_upload_path(one, everywhere) == {PROJECT_STORAGE}
    assert copying.storages_using_upload_path(two, everywhere) == {PROJECT_STORAGE, target}
    # Many paths at once (a bulk delete's files), a file opened per storage.
    assert copying.upload_paths_in_use([one, two, "/nowhere.png"], [target, never_made]) == {two}
    assert copying.upload_paths_in_use([one, two], everywhere) == {one, two}
    assert not sqlite_file(project_file, never_made).exists()  # asking made no file


def test_the_in_memory_test_database_is_refused(transactional_db):
    with pytest.raises(RuntimeError, match="database file"):
        copying.copy_storage(PROJECT_STORAGE, "env_abc")
