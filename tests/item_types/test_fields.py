"""POST/GET /item-types/:id/fields, GET/PUT/DELETE /fields/:id."""

import pytest

from cms.ids import is_valid_id
from item_types.field_types import FIELD_TYPES
from item_types.models import Field, ItemType
from tests.conftest import error_codes


def field_body(**attributes):
    return {"data": {"type": "field", "attributes": attributes}}


@pytest.fixture
def post(api):
    return api.create_item_type("post")


def positions(item_type_id):
    return list(
        Field.objects.filter(item_type_id=item_type_id)
        .order_by("position")
        .values_list("api_key", "position")
    )


def test_create_answers_the_field_and_its_model(api, post):
    response = api.post(
        f"/item-types/{post['id']}/fields",
        field_body(
            label="Title",
            api_key="title",
            field_type="string",
            validators={"required": {}},
            hint="Shown in lists",
        ),
    )
    assert response.status_code == 201, response.body
    data = response.body["data"]
    assert data["type"] == "field"
    assert is_valid_id(data["id"])
    assert data["attributes"] == {
        "label": "Title",
        "api_key": "title",
        "field_type": "string",
        "localized": False,
        "validators": {"required": {}},
        "appearance": {
            "editor": "single_line",
            "parameters": {"heading": False},
            "addons": [],
        },
        "appeareance": {
            "editor": "single_line",
            "parameters": {"heading": False},
            "addons": [],
        },
        "position": 1,
        "hint": "Shown in lists",
        "default_value": None,
        "deep_filtering_enabled": False,
        "content_link_enabled": True,
    }
    assert data["relationships"] == {
        "item_type": {"data": {"type": "item_type", "id": post["id"]}},
        "fieldset": {"data": None},
    }
    [included] = response.body["included"]
    assert included["type"] == "item_type" and included["id"] == post["id"]
    assert included["relationships"]["fields"]["data"] == [{"type": "field", "id": data["id"]}]
    assert included["relationships"]["title_field"]["data"] == {"type": "field", "id": data["id"]}


MANDATORY = {
    "link": {"item_item_type": {"item_types": ["SELF"]}},
    "links": {"items_item_type": {"item_types": ["SELF"]}},
    "rich_text": {"rich_text_blocks": {"item_types": []}},
    "single_block": {"single_block_blocks": {"item_types": []}},
    "structured_text": {
        "structured_text_blocks": {"item_types": []},
        "structured_text_links": {"item_types": []},
    },
}


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
def test_every_field_type_can_be_created_with_its_default_appearance(api, post, field_type):
    validators = {
        name: {k: ([post["id"]] if v == ["SELF"] else v) for k, v in params.items()}
        for name, params in MANDATORY.get(field_type, {}).items()
    }
    field = api.create_field(post["id"], f"a_{field_type}", field_type, validators=validators)
    appearance = field["attributes"]["appearance"]
    assert appearance == FIELD_TYPES[field_type].default_appearance()
    assert appearance["editor"] and appearance["addons"] == []
    assert api.get(f"/fields/{field['id']}").body["data"] == field


