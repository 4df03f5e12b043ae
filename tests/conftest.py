"""Shared fixtures: an API client speaking JSON over Django's full HTTP stack."""

import io
import json
import os
import threading
import time
from urllib.parse import urlsplit

import pytest
from django.contrib.admin.utils import quote
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.test import Client
from django.urls import reverse
from PIL import Image
from pytest_django.plugin import blocking_manager_key

from cms.ids import new_id
from cms.models import ApiToken
from environments.access import forget_storages
from environments.selection import PROJECT_STORAGE, select

# Rate limits (cms/rate_limits.py) high for the suite, whose clients all come from one
# address with one token: here, and in the server processes tests start (they inherit this
# environment). A test about the limits sets low ones itself.
HIGH_RATE_LIMITS = {"CMS_RATE_LIMIT_REQUESTS": "1000000", "CMS_RATE_LIMIT_RECORDS": "100000000"}
for _name, _value in HIGH_RATE_LIMITS.items():
    os.environ.setdefault(_name, _value)


class Api:
    """Sends requests as the official client does (JSON bodies, bearer token, version 3)."""

    def __init__(self, token: str | None):
        self.client = Client()
        self.token = token

    def request(
        self,
        method: str,
        path: str,
        body=None,
        *,
        headers=None,
        raw=None,
        content_type="application/json",
    ):
        headers = dict(headers or {})
        if self.token is not None:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        headers.setdefault("X-Api-Version", "3")
        headers.setdefault("Accept", "application/json")
        data = raw if raw is not None else (json.dumps(body) if body is not None else "")
        response = self.client.generic(
            method, path, data=data, content_type=content_type, headers=headers
        )
        assert response["Content-Type"] == "application/json; charset=utf-8", (
            f"{method} {path} answered {response['Content-Type']}"
        )
        response.body = json.loads(response.content) if response.content else None
        return response

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)

    def put(self, path, body=None, **kw):
        return self.request("PUT", path, body, **kw)

    def delete(self, path, **kw):
        return self.request("DELETE", path, **kw)

    # Shortcuts for setting up a schema in tests.
    def create_item_type(self, api_key: str, **attributes):
        body = {
            "data": {
                "type": "item_type",
                "attributes": {"name": api_key.title(), "api_key": api_key, **attributes},
            }
        }
        response = self.post("/item-types", body)
        assert response.status_code == 201, response.body
        return response.body["data"]

    def create_field(self, item_type_id: str, api_key: str, field_type: str, **attributes):
        body = {
            "data": {
                "type": "field",
                "attributes": {
                    "label": api_key.title(),
                    "api_key": api_key,
                    "field_type": field_type,
                    **attributes,
                },
            }
        }
        response = self.post(f"/item-types/{item_type_id}/fields", body)
        assert response.status_code == 201, response.body
        return response.body["data"]


def error_codes(response) -> list[tuple]:
    """(code, details.field, details.code) for each api_error of an answer."""
    return [
        (
            e["attributes"]["code"],
            e["attributes"]["details"].get("field"),
            e["attributes"]["details"].get("code"),
        )
        for e in response.body["data"]
    ]


