"""A bulk destroy racing records that start using its uploads: no upload a record uses is
ever deleted. Real concurrent requests: a server process (two workers) and a job worker
on the suite's database (tests/jobs/stack.py), on SQLite and PostgreSQL alike; and, on
PostgreSQL, a reference left uncommitted across the whole delete (the foreign key's part).
"""

import threading
import time
from urllib.parse import urlsplit

import pytest
from django.db import IntegrityError, connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from items.models import Reference
from tests.conftest import create_upload, png_bytes
from tests.items.conftest import item_body
from tests.jobs.stack import job_stack
from tests.uploads.test_references import Album
from uploads import destroying
from uploads.models import Upload

ROUNDS = 3
UPLOADS = 12


def _upload(stack, index: int) -> str:
    status, request, _ = stack.request(
        "POST",
        "/upload-requests",
        {"data": {"type": "upload_request", "attributes": {"filename": f"p{index}.png"}}},
    )
    assert status == 201, request
    url = urlsplit(request["data"]["attributes"]["url"])
    content = png_bytes(color=(index % 250, 7, 9))
    status, _, _ = stack.request("PUT", url.path, content, headers={"Content-Type": "image/png"})
    assert status == 200
    status, upload, _ = stack.request(
        "POST",
        "/uploads",
        {"data": {"type": "upload", "attributes": {"path": request["data"]["id"]}}},
    )
    assert status == 201, upload
    return upload["data"]["id"]


def _create(stack, path, body):
    status, answer, _ = stack.request("POST", path, body)
    assert status == 201, answer
    return answer["data"]["id"]


def _race_round(stack, model: str, uploads: list[str], answers: list) -> None:
    """One bulk destroy of ``uploads`` and two clients making records that use them, all
    let go at once."""
    destroy = {
        "data": {
            "type": "upload_bulk_destroy_operation",
            "relationships": {"uploads": {"data": [{"type": "upload", "id": u} for u in uploads]}},
        }
    }
    start = threading.Barrier(3)

    def bulk_destroy():
        start.wait()
        status, job, _ = stack.request("POST", "/uploads/bulk/destroy", destroy)
        assert status == 202, job
        answers.append(stack.finished(job["data"]["id"]))

    def use(chosen):
        start.wait()
        for upload in chosen:
            body = item_body(model, {"cover": {"upload_id": upload}})
            status, answer, _ = stack.request("POST", "/items", body)
            answers.append((status, answer))

    threads = [
        threading.Thread(target=bulk_destroy),
        threading.Thread(target=use, args=(uploads[0::2],)),
        threading.Thread(target=use, args=(uploads[1::2],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@pytest.mark.django_db(transaction=True)
def test_no_upload_in_use_is_deleted_by_a_racing_bulk_destroy(tmp_path, django_db_blocker):
    with job_stack(tmp_path, "sqlite", django_db_blocker) as stack:
        model = _create(
            stack,
            "/item-types",
            {"data": {"type": "item_type", "attributes": {"name": "Holder", "api_key": "holder"}}},
        )
        field_body = {"label": "Cover", "api_key": "cover", "field_type": "file"}
        _create(
            stack,
            f"/item-types/{model}/fields",
            {"data": {"type": "field", "attributes": field_body}},
        )
        answers = []
        for round_ in range(ROUNDS):
            _race_round(
                stack,
                model,
                [_upload(stack, round_ * UPLOADS + i) for i in range(UPLOADS)],
                answers,
            )
        # Read through the API: on SQLite the stack's database is a file of its own.
        status, listed, _ = stack.request(
            "GET", "/items?filter%5Btype%5D=holder&page%5Blimit%5D=500"
        )
        assert status == 200, listed
        used = {record["attributes"]["cover"]["upload_id"] for record in listed["data"]}
        status, listed_uploads, _ = stack.request("GET", "/uploads?page%5Blimit%5D=500")
        existing = {upload["id"] for upload in listed_uploads["data"]}
    # Every record made has its upload; no answer was a server error.
    assert used <= existing, used - existing
    statuses = [a[0] for a in answers if isinstance(a, tuple)]
    results = [a for a in answers if isinstance(a, dict)]
    assert len(statuses) == ROUNDS * UPLOADS and set(statuses) <= {201, 422}, answers
    assert statuses.count(201) == len(listed["data"]) == len(used)
    for status, answer in (a for a in answers if isinstance(a, tuple)):
        if status == 422:  # too late: its upload was already gone
            details = answer["data"][0]["attributes"]["details"]
            assert details["code"] == "VALIDATION_UPLOAD_NOT_FOUND", answer
    # The jobs' counts add up: each upload was deleted, or a record uses it.
    assert all(result["status"] == 200 for result in results), results
    deleted = sum(result["payload"]["meta"]["successful"] for result in results)
    assert deleted + len(existing) == ROUNDS * UPLOADS
    assert existing == used
    print({"created": statuses.count(201), "refused": statuses.count(422), "deleted": deleted})


@pytest.mark.django_db(transaction=True)
def test_a_reference_uncommitted_across_the_delete_fails_at_its_commit(api_committed):
    """A record's transaction adds a reference and waits; the delete runs and commits
    meanwhile (the check can't see the reference); then the record's commit is refused
    by the foreign key. Either way no reference points at a deleted upload."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's writers queue: the delete waits for the record's commit")
    upload, record, field = _an_unused_upload_and_a_record(api_committed)
    added, deleted = threading.Event(), threading.Event()

    def record_write(outcome):
        with transaction.atomic():
            Reference.objects.create(
                record_id=record, holder_id=record, field_id=field, target_upload_id=upload
            )
            added.set()
            deleted.wait(timeout=30)

    writer, outcome = _writer(record_write)
    assert added.wait(timeout=30)
    started = time.monotonic()
    result = destroying.destroy_unused([upload])
    deleted.set()
    writer.join()
    assert time.monotonic() - started < 10
    assert [u.pk for u in result.deleted] == [upload]
    assert isinstance(outcome["error"], IntegrityError)  # the write lost, at its commit
    assert not Reference.objects.filter(target_upload_id=upload).exists()


@pytest.mark.django_db(transaction=True)
def test_a_reference_committed_while_the_delete_waits_is_seen_without_a_conflict(
    api_committed,
):
    """A record's transaction holds a reference it has checked (its upload's row locked
    FOR KEY SHARE) when the delete starts: the delete waits for that commit, then sees the
    reference and deletes nothing, in one attempt (unlocked, its DELETE would run, be
    refused by the foreign key at its commit, and be run again: three such in a row were
    a 409)."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's writers queue: there is no row lock to wait for")
    upload, record, field = _an_unused_upload_and_a_record(api_committed)
    checked = threading.Event()

    def record_write(outcome):
        with transaction.atomic():
            with connection.cursor() as cursor:  # the foreign key checked now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            Reference.objects.create(
                record_id=record, holder_id=record, field_id=field, target_upload_id=upload
            )
            checked.set()
            _wait_for_a_lock_wait(timeout=30)  # the delete's, on the upload's row

    writer, outcome = _writer(record_write)
    assert checked.wait(timeout=30)
    with CaptureQueriesContext(connection) as queries:
        result = destroying.destroy_unused([upload])
    writer.join()
    assert outcome == {}  # the delete did wait for the record's commit
    assert result.deleted == []
    [failure] = result.failures
    assert failure["code"] == "UPLOAD_IN_USE"
    assert failure["errors"][0]["details"]["references"] == [{"type": "item", "id": record}]
    assert [q["sql"] for q in queries if q["sql"].startswith("DELETE")] == []
    assert Reference.objects.filter(target_upload_id=upload).exists()


