"""A blog-like content model, and a helper to create records over HTTP."""

import pytest

from tests.conftest import create_upload, png_bytes


def item_body(item_type_id: str, attributes: dict, **extra) -> dict:
    data = {
        "type": "item",
        "attributes": attributes,
        "relationships": {"item_type": {"data": {"type": "item_type", "id": item_type_id}}},
        **extra,
    }
    return {"data": data}


def make(api, item_type_id, attributes, status=201):
    """POST /items; the created record's resource."""
    response = api.post("/items", item_body(item_type_id, attributes))
    assert response.status_code == status, response.body
    return response.body["data"]


def put(api, record_id, attributes, **extra):
    return api.put(
        f"/items/{record_id}",
        {"data": {"type": "item", "id": record_id, "attributes": attributes, **extra}},
    )


def block(item_type_id: str, **attributes) -> dict:
    return {
        "type": "item",
        "attributes": attributes,
        "relationships": {"item_type": {"data": {"type": "item_type", "id": item_type_id}}},
    }


class Blog:
    """post (title, content localized, category, image, blocks, related) and block models."""

    def __init__(self, api):
        self.api = api
        self.section = api.create_item_type("section", modular_block=True)
        self.quote = api.create_item_type("quote", modular_block=True)
        api.create_field(self.quote["id"], "text", "string", validators={"required": {}})
        api.create_field(self.section["id"], "heading", "string", validators={"required": {}})
        api.create_field(
            self.section["id"],
            "parts",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.quote["id"], self.section["id"]]}},
        )
        self.post = api.create_item_type("post")
        self.title = api.create_field(
            self.post["id"], "title", "string", validators={"required": {}}
        )
        self.content = api.create_field(self.post["id"], "content", "text", localized=True)
        self.summary = api.create_field(
            self.post["id"],
            "summary",
            "string",
            localized=True,
            default_value={"en": "Soon", "it": "Presto"},
        )
        self.category = api.create_field(
            self.post["id"], "category", "string", default_value="news"
        )
        self.image = api.create_field(self.post["id"], "image", "file")
        self.blocks = api.create_field(
            self.post["id"],
            "blocks",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.quote["id"], self.section["id"]]}},
        )
        self.related = api.create_field(
            self.post["id"],
            "related",
            "links",
            validators={"items_item_type": {"item_types": [self.post["id"]]}},
        )

    def create(self, attributes: dict, status=201, **extra):
        response = self.api.post("/items", item_body(self.post["id"], attributes, **extra))
        assert response.status_code == status, response.body
        return response

    def upload(self):
        return create_upload(self.api, png_bytes())


@pytest.fixture
def blog(api, two_locales) -> Blog:
    return Blog(api)
