"""The official client through ``uploads.references``, the replacement of an upload's file
and ``uploads.bulkDestroy`` (a job, through the client's own poller and a real worker):
tests/compat/upload_refs.mjs."""

import json

import pytest
from PIL import Image

from tests.compat.test_official_client import node_client, run_ok
from tests.jobs.stack import job_stack

__all__ = ["node_client"]  # a fixture


def _png(path, size, color):
    Image.new("RGB", size, color).save(path, format="PNG")
    return path


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)  # the server and worker commit to PostgreSQL's
def test_official_client_upload_references_replacing_and_bulk_destroy(
    node_client, tmp_path, monkeypatch, django_db_blocker
):
    first = _png(tmp_path / "first.png", (3, 2), (10, 120, 200))
    second = _png(tmp_path / "second.png", (7, 5), (200, 10, 10))
    monkeypatch.setenv("CMS_UPLOAD_FILE", str(first))
    monkeypatch.setenv("CMS_UPLOAD_FILE_2", str(second))
    with job_stack(tmp_path, "sqlite", django_db_blocker) as stack:
        url = f"http://127.0.0.1:{stack.port}"
        result = run_ok(node_client, "upload_refs.mjs", url, stack.token)
        lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
        left = next(line for line in lines if line.get("step") == "left")["uploads"]
        # Exactly the uploads the script says are left: the one destroyed is gone, the
        # refused ones (in use) stay.
        status, body, _ = stack.request("GET", "/uploads?page%5Blimit%5D=500")
        assert status == 200, body
        assert sorted(upload["id"] for upload in body["data"]) == left
        assert len(left) == 3
