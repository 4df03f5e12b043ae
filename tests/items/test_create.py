"""POST /items: the record, its meta, ids, localization, blocks, and what is never written."""

import pytest

from cms.ids import is_valid_id, new_id
from items.models import Item, UniqueValue
from tests.conftest import Api, create_upload, error_codes, png_bytes, race
from tests.items.conftest import block, item_body


def test_the_seed_request_gets_the_seed_answer(api):
    """The documented example, sent as it is, with a real model and upload."""
    post = api.create_item_type("post", hint="Blog posts will be shown in our website")
    for api_key, field_type in (
        ("title", "string"),
        ("content", "text"),
        ("category", "string"),
        ("image", "file"),
    ):
        api.create_field(post["id"], api_key, field_type)
    upload = create_upload(api, png_bytes())
    body = {
        "data": {
            "type": "item",
            "attributes": {
                "title": "My first blog post!",
                "content": "Lorem ipsum dolor sit amet...",
                "category": "24",
                "image": {
                    "upload_id": upload["id"],
                    "alt": "Alt text",
                    "title": "Image title",
                    "custom_data": {},
                },
            },
            "relationships": {"item_type": {"data": {"type": "item_type", "id": post["id"]}}},
        }
    }
    response = api.post("/items", body, content_type="application/vnd.api+json")
    assert response.status_code == 201, response.body
    data = response.body["data"]
    assert data["type"] == "item" and is_valid_id(data["id"])
    assert data["relationships"]["item_type"] == {"data": {"type": "item_type", "id": post["id"]}}
    assert data["relationships"]["creator"]["data"]["type"] == "access_token"
    assert data["attributes"] == {
        "title": "My first blog post!",
        "content": "Lorem ipsum dolor sit amet...",
        "category": "24",
        "image": {
            "alt": "Alt text",
            "title": "Image title",
            "custom_data": {},
            "focal_point": None,
            "upload_id": upload["id"],
        },
    }
    assert set(data["meta"]) == {
        "created_at",
        "updated_at",
        "published_at",
        "first_published_at",
        "publication_scheduled_at",
        "unpublishing_scheduled_at",
        "status",
        "is_valid",
        "is_current_version_valid",
        "is_published_version_valid",
        "current_version",
        "stage",
        "has_children",
    }
    assert data["meta"]["status"] == "published"
    assert data["meta"]["published_at"] and data["meta"]["first_published_at"]
    [included] = response.body["included"]
    assert included["type"] == "item_type" and included["id"] == post["id"]
    assert included["attributes"]["api_key"] == "post"
    assert len(included["relationships"]["fields"]["data"]) == 4
    assert api.get(f"/items/{data['id']}").body["data"] == data


def test_omitted_fields_take_their_defaults(blog):
    data = blog.create({"title": "T", "content": {"en": "Hello"}}).body["data"]
    assert data["attributes"] == {
        "title": "T",
        "content": {"en": "Hello"},
        "summary": {"en": "Soon"},
        "category": "news",
        "image": None,
        "blocks": [],
        "related": [],
    }


def test_a_record_without_localized_values_has_the_main_locale(blog):
    data = blog.create({"title": "T"}).body["data"]
    assert data["attributes"]["content"] == {"en": None}
    assert data["attributes"]["summary"] == {"en": "Soon"}


def test_ids_chosen_by_the_client(blog):
    chosen = new_id()
    assert blog.create({"title": "T"}, id=chosen).body["data"]["id"] == chosen
    taken = blog.create({"title": "U"}, id=chosen, status=422)
    assert error_codes(taken) == [("INVALID_ENTITY_ID", "id", "VALIDATION_UNIQUENESS")]
    malformed = blog.create({"title": "U"}, id="24", status=422)
    assert error_codes(malformed) == [("INVALID_ENTITY_ID", "id", None)]
    assert Item.objects.count() == 1


