"""POST/GET /item-types, GET/PUT/DELETE /item-types/:id_or_api_key."""

import pytest

from cms.ids import is_valid_id, new_id
from item_types.models import Field, ItemType
from tests.conftest import error_codes

DEFAULTS = {
    "singleton": False,
    "all_locales_required": False,
    "sortable": False,
    "modular_block": False,
    "tree": False,
    "draft_mode_active": False,
    "draft_saving_active": False,
    "ordering_direction": None,
    "ordering_meta": None,
    "collection_appearance": "compact",
    "hint": None,
    "inverse_relationships_enabled": False,
}


def item_type_body(**attributes):
    return {"data": {"type": "item_type", "attributes": attributes}}


def test_create_answers_201_with_every_attribute_and_default(api):
    response = api.post("/item-types", item_type_body(name="Blog post", api_key="post"))
    assert response.status_code == 201
    data = response.body["data"]
    assert data["type"] == "item_type"
    assert is_valid_id(data["id"])
    assert data["attributes"] == {
        "name": "Blog post",
        "api_key": "post",
        **DEFAULTS,
        "collection_appeareance": "compact",
        "has_singleton_item": False,
    }
    relationships = data["relationships"]
    assert relationships["fields"] == {"data": []}
    assert relationships["fieldsets"] == {"data": []}
    for name in (
        "singleton_item",
        "title_field",
        "image_preview_field",
        "excerpt_field",
        "ordering_field",
        "presentation_title_field",
        "presentation_image_field",
        "workflow",
    ):
        assert relationships[name] == {"data": None}
    assert data["meta"] == {"has_singleton_item": False}


def test_create_with_every_attribute(api):
    attributes = {
        **DEFAULTS,
        "name": "Home",
        "api_key": "home_page",
        "singleton": True,
        "all_locales_required": True,
        "draft_mode_active": True,
        "hint": "The home",
        "collection_appearance": "table",
        "ordering_meta": "created_at",
        "ordering_direction": "desc",
        "inverse_relationships_enabled": True,
    }
    response = api.post("/item-types", item_type_body(**attributes))
    assert response.status_code == 201, response.body
    for name, value in attributes.items():
        assert response.body["data"]["attributes"][name] == value


def test_a_client_may_choose_the_id(api):
    chosen = new_id()
    response = api.post(
        "/item-types",
        {"data": {"type": "item_type", "id": chosen, "attributes": {"name": "P", "api_key": "p1"}}},
    )
    assert response.status_code == 201
    assert response.body["data"]["id"] == chosen
    again = api.post(
        "/item-types",
        {"data": {"type": "item_type", "id": chosen, "attributes": {"name": "Q", "api_key": "q1"}}},
    )
    assert again.status_code == 422
    assert error_codes(again) == [("INVALID_ENTITY_ID", "id", "VALIDATION_UNIQUENESS")]
    assert ItemType.objects.count() == 1


def test_a_malformed_id_is_refused(api):
    response = api.post(
        "/item-types",
        {"data": {"type": "item_type", "id": "42", "attributes": {"name": "P", "api_key": "p1"}}},
    )
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_ENTITY_ID", "id", None)]
    assert not ItemType.objects.exists()


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"name": "Post"}, [("INVALID_FIELD", "api_key", "VALIDATION_REQUIRED")]),
        ({"api_key": "post"}, [("INVALID_FIELD", "name", "VALIDATION_REQUIRED")]),
        ({"name": " ", "api_key": "post"}, [("INVALID_FIELD", "name", "VALIDATION_REQUIRED")]),
        ({"name": "P", "api_key": "Post"}, [("INVALID_FIELD", "api_key", "VALIDATION_FORMAT")]),
        (
            {"name": "P", "api_key": "blog__post"},
            [("INVALID_FIELD", "api_key", "VALIDATION_FORMAT")],
        ),
        ({"name": "P", "api_key": "post_"}, [("INVALID_FIELD", "api_key", "VALIDATION_FORMAT")]),
        ({"name": "P", "api_key": "1post"}, [("INVALID_FIELD", "api_key", "VALIDATION_FORMAT")]),
        ({"name": "P", "api_key": "site"}, [("INVALID_FIELD", "api_key", "VALIDATION_RESERVED")]),
        (
            {"name": "P", "api_key": "p2", "collection_appearance": "grid"},
            [("INVALID_FIELD", "collection_appearance", "VALIDATION_INCLUSION")],
        ),
        (
            {"name": "P", "api_key": "p2", "ordering_meta": "created_at"},
            [("INVALID_FIELD", "ordering_direction", "VALIDATION_REQUIRED")],
        ),
        (
            {"name": "P", "api_key": "p2", "modular_block": True, "singleton": True},
            [("INVALID_FIELD", "singleton", "VALIDATION_NOT_ALLOWED_FOR_BLOCKS")],
        ),
        (
            {"name": "P", "api_key": "p2", "sortable": True, "tree": True},
            [("INVALID_FIELD", "tree", "VALIDATION_CONFLICT")],
        ),
        (
            {"name": "P", "api_key": "p2", "draft_mode_active": 1},
            [("INVALID_FIELD", "draft_mode_active", "VALIDATION_FORMAT")],
        ),
    ],
)
def test_bad_item_types_are_refused_and_not_written(api, attributes, expected):
    response = api.post("/item-types", item_type_body(**attributes))
    assert response.status_code == 422
    assert error_codes(response) == expected
    assert not ItemType.objects.exists()


def test_api_key_is_unique(api):
    api.create_item_type("post")
    response = api.post("/item-types", item_type_body(name="Other", api_key="post"))
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_FIELD", "api_key", "VALIDATION_UNIQUENESS")]
    assert response.body["data"][0]["attributes"]["details"]["record_type"] == "ItemType"
    assert ItemType.objects.count() == 1