@pytest.mark.django_db(transaction=True)
def test_a_delete_failed_to_break_a_deadlock_is_run_again(api_committed):
    """A record write holds the second of two uploads (FOR KEY SHARE, the foreign key's
    lock) while the delete, holding the first, waits for it; then the write asks for the
    first: a deadlock. PostgreSQL breaks it by failing the delete (whose wait is older, and
    the write's session looks for deadlocks only after 10 s). The delete is run again, waits
    for the write to end, and deletes both uploads: no 409."""
    if connection.vendor == "sqlite":
        pytest.skip("SQLite's writers queue: there is no row lock to wait for")
    first, second = sorted(
        create_upload(api_committed, png_bytes(color=(shade, 5, 6)))["id"] for shade in (1, 2)
    )
    holding = threading.Event()

    def record_write(outcome):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL deadlock_timeout = '10s'")
            cursor.execute(KEY_SHARE, [second])
            holding.set()
            _wait_for_a_lock_wait(timeout=30)  # the delete's, holding the first
            cursor.execute(KEY_SHARE, [first])  # granted once the delete has failed
            outcome["both"] = True
            transaction.set_rollback(True)  # no reference written after all

    writer, outcome = _writer(record_write)
    assert holding.wait(timeout=30)
    with CaptureQueriesContext(connection) as queries:
        result = destroying.destroy_unused([first, second])
    writer.join()
    assert outcome == {"both": True}
    assert sorted(u.pk for u in result.deleted) == [first, second]
    assert result.failures == []
    locks = [q for q in queries if q["sql"].rstrip().endswith("FOR UPDATE")]
    assert len(locks) == 2  # the first attempt, failed by PostgreSQL, and the second
    assert not Upload.objects.filter(pk__in=[first, second]).exists()


KEY_SHARE = f"SELECT 1 FROM {Upload._meta.db_table} WHERE id = %s FOR KEY SHARE"


def _writer(write) -> tuple[threading.Thread, dict]:
    """``write(outcome)`` started in a thread of its own (so on a connection of its own);
    what it raised lands in ``outcome["error"]``, for the test's thread to check."""
    outcome = {}

    def run():
        try:
            write(outcome)
        except Exception as error:
            outcome["error"] = error
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _wait_for_a_lock_wait(timeout: float) -> None:
    """Until another session waits for a lock this one holds, or ``timeout``. (Blocked by
    this session, not any: the other test processes share the server.)"""
    deadline = time.monotonic() + timeout
    blocked = (
        "SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))"
    )
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(blocked)
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the delete never waited")


def _an_unused_upload_and_a_record(api) -> tuple[str, str, str]:
    """An upload no record uses; a record (using another upload) and its cover field's id,
    for a transaction to add a reference to the first."""
    album = Album(api)
    upload, holder = album.upload(), album.upload()
    record = album.create(cover={"upload_id": holder})
    return upload, record, Reference.objects.get(record_id=record).field_id


@pytest.fixture
def api_committed(transactional_db):
    from tests.conftest import make_api

    return make_api("admin")
