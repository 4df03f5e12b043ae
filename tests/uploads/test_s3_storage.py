"""The upload flow, unchanged, against S3-compatible storage: a real S3 server (moto) on loopback.

The client PUTs straight to a presigned S3 URL; our server only issues the URL, then reads
the facts from the stored object. Skipped only when moto is not installed.
"""

import base64
import hashlib
import hmac
import socket
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("moto", reason="moto[server] is needed for the S3 storage tests")

import boto3  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402
from storages.backends.s3 import S3Storage  # noqa: E402

from cms.storage_config import s3_options  # noqa: E402
from tests.conftest import error_codes, png_bytes  # noqa: E402
from uploads.models import Upload  # noqa: E402

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A moto S3 server on 127.0.0.1, for the whole module."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3(s3_endpoint):
    """A boto3 client of the moto server, talking to it directly (not through Django)."""
    return boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)


@pytest.fixture
def bucket(s3) -> str:
    """A fresh bucket per test, so "the object is gone" means something."""
    name = f"cms-test-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


@pytest.fixture
def s3_storage(settings, s3_endpoint, bucket):
    """Django's default storage switched to django-storages' S3 backend on the moto server."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            # Built by the same code as the settings, from an environment as a user sets it.
            "OPTIONS": s3_options(
                {
                    "AWS_STORAGE_BUCKET_NAME": bucket,
                    "AWS_S3_ENDPOINT_URL": s3_endpoint,
                    "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing",
                    "AWS_S3_REGION_NAME": REGION,
                }
            ),
        },
    }
    # The setting_changed signal must have dropped the cached filesystem storage.
    assert isinstance(default_storage, S3Storage), type(default_storage)
    assert default_storage.bucket_name == bucket
    assert default_storage.url("x/y.png").startswith(f"{s3_endpoint}/{bucket}/x/y.png?")
    return bucket


def http(method: str, url: str, data: bytes | None = None, headers=None) -> tuple[int, bytes]:
    """A plain HTTP request with no Authorization header; any status is returned."""
    request = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def object_exists(s3, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError as error:
        if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
            return False
        raise
    return True


def request_upload(api, s3_endpoint, bucket, filename="pixel.png") -> tuple[str, str]:
    """POST /upload-requests; returns (path, presigned PUT url), checking the URL's shape."""
    response = api.post(
        "/upload-requests",
        {"data": {"type": "upload_request", "attributes": {"filename": filename}}},
    )
    assert response.status_code == 201, response.body
    data = response.body["data"]
    path, url = data["id"], data["attributes"]["url"]
    assert data["attributes"]["request_headers"] == {}
    assert path.startswith("/") and path.endswith(f"/{filename}")
    # Presigned for S3 on the moto endpoint, not one of our own URLs.
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_endpoint, url
    assert parts.path == f"/{bucket}{path}", url
    assert "upload-content" not in url
    assert "Signature" in parts.query, url  # X-Amz-Signature (v4) or Signature (v2)
    return path, url


def test_upload_flow_on_s3(api, s3, s3_endpoint, s3_storage, django_capture_on_commit_callbacks):
    bucket = s3_storage
    content = png_bytes(7, 5)
    md5 = hashlib.md5(content).hexdigest()

    path, url = request_upload(api, s3_endpoint, bucket)
    key = path.lstrip("/")
    assert not object_exists(s3, bucket, key)

    status, body = http("PUT", url, content, {"Content-Type": "image/png"})
    assert status == 200, body
    assert object_exists(s3, bucket, key)

    response = api.post(
        "/uploads",
        {"data": {"type": "upload", "attributes": {"path": path, "tags": ["s3"]}}},
    )
    assert response.status_code == 201, response.body
    upload = response.body["data"]
    attributes = upload["attributes"]
    assert attributes["width"] == 7
    assert attributes["height"] == 5
    assert attributes["mime_type"] == "image/png"
    assert attributes["format"] == "png"
    assert attributes["is_image"] is True
    assert attributes["md5"] == md5
    assert attributes["size"] == len(content)
    assert attributes["path"] == path
    assert attributes["filename"] == "pixel.png"
    assert attributes["tags"] == ["s3"]

    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == len(content)

    # The answered url downloads the bytes straight from S3 (a presigned GET).
    download = attributes["url"]
    assert download.startswith(f"{s3_endpoint}/{bucket}{path}?"), download
    status, downloaded = http("GET", download)
    assert status == 200
    assert hashlib.md5(downloaded).hexdigest() == md5

    # The official client's duplicate check.
    response = api.get(f"/uploads?filter[fields][md5][eq]={md5}")
    assert response.status_code == 200, response.body
    assert [u["id"] for u in response.body["data"]] == [upload["id"]]
    assert response.body["meta"]["total_count"] == 1

    # The object leaves the bucket once the delete commits.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.delete(f"/uploads/{upload['id']}")
    assert response.status_code == 200, response.body
    assert response.body["data"]["id"] == upload["id"]
    assert len(callbacks) == 1
    assert not object_exists(s3, bucket, key)
    assert not Upload.objects.filter(pk=upload["id"]).exists()
    assert api.get(f"/uploads/{upload['id']}").status_code == 404


