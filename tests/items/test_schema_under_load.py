"""Changing the content model while two server processes write records: no answer is a
5xx; a write that met a schema change is a 409 the official client retries by itself
(``transient: true``), and every record answered as written, and every field, is there.

Black-box: a real database of its own (a new PostgreSQL database, or a SQLite file),
migrated by ``manage.py``, served by gunicorn (two worker processes), written to over
HTTP by 32 threads. Bounded: the writers stop once the schema changes are done (about
15 s), and every request has a timeout.
"""

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path

import psycopg
import pytest
from django.db import connection

from tests.processes import ServerProcess, create_token, free_port, manage, server_env

WRITERS = 32
GUNICORN = Path(sys.executable).with_name("gunicorn")


@pytest.fixture
def database_url(tmp_path):
    """A database of the test's own: PostgreSQL when the suite runs there, else SQLite."""
    settings = connection.settings_dict
    if connection.vendor != "postgresql":
        yield None  # SQLite in CMS_DATA_DIR
        return
    name = f"{settings['NAME']}_load"[:63]
    admin = psycopg.connect(
        host=settings["HOST"] or "localhost",
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    password = f":{settings['PASSWORD']}" if settings["PASSWORD"] else ""
    yield (
        f"postgres://{settings['USER']}{password}@{settings['HOST'] or 'localhost'}:"
        f"{settings['PORT'] or 5432}/{name}"
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture
def server(tmp_path, database_url):
    """gunicorn, two worker processes of 16 threads; yields (base url, admin token)."""
    (tmp_path / "data").mkdir()
    env = server_env(
        tmp_path / "data",
        database_url,
        SECRET_KEY="load-test-" + "k" * 40,
        DJANGO_SETTINGS_MODULE="cms.settings",
    )
    manage(env, "migrate", "--no-input")
    token = create_token(env, "load")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(GUNICORN), "cms.wsgi", "--workers=2", "--threads=16"]
    command += [f"--bind=127.0.0.1:{port}", "--timeout=60"]
    process = ServerProcess(command, env, tmp_path / "gunicorn.log")
    try:
        process.wait_until(lambda: call(base, token, "GET", "/site")[0] == 200, timeout=60)
        yield base, token
    finally:
        process.stop()


def call(base: str, token: str, method: str, path: str, body=None) -> tuple[int, dict | None]:
    request = urllib.request.Request(
        base + path,
        method=method,
        data=None if body is None else json.dumps(body).encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "X-Api-Version": "3",
            "Accept": "application/json",
            "Content-Type": "application/json",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        try:
            return error.code, json.loads(raw) if raw else None
        except ValueError:
            return error.code, {"unparsed": raw[:500].decode(errors="replace")}


def is_transient(body) -> bool:
    """A retryable refusal, in the CMA's shape (attributes.transient, as the official
    client reads it) or the record API's (DreamFactory's error, the codes in context)."""
    if not isinstance(body, dict):
        return False
    if isinstance(body.get("data"), list):
        return any(e["attributes"].get("transient") is True for e in body["data"])
    context = (body.get("error") or {}).get("context") or {}
    return any(e.get("transient") is True for e in context.get("error", []))


def _codes(body) -> list[str]:
    if not isinstance(body, dict):
        return []
    if isinstance(body.get("data"), list):
        return [e["attributes"]["code"] for e in body["data"]]
    context = (body.get("error") or {}).get("context") or {}
    return [e.get("error") for e in context.get("error", [])]


class Writers:
    """Threads writing records until told to stop: creates through both APIs, and updates."""

    def __init__(self, base: str, token: str, model_id: str):
        self.base, self.token, self.model_id = base, token, model_id
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.answers: list[tuple[float, str, int, dict | None]] = []
        self.created: set[str] = set()

    def record(self, kind: str, status: int, body) -> None:
        with self.lock:
            self.answers.append((time.monotonic(), kind, status, body))

    def run(self, index: int) -> None:
        number, last = 0, None
        while not self.stop.is_set():
            number += 1
            title = f"w{index}-{number}"
            if index % 2 and number % 3 == 0:
                status, body = call(
                    self.base, self.token, "POST", "/rest/db/note", [{"title": title}]
                )
                self.record("rest", status, body)
                if status == 200:
                    with self.lock:
                        self.created.update(r["id"] for r in body["record"])
            elif last and number % 4 == 0:
                status, body = call(
                    self.base,
                    self.token,
                    "PUT",
                    f"/items/{last}",
                    {"data": {"type": "item", "id": last, "attributes": {"title": title}}},
                )
                self.record("update", status, body)
            else:
                status, body = call(
                    self.base,
                    self.token,
                    "POST",
                    "/items",
                    {
                        "data": {
                            "type": "item",
                            "attributes": {"title": title},
                            "relationships": {
                                "item_type": {"data": {"type": "item_type", "id": self.model_id}}
                            },
                        }
                    },
                )
                self.record("create", status, body)
                if status == 201:
                    last = body["data"]["id"]
                    with self.lock:
                        self.created.add(last)


def _id(answer) -> str | None:
    data = (answer or {}).get("data")
    return data["id"] if isinstance(data, dict) else None


def schema_changes(base: str, token: str, note_id: str) -> list[tuple[str, int, dict]]:
    """Every kind of content-model write, each retried (as the client does) while its
    answer is transient; returns (step, final status, body)."""

    def send(method, path, body=None):
        for _ in range(5):
            status, answer = call(base, token, method, path, body)
            if not (status == 409 and is_transient(answer)):
                return status, answer
            time.sleep(0.5)
        return status, answer

    def field(api_key, field_type, **attributes):
        return {
            "data": {
                "type": "field",
                "attributes": {
                    "label": api_key,
                    "api_key": api_key,
                    "field_type": field_type,
                    **attributes,
                },
            }
        }

    results, ids = [], {}

    def step(name, method, path, body=None):
        status, answer = send(method, path, body)
        results.append((name, status, answer))
        time.sleep(0.6)  # writers get going again between changes
        return answer

    for api_key, field_type in [("code", "string"), ("size", "integer"), ("notes", "text")]:
        answer = step(
            f"add {api_key}", "POST", f"/item-types/{note_id}/fields", field(api_key, field_type)
        )
        ids[api_key] = _id(answer)
    step(
        "relabel code",
        "PUT",
        f"/fields/{ids['code']}",
        {"data": {"type": "field", "id": ids["code"], "attributes": {"label": "Code!"}}},
    )
    step(
        "retype size",
        "PUT",
        f"/fields/{ids['size']}",
        {"data": {"type": "field", "id": ids["size"], "attributes": {"field_type": "float"}}},
    )
    step("add day", "POST", f"/item-types/{note_id}/fields", field("day", "date"))
    step("delete notes", "DELETE", f"/fields/{ids['notes']}")
    other = step(
        "add model",
        "POST",
        "/item-types",
        {"data": {"type": "item_type", "attributes": {"name": "Other", "api_key": "other"}}},
    )
    other_id = _id(other)
    step(
        "update model",
        "PUT",
        f"/item-types/{other_id}",
        {"data": {"type": "item_type", "id": other_id, "attributes": {"name": "Other!"}}},
    )
    step("add other field", "POST", f"/item-types/{other_id}/fields", field("label", "string"))
    step("delete model", "DELETE", f"/item-types/{other_id}")
    step(
        "add locale",
        "PUT",
        "/site",
        {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}},
    )
    step(
        "remove locale",
        "PUT",
        "/site",
        {"data": {"type": "site", "attributes": {"locales": ["en"]}}},
    )
    step("add slug", "POST", f"/item-types/{note_id}/fields", field("slug", "slug"))
    return results


def test_schema_changes_under_write_load(server):
    base, token = server
    status, note = call(
        base,
        token,
        "POST",
        "/item-types",
        {"data": {"type": "item_type", "attributes": {"name": "Note", "api_key": "note"}}},
    )
    assert status == 201, note
    note_id = note["data"]["id"]
    status, body = call(
        base,
        token,
        "POST",
        f"/item-types/{note_id}/fields",
        {
            "data": {
                "type": "field",
                "attributes": {"label": "Title", "api_key": "title", "field_type": "string"},
            }
        },
    )
    assert status == 201, body

    writers = Writers(base, token, note_id)
    threads = [threading.Thread(target=writers.run, args=(i,)) for i in range(WRITERS)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1.5)
        started = time.monotonic()
        steps = schema_changes(base, token, note_id)
        finished = time.monotonic()
        time.sleep(1)
    finally:
        writers.stop.set()
        for thread in threads:
            thread.join(timeout=90)

    statuses = Counter((kind, status) for _, kind, status, _ in writers.answers)
    failed_steps = [(name, status, body) for name, status, body in steps if status >= 300]
    assert failed_steps == [], (statuses, failed_steps)
    refused = [
        (kind, status, body)
        for _, kind, status, body in writers.answers
        if status >= 300 and not (status == 409 and is_transient(body))
    ]
    assert refused == [], (statuses, refused[:5])
    # Locks are taken in one order: no deadlock (nor lock timeout) had to be broken; a
    # write only meets a content model that changed after it was checked against it.
    codes = Counter(code for _, _, status, body in writers.answers for code in _codes(body))
    assert set(codes) <= {"SCHEMA_CHANGED"}, codes
    during = [a for a in writers.answers if started <= a[0] <= finished and a[2] < 300]
    assert len(during) >= 20, statuses  # the writers did write while the schema changed
    print(f"answers: {dict(statuses)}; during the schema changes: {len(during)} writes")

    # Every record answered as written is there, and nothing else.
    status, listed = call(base, token, "GET", "/items?filter[type]=note&page[limit]=1")
    assert status == 200, listed
    assert listed["meta"]["total_count"] == len(writers.created)
    status, fields = call(base, token, "GET", f"/item-types/{note_id}/fields")
    assert sorted(f["attributes"]["api_key"] for f in fields["data"]) == [
        "code",
        "day",
        "size",
        "slug",
        "title",
    ]
    status, models = call(base, token, "GET", "/item-types")
    assert [m["attributes"]["api_key"] for m in models["data"]] == ["note"]
