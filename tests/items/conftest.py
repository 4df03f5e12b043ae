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


# --- A shop: products with a maker and parts, and a catalogue of three ---------------


@pytest.fixture
def shop(api, two_locales):
    """product: name (string), price (integer), launch (date_time), about (localized
    text), maker (link to maker, delete strategy fail), parts (blocks)."""
    maker = api.create_item_type("maker")
    api.create_field(maker["id"], "name", "string")
    part = api.create_item_type("part", modular_block=True)
    api.create_field(part["id"], "label", "string", validators={"required": {}})
    product = api.create_item_type("product")
    api.create_field(product["id"], "name", "string", validators={"required": {}})
    api.create_field(product["id"], "price", "integer")
    api.create_field(product["id"], "launch", "date_time")
    api.create_field(product["id"], "about", "text", localized=True)
    api.create_field(
        product["id"],
        "maker",
        "link",
        validators={
            "item_item_type": {"item_types": [maker["id"]], "on_reference_delete_strategy": "fail"}
        },
    )
    api.create_field(
        product["id"],
        "parts",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [part["id"]]}},
    )
    return {"maker": maker["id"], "part": part["id"], "product": product["id"]}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [record["id"] for record in response.body["data"]]


@pytest.fixture
def catalogue(api, shop):
    acme = make(api, shop["maker"], {"name": "Acme"})
    records = [
        make(
            api,
            shop["product"],
            {
                "name": "Anvil",
                "price": 100,
                "maker": acme["id"],
                "launch": "2024-01-10T10:00:00Z",
                "about": {"en": "Heavy iron", "it": "Ferro pesante"},
            },
        ),
        make(
            api,
            shop["product"],
            {
                "name": "Rocket",
                "price": 5000,
                "launch": "2025-06-01T08:00:00+02:00",
                "about": {"en": "Fast", "it": "Veloce"},
            },
        ),
        make(api, shop["product"], {"name": "Bird seed", "price": 3}),
    ]
    return {"acme": acme, "records": records}
