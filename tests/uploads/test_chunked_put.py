"""Defect 5: a chunked PUT to a signed upload URL stored an empty file and answered 200.

Sent over real sockets with http.client: a chunked body is read whole by servers that
de-chunk it (gunicorn), refused with 411 by those that can't (Django's runserver, which
live_server runs); an empty body is refused and never uses up the URL.
"""

import http.client
import json
from urllib.parse import urlsplit

import pytest

from tests.conftest import png_bytes, stored_files
from tests.real_server import prepare, serving
from uploads.models import Upload, UploadRequest


def chunked(body: bytes, size: int = 7) -> bytes:
    """``body`` in the chunked transfer coding, several chunks and the last, empty one."""
    chunks = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"


def send(url: str, method: str, body=None, *, token=None, chunk=False, headers=None):
    """One request on its own connection; answers (status, response, JSON body).

    A chunked body goes with its headers in one write (http.client sends bytes that way):
    a server that refuses it at once can't break the pipe halfway through."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=20)
    headers = dict(headers or {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if chunk:
        headers["Transfer-Encoding"] = "chunked"  # and so no Content-Length
        body = chunked(body)
    try:
        connection.request(method, parts.path, body=body, headers=headers)
        response = connection.getresponse()
        raw = response.read()
        return response.status, response, json.loads(raw) if raw else None
    finally:
        connection.close()


def request_url(base: str, token: str, filename="pic.png") -> dict:
    body = json.dumps({"data": {"type": "upload_request", "attributes": {"filename": filename}}})
    status, _, answer = send(
        f"{base}/upload-requests",
        "POST",
        body,
        token=token,
        headers={"Content-Type": "application/json"},
    )
    assert status == 201, answer
    return answer["data"]


def create_upload(base: str, token: str, path: str):
    body = json.dumps({"data": {"type": "upload", "attributes": {"path": path}}})
    return send(
        f"{base}/uploads", "POST", body, token=token, headers={"Content-Type": "application/json"}
    )


def code(answer) -> str:
    return answer["data"][0]["attributes"]["code"]


@pytest.fixture
def live(live_server, api):
    return live_server.url, api.token


def test_live_server_refuses_a_chunked_put_with_411_and_the_url_still_works(live, upload_storage):
    base, token = live
    upload_request = request_url(base, token)
    url, content = upload_request["attributes"]["url"], png_bytes()

    status, _, answer = send(url, "PUT", content, chunk=True)
    assert (status, code(answer)) == (411, "LENGTH_REQUIRED")
    assert stored_files(upload_storage) == []
    assert UploadRequest.objects.get(path=upload_request["id"]).used_at is None

    status, _, answer = send(url, "PUT", content)  # the same bytes with a Content-Length
    assert status == 200, answer
    status, _, answer = create_upload(base, token, upload_request["id"])
    assert status == 201, answer
    assert answer["data"]["attributes"]["size"] == len(content)


def test_an_empty_put_is_refused_and_the_url_still_works(live, upload_storage):
    base, token = live
    upload_request = request_url(base, token)
    url = upload_request["attributes"]["url"]

    status, _, answer = send(url, "PUT", b"")
    assert (status, code(answer)) == (422, "UPLOAD_EMPTY")
    assert stored_files(upload_storage) == []
    status, _, answer = create_upload(base, token, upload_request["id"])
    assert status == 422, answer  # nothing to create an upload from
    assert Upload.objects.count() == 0

    content = png_bytes()
    assert send(url, "PUT", content)[0] == 200
    status, _, answer = create_upload(base, token, upload_request["id"])
    assert status == 201, answer
    assert answer["data"]["attributes"]["size"] == len(content)


@pytest.fixture(scope="module", params=["gunicorn", "granian"])
def server(request, tmp_path_factory):
    """Production servers de-chunk bodies: chunked PUTs are read whole there. Each has its
    own SQLite file (the test database is not shared with another process); uploads are
    capped at 5,000 bytes."""
    pytest.importorskip(request.param)
    data_dir = tmp_path_factory.mktemp(request.param)
    token = prepare(data_dir)
    with serving(data_dir, request.param, CMS_MAX_UPLOAD_BYTES="5000") as base:
        yield base, token, data_dir / "uploads"


def test_server_reads_a_chunked_put_whole(server):
    base, token, media = server
    upload_request = request_url(base, token)
    content = png_bytes()

    status, _, answer = send(upload_request["attributes"]["url"], "PUT", content, chunk=True)
    assert status == 200, answer
    assert (media / upload_request["id"].lstrip("/")).read_bytes() == content
    status, _, answer = create_upload(base, token, upload_request["id"])
    assert status == 201, answer
    assert answer["data"]["attributes"]["size"] == len(content)
    assert answer["data"]["attributes"]["width"] == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [(b"", (422, "UPLOAD_EMPTY")), (b"x" * 5001, (413, "UPLOAD_TOO_LARGE"))],
    ids=["empty", "too-large"],
)
def test_server_refuses_an_empty_or_too_large_chunked_put_and_the_url_still_works(
    server, content, expected
):
    base, token, media = server
    upload_request = request_url(base, token)
    url = upload_request["attributes"]["url"]
    file = media / upload_request["id"].lstrip("/")

    status, _, answer = send(url, "PUT", content, chunk=True)
    assert (status, code(answer)) == expected
    assert not file.exists()

    good = png_bytes()
    status, _, answer = send(url, "PUT", good, chunk=True)
    assert status == 200, answer
    assert file.read_bytes() == good
    assert create_upload(base, token, upload_request["id"])[0] == 201