def test_imports_may_set_creation_and_first_publication(blog):
    meta = {
        "created_at": "2019-05-01T10:00:00Z",
        "first_published_at": "2019-05-02T08:30:00Z",
        "status": "draft",
        "current_version": "ignored",
    }
    data = blog.create({"title": "Old"}, meta=meta).body["data"]
    assert data["meta"]["created_at"] == "2019-05-01T10:00:00.000+00:00"
    assert data["meta"]["first_published_at"] == "2019-05-02T08:30:00.000+00:00"
    assert data["meta"]["status"] == "published"
    bad = blog.create({"title": "Old"}, meta={"created_at": "yesterday"}, status=422)
    assert error_codes(bad) == [("INVALID_FIELD", "meta.created_at", "INVALID_FORMAT")]


def test_draft_mode_starts_records_as_drafts(api):
    page = api.create_item_type("page", draft_mode_active=True)
    api.create_field(page["id"], "title", "string")
    response = api.post("/items", item_body(page["id"], {"title": "Draft"}))
    meta = response.body["data"]["meta"]
    assert meta["status"] == "draft"
    assert meta["published_at"] is None and meta["first_published_at"] is None


def test_a_singleton_has_one_record(api):
    home = api.create_item_type("home", singleton=True)
    api.create_field(home["id"], "headline", "string")
    first = api.post("/items", item_body(home["id"], {"headline": "Hi"}))
    assert first.status_code == 201
    record_id = first.body["data"]["id"]
    assert first.body["included"][0]["relationships"]["singleton_item"]["data"]["id"] == record_id
    model = api.get("/item-types/home").body["data"]
    assert model["meta"]["has_singleton_item"] is True
    assert model["relationships"]["singleton_item"]["data"] == {"type": "item", "id": record_id}
    listed = api.get("/item-types").body["data"][0]
    assert listed["attributes"]["has_singleton_item"] is True
    second = api.post("/items", item_body(home["id"], {"headline": "Again"}))
    assert second.status_code == 422
    assert error_codes(second)[0][0] == "DUPLICATE_SINGLETON"
    assert Item.objects.count() == 1


def test_what_a_record_is_of(blog, api):
    direct_block = api.post("/items", item_body(blog.quote["id"], {"text": "x"}))
    assert direct_block.status_code == 422
    assert error_codes(direct_block) == [
        ("INVALID_RELATIONSHIP", "item_type", "VALIDATION_BLOCK_MODEL")
    ]
    unknown = api.post("/items", item_body(new_id(), {"title": "x"}))
    assert unknown.status_code == 404
    assert error_codes(unknown)[0][0] == "ITEM_TYPE_NOT_FOUND"
    missing = api.post("/items", {"data": {"type": "item", "attributes": {"title": "x"}}})
    assert error_codes(missing) == [("INVALID_RELATIONSHIP", "item_type", "VALIDATION_REQUIRED")]
    wrong_type = api.post(
        "/items",
        {
            "data": {
                "type": "item",
                "attributes": {},
                "relationships": {"item_type": {"data": {"type": "field", "id": blog.post["id"]}}},
            }
        },
    )
    assert error_codes(wrong_type) == [("INVALID_RELATIONSHIP", "item_type", "INVALID_TYPE")]
    assert not Item.objects.exists()


def test_unknown_attributes_are_refused(blog):
    response = blog.create({"title": "T", "subtitle": "no such field"}, status=422)
    assert error_codes(response) == [("INVALID_ATTRIBUTES", "subtitle", "VALIDATION_UNKNOWN_FIELD")]
    assert not Item.objects.exists()


def test_roles(blog, editor_api, readonly_api):
    body = item_body(blog.post["id"], {"title": "T"})
    assert editor_api.post("/items", body).status_code == 201
    refused = readonly_api.post("/items", body)
    assert refused.status_code == 403
    assert Item.objects.count() == 1


# --- Localization ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        (
            {"content": {"en": "a"}, "summary": {"en": "b", "it": "c"}},
            [("INVALID_FIELD", "summary", "INVALID_LOCALES")],
        ),
        ({"content": {"en": "a", "fr": "b"}}, [("INVALID_FIELD", "content", "INVALID_LOCALES")]),
        ({"content": "bare"}, [("INVALID_FIELD", "content", "INVALID_LOCALES")]),
        (
            {"category": {"en": "news", "it": "notizie"}},
            [("INVALID_FIELD", "category", "INVALID_LOCALES")],
        ),
        ({"content": {"en": 5}}, [("INVALID_FIELD", "content", "INVALID_FORMAT")]),
    ],
)
def test_localization_rules(blog, attributes, expected):
    response = blog.create({"title": "T", **attributes}, status=422)
    assert error_codes(response) == expected
    assert not Item.objects.exists()