def test_list_and_find_by_id_or_api_key(api):
    post = api.create_item_type("post")
    block = api.create_item_type("quote", modular_block=True)
    listed = api.get("/item-types").body["data"]
    assert [it["id"] for it in listed] == [post["id"], block["id"]]
    assert api.get(f"/item-types/{post['id']}").body["data"] == post
    assert api.get("/item-types/post").body["data"]["id"] == post["id"]
    missing = api.get("/item-types/nothing")
    assert missing.status_code == 404
    assert error_codes(missing)[0][0] == "NOT_FOUND"


def test_list_query_count_does_not_grow_with_models(api, django_assert_max_num_queries):
    for index in range(6):
        item_type = api.create_item_type(f"model{index}x")
        api.create_field(item_type["id"], "title", "string")
    with django_assert_max_num_queries(4):  # token, last-used update, item types, fields
        response = api.get("/item-types")
    assert len(response.body["data"]) == 6
    assert all(len(it["relationships"]["fields"]["data"]) == 1 for it in response.body["data"])


def test_update_changes_only_what_is_sent(api):
    post = api.create_item_type("post", hint="old")
    response = api.put(
        f"/item-types/{post['id']}",
        {
            "data": {
                "type": "item_type",
                "id": post["id"],
                "attributes": {"name": "Article", "draft_mode_active": True},
            }
        },
    )
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["name"] == "Article"
    assert attributes["draft_mode_active"] is True
    assert attributes["hint"] == "old"
    assert attributes["api_key"] == "post"


def test_a_previous_answer_can_be_sent_back(api):
    post = api.create_item_type("post")
    post["attributes"]["name"] = "Article"
    response = api.put("/item-types/post", {"data": post})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["name"] == "Article"


def test_update_api_key_unique_and_block_flag_fixed(api):
    api.create_item_type("post")
    page = api.create_item_type("page")
    response = api.put(
        f"/item-types/{page['id']}",
        {"data": {"type": "item_type", "attributes": {"api_key": "post", "modular_block": True}}},
    )
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_FIELD", "api_key", "VALIDATION_UNIQUENESS"),
        ("INVALID_FIELD", "modular_block", "VALIDATION_IMMUTABLE"),
    ]
    assert ItemType.objects.get(pk=page["id"]).api_key == "page"


def test_presentation_relationships(api):
    post = api.create_item_type("post")
    title = api.create_field(post["id"], "title", "string")
    summary = api.create_field(post["id"], "summary", "text")
    cover = api.create_field(post["id"], "cover", "file")
    found = api.get("/item-types/post").body["data"]["relationships"]
    assert found["title_field"]["data"] == {"type": "field", "id": title["id"]}
    assert found["image_preview_field"]["data"] == {"type": "field", "id": cover["id"]}

    response = api.put(
        "/item-types/post",
        {
            "data": {
                "type": "item_type",
                "relationships": {
                    "excerpt_field": {"data": {"type": "field", "id": summary["id"]}},
                    "title_field": {"data": None},
                },
            }
        },
    )
    assert response.status_code == 200, response.body
    relationships = response.body["data"]["relationships"]
    assert relationships["excerpt_field"]["data"]["id"] == summary["id"]
    assert relationships["title_field"]["data"] is None


def test_presentation_relationships_must_be_suitable_fields_of_the_model(api):
    post = api.create_item_type("post")
    other = api.create_item_type("page")
    summary = api.create_field(post["id"], "summary", "text")
    foreign = api.create_field(other["id"], "title", "string")
    response = api.put(
        "/item-types/post",
        {
            "data": {
                "type": "item_type",
                "relationships": {
                    "title_field": {"data": {"type": "field", "id": summary["id"]}},
                    "excerpt_field": {"data": {"type": "field", "id": foreign["id"]}},
                    "ordering_field": {"data": {"type": "item_type", "id": summary["id"]}},
                },
            }
        },
    )
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_RELATIONSHIP", "excerpt_field", "VALIDATION_NOT_A_FIELD_OF_THIS_MODEL"),
        ("INVALID_RELATIONSHIP", "ordering_field", "INVALID_TYPE"),
        ("INVALID_RELATIONSHIP", "title_field", "VALIDATION_FIELD_TYPE"),
    ]
    assert ItemType.objects.get(pk=post["id"]).excerpt_field_id is None


def test_delete_answers_the_model_and_removes_its_fields(api):
    post = api.create_item_type("post")
    api.create_field(post["id"], "title", "string")
    response = api.delete("/item-types/post")
    assert response.status_code == 200
    assert response.body["data"]["id"] == post["id"]
    assert response.body["data"]["attributes"]["api_key"] == "post"
    assert not ItemType.objects.exists()
    assert not Field.objects.exists()
    assert api.get("/item-types/post").status_code == 404


def test_a_model_other_models_point_at_cannot_be_deleted(api):
    quote = api.create_item_type("quote", modular_block=True)
    post = api.create_item_type("post")
    api.create_field(
        post["id"],
        "blocks",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [quote["id"]]}},
    )
    api.create_field(
        post["id"], "related", "links", validators={"items_item_type": {"item_types": [post["id"]]}}
    )
    response = api.delete(f"/item-types/{quote['id']}")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "DELETE_RESTRICTION"
    assert response.body["data"][0]["attributes"]["details"]["referenced_by"][0]["api_key"] == (
        "blocks"
    )
    assert ItemType.objects.filter(pk=quote["id"]).exists()
    # A model linking to itself goes with its own fields.
    assert api.delete("/item-types/post").status_code == 200
    assert api.delete(f"/item-types/{quote['id']}").status_code == 200
