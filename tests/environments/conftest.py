"""Content written through the API, committed (copies read it from other connections), and
the storages the tests make, dropped afterwards."""

import pytest
from django.db import connection

from environments import copying
from environments.storages import new_storage_name
from tests.conftest import create_upload, png_bytes
from tests.items.conftest import block, item_body


class Content:
    """post (title, unique slug, indexed rating, blocks, links to posts, a cover), quote
    blocks, three posts of which one updated and published, and two uploads."""

    def __init__(self, api):
        self.api = api
        response = api.put(
            "/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
        )
        assert response.status_code == 200, response.body
        self.quote = api.create_item_type("quote", modular_block=True)
        api.create_field(self.quote["id"], "text", "string", validators={"required": {}})
        self.post = api.create_item_type("post")
        api.create_field(self.post["id"], "title", "string", validators={"required": {}})
        api.create_field(self.post["id"], "slug", "slug", validators={"unique": {}})
        api.create_field(self.post["id"], "rating", "integer")
        api.create_field(
            self.post["id"],
            "body",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.quote["id"]]}},
        )
        api.create_field(
            self.post["id"],
            "related",
            "links",
            validators={"items_item_type": {"item_types": [self.post["id"]]}},
        )
        api.create_field(self.post["id"], "cover", "file")
        self.uploads = [
            create_upload(api, png_bytes(), filename="one.png"),
            create_upload(api, png_bytes(4, 4), filename="two.png"),
        ]
        self.records = []
        for n in range(3):
            self.records.append(self.create(n))
        first = self.records[0]["id"]
        response = api.put(
            f"/items/{first}",
            {"data": {"type": "item", "id": first, "attributes": {"title": "Changed"}}},
        )
        assert response.status_code == 200, response.body
        response = api.put(f"/items/{first}/publish")
        assert response.status_code == 200, response.body

    def create(self, n: int, slug: str | None = None) -> dict:
        attributes = {
            "title": f"Post {n}",
            "slug": slug or f"post-{n}",
            "rating": n,
            "body": [block(self.quote["id"], text=f"Quote {n}.{k}") for k in range(2)],
            "related": [r["id"] for r in self.records],
            "cover": {"upload_id": self.uploads[n % 2]["id"]},
        }
        response = self.api.post("/items", item_body(self.post["id"], attributes))
        assert response.status_code == 201, response.body
        return response.body["data"]


@pytest.fixture
def content(transactional_db, api) -> Content:
    return Content(api)


@pytest.fixture
def storages():
    """Names for new storages; each dropped when the test ends."""
    made = []

    def make() -> str:
        made.append(new_storage_name())
        return made[-1]

    yield make
    for storage in made:
        copying.drop_storage(storage)


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="a schema per environment: PostgreSQL"
)
sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="a file per environment: SQLite"
)
