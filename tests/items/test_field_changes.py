"""A field's new type or localization converts the records' values (DatoCMS's rules), or
is refused, writing nothing, when some value can't follow."""

import pytest
from django.db import connection

from cms.api.errors import ApiError
from items.field_indexes import index_name as field_index_name
from items.models import Item, ItemVersion, UniqueValue
from tests.conftest import create_upload, error_codes, png_bytes
from tests.items.conftest import block, make, put


def change(api, model, api_key, **attributes):
    return api.put(
        f"/fields/{model}::{api_key}", {"data": {"type": "field", "attributes": attributes}}
    )


def values(api, record_id) -> dict:
    response = api.get(f"/items/{record_id}")
    assert response.status_code == 200, response.body
    return response.body["data"]["attributes"]


@pytest.fixture
def page(api, two_locales):
    """page: title (localized string), code (string), size (string), cover (file)."""
    model = api.create_item_type("page")
    api.create_field(model["id"], "title", "string", localized=True)
    api.create_field(model["id"], "code", "string", validators={"unique": {}})
    api.create_field(model["id"], "size", "string")
    api.create_field(model["id"], "cover", "file")
    return model


def test_a_new_type_converts_values_it_can_take(api, page):
    first = make(api, page["id"], {"size": "42"})["id"]
    second = make(api, page["id"], {"size": None})["id"]
    response = change(api, "page", "size", field_type="integer")
    assert response.status_code == 200, response.body
    assert values(api, first)["size"] == 42
    assert values(api, second)["size"] is None
    listed = api.get("/items?filter[type]=page&filter[fields][size][gt]=41").body["data"]
    assert [r["id"] for r in listed] == [first]  # filters compare numbers now
    assert change(api, "page", "size", field_type="float").status_code == 200
    assert values(api, first)["size"] == 42.0
    assert change(api, "page", "size", field_type="string").status_code == 200
    assert values(api, first)["size"] == "42"


def test_a_new_type_some_values_cant_take_is_refused(api, page):
    fine = make(api, page["id"], {"size": "42"})["id"]
    wrong = make(api, page["id"], {"size": "large"})["id"]
    response = change(api, "page", "size", field_type="integer")
    assert response.status_code == 422, response.body
    assert error_codes(response) == [
        ("INVALID_FIELD", "field_type", "VALIDATION_RECORDS_HOLD_VALUES")
    ]
    assert response.body["data"][0]["attributes"]["details"]["records"] == [wrong]
    assert api.get("/fields/page::size").body["data"]["attributes"]["field_type"] == "string"
    assert values(api, fine)["size"] == "42"  # nothing written


def test_localizing_puts_the_value_in_the_records_first_locale(api, page):
    italian = make(api, page["id"], {"title": {"it": "Ciao"}, "size": "L"})["id"]
    plain = make(api, page["id"], {"size": "M"})["id"]  # names no locale: the main one
    assert change(api, "page", "size", localized=True).status_code == 200
    assert values(api, italian)["size"] == {"it": "L"}
    assert values(api, plain)["size"] == {"en": "M"}
    assert change(api, "page", "size", localized=False).status_code == 200
    assert values(api, italian)["size"] == "L"
    assert values(api, plain)["size"] == "M"


def test_with_every_locale_required_the_main_locale_gets_it(api, two_locales):
    model = api.create_item_type("guide", all_locales_required=True)
    api.create_field(model["id"], "title", "string", localized=True)
    api.create_field(model["id"], "tag", "string", default_value="none")
    record = make(api, model["id"], {"title": {"en": "Hi", "it": "Ciao"}, "tag": "x"})["id"]
    defaults = {"en": "none", "it": "nessuno"}
    response = change(api, "guide", "tag", localized=True, default_value=defaults)
    assert response.status_code == 200, response.body
    assert values(api, record)["tag"] == {"en": "x", "it": "nessuno"}  # the default elsewhere
    updated = api.put(
        f"/items/{record}",
        {"data": {"type": "item", "id": record, "attributes": {"tag": {"en": "y", "it": "z"}}}},
    )
    assert updated.status_code == 200, updated.body  # the converted record is valid
    assert change(api, "guide", "tag", localized=False).status_code == 200
    assert values(api, record)["tag"] == "y"


