"""Replacing the file of an upload a fork shares (a fork copies upload rows, not files): a
real server with environments (tests/environments/test_forks.py's)."""

import urllib.request

from tests.conftest import png_bytes
from tests.environments.test_forks import (
    _ok,
    create_upload,
    data_dir,
    forked,
    pytestmark,
    served,
)

__all__ = ["data_dir", "pytestmark", "served"]  # fixtures, and the transactional mark
SANDBOX = "sandbox-replace"


def _uploaded(server, environment) -> str:
    """An upload request's path in ``environment``, its bytes PUT."""
    body = {"data": {"type": "upload_request", "attributes": {"filename": "next.png"}}}
    upload_request = _ok(server.request("POST", "/upload-requests", body, environment), 201)
    put = urllib.request.Request(
        upload_request["data"]["attributes"]["url"],
        png_bytes(9, 9),
        {"Content-Type": "image/png"},
        method="PUT",
    )
    with urllib.request.urlopen(put, timeout=30) as response:
        assert response.status == 200
    return upload_request["data"]["id"]


def test_keep_url_is_refused_while_another_environment_shares_the_file(served, data_dir):
    upload = create_upload(served)
    file = data_dir / "uploads" / upload["attributes"]["path"].lstrip("/")
    original = file.read_bytes()
    forked(served, "main", SANDBOX)
    path = _uploaded(served, SANDBOX)
    body = {"data": {"type": "upload", "attributes": {"path": path}}}
    address = f"/uploads/{upload['id']}"

    status, refused = served.request("PUT", f"{address}?replace_strategy=keep_url", body, SANDBOX)
    assert status == 422, refused
    details = refused["data"][0]["attributes"]["details"]
    assert (details["parameter"], details["code"]) == (
        "replace_strategy",
        "FILE_SHARED_WITH_ANOTHER_ENVIRONMENT",
    )
    assert details["environments"] == ["main"]
    assert file.read_bytes() == original
    assert served.get(address, SANDBOX)["data"] == served.get(address)["data"]

    # create_new_url: the sandbox's upload moves to the new file, main's keeps the old one.
    moved = _ok(served.request("PUT", f"{address}?replace_strategy=create_new_url", body, SANDBOX))
    assert (moved["data"]["attributes"]["path"], moved["data"]["attributes"]["width"]) == (path, 9)
    assert served.get(address)["data"]["attributes"]["path"] == upload["attributes"]["path"]
    assert file.read_bytes() == original
