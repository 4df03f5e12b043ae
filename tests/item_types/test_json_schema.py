"""GET /item-types/:id/schema.json: the JSON Schema of a model's records, generated from
the content model. Records written and read over HTTP (both APIs) validate against it;
values the API refuses, it refuses too."""

import jsonschema
import pytest

from tests.conftest import create_upload, png_bytes
from tests.items.conftest import block, item_body


@pytest.fixture
def showcase(api, two_locales):
    """A model with a field of every type, localized ones and validators."""
    part = api.create_item_type("part", modular_block=True)
    api.create_field(part["id"], "label", "string", validators={"required": {}})
    api.create_field(
        part["id"],
        "parts",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [part["id"]]}},
    )
    model = api.create_item_type("showcase")
    add = api.create_field
    mid = model["id"]
    add(mid, "title", "string", validators={"required": {}, "length": {"min": 2, "max": 20}})
    add(mid, "kind", "string", validators={"enum": {"values": ["news", "blog"]}})
    add(mid, "email", "string", validators={"format": {"predefined_pattern": "email"}})
    add(mid, "code", "string", validators={"format": {"custom_pattern": "^[A-Z]{3}$"}})
    add(mid, "body", "text", localized=True)
    add(mid, "slug", "slug", validators={"slug_format": {"predefined_pattern": "webpage_slug"}})
    add(mid, "flag", "boolean")
    add(mid, "count", "integer", validators={"number_range": {"min": 0, "max": 10}})
    add(mid, "ratio", "float")
    add(mid, "day", "date")
    add(mid, "at", "date_time")
    add(mid, "color", "color")
    add(mid, "data", "json")
    add(mid, "place", "lat_lon")
    add(mid, "seo", "seo")
    add(mid, "video", "video")
    add(mid, "image", "file")
    add(mid, "pictures", "gallery", validators={"size": {"max": 2}})
    add(mid, "ref", "link", validators={"item_item_type": {"item_types": [mid]}})
    add(mid, "refs", "links", validators={"items_item_type": {"item_types": [mid]}})
    add(
        mid,
        "blocks",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [part["id"]]}},
    )
    add(
        mid, "one", "single_block", validators={"single_block_blocks": {"item_types": [part["id"]]}}
    )
    add(
        mid,
        "text",
        "structured_text",
        validators={
            "structured_text_blocks": {"item_types": [part["id"]]},
            "structured_text_links": {"item_types": [mid]},
        },
    )
    return {"model": mid, "part": part["id"]}


def schema_of(api, model_id, **headers):
    response = api.get(f"/item-types/{model_id}/schema.json", headers=headers)
    assert response.status_code == 200, response.body
    jsonschema.Draft202012Validator.check_schema(response.body)
    return response.body


def checking(schema) -> jsonschema.Draft202012Validator:
    """A validator that checks formats too (dates, date-times, e-mail, URIs)."""
    cls = jsonschema.Draft202012Validator
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def full_values(api, showcase, other_id) -> dict:
    upload = create_upload(api, png_bytes())
    file_value = {"upload_id": upload["id"], "alt": "A square", "title": None}
    return {
        "title": "Hello",
        "kind": "news",
        "email": "ann@example.com",
        "code": "ABC",
        "body": {"en": "Some *text*", "it": "Del *testo*"},
        "slug": "hello-world",
        "flag": True,
        "count": 7,
        "ratio": 0.5,
        "day": "2024-02-29",
        "at": "2024-05-31T10:00:00+02:00",
        "color": {"red": 1, "green": 2, "blue": 3, "alpha": 255},
        "data": '{"views": 12}',
        "place": {"latitude": 45.46, "longitude": 9.19},
        "seo": {"title": "Hi", "description": "A page", "image": upload["id"]},
        "video": {
            "provider": "youtube",
            "provider_uid": "M7lc1UVf-VE",
            "url": "https://www.youtube.com/watch?v=M7lc1UVf-VE",
            "width": 480,
            "height": 360,
            "thumbnail_url": "https://i.ytimg.com/vi/M7lc1UVf-VE/hqdefault.jpg",
            "title": "A video",
        },
        "image": file_value,
        "pictures": [file_value],
        "ref": other_id,
        "refs": [other_id],
        "blocks": [block(showcase["part"], label="A", parts=[block(showcase["part"], label="B")])],
        "one": block(showcase["part"], label="C", parts=[]),
        "text": {
            "schema": "dast",
            "document": {
                "type": "root",
                "children": [
                    {"type": "heading", "level": 2, "children": [{"type": "span", "value": "Hi"}]},
                    {"type": "block", "item": block(showcase["part"], label="D", parts=[])},
                ],
            },
        },
    }


