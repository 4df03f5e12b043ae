"""Housekeeping of abandoned upload requests, and ``curl -F`` against a live server."""

import hashlib
import json
import shutil
import subprocess
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils.timezone import now

from cms.models import ApiToken
from tests.conftest import create_upload, png_bytes, put_bytes, request_upload
from uploads.models import Upload, UploadRequest


def test_purge_forgets_abandoned_requests_and_their_files(api, upload_storage):
    kept = create_upload(api, png_bytes(), "kept.png")
    abandoned = request_upload(api, "abandoned.png")
    put_bytes(api, abandoned["attributes"]["url"], png_bytes())
    unused = request_upload(api, "unused.png")
    fresh = request_upload(api, "fresh.png")
    UploadRequest.objects.exclude(path=fresh["id"]).update(expires_at=now() - timedelta(days=2))
    out = StringIO()
    call_command("purge_upload_requests", stdout=out)
    assert "Purged 2" in out.getvalue()
    remaining = set(UploadRequest.objects.values_list("path", flat=True))
    assert remaining == {kept["attributes"]["path"], fresh["id"]}
    assert unused["id"] not in remaining
    assert not (upload_storage / abandoned["id"].lstrip("/")).exists()
    assert (upload_storage / kept["attributes"]["path"].lstrip("/")).exists()
    assert Upload.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_curl_uploads_a_file_in_one_step(live_server, tmp_path):
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    _, secret = ApiToken.create(name="curl", role="editor")
    picture = tmp_path / "pic.png"
    picture.write_bytes(png_bytes(6, 3))
    result = subprocess.run(
        [
            curl,
            "-sS",
            "-H",
            f"Authorization: Bearer {secret}",
            "-F",
            f"file=@{picture}",
            "-F",
            "tags=curl",
            f"{live_server.url}/uploads",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    attributes = json.loads(result.stdout)["data"]["attributes"]
    assert (attributes["width"], attributes["height"]) == (6, 3)
    assert attributes["md5"] == hashlib.md5(picture.read_bytes()).hexdigest()
    assert attributes["filename"] == "pic.png" and attributes["tags"] == ["curl"]
    downloaded = subprocess.run(
        [curl, "-sS", attributes["url"]], capture_output=True, timeout=60, check=True
    )
    assert downloaded.stdout == picture.read_bytes()