def test_one_locale_set_for_every_localized_field(blog):
    data = blog.create({"title": "T", "content": {"it": "Ciao"}, "summary": {"it": "Breve"}}).body[
        "data"
    ]
    assert data["attributes"]["content"] == {"it": "Ciao"}
    assert data["attributes"]["summary"] == {"it": "Breve"}


def test_errors_name_their_locale(api, two_locales):
    post = api.create_item_type("post")
    api.create_field(
        post["id"],
        "title",
        "string",
        localized=True,
        validators={"required": {}, "length": {"max": 3}},
    )
    response = api.post("/items", item_body(post["id"], {"title": {"en": "long", "it": None}}))
    details = sorted(
        (e["attributes"]["details"]["locale"], e["attributes"]["details"]["code"])
        for e in response.body["data"]
    )
    assert details == [("en", "VALIDATION_LENGTH"), ("it", "VALIDATION_REQUIRED")]


def test_all_locales_required(api, two_locales):
    post = api.create_item_type("post", all_locales_required=True)
    api.create_field(post["id"], "title", "string", localized=True)
    missing = api.post("/items", item_body(post["id"], {"title": {"en": "Hi"}}))
    assert missing.status_code == 422
    assert error_codes(missing) == [("INVALID_FIELD", "title", "INVALID_LOCALES")]
    details = missing.body["data"][0]["attributes"]["details"]
    assert details["required_locales"] == ["en", "it"]
    assert details["missing_locales"] == ["it"]
    nulls_allowed = api.post("/items", item_body(post["id"], {"title": {"en": "Hi", "it": None}}))
    assert nulls_allowed.status_code == 201
    assert nulls_allowed.body["data"]["attributes"]["title"] == {"en": "Hi", "it": None}
    omitted = api.post("/items", item_body(post["id"], {}))
    assert omitted.body["data"]["attributes"]["title"] == {"en": None, "it": None}


# --- Blocks ------------------------------------------------------------------------------


def test_blocks_are_created_at_any_depth(blog):
    nested = block(
        blog.section["id"],
        heading="Outer",
        parts=[
            block(blog.quote["id"], text="Inner quote"),
            block(
                blog.section["id"], heading="Inner", parts=[block(blog.quote["id"], text="Deep")]
            ),
        ],
    )
    response = blog.create({"title": "T", "blocks": [block(blog.quote["id"], text="Q1"), nested]})
    data = response.body["data"]
    top_ids = data["attributes"]["blocks"]
    assert len(top_ids) == 2 and all(is_valid_id(block_id) for block_id in top_ids)
    included_blocks = {r["id"]: r for r in response.body["included"] if r["type"] == "item"}
    assert len(included_blocks) == 5
    outer = included_blocks[top_ids[1]]
    assert outer["attributes"]["heading"] == "Outer"
    assert outer["relationships"]["item_type"]["data"]["id"] == blog.section["id"]
    inner_section = included_blocks[outer["attributes"]["parts"][1]]
    deep = included_blocks[inner_section["attributes"]["parts"][0]]
    assert deep["attributes"] == {"text": "Deep"}
    stored = Item.objects.get(pk=deep["id"])
    assert stored.root_id == data["id"] and stored.parent_id == inner_section["id"]
    assert Item.objects.filter(root_id=data["id"]).count() == 5


def test_block_problems_give_the_path_down_to_them(blog):
    response = blog.create(
        {
            "title": "T",
            "blocks": [
                block(blog.quote["id"], text="fine"),
                block(blog.section["id"], heading="S", parts=[block(blog.quote["id"], text="")]),
                block(blog.post["id"], title="a record is no block"),
                block(blog.quote["id"], text="x", colour="red"),
            ],
        },
        status=422,
    )
    errors = [e["attributes"]["details"] for e in response.body["data"]]
    assert {
        "field": "blocks",
        "code": "VALIDATION_REQUIRED",
        "path": ["blocks", 1, "parts", 0, "text"],
    } in errors
    assert any(
        e["code"] == "VALIDATION_RICH_TEXT_BLOCKS" and e["path"] == ["blocks", 2] for e in errors
    )
    assert any(
        e["code"] == "VALIDATION_UNKNOWN_FIELD" and e["path"] == ["blocks", 3, "colour"]
        for e in errors
    )
    assert len(errors) == 3
    assert not Item.objects.exists()