def test_unique_claims_follow_and_a_clash_refuses(api, page):
    english = make(api, page["id"], {"title": {"en": "A"}, "code": "same"})["id"]
    assert change(api, "page", "code", localized=True).status_code == 200
    assert list(UniqueValue.objects.filter(item_id=english).values_list("locale", flat=True)) == [
        "en"
    ]
    italian = make(api, page["id"], {"title": {"it": "B"}, "code": {"it": "same"}})["id"]
    response = change(api, "page", "code", localized=False)
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "localized", "VALIDATION_UNIQUENESS")]
    assert values(api, italian)["code"] == {"it": "same"}  # nothing written
    assert UniqueValue.objects.count() == 2


def test_links_uploads_and_blocks_keep_their_shape_while_records_hold_them(api, page):
    api.create_field(
        page["id"], "next", "link", validators={"item_item_type": {"item_types": [page["id"]]}}
    )
    empty = make(api, page["id"], {"size": "S"})["id"]
    upload = create_upload(api, png_bytes())["id"]
    holder = make(api, page["id"], {"cover": {"upload_id": upload}, "next": empty})["id"]
    for api_key, attributes in [
        ("cover", {"localized": True}),
        ("next", {"localized": True}),
        ("next", {"field_type": "string", "validators": {}}),
    ]:
        response = change(api, "page", api_key, **attributes)
        assert response.status_code == 422, response.body
        assert error_codes(response) == [
            ("INVALID_FIELD", "field_type", "VALIDATION_RECORDS_HOLD_VALUES")
        ]
        assert response.body["data"][0]["attributes"]["details"]["records"] == [holder]
    assert values(api, holder)["cover"]["upload_id"] == upload  # untouched

    assert (
        api.put(
            f"/items/{holder}",
            {"data": {"type": "item", "id": holder, "attributes": {"cover": None}}},
        ).body["data"]["attributes"]["cover"]
        is None
    )
    response = change(api, "page", "cover", localized=True)  # no record holds one now
    assert response.status_code == 200, response.body
    assert values(api, empty)["cover"] == {"en": None}


def test_the_filter_index_follows_the_field_and_survives_a_new_label(api, page):
    if connection.vendor != "postgresql":
        pytest.skip("the expression indexes are PostgreSQL's")
    field_id = api.get("/fields/page::size").body["data"]["id"]
    make(api, page["id"], {"size": "7"})["id"]

    def index():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT c.oid, i.indexdef FROM pg_indexes i JOIN pg_class c "
                "ON c.relname = i.indexname WHERE i.indexname = %s",
                [field_index_name(field_id)],
            )
            return cursor.fetchone()

    oid, definition = index()
    assert "(data ->> '" in definition
    assert change(api, "page", "size", label="Size (cm)").status_code == 200
    assert index()[0] == oid  # not rebuilt
    assert change(api, "page", "size", localized=True).status_code == 200
    assert index() is None  # localized values are filtered without one
    assert change(api, "page", "size", localized=False).status_code == 200
    assert change(api, "page", "size", field_type="integer").status_code == 200
    assert "(data -> '" in index()[1]  # compared as JSON numbers now


@pytest.fixture
def draft(api, two_locales):
    """note (draft mode): title (localized string), size (string)."""
    model = api.create_item_type("note", draft_mode_active=True)
    api.create_field(model["id"], "title", "string", localized=True)
    api.create_field(model["id"], "size", "string")
    return model