def test_positions_append_insert_move_and_close_gaps(api, post):
    ids = {key: api.create_field(post["id"], key, "string")["id"] for key in ("aa", "bb", "cc")}
    assert positions(post["id"]) == [("aa", 1), ("bb", 2), ("cc", 3)]
    inserted = api.create_field(post["id"], "first", "string", position=1)
    assert inserted["attributes"]["position"] == 1
    assert positions(post["id"]) == [("first", 1), ("aa", 2), ("bb", 3), ("cc", 4)]
    api.create_field(post["id"], "far", "string", position=99)
    assert positions(post["id"])[-1] == ("far", 5)
    moved = api.put(
        f"/fields/{ids['cc']}", {"data": {"type": "field", "attributes": {"position": 1}}}
    )
    assert moved.status_code == 200 and moved.body["data"]["attributes"]["position"] == 1
    assert positions(post["id"]) == [("cc", 1), ("first", 2), ("aa", 3), ("bb", 4), ("far", 5)]
    api.put(f"/fields/{ids['cc']}", {"data": {"type": "field", "attributes": {"position": 4}}})
    assert positions(post["id"]) == [("first", 1), ("aa", 2), ("bb", 3), ("cc", 4), ("far", 5)]
    assert api.delete(f"/fields/{ids['aa']}").status_code == 200
    assert positions(post["id"]) == [("first", 1), ("bb", 2), ("cc", 3), ("far", 4)]
    listed = api.get(f"/item-types/{post['id']}/fields").body["data"]
    assert [f["attributes"]["api_key"] for f in listed] == ["first", "bb", "cc", "far"]
    model = api.get(f"/item-types/{post['id']}").body["data"]
    assert [f["id"] for f in model["relationships"]["fields"]["data"]] == [f["id"] for f in listed]


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"label": "T", "api_key": "t1"}, [("INVALID_FIELD", "field_type", "VALIDATION_REQUIRED")]),
        (
            {"label": "T", "api_key": "t1", "field_type": "no_such_type"},
            [("INVALID_FIELD", "field_type", "VALIDATION_INCLUSION")],
        ),
        (
            {"api_key": "t1", "field_type": "string"},
            [("INVALID_FIELD", "label", "VALIDATION_REQUIRED")],
        ),
        (
            {"label": "T", "field_type": "string"},
            [("INVALID_FIELD", "api_key", "VALIDATION_REQUIRED")],
        ),
        (
            {"label": "T", "api_key": "Title", "field_type": "string"},
            [("INVALID_FIELD", "api_key", "VALIDATION_FORMAT")],
        ),
        (
            {"label": "T", "api_key": "meta", "field_type": "string"},
            [("INVALID_FIELD", "api_key", "VALIDATION_RESERVED")],
        ),
        (
            {"label": "T", "api_key": "item_type", "field_type": "string"},
            [("INVALID_FIELD", "api_key", "VALIDATION_RESERVED")],
        ),
        (
            {"label": "T", "api_key": "t1", "field_type": "string", "localized": "yes"},
            [("INVALID_FIELD", "localized", "VALIDATION_FORMAT")],
        ),
        (
            {"label": "T", "api_key": "t1", "field_type": "string", "validators": []},
            [("INVALID_FIELD", "validators", "VALIDATION_FORMAT")],
        ),
        (
            {"label": "T", "api_key": "t1", "field_type": "string", "position": 0},
            [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
        ),
        (
            {
                "label": "T",
                "api_key": "t1",
                "field_type": "string",
                "appearance": {"editor": "", "parameters": []},
            },
            [("INVALID_FIELD", "appearance", "VALIDATION_FORMAT")] * 2,
        ),
        (
            {"label": "T", "api_key": "t1", "field_type": "integer", "content_link_enabled": False},
            [("INVALID_FIELD", "content_link_enabled", "VALIDATION_NOT_ALLOWED")],
        ),
        (
            {"label": "T", "api_key": "t1", "field_type": "string", "colour": 1},
            [("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_ATTRIBUTE")],
        ),
    ],
)
def test_bad_fields_are_refused_and_not_written(api, post, attributes, expected):
    response = api.post(f"/item-types/{post['id']}/fields", field_body(**attributes))
    assert response.status_code == 422
    assert error_codes(response) == expected
    assert not Field.objects.exists()


def test_api_key_is_unique_within_its_model_only(api, post):
    page = api.create_item_type("page")
    api.create_field(post["id"], "title", "string")
    api.create_field(page["id"], "title", "string")
    response = api.post(
        f"/item-types/{post['id']}/fields",
        field_body(label="T", api_key="title", field_type="text"),
    )
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "api_key", "VALIDATION_UNIQUENESS")]
    assert Field.objects.count() == 2


def test_fields_of_a_block_model_cannot_be_localized(api):
    quote = api.create_item_type("quote", modular_block=True)
    response = api.post(
        f"/item-types/{quote['id']}/fields",
        field_body(label="T", api_key="text", field_type="text", localized=True),
    )
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "localized", "VALIDATION_NOT_LOCALIZABLE")]
    assert not Field.objects.exists()


def test_fields_of_an_unknown_model(api):
    response = api.post(
        "/item-types/nothing/fields", field_body(label="T", api_key="t1", field_type="string")
    )
    assert response.status_code == 404
    assert error_codes(response)[0][0] == "NOT_FOUND"
    assert api.get("/item-types/nothing/fields").status_code == 404


