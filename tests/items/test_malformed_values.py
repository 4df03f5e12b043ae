"""Type confusion inside blocks and values at the edge of what the database holds: a 422
naming the field (and where in it), nothing written, on both APIs."""

import pytest

from items.models import Item
from tests.conftest import error_codes
from tests.items.conftest import block, item_body


def quote_block(blog, **overrides) -> dict:
    raw = block(blog.quote["id"], text="Hi")
    raw.update(overrides)
    return raw


def relationship(item_type_id) -> dict:
    return {"item_type": {"data": {"type": "item_type", "id": item_type_id}}}


MALFORMED_BLOCKS = {
    "relationships": lambda blog: quote_block(blog, relationships=[1]),
    "relationships.item_type": lambda blog: quote_block(blog, relationships={"item_type": "x"}),
    "relationships.item_type.data.id": lambda blog: quote_block(
        blog, relationships=relationship(["x"])
    ),
    "relationships.item_type.data": lambda blog: quote_block(
        blog, relationships={"item_type": {"data": []}}
    ),
    "attributes": lambda blog: quote_block(blog, attributes=[1]),
    "meta": lambda blog: quote_block(blog, meta="x"),
    "id": lambda blog: quote_block(blog, id=["x"]),
    "type": lambda blog: quote_block(blog, type=5),
}


def refusal(response) -> dict:
    assert response.status_code == 422, response.body
    [error] = response.body["data"]
    assert error["attributes"]["code"] == "INVALID_FIELD"
    return error["attributes"]["details"]


@pytest.mark.parametrize("member", MALFORMED_BLOCKS)
def test_a_wrong_typed_block_member_is_invalid_field_naming_it(blog, member):
    before = Item.objects.count()
    raw = MALFORMED_BLOCKS[member](blog)
    details = refusal(
        blog.api.post("/items", item_body(blog.post["id"], {"title": "T", "blocks": [raw]}))
    )
    assert (details["field"], details["code"]) == ("blocks", "INVALID_FORMAT")
    expected_key = (
        "0" if member == "type" else f"0.{member.removesuffix('.data.id').removesuffix('.data')}"
    )
    assert details["key"] == expected_key
    assert Item.objects.count() == before


@pytest.mark.parametrize("member", MALFORMED_BLOCKS)
def test_a_wrong_typed_member_of_a_nested_block_is_refused_with_its_path(blog, member):
    before = Item.objects.count()
    inner = MALFORMED_BLOCKS[member](blog)
    outer = block(
        blog.section["id"], heading="H", parts=[block(blog.quote["id"], text="ok"), inner]
    )
    details = refusal(
        blog.api.post("/items", item_body(blog.post["id"], {"title": "T", "blocks": [outer]}))
    )
    assert details["field"] == "blocks"
    assert details["path"] == ["blocks", 0, "parts"]
    assert details["key"].startswith("1")
    assert Item.objects.count() == before


def test_a_wrong_typed_block_member_through_the_record_api(blog):
    before = Item.objects.count()
    raw = quote_block(blog, relationships=[1])
    response = blog.api.post("/rest/db/post", {"record": [{"title": "T", "blocks": [raw]}]})
    assert response.status_code == 400, response.body
    [details] = response.body["error"]["context"]["record"][0]["details"]
    assert (details["field"], details["key"]) == ("blocks", "0.relationships")
    assert Item.objects.count() == before


@pytest.fixture
def event(api):
    item_type = api.create_item_type("event")
    api.create_field(item_type["id"], "day", "date")
    api.create_field(item_type["id"], "at", "date_time")
    return item_type["id"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("at", "9999-12-31T23:59:59-23:59"),
        ("at", "0001-01-01T00:00:00+23:00"),
        ("at", "0000-01-01T00:00:00Z"),
        ("at", "10000-01-01T00:00:00Z"),
        ("day", "0000-01-01"),
        ("day", "10000-01-01"),
    ],
)
def test_a_date_beyond_the_calendar_is_invalid_field_on_both_apis(api, event, field, value):
    before = Item.objects.count()
    response = api.post("/items", item_body(event, {field: value}))
    assert error_codes(response) == [("INVALID_FIELD", field, "INVALID_FORMAT")]
    response = api.post("/rest/db/event", {field: value})
    assert response.status_code == 422, response.body
    assert response.body["error"]["context"]["error"][0]["field"] == field
    assert Item.objects.count() == before


@pytest.mark.parametrize(
    ("value", "stored"),
    [
        ("9999-12-31T23:59:59+00:00", "9999-12-31T23:59:59.000+00:00"),
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000+00:00"),
        ("9999-12-31T00:00:00-23:59", "9999-12-31T23:59:00.000+00:00"),
    ],
)
def test_the_calendars_edges_are_accepted(api, event, value, stored):
    response = api.post("/items", item_body(event, {"at": value, "day": "0001-01-01"}))
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["at"] == stored
    again = api.get(f"/items/{response.body['data']['id']}")
    assert again.body["data"]["attributes"]["at"] == stored


def test_a_creation_time_beyond_the_calendar_is_refused(api, event):
    before = Item.objects.count()
    body = item_body(event, {}, meta={"created_at": "0001-01-01T00:00:00+23:00"})
    response = api.post("/items", body)
    assert error_codes(response) == [("INVALID_FIELD", "meta.created_at", "INVALID_FORMAT")]
    assert Item.objects.count() == before