def test_a_new_record_cannot_reuse_blocks(blog):
    first = blog.create({"title": "T", "blocks": [block(blog.quote["id"], text="Q")]})
    block_id = first.body["data"]["attributes"]["blocks"][0]
    response = blog.create({"title": "U", "blocks": [block_id]}, status=422)
    assert error_codes(response) == [("INVALID_FIELD", "blocks", "VALIDATION_BLOCK_NOT_FOUND")]


def test_block_ids_may_be_chosen_and_must_be_free(blog):
    chosen = new_id()
    quote = block(blog.quote["id"], text="Q") | {"id": chosen}
    data = blog.create({"title": "T", "blocks": [quote]}).body["data"]
    assert data["attributes"]["blocks"] == [chosen]
    again = blog.create({"title": "U", "blocks": [quote]}, status=422)
    assert error_codes(again) == [("INVALID_FIELD", "blocks", "INVALID_ENTITY_ID")]


def test_nothing_is_written_when_a_block_fails(blog):
    blog.create(
        {
            "title": "T",
            "blocks": [block(blog.quote["id"], text="ok"), block(blog.quote["id"], text=None)],
        },
        status=422,
    )
    assert not Item.objects.exists() and not UniqueValue.objects.exists()


# --- Speed: queries do not grow with the payload -----------------------------------------


def _count_create_queries(api, blog, size, django_assert_max_num_queries, queries):
    uploads = [create_upload(api, png_bytes(color=(size, i, 0)))["id"] for i in range(size)]
    targets = [blog.create({"title": f"target {size} {i}"}).body["data"]["id"] for i in range(size)]
    attributes = {
        "title": f"Big {size}",
        "content": {"en": "x", "it": "y"},
        "image": {"upload_id": uploads[0]},
        "related": targets,
        "blocks": [
            block(blog.section["id"], heading=f"S{i}", parts=[block(blog.quote["id"], text="q")])
            for i in range(size)
        ],
    }
    with django_assert_max_num_queries(queries) as captured:
        blog.create(attributes)
    return len(captured.captured_queries)


def test_create_query_count_is_constant(api, blog, django_assert_max_num_queries):
    small = _count_create_queries(api, blog, 1, django_assert_max_num_queries, 20)
    large = _count_create_queries(api, blog, 12, django_assert_max_num_queries, 20)
    assert small == large


# --- Concurrency -------------------------------------------------------------------------


def test_concurrent_creates_of_a_unique_value_exactly_one_wins(racing_api):
    api = racing_api
    post = api.create_item_type("post")
    api.create_field(post["id"], "slug", "string", validators={"unique": {}})

    def create(_):
        response = Api(racing_api.token).post("/items", item_body(post["id"], {"slug": "same"}))
        return response.status_code, response.body

    statuses = race(6, create)
    assert sorted(status for status, _ in statuses) == [201, 422, 422, 422, 422, 422], statuses
    for status, body in statuses:
        if status == 422:
            details = body["data"][0]["attributes"]["details"]
            assert (details["field"], details["code"]) == ("slug", "VALIDATION_UNIQUENESS")
    assert Item.objects.count() == 1


def test_an_upload_a_record_uses_cannot_be_deleted(blog, api):
    upload = blog.upload()
    gallery_user = blog.create({"title": "T", "image": {"upload_id": upload["id"]}})
    response = api.delete(f"/uploads/{upload['id']}")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "DELETE_RESTRICTION"
    references = response.body["data"][0]["attributes"]["details"]["references"]
    assert references == [{"type": "item", "id": gallery_user.body["data"]["id"]}]
    unused = blog.upload()
    assert api.delete(f"/uploads/{unused['id']}").status_code == 200
