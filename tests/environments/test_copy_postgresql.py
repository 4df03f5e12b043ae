"""Copying and dropping storages on PostgreSQL (a schema each), on content written through
the API. A copy is read with schema-qualified SQL."""

import re
import subprocess
import threading
import time

import pytest
from django.db import IntegrityError, connection, transaction

from environments import copying
from environments.storages import PROJECT_STORAGE, per_environment_tables
from tests.environments.conftest import postgresql_only
from tests.processes import PYTHON, ROOT, database_url_for_servers, server_env

pytestmark = postgresql_only
TABLES = per_environment_tables()


def schema(storage: str) -> str:
    return storage or "public"


def rows(storage: str, table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT * FROM "{schema(storage)}"."{table}" t ORDER BY t::text')
        return cursor.fetchall()


def scalar(sql: str, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def tables_of(storage: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema(storage)])
        return {row[0] for row in cursor.fetchall()}


def schema_exists(storage: str) -> bool:
    return bool(scalar("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [storage]))


def unqualified(text: str, storage: str) -> str:
    return re.sub(rf"\b{re.escape(schema(storage))}\.", "", text)


def indexes(storage: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = %s "
            "AND tablename = ANY(%s)",
            [schema(storage), TABLES],
        )
        return {(t, name, unqualified(d, storage)) for t, name, d in cursor.fetchall()}


def constraints(storage: str) -> set[tuple]:
    """(table, name, kind, definition, validated, referenced schema) of every constraint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path = pg_catalog")  # definitions schema-qualified
        cursor.execute(
            "SELECT t.relname, c.conname, c.contype, pg_get_constraintdef(c.oid), "
            "c.convalidated, rn.nspname FROM pg_constraint c "
            "JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace n ON n.oid = t.relnamespace "
            "LEFT JOIN pg_class r ON r.oid = c.confrelid "
            "LEFT JOIN pg_namespace rn ON rn.oid = r.relnamespace "
            "WHERE n.nspname = %s AND t.relname = ANY(%s)",
            [schema(storage), TABLES],
        )
        found = cursor.fetchall()
    return {(t, n, k, unqualified(d, storage), v, r) for t, n, k, d, v, r in found}


def columns(storage: str) -> set[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name, ordinal_position, data_type, "
            "character_maximum_length, is_nullable, column_default, is_identity, "
            "identity_generation FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = ANY(%s)",
            [schema(storage), TABLES],
        )
        return set(cursor.fetchall())


def test_a_copy_holds_every_row_with_its_ids_and_no_project_table(content, storages):
    target = storages()
    progress = []
    before = {table: rows(PROJECT_STORAGE, table) for table in TABLES}
    copying.copy_storage(PROJECT_STORAGE, target, lambda *step: progress.append(step))

    assert tables_of(target) == set(TABLES)  # no token, job or Django table came along
    for table in TABLES:
        assert rows(target, table) == rows(PROJECT_STORAGE, table) == before[table], table
    assert len(rows(target, "items_item")) == 3 + 6  # the records and their blocks
    assert {r["id"] for r in content.records} <= {row[0] for row in rows(target, "items_item")}
    assert len(rows(target, "items_itemversion")) == 4  # one per create and update
    assert rows(target, "items_uniquevalue") and rows(target, "items_reference")
    assert len(rows(target, "django_migrations")) == len(rows("", "django_migrations"))
    # After each table (in order, below 100), then 100 once the copy is committed.
    assert [table for _, table in progress] == [*TABLES, None]
    percents = [percent for percent, _ in progress]
    assert percents == sorted(percents) and percents[-2] < 100 == percents[-1]


def test_a_copy_has_the_sources_columns_indexes_and_constraints(content, storages):
    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)

    assert columns(target) == columns(PROJECT_STORAGE)
    assert indexes(target) == indexes(PROJECT_STORAGE)
    # The field indexes (items.field_indexes), partial indexes, unique constraints.
    names = {name for _, name, _ in indexes(target)}
    assert sum(name.startswith("items_value_") for name in names) >= 3
    assert {"items_block_root", "one_record_per_singleton", "unique_field_value"} <= names
    source, copied = constraints(PROJECT_STORAGE), constraints(target)
    # The same constraints; the copy's foreign keys point at the copy, unchecked on the
    # rows copied (NOT VALID: environments/copy_postgresql.py says why).
    assert {c for c in copied if c[2] != "f"} == {c for c in source if c[2] != "f"}
    source_keys = {(t, n, d, r) for t, n, kind, d, _, r in source if kind == "f"}
    copied_keys = {
        (t, n, d.removesuffix(" NOT VALID"), "public" if r == target else r)
        for t, n, kind, d, _, r in copied
        if kind == "f"
    }
    assert copied_keys == source_keys and len(copied_keys) >= 10
    assert {r for *_, kind, _, _, r in copied if kind == "f"} == {target}
    assert all("DEFERRABLE INITIALLY DEFERRED" in c[3] for c in copied if c[2] == "f")


def triggers(storage: str) -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
            "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT t.tgisinternal",
            [schema(storage)],
        )
        return {(table, unqualified(d, storage)) for table, d in cursor.fetchall()}


def test_a_copy_has_the_sources_triggers_and_its_writes_draw_changes(content, storages):
    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    copied = triggers(target)
    assert copied == triggers(PROJECT_STORAGE)
    assert {table for table, _ in copied} >= {"items_item", "items_itemversion", "items_reference"}
    with transaction.atomic(), connection.cursor() as cursor:  # (items.counts)
        before = scalar("SELECT nextval('public.cms_record_changes')")
        cursor.execute(f'UPDATE "{target}".items_item SET updated_at = updated_at')
        assert scalar("SELECT last_value FROM public.cms_record_changes") == before + 1


@pytest.fixture
def key_to_a_project_table(transactional_db):
    """A foreign key from a per-environment table to a project-wide one (the app has none
    today): the copy's must keep pointing at the project's table."""
    with connection.cursor() as cursor:
        cursor.execute(
            "ALTER TABLE uploads_upload ADD CONSTRAINT upload_creator_token FOREIGN KEY "
            "(creator_id) REFERENCES cms_apitoken (id) DEFERRABLE INITIALLY DEFERRED"
        )
    yield
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE uploads_upload DROP CONSTRAINT upload_creator_token")


def test_a_key_to_a_project_table_still_points_there(key_to_a_project_table, content, storages):
    first, second = storages(), storages()
    copying.copy_storage(PROJECT_STORAGE, first)
    copying.copy_storage(first, second)
    for storage in (first, second):
        keys = {c[1]: c for c in constraints(storage) if c[2] == "f"}
        assert keys["upload_creator_token"][5] == "public"
        assert "REFERENCES public.cms_apitoken(id)" in keys["upload_creator_token"][3]
        assert keys["items_reference_target_upload_id_fd4c2d82_fk_uploads_upload_id"][5] == storage


def test_a_copy_enforces_its_keys_and_continues_its_sequences(content, storages):
    target = storages()
    with connection.cursor() as cursor:  # the source's last id is no longer its largest
        cursor.execute(
            "DELETE FROM items_reference WHERE id = (SELECT max(id) FROM items_reference) "
            "RETURNING id"
        )
        handed_out = cursor.fetchone()[0]
    copying.copy_storage(PROJECT_STORAGE, target)
    s = f'"{target}"'
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {s}.items_uniquevalue (locale, value_hash, field_id, item_id) "
            "SELECT locale, value_hash, field_id, item_id FROM "
            f"{s}.items_uniquevalue LIMIT 1"
        )
    # A foreign key is checked at the commit (deferred, as Django makes them).
    updated = []
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {s}.items_item SET item_type_id = 'no-such-model' WHERE id = %s",
            [content.records[0]["id"]],
        )
        updated.append(cursor.rowcount)
    assert updated == [1]  # the statement passed; the commit refused it
    assert (
        scalar(f"SELECT item_type_id FROM {s}.items_item WHERE id = %s", [content.records[0]["id"]])
        == content.post["id"]
    )
    # Its identity columns go on after the last id the source handed out.
    assert scalar(f"SELECT max(id) FROM {s}.items_reference") < handed_out
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {s}.items_reference (field_id, holder_id, record_id, target_upload_id) "
            "SELECT field_id, holder_id, record_id, target_upload_id FROM "
            f"{s}.items_reference LIMIT 1 RETURNING id"
        )
        assert cursor.fetchone()[0] > handed_out


def test_the_source_answers_reads_and_writes_during_a_copy(content, api, storages):
    """One snapshot: a record created in the source while the copy runs (its write is not
    held up) is not in the copy."""
    target = storages()
    during = []

    def write_while_copying(percent, table):
        if table == "items_item" and not during:
            with connection.cursor() as cursor:
                cursor.execute("SET lock_timeout = '5s'")  # fail, not hang, if it waited
            started = time.monotonic()
            during.append(content.create(7, slug="written-during-the-copy"))
            assert api.get(f"/items/{during[0]['id']}").status_code == 200
            during.append(time.monotonic() - started)

    copying.copy_storage(PROJECT_STORAGE, target, write_while_copying)

    record, seconds = during
    assert seconds < 5
    source_ids = {row[0] for row in rows(PROJECT_STORAGE, "items_item")}
    copied_ids = {row[0] for row in rows(target, "items_item")}
    assert record["id"] in source_ids and record["id"] not in copied_ids
    assert copied_ids == source_ids - {record["id"]} - set(
        scalar("SELECT array_agg(id) FROM items_item WHERE root_id = %s", [record["id"]])
    )
    assert len(rows(target, "items_uniquevalue")) == len(rows("", "items_uniquevalue")) - 1


def test_two_copies_of_one_source_at_once(content, storages):
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
        assert rows(targets[0], table) == rows(targets[1], table) == rows("", table)


def test_two_copies_into_one_name_at_once_make_one_storage(content, storages):
    """The second waits for the first's schema name, then is refused: never two halves."""
    target = storages()
    barrier = threading.Barrier(2, timeout=60)
    outcomes = []

    def copy():
        try:
            barrier.wait()
            copying.copy_storage(PROJECT_STORAGE, target)
            outcomes.append("copied")
        except copying.StorageExists:
            outcomes.append("refused")

    threads = [threading.Thread(target=copy) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["copied", "refused"]
    for table in TABLES:
        assert rows(target, table) == rows("", table)


def test_a_copy_of_a_copy_points_at_itself(content, storages):
    first, second = storages(), storages()
    copying.copy_storage(PROJECT_STORAGE, first)
    copying.copy_storage(first, second)
    for table in TABLES:
        assert rows(second, table) == rows(first, table)
    assert indexes(second) == indexes(first)
    assert {c[5] for c in constraints(second) if c[2] == "f"} == {second}


def test_a_copy_into_a_taken_or_invalid_name_is_refused(content, storages):
    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{target}".items_reference')
    with pytest.raises(copying.StorageExists):
        copying.copy_storage(PROJECT_STORAGE, target)
    assert rows(target, "items_reference") == []  # the existing storage is untouched
    never_made = storages()
    with pytest.raises(copying.StorageMissing):
        copying.copy_storage(never_made, storages())
    assert not schema_exists(never_made)
    for source, bad in [("", ""), ("", "public"), ("", "env_X"), ("nope", storages())]:
        with pytest.raises(ValueError):
            copying.copy_storage(source, bad)
    with pytest.raises(ValueError):
        copying.drop_storage("public")


def test_a_copy_killed_midway_leaves_no_storage(content, storages, tmp_path):
    """The copier process is killed while the copy's transaction is open (after its first
    tables): the server rolls it back, and the name is free again."""
    target = storages()
    script = (
        "import sys, time, django\n"
        "django.setup()\n"
        "from environments.copying import copy_storage\n"
        "def stall(percent, table):\n"
        "    print(table, flush=True)\n"
        "    if table == 'items_item':\n"
        "        time.sleep(120)\n"
        f"copy_storage('', {target!r}, stall)\n"
    )
    env = server_env(tmp_path, database_url_for_servers(connection, tmp_path))
    copier = subprocess.Popen(
        [PYTHON, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        reported = [copier.stdout.readline().strip()]
        while reported[-1] not in ("items_item", ""):
            reported.append(copier.stdout.readline().strip())
        assert reported == TABLES[: TABLES.index("items_item") + 1]
        assert not schema_exists(target)  # not visible before the commit
        copier.kill()
        copier.wait(timeout=10)
    finally:
        copier.kill()
    assert not schema_exists(target)
    # Had the killed copy committed anything, the name would be taken.
    copying.copy_storage(PROJECT_STORAGE, target)
    assert rows(target, "items_item") == rows(PROJECT_STORAGE, "items_item")


def test_drop_storage_removes_a_copy_and_empties_the_project_storage(content, storages):
    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    copying.drop_storage(target)
    assert not schema_exists(target)
    copying.drop_storage(target)  # already gone: nothing to do

    tokens = scalar("SELECT count(*) FROM cms_apitoken")
    migrations = rows(PROJECT_STORAGE, "django_migrations")
    copying.drop_storage(PROJECT_STORAGE)
    assert schema_exists("public")
    for table in TABLES:
        if table != "django_migrations":
            assert rows(PROJECT_STORAGE, table) == [], table
    assert rows(PROJECT_STORAGE, "django_migrations") == migrations
    assert scalar("SELECT count(*) FROM cms_apitoken") == tokens > 0


def test_which_storages_use_an_upload_file(content, storages):
    target, never_made = storages(), storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    one, two = (u["attributes"]["path"] for u in content.uploads)
    everywhere = [PROJECT_STORAGE, target, never_made]
    assert copying.storages_using_upload_path(one, everywhere) == {PROJECT_STORAGE, target}
    with connection.cursor() as cursor:
        cursor.execute(f'DELETE FROM "{target}".items_reference')
        cursor.execute(f'DELETE FROM "{target}".uploads_upload WHERE path = %s', [one])
    assert copying.storages_using_upload_path(one, everywhere) == {PROJECT_STORAGE}
    assert copying.storages_using_upload_path(two, everywhere) == {PROJECT_STORAGE, target}
    assert copying.storages_using_upload_path("/nowhere.png", everywhere) == set()
    # Many paths at once (a bulk delete's files), in one statement.
    assert copying.upload_paths_in_use([one, two, "/nowhere.png"], [target, never_made]) == {two}
    assert copying.upload_paths_in_use([one, two], everywhere) == {one, two}