def test_upload_over_the_limit_is_refused_and_removed(api, s3, s3_endpoint, s3_storage, settings):
    """S3 takes any size on a presigned PUT: POST /uploads enforces the limit afterwards."""
    bucket = s3_storage
    settings.CMS_MAX_UPLOAD_BYTES = 1024
    content = b"\0" * 4096

    path, url = request_upload(api, s3_endpoint, bucket, filename="big.bin")
    status, body = http("PUT", url, content, {"Content-Type": "application/octet-stream"})
    assert status == 200, body
    key = path.lstrip("/")
    assert object_exists(s3, bucket, key)

    response = api.post("/uploads", {"data": {"type": "upload", "attributes": {"path": path}}})
    assert response.status_code == 413, response.body
    assert [e[0] for e in error_codes(response)] == ["UPLOAD_TOO_LARGE"]
    assert response.body["data"][0]["attributes"]["details"]["max_bytes"] == 1024
    assert not object_exists(s3, bucket, key)
    assert not Upload.objects.exists()

    # Nothing is left to make an upload of.
    response = api.post("/uploads", {"data": {"type": "upload", "attributes": {"path": path}}})
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "path", "VALIDATION_NOT_UPLOADED")]


def test_upload_of_a_path_never_put_is_refused(api, s3, s3_endpoint, s3_storage):
    bucket = s3_storage
    path, _ = request_upload(api, s3_endpoint, bucket)

    response = api.post("/uploads", {"data": {"type": "upload", "attributes": {"path": path}}})
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "path", "VALIDATION_NOT_UPLOADED")]
    assert not Upload.objects.exists()
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount", 0) == 0


def test_presigned_put_accepts_the_clients_content_type(api, s3_endpoint, s3_storage):
    """The official client PUTs with the file's Content-Type (mime lookup of its name):
    the presigned URL must stay valid for that header, as SigV4 (host-only signed) is."""
    bucket = s3_storage
    path, url = request_upload(api, s3_endpoint, bucket)
    parts = urlsplit(url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    if "X-Amz-Signature" in query:  # SigV4: only the signed headers are bound
        assert "content-type" not in query["X-Amz-SignedHeaders"].split(";")
        return

    # SigV2 query auth: S3 signs "VERB\nContent-MD5\nContent-Type\nExpires\nresource" with
    # the secret key and compares; recompute it for the client's actual request.
    def signature(content_type: str) -> str:
        to_sign = f"PUT\n\n{content_type}\n{query['Expires']}\n{parts.path}"
        digest = hmac.new(b"testing", to_sign.encode(), hashlib.sha1).digest()
        return base64.b64encode(digest).decode()

    assert query["Signature"] == signature("image/png"), (
        "the presigned PUT URL is not valid for a PUT carrying Content-Type: image/png "
        f"(it is signed for Content-Type {'empty' if query['Signature'] == signature('') else '?'})"
    )


def test_image_variants_on_s3(api, s3, s3_storage, monkeypatch):
    """/media/<path>?w= reads the source from the bucket and keeps the variant there."""
    import io

    from PIL import Image

    from uploads import imaging

    bucket = s3_storage
    key = "AbcdefghijklmnopqrstuA/photo.png"
    s3.put_object(Bucket=bucket, Key=key, Body=png_bytes(40, 20))
    first = api.client.get(f"/media/{key}?w=10&fm=webp")
    assert first.status_code == 200, first.content[:300]
    assert Image.open(io.BytesIO(first.content)).size == (10, 5)
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=f"_variants/{key}/")["Contents"]
    assert [item["Size"] for item in listed] == [len(first.content)]

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(imaging, "render", no_rendering)
    second = api.client.get(f"/media/{key}?w=10&fm=webp")
    assert b"".join(second.streaming_content) == first.content
    assert second["Content-Type"] == "image/webp"
