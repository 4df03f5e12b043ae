"""DatoCMS's official client on the media library (upload_library.mjs) against `manage.py
serve`: the server and its job worker, on a fresh database, so that each job's 202 is
followed by the client's own poller to the job's result. The script checks what the client
sees; this side checks that the database holds what the script says is left."""

from __future__ import annotations

import json
import sqlite3

import psycopg
import pytest
from PIL import Image

from tests.compat.test_official_client import _report_line, node_client, run_ok
from tests.serving import FAST_JOBS, serving

__all__ = ["node_client"]  # a fixture


def _stored(served, query: str) -> list[tuple]:
    if served.database_url:
        with psycopg.connect(served.database_url) as connection:
            return [tuple(row) for row in connection.execute(query)]
    with sqlite3.connect(served.data_dir / "cms.sqlite3") as connection:
        return [tuple(row) for row in connection.execute(query)]


@pytest.mark.compat
def test_official_client_upload_library(node_client, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("client-library") / "data"
    image = tmp_path_factory.mktemp("client-library-files") / "pixel.png"
    Image.new("RGB", (3, 2), (200, 10, 10)).save(image, format="PNG")
    with serving(data_dir, "client_library", **FAST_JOBS) as served:
        result = run_ok(
            node_client, "upload_library.mjs", served.url, served.token, CMS_UPLOAD_FILE=str(image)
        )
        left = _report_line("upload_library.mjs", result, "left")
        collections = _stored(served, "SELECT id FROM uploads_uploadcollection ORDER BY id")
        assert [row[0] for row in collections] == sorted(left["collections"])
        uploads = _stored(
            served, "SELECT id, tags, upload_collection_id FROM uploads_upload ORDER BY id"
        )
        as_stored = [
            [id_, tags if isinstance(tags, list) else json.loads(tags), collection]
            for id_, tags, collection in uploads
        ]
        assert as_stored == sorted(left["uploads"])
        tags = _stored(served, "SELECT name FROM uploads_uploadtag ORDER BY name")
        assert [row[0] for row in tags] == ["blue", "sea", "sky", "summer"]