def test_find_by_model_and_field_api_key(api, post):
    field = api.create_field(post["id"], "title", "string")
    assert api.get("/fields/post::title").body["data"]["id"] == field["id"]
    assert api.get("/fields/post::nothing").status_code == 404
    assert api.get("/fields/nothing").status_code == 404


def test_update_changes_only_what_is_sent(api, post):
    field = api.create_field(
        post["id"], "title", "string", hint="h", validators={"length": {"max": 10}}
    )
    response = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "id": field["id"],
                "attributes": {"label": "Headline", "validators": {"required": {}}},
            }
        },
    )
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["label"] == "Headline"
    assert attributes["validators"] == {"required": {}}
    assert attributes["hint"] == "h"
    assert attributes["api_key"] == "title"


def test_a_previous_answer_can_be_sent_back(api, post):
    field = api.create_field(post["id"], "title", "string")
    field["attributes"]["label"] = "Headline"
    response = api.put(f"/fields/{field['id']}", {"data": field})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["label"] == "Headline"


def test_bad_updates_change_nothing(api, post):
    api.create_field(post["id"], "title", "string")
    body = api.create_field(post["id"], "body", "text")
    response = api.put(
        f"/fields/{body['id']}",
        {
            "data": {
                "type": "field",
                "attributes": {
                    "api_key": "title",
                    "validators": {"enum": {"values": ["a"]}},
                    "label": "",
                },
            }
        },
    )
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_FIELD", "api_key", "VALIDATION_UNIQUENESS"),
        ("INVALID_FIELD", "label", "VALIDATION_REQUIRED"),
        ("INVALID_FIELD", "validators", "VALIDATION_VALIDATOR_NOT_ALLOWED"),
    ]
    assert api.get(f"/fields/{body['id']}").body["data"] == body


def test_changing_the_type_rechecks_validators_and_resets_appearance(api, post):
    field = api.create_field(
        post["id"], "count", "text", validators={"format": {"predefined_pattern": "email"}}
    )
    refused = api.put(
        f"/fields/{field['id']}",
        {"data": {"type": "field", "attributes": {"field_type": "integer"}}},
    )
    assert refused.status_code == 422
    assert error_codes(refused) == [
        ("INVALID_FIELD", "validators", "VALIDATION_VALIDATOR_NOT_ALLOWED")
    ]
    changed = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "attributes": {"field_type": "integer", "validators": {"number_range": {"min": 0}}},
            }
        },
    )
    assert changed.status_code == 200, changed.body
    assert changed.body["data"]["attributes"]["appearance"]["editor"] == "integer"


def test_the_title_field_keeps_its_type(api, post):
    title = api.create_field(post["id"], "title", "string")
    response = api.put(
        f"/fields/{title['id']}", {"data": {"type": "field", "attributes": {"field_type": "text"}}}
    )
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "field_type", "VALIDATION_IN_USE")]


def test_localizing_a_field_moves_its_default_to_the_main_locale(api, post, two_locales):
    field = api.create_field(post["id"], "title", "string", default_value="Hi")
    response = api.put(
        f"/fields/{field['id']}", {"data": {"type": "field", "attributes": {"localized": True}}}
    )
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["default_value"] == {"en": "Hi", "it": None}
    response = api.put(
        f"/fields/{field['id']}", {"data": {"type": "field", "attributes": {"localized": False}}}
    )
    assert response.body["data"]["attributes"]["default_value"] == "Hi"


def test_delete_answers_the_field(api, post):
    title = api.create_field(post["id"], "title", "string")
    response = api.delete(f"/fields/{title['id']}")
    assert response.status_code == 200
    assert response.body["data"]["id"] == title["id"]
    assert not Field.objects.exists()
    assert ItemType.objects.get(pk=post["id"]).title_field_id is None
    assert api.delete(f"/fields/{title['id']}").status_code == 404


def test_a_field_a_slug_is_generated_from_cannot_be_deleted(api, post):
    title = api.create_field(post["id"], "title", "string")
    api.create_field(
        post["id"], "slug", "slug", validators={"slug_title_field": {"title_field_id": title["id"]}}
    )
    response = api.delete(f"/fields/{title['id']}")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "DELETE_RESTRICTION"
    assert Field.objects.filter(pk=title["id"]).exists()
