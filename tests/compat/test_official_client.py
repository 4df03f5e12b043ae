"""Drive DatoCMS's official npm client against a live server of this project.

The Node side lives beside this file (package.json, package-lock.json, *.mjs). The client (and
DatoCMS's CLI, for test_datocms_cli.py) is installed with `npm ci` on first use, or whenever an
installed version differs from the pinned one; Node.js 20+ and npm must be on PATH. Without Node
the test is skipped, unless CMS_COMPAT_REQUIRED=1 (then it fails).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from tests.jobs.stack import job_stack

COMPAT_DIR = Path(__file__).resolve().parent
NODE_TIMEOUT = 120


def _missing_tool(message: str) -> None:
    if os.environ.get("CMS_COMPAT_REQUIRED") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _pinned_versions() -> dict[str, str]:
    """Every package package.json pins (the official client, DatoCMS's CLI): name -> version."""
    return json.loads((COMPAT_DIR / "package.json").read_text())["dependencies"]


def _installed_version(package: str) -> str | None:
    manifest = COMPAT_DIR / "node_modules" / package / "package.json"
    if not manifest.is_file():
        return None
    return json.loads(manifest.read_text()).get("version")


def _stale_packages() -> list[str]:
    return [
        f"{package} {_installed_version(package)} (pinned {version})"
        for package, version in _pinned_versions().items()
        if _installed_version(package) != version
    ]


@pytest.fixture(scope="session")
def node_client() -> str:
    """Path of the `node` binary, with the pinned packages in tests/compat/node_modules."""
    node = shutil.which("node")
    if node is None:
        _missing_tool("node is not on PATH: the compat tests need Node.js 20+")
    version = subprocess.run(
        [node, "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if int(version.lstrip("v").split(".")[0]) < 20:
        _missing_tool(f"the compat tests need Node.js 20+, found {version}")

    # xdist's workers each ask: one installs while the others wait on the lock.
    with open(COMPAT_DIR / "node_modules.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        _install_pinned_packages()
    return node


def _install_pinned_packages() -> None:
    if _stale_packages():
        npm = shutil.which("npm")
        if npm is None:
            _missing_tool("npm is not on PATH: needed to install the official client and CLI")
        result = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=COMPAT_DIR,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if result.returncode != 0:
            pytest.fail(
                f"npm ci failed ({result.returncode}) in {COMPAT_DIR}\n"
                f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
            )
        assert not _stale_packages(), f"npm ci installed {_stale_packages()}"


def _create_admin_token(name: str) -> str:
    out = StringIO()
    call_command("create_token", name, "--role", "admin", stdout=out)
    lines = [line.strip() for line in out.getvalue().splitlines() if line.strip()]
    assert lines, "create_token printed nothing"
    return lines[-1]


def _run_script(
    node: str, script: str, base_url: str, token: str, **extra_env: str
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "CMS_BASE_URL": base_url,
        "CMS_API_TOKEN": token,
        "NO_COLOR": "1",
        **extra_env,
    }
    try:
        return subprocess.run(
            [node, script],
            cwd=COMPAT_DIR,
            env=env,
            capture_output=True,
            text=True,
            timeout=NODE_TIMEOUT,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(
            f"node {script} did not finish within {NODE_TIMEOUT}s "
            "(a non-JSON answer to a GET makes the client retry forever)\n"
            f"--- stdout ---\n{exc.stdout or ''}\n--- stderr ---\n{exc.stderr or ''}"
        )


def _failure_report(script: str, result: subprocess.CompletedProcess) -> str:
    failed = None
    for line in result.stdout.splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict) and record.get("ok") is False:
            failed = record
    head = f"node {script} exited {result.returncode}"
    if failed:
        head += f" at step {failed.get('step')!r}: {failed.get('error')}"
    return f"{head}\n--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"


def run_ok(
    node: str, script: str, base_url: str, token: str, **extra_env: str
) -> subprocess.CompletedProcess:
    """Run ``script`` against the server at ``base_url`` with ``token``; it must exit 0."""
    result = _run_script(node, script, base_url, token, **extra_env)
    print(result.stdout)  # per-step JSON lines, shown with `pytest -rP`
    assert result.returncode == 0, _failure_report(script, result)
    return result


def _run_ok(node: str, script: str, live_server, token_name: str) -> subprocess.CompletedProcess:
    """Run `script` with a fresh admin token against the live server; it must exit 0."""
    return run_ok(node, script, live_server.url, _create_admin_token(token_name))


def _report_line(script: str, result: subprocess.CompletedProcess, step: str) -> dict:
    """The JSON line the script printed for `step` (e.g. its "created" or "left" line)."""
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    found = next((line for line in lines if line.get("step") == step), None)
    assert found, f"{script} printed no {step!r} line\n{result.stdout}"
    return found


def _png(tmp_path: Path, name: str, size: tuple[int, int], color: tuple[int, int, int]) -> Path:
    image = tmp_path / "files" / name
    image.parent.mkdir()
    Image.new("RGB", size, color).save(image, format="PNG")
    return image


def _assert_database_holds(line: dict, block_api_key: str):
    """The database holds exactly the records and blocks a script's report line lists, every
    block of model `block_api_key`; answers both querysets for further checks."""
    from items.models import Item

    records = Item.objects.filter(root__isnull=True)
    blocks = Item.objects.filter(root__isnull=False)
    assert sorted(records.values_list("id", flat=True)) == sorted(line["records"])
    assert sorted(blocks.values_list("id", flat=True)) == sorted(line["blocks"])
    assert set(blocks.values_list("item_type__api_key", flat=True)) == {block_api_key}
    return records, blocks


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_schema_with_official_client(live_server, node_client):
    _run_ok(node_client, "schema.mjs", live_server, "compat-schema")


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_uploads(live_server, node_client, tmp_path, monkeypatch):
    image = _png(tmp_path, "compat-pixel.png", (3, 2), (10, 120, 200))
    monkeypatch.setenv("CMS_UPLOAD_FILE", str(image))
    monkeypatch.setenv("CMS_UPLOAD_WIDTH", "3")
    monkeypatch.setenv("CMS_UPLOAD_HEIGHT", "2")
    monkeypatch.setenv("CMS_UPLOAD_MD5", hashlib.md5(image.read_bytes()).hexdigest())

    _run_ok(node_client, "uploads.mjs", live_server, "compat-uploads")


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_items(live_server, node_client, tmp_path, monkeypatch):
    image = _png(tmp_path, "compat-post.png", (4, 3), (200, 40, 10))
    monkeypatch.setenv("CMS_UPLOAD_FILE", str(image))

    result = _run_ok(node_client, "items.mjs", live_server, "compat-items")

    # Exactly what the script created: the refused and validate-only calls wrote nothing.
    created = _report_line("items.mjs", result, "created")
    _records, blocks = _assert_database_holds(created, "quote")
    assert set(blocks.values_list("root_id", flat=True)) == {created["root"]}


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_manages_records(live_server, node_client):
    result = _run_ok(node_client, "records.mjs", live_server, "compat-records")

    # The deletes are real: exactly the records and blocks the script says are left.
    left = _report_line("records.mjs", result, "left")
    records, _blocks = _assert_database_holds(left, "step")
    assert records.count() == 33  # 35 recipes + 1 linking them - 3 destroyed
    assert not records.filter(pk__in=left["destroyed"]).exists()


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_filters_records(live_server, node_client):
    """items.list with the filters of SPEC-2 §4.3 as the client serializes them (arrays as
    key[]=v, matches and near as sub-objects, notIn), checked against the records made."""
    _run_ok(node_client, "filters.mjs", live_server, "compat-filters")


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_sortable_and_tree_records(live_server, node_client):
    from items.models import Item

    result = _run_ok(node_client, "tree.mjs", live_server, "compat-tree")
    left = _report_line("tree.mjs", result, "left")
    tree = Item.objects.filter(item_type__api_key="category")
    assert sorted(tree.values_list("id", flat=True)) == sorted(left["records"])
    # Positions stayed 1, 2, 3... among each record's siblings.
    siblings: dict = {}
    for parent, position in tree.values_list("tree_parent_id", "position"):
        siblings.setdefault(parent, []).append(position)
    assert all(sorted(p) == list(range(1, len(p) + 1)) for p in siblings.values()), siblings


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)  # the server and worker commit to PostgreSQL's
def test_official_client_polls_a_job_until_it_is_done(
    node_client, tmp_path, monkeypatch, django_db_blocker
):
    """The client's own poller against /job-results, with a real worker running the job
    (tests/jobs/stack.py): a 202 from the test-only POST /test-jobs, the 404s while the job
    runs, the 200 when it is done; a failed job; jobResults.find."""
    with job_stack(tmp_path, "sqlite", django_db_blocker) as stack:
        monkeypatch.setenv("CMS_JOB_TRACES", str(stack.traces))
        result = run_ok(node_client, "jobs.mjs", f"http://127.0.0.1:{stack.port}", stack.token)
        job_id = _report_line(
            "jobs.mjs", result, "a 202 is polled by the client until the job is done"
        )["jobId"]
        row = stack.row(job_id)
        assert (row["state"], row["status"], row["attempts"]) == ("succeeded", 200, 1)


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)  # the server and worker commit to PostgreSQL's
def test_official_client_record_extras(node_client, tmp_path, django_db_blocker):
    """items.duplicate through the client's poller and a real worker, validity re-checked
    by that worker after a validator change (meta, only_valid, _is_valid, ordering), a
    refused publish, and currentVsPublishedState."""
    with job_stack(tmp_path, "sqlite", django_db_blocker) as stack:
        url = f"http://127.0.0.1:{stack.port}"
        result = run_ok(node_client, "record_extras.mjs", url, stack.token)
        left = _report_line("record_extras.mjs", result, "left")["records"]
        # Exactly those records (the refused duplicate wrote none), one of them invalid.
        status, body, _ = stack.request("GET", "/items?filter%5Btype%5D=extra_article")
        assert status == 200, body
        assert sorted(r["id"] for r in body["data"]) == sorted(left)
        assert [r["id"] for r in body["data"] if not r["meta"]["is_valid"]] == [left[2]]


# --- Environments: a real server process (an environment needs a database file) ----------


@pytest.mark.compat
def test_official_client_environments(node_client, environments, sandbox, tmp_path):
    from django.db import connection

    from environments import selection
    from item_types.models import ItemType
    from tests.processes import (
        PYTHON,
        ServerProcess,
        database_url_for_servers,
        free_port,
        listening,
        server_env,
    )

    if connection.vendor == "sqlite":
        database_url = f"sqlite:///{selection.project_file(connection)}"
    else:
        database_url = database_url_for_servers(connection, tmp_path)
    env = server_env(tmp_path / "data", database_url, SECRET_KEY="compat", DEBUG="false")
    port = free_port()
    command = [PYTHON, "-m", "gunicorn", "cms.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = ServerProcess([*command, "--workers", "2"], env, tmp_path / "gunicorn.log")
    try:
        server.wait_until(lambda: listening(port), timeout=60)
        token = _create_admin_token("compat-environments")
        result = run_ok(
            node_client,
            "environments.mjs",
            f"http://127.0.0.1:{port}",
            token,
            CMS_SANDBOX=sandbox.name,
        )
    finally:
        server.stop()

    left = _report_line("environments.mjs", result, "left")
    assert sorted(ItemType.objects.values_list("api_key", flat=True)) == left["main"]
    with selection.using(sandbox):
        assert sorted(ItemType.objects.values_list("api_key", flat=True)) == left["sandboxModels"]
    sandbox.refresh_from_db()
    assert sandbox.name == left["sandbox"]


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)  # the server and worker commit to the database
def test_official_client_bulk_record_operations(node_client, tmp_path, django_db_blocker):
    """items.bulkPublish, bulkUnpublish and bulkDestroy through the client's poller and a
    real worker; the raw payload's per-record failures; move-to-stage and 201 ids refused."""
    with job_stack(tmp_path, "sqlite", django_db_blocker) as stack:
        url = f"http://127.0.0.1:{stack.port}"
        result = run_ok(node_client, "bulk_items.mjs", url, stack.token)
        left = _report_line("bulk_items.mjs", result, "left")["records"]
        status, body, _ = stack.request("GET", "/items?page%5Blimit%5D=500")
        assert status == 200, body
        assert sorted(r["id"] for r in body["data"]) == sorted(left)