def test_published_snapshots_follow_and_old_versions_keep_what_cant(api, draft):
    record = make(api, draft["id"], {"title": {"en": "A", "it": "B"}, "size": "large"})["id"]
    first_version = api.get(f"/items/{record}").body["data"]["meta"]["current_version"]
    assert put(api, record, {"size": "42"}).status_code == 200
    assert api.put(f"/items/{record}/publish").status_code == 200

    assert change(api, "note", "size", field_type="integer").status_code == 200
    published = api.get(f"/items/{record}?version=published").body["data"]["attributes"]
    assert published["size"] == 42
    restored = api.post(f"/versions/{first_version}/restore")
    assert restored.status_code == 422  # "large" stayed in that version: validated, refused

    assert change(api, "note", "size", localized=True).status_code == 200
    published = api.get(f"/items/{record}?version=published").body["data"]["attributes"]
    assert published["size"] == {"en": 42, "it": None}
    selective = api.put(
        f"/items/{record}/publish",
        {
            "data": {
                "type": "selective_publish_operation",
                "attributes": {"content_in_locales": ["it"], "non_localized_content": False},
            }
        },
    )
    assert selective.status_code == 200, selective.body


def test_a_published_snapshot_that_cant_follow_refuses_the_change(api, draft):
    record = make(api, draft["id"], {"size": "large"})["id"]
    assert api.put(f"/items/{record}/publish").status_code == 200
    assert put(api, record, {"size": "42"}).status_code == 200  # the draft could follow
    response = change(api, "note", "size", field_type="integer")
    assert response.status_code == 422, response.body
    assert response.body["data"][0]["attributes"]["details"]["records"] == [record]
    assert values(api, record)["size"] == "42"


def test_empty_values_keep_their_locales_and_get_defaults(api, two_locales):
    model = api.create_item_type("card", all_locales_required=True)
    api.create_field(model["id"], "name", "string")  # the title: its type is fixed
    api.create_field(model["id"], "label", "string", localized=True)
    api.create_field(model["id"], "note", "string")
    record = make(api, model["id"], {"label": {"en": None, "it": None}})["id"]
    response = change(api, "card", "label", field_type="text")
    assert response.status_code == 200, response.body
    assert values(api, record)["label"] == {"en": None, "it": None}  # both locales kept
    defaults = {"en": "-", "it": "–"}
    assert change(api, "card", "note", localized=True, default_value=defaults).status_code == 200
    assert values(api, record)["note"] == {"en": None, "it": "–"}


def test_a_block_fields_new_type_converts_blocks_and_their_snapshots(api, two_locales):
    part = api.create_item_type("part", modular_block=True)
    api.create_field(part["id"], "name", "string")  # the title: its type is fixed
    api.create_field(part["id"], "qty", "string")
    kit = api.create_item_type("kit")
    api.create_field(
        kit["id"],
        "parts",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [part["id"]]}},
    )
    record = make(api, kit["id"], {"parts": [block(part["id"], qty="7")]})["id"]
    response = change(api, "part", "qty", field_type="integer")
    assert response.status_code == 200, response.body
    nested = api.get(f"/items/{record}?nested=true").body["data"]["attributes"]["parts"]
    assert nested[0]["attributes"]["qty"] == 7
    [snapshot] = ItemVersion.objects.get(item_id=record).blocks.values()
    assert 7 in snapshot["data"].values()


def test_a_write_checked_against_a_model_changed_since_is_refused(api, page):
    """A write validated before a schema change committed (it waited for its locks)
    refuses rather than store values of the old shape."""
    from items.content_model import ContentModel
    from record_api import batch

    stale = ContentModel.load()
    item_type = stale.find("page")
    assert change(api, "page", "size", localized=True).status_code == 200
    with pytest.raises(ApiError) as refused:
        batch.create_batch(
            item_type=item_type,
            records=[{"size": "M"}],
            mode=batch.Mode.ROLLBACK,
            creator_id=None,
            model=stale,
        )
    assert (refused.value.code, refused.value.status) == ("SCHEMA_CHANGED", 409)
    assert not Item.objects.exists()
    assert make(api, page["id"], {"size": {"en": "M"}})["id"]  # with the model as it is: fine