def test_records_written_and_read_over_both_apis_validate(api, showcase):
    schema = schema_of(api, showcase["model"])
    validator = checking(schema)
    other = api.post("/items", item_body(showcase["model"], {"title": "Other"}))
    assert other.status_code == 201, other.body
    values = full_values(api, showcase, other.body["data"]["id"])
    validator.validate(values)  # what is written
    created = api.post("/items", item_body(showcase["model"], values))
    assert created.status_code == 201, created.body
    record_id = created.body["data"]["id"]

    for path in (f"/items/{record_id}", f"/items/{record_id}?nested=true"):
        read = api.get(path)
        assert read.status_code == 200, read.body
        validator.validate(read.body["data"]["attributes"])
    nested = api.get(f"/items/{record_id}?nested=true").body["data"]["attributes"]
    assert isinstance(nested["blocks"][0], dict)  # a block resource, checked by its model

    records = api.get("/rest/db/showcase?fields=*").body["record"]
    assert len(records) == 2
    for record in records:
        validator.validate(record)


def test_the_schema_says_types_localization_and_validators(api, showcase):
    schema = schema_of(api, showcase["model"])
    fields = schema["properties"]
    # length, then required (not null, not blank): both hold.
    assert fields["title"] == {
        "title": "Title",
        "x-field-type": "string",
        "allOf": [{"type": "string", "minLength": 2, "maxLength": 20}, {"minLength": 1}],
    }
    assert fields["kind"]["anyOf"][0] == {"type": "string", "enum": ["news", "blog"]}
    assert fields["body"]["properties"].keys() == {"en", "it"}
    assert fields["count"]["anyOf"][0]["allOf"][1] == {"minimum": 0, "maximum": 10}
    assert fields["slug"]["anyOf"][0]["pattern"] == "^[a-z0-9_]+(?:-[a-z0-9_]+)*$"
    assert fields["email"]["anyOf"][0]["format"] == "email"
    assert schema["$defs"]["block_part"]["properties"]["attributes"]["properties"]["parts"]


def test_a_localized_model_requiring_every_locale_says_so(api, two_locales):
    model = api.create_item_type("page", all_locales_required=True)
    api.create_field(model["id"], "name", "string", localized=True)
    field = schema_of(api, model["id"])["properties"]["name"]
    assert field["required"] == ["en", "it"]


# field -> values the API refuses, each (the schema must refuse them too).
INVALID = {
    "title": [None, "", "x", "y" * 21, 12],
    "kind": ["other"],
    "email": ["not an email"],
    "code": ["abcd", "AB"],
    "body": [{"en": 3}, {"fr": "Bonjour"}, "not per locale"],
    "slug": ["Not A Slug"],
    "flag": ["yes"],
    "count": [11, -1, 1.5, "3"],
    "ratio": ["0.5"],
    "day": ["2024-13-01", "31/05/2024"],
    "color": [{"red": 256, "green": 0, "blue": 0}, {"red": 0}],
    "place": [{"latitude": 91, "longitude": 0}],
    "seo": [{"twitter_card": "big"}],
    "video": [{"provider": "myspace"}],
    "image": [{"alt": "no upload"}, "an id"],
    "pictures": [{"upload_id": "x"}],
    "ref": ["not-an-id", 3],
    "refs": ["not a list"],
    "blocks": [{"not": "a list"}],
    "text": [{"schema": "html"}],
}


def test_invalid_values_are_refused_by_the_api_and_the_schema(api, showcase):
    validator = checking(schema_of(api, showcase["model"]))
    before = api.get("/items").body["meta"]["total_count"]
    for field, values in INVALID.items():
        for value in values:
            attributes = {"title": "Hello", field: value}
            assert not validator.is_valid(attributes), (field, value)
            response = api.post("/items", item_body(showcase["model"], attributes))
            assert response.status_code == 422, (field, value, response.body)
    assert api.get("/items").body["meta"]["total_count"] == before


def test_an_unknown_model_is_a_404_and_readonly_tokens_read_it(api, readonly_api, showcase):
    response = api.get("/item-types/nothing/schema.json")
    assert response.status_code == 404
    assert response.body["data"][0]["attributes"]["code"] == "NOT_FOUND"
    assert readonly_api.get("/item-types/showcase/schema.json").status_code == 200