def race(count: int, send) -> list:
    """Run ``send(index)`` in ``count`` threads released at the same instant, as rival
    clients; answer their results in index order. Each thread has its own connection."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = send(index)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def thing_with_a_field_id_holding_double_underscores(api: Api) -> dict:
    """A model ``thing`` whose integer field ``size`` has an id holding "__", Django's
    lookup separator, which filters and ordering must not split on."""
    tricky = next(i for i in iter(new_id, None) if "__" in i[1:-1])
    thing = api.create_item_type("thing")
    response = api.post(
        f"/item-types/{thing['id']}/fields",
        {
            "data": {
                "type": "field",
                "id": tricky,
                "attributes": {"label": "Size", "api_key": "size", "field_type": "integer"},
            }
        },
    )
    assert response.status_code == 201, response.body
    return thing


def change_url(app: str, model: str, pk: str) -> str:
    """An admin change page. Ids may hold "_", which admin URLs escape, so build it as the
    admin does."""
    return reverse(f"admin:{app}_{model}_change", args=[quote(pk)])


def make_api(role: str) -> Api:
    _, secret = ApiToken.create(name=f"{role} test token", role=role)
    return Api(secret)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item):
    """Each test starts on the primary environment's PostgreSQL search_path. A test can end
    on another: a transactional test's sandbox stays selected on the connection, and a path
    set inside a rolled-back transaction is remembered as unknown (environments.selection).
    The next test's first statement, inside its own transaction, would then be refused
    (an environment isn't switched inside one): set it here, outside any transaction.
    Without xdist, pytest-django ran transactional tests last; xdist's workers take files
    in no fixed order."""
    result = yield
    connection = connections["default"]
    open_outside_transactions = connection.connection is not None and not (
        connection.in_atomic_block
    )
    if connection.vendor == "postgresql" and open_outside_transactions:
        connection.cms_migrating = False
        try:
            with item.config.stash[blocking_manager_key].unblock():
                select(PROJECT_STORAGE)
        except DatabaseError:  # a test broke its connection: the next one opens another
            connection.close()
    return result


@pytest.fixture(autouse=True)
def no_storage_guesses():
    """Each test starts with no guess of where an environment's tables are: one left by an
    earlier test in this process (whose primary was a promoted sandbox) would send the
    first statement of a request to another schema inside the test's transaction, where
    the switch back is refused."""
    forget_storages()


@pytest.fixture(autouse=True)
def empty_cache():
    """Every test starts with an empty cache: failed-authentication counts (all from
    127.0.0.1) don't carry over from one test to the next."""
    cache.clear()


def within_one_rate_window(window: int, needed: float) -> None:
    """Wait, if need be, for a rate-limit window with `needed` seconds left. The windows are
    fixed (cms/rate_limits.py counts per `time // window`): requests straddling a boundary
    draw on two windows' worth, and a test counting them would fail now and then (CI did)."""
    left = window - time.time() % window
    if left < needed:
        time.sleep(left + 0.2)


@pytest.fixture(autouse=True)
def high_rate_limits(settings):
    for name, value in HIGH_RATE_LIMITS.items():
        setattr(settings, name, int(value))


@pytest.fixture(autouse=True)
def upload_storage(settings, tmp_path):
    """Every test stores uploads in a temporary folder of its own."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT, "base_url": "/media/"},
        },
    }
    return settings.MEDIA_ROOT


@pytest.fixture
def api(db) -> Api:
    return make_api("admin")


@pytest.fixture
def editor_api(db) -> Api:
    return make_api("editor")


@pytest.fixture
def readonly_api(db) -> Api:
    return make_api("readonly")


@pytest.fixture
def anonymous_api(db) -> Api:
    return Api(None)


@pytest.fixture
def racing_api(transactional_db) -> Api:
    """An admin client for a race between rival clients (``race``): on PostgreSQL only, as
    SQLite serialises writers, and on a transactional database, as each rival thread
    commits on a connection of its own. A rival sends with ``Api(racing_api.token)``."""
    if connections["default"].vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    return make_api("admin")


@pytest.fixture
def two_locales(api):
    response = api.put("/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}})
    assert response.status_code == 200, response.body


# --- Uploads: image bytes and the client's three-step upload ------------------------------


def png_bytes(width=3, height=2, color=(200, 10, 10)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), color).save(buffer, format="PNG")
    return buffer.getvalue()


def jpeg_bytes(width=8, height=4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (0, 90, 200)).save(buffer, format="JPEG")
    return buffer.getvalue()


def stored_files(media_root) -> list[str]:
    if not media_root.exists():
        return []
    return sorted(str(p.relative_to(media_root)) for p in media_root.rglob("*") if p.is_file())


def request_upload(api, filename="pic.png"):
    response = api.post(
        "/upload-requests",
        {"data": {"type": "upload_request", "attributes": {"filename": filename}}},
    )
    assert response.status_code == 201, response.body
    return response.body["data"]


def put_bytes(api, url, content: bytes, content_type="image/png"):
    """The client's PUT: no Authorization header, just the bytes."""
    parts = urlsplit(url)
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return api.client.generic("PUT", path, data=content, content_type=content_type)


def create_upload(api, content: bytes, filename="pic.png", **attributes):
    upload_request = request_upload(api, filename)
    assert put_bytes(api, upload_request["attributes"]["url"], content).status_code == 200
    response = api.post(
        "/uploads",
        {"data": {"type": "upload", "attributes": {"path": upload_request["id"], **attributes}}},
    )
    assert response.status_code == 201, response.body
    return response.body["data"]
