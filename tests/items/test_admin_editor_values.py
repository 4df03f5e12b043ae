"""The record editor's value conversion (items/admin_editor/): each field type's wire value
goes to the form and comes back the same; a whole record (localized values, blocks at any
depth, structured text) round-trips through the admin's pages; a bad value, the form's or
the API's, writes nothing and is named at its field and locale."""

import json

import pytest
from django.contrib.admin.utils import quote

from item_types.field_types import FIELD_TYPES
from items.admin_editor import dast_form
from items.admin_editor.widgets import WIDGETS, FormValueError
from items.models import Item, ItemVersion
from tests.conftest import change_url, create_upload, png_bytes
from tests.items.conftest import block
from tests.items.editor_forms import editor_config, error_codes, posted

FILE = {
    "upload_id": "u1",
    "alt": "An alt",
    "title": None,
    "custom_data": {"k": "v"},
    "focal_point": {"x": 0.5, "y": 0.25},
}
DAST = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [
            {"type": "heading", "level": 2, "children": [{"type": "span", "value": "Title"}]},
            {
                "type": "paragraph",
                "children": [
                    {"type": "span", "value": "Some "},
                    {"type": "span", "value": "bold*", "marks": ["strong"]},
                    {"type": "span", "value": " and ", "marks": ["emphasis", "code"]},
                    {
                        "type": "link",
                        "url": "https://example.com/a_(b)",
                        "children": [{"type": "span", "value": "a link"}],
                    },
                    {
                        "type": "itemLink",
                        "item": "r1",
                        "children": [{"type": "span", "value": "x"}],
                    },
                    {"type": "inlineItem", "item": "r2"},
                ],
            },
            {
                "type": "list",
                "style": "numbered",
                "children": [
                    {
                        "type": "listItem",
                        "children": [
                            {"type": "paragraph", "children": [{"type": "span", "value": t}]}
                        ],
                    }
                    for t in ("one", "two")
                ],
            },
            {
                "type": "blockquote",
                "attribution": "Me",
                "children": [{"type": "paragraph", "children": [{"type": "span", "value": "Q"}]}],
            },
            {"type": "code", "code": "print(1)\n", "language": "python"},
            {"type": "thematicBreak"},
            {  # a nested list: the markup can't say it, the node is kept as JSON
                "type": "list",
                "style": "bulleted",
                "children": [
                    {
                        "type": "listItem",
                        "children": [
                            {"type": "paragraph", "children": [{"type": "span", "value": "a"}]},
                            {"type": "list", "style": "bulleted", "children": []},
                        ],
                    }
                ],
            },
        ],
    },
}

#: field type -> wire values that must come back unchanged.
WIRE_VALUES = {
    "string": ["A title", None],
    "text": ["Line 1\nLine 2", None],
    "slug": ["a-slug", None],
    "boolean": [True, False],
    "integer": [42, -7, None],
    "float": [1.5, 2, None],
    "date": ["2026-12-01", None],
    "date_time": ["2018-11-24T10:00:00.000+00:00", "2018-11-24T10:00:00.123+00:00", None],
    "color": [{"red": 255, "green": 16, "blue": 0, "alpha": 128}, None],
    "json": ['{"a": [1, 2]}', None],
    "lat_lon": [{"latitude": 45.5, "longitude": -9}, None],
    "seo": [
        {
            "title": "T",
            "description": "D",
            "image": "u1",
            "twitter_card": "summary",
            "no_index": True,
        },
        None,
    ],
    "video": [
        {
            "url": "https://youtu.be/x",
            "provider": "youtube",
            "provider_uid": "x",
            "thumbnail_url": "https://i.ytimg.com/x.jpg",
            "title": None,
            "width": 640,
            "height": 360,
        },
        None,
    ],
    "file": [FILE, None],
    "gallery": [[FILE, {**FILE, "upload_id": "u2"}], []],
    "link": ["r1", None],
    "links": [["r1", "r2"], []],
    "structured_text": [DAST, None],
}


class NoBlocks:
    def to_form(self, block):
        return {"id": block, "item_type": None, "fields": {}}

    def from_form(self, block, index):
        return block["id"]


def test_every_field_type_has_a_widget():
    assert set(WIDGETS) == set(FIELD_TYPES)


@pytest.mark.parametrize(
    ("field_type", "value"),
    [(field_type, value) for field_type, values in WIRE_VALUES.items() for value in values],
)
def test_a_wire_value_comes_back_from_the_form_unchanged(field_type, value):
    widget = WIDGETS[field_type]
    form = json.loads(json.dumps(widget.to_form(value, NoBlocks())))  # as the page holds it
    assert widget.from_form(form, NoBlocks()) == value


def test_structured_text_nodes_are_edited_as_text_and_kept_as_json_when_they_must_be():
    form = dast_form.to_form(DAST, NoBlocks())
    assert [node["kind"] for node in form] == [
        *("heading", "paragraph", "list", "blockquote", "code", "thematicBreak", "raw"),
    ]
    assert form[1]["text"] == (
        "Some **bold\\****` and `*[a link](https://example.com/a_(b\\))[x](record:r1){{record:r2}}"
    )
    assert form[2]["text"] == "one\ntwo"
    assert dast_form.parse_inline("**a** _b_ ~~c~~") == [
        {"type": "span", "value": "a", "marks": ["strong"]},
        {"type": "span", "value": " _b_ "},
        {"type": "span", "value": "c", "marks": ["strikethrough"]},
    ]


@pytest.mark.parametrize(
    ("field_type", "form", "message"),
    [
        ("integer", "many", "Expected a whole number."),
        ("integer", "1.5", "Expected a whole number."),
        ("float", "1,5", "Expected a number."),
        ("date_time", "yesterday", "Expected a date and time."),
        ("color", {"hex": "red", "alpha": "255"}, "Expected a colour as #rrggbb."),
        ("json", "{nope", "The text is not valid JSON."),
        ("lat_lon", {"latitude": "north", "longitude": "1"}, "Expected a number."),
        ("file", {"alt": "no upload"}, "Choose an upload."),
        ("gallery", [FILE, {"alt": "no upload"}], "Choose an upload."),
    ],
)
def test_a_form_value_with_no_wire_value_is_refused(field_type, form, message):
    with pytest.raises(FormValueError) as refused:
        WIDGETS[field_type].from_form(form, NoBlocks())
    assert refused.value.message == message
    if field_type == "gallery":
        assert refused.value.steps == (1,)  # the file's place in the gallery


# --- Through the admin's pages --------------------------------------------------------


@pytest.fixture
def world(api, blog):
    """The blog (tests/items/conftest.py) and a record of it with everything filled in."""
    upload = create_upload(api, png_bytes())
    other = blog.create({"title": "Other"}).body["data"]
    nested = block(blog.section["id"], heading="Part", parts=[block(blog.quote["id"], text="In")])
    attributes = {
        "title": "First",
        "content": {"en": "Hello", "it": "Ciao"},
        "summary": {"en": "S", "it": None},
        "image": {**FILE, "upload_id": upload["id"]},
        "blocks": [block(blog.quote["id"], text="Quoted"), nested],
        "related": [other["id"]],
    }
    record = blog.create(attributes).body["data"]
    return {"blog": blog, "record": record, "other": other, "upload": upload}


def values_of(api, record_id) -> dict:
    """The record's values with its blocks nested, without what a write changes (times)."""

    def strip(value):
        if isinstance(value, dict):
            return {k: strip(v) for k, v in value.items() if k not in ("meta", "creator")}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return strip(api.get(f"/items/{record_id}?nested=true").body["data"]["attributes"])


def test_a_record_opens_and_saves_unchanged(api, admin_client, world):
    record = world["record"]
    url = change_url("items", "item", record["id"])
    before = values_of(api, record["id"])
    config = editor_config(admin_client.get(url))
    values = config["values"]
    assert values["content"] == {"en": "Hello", "it": "Ciao"}
    assert values["summary"] == {"en": "S", "it": ""}  # an input holds text
    assert [b["fields"].get("text") or b["fields"]["heading"] for b in values["blocks"]] == [
        "Quoted",
        "Part",
    ]
    assert values["blocks"][1]["fields"]["parts"][0]["fields"] == {"text": "In"}
    assert config["labels"]["records"][world["other"]["id"]]["title"] == "Other"
    assert config["labels"]["uploads"][world["upload"]["id"]]["is_image"] is True
    blocks_before = set(Item.objects.filter(root_id=record["id"]).values_list("id", flat=True))

    saved = admin_client.post(url, posted(values))
    assert saved.status_code == 302, error_codes(saved)
    assert (
        values_of(api, record["id"]) == before
    )  # the same blocks (their ids kept), the same values
    assert set(Item.objects.filter(root_id=record["id"]).values_list("id", flat=True)) == (
        blocks_before
    )


def test_a_bad_value_inside_a_block_writes_nothing_and_is_named_where_it_is(
    api, admin_client, world
):
    record = world["record"]
    url = change_url("items", "item", record["id"])
    values = editor_config(admin_client.get(url))["values"]
    values["blocks"][1]["fields"]["parts"][0]["fields"]["text"] = ""  # required
    values["content"]["it"] = "Changed"
    versions = ItemVersion.objects.filter(item_id=record["id"]).count()
    refused = admin_client.post(url, posted(values))
    assert refused.status_code == 200
    assert error_codes(refused) == [("blocks/1/parts/0/text", "VALIDATION_REQUIRED")]
    assert editor_config(refused)["values"]["content"]["it"] == "Changed"  # kept for the editor
    assert ItemVersion.objects.filter(item_id=record["id"]).count() == versions
    content = api.get(f"/items/{record['id']}").body["data"]["attributes"]["content"]
    assert content == {"en": "Hello", "it": "Ciao"}


def test_a_form_error_in_a_locale_writes_nothing(admin_client, world):
    blog = world["blog"]
    values = {"title": "New", "content": {"en": "ok", "it": "ok"}, "image": {"alt": "x"}}
    refused = admin_client.post("/admin/items/item/add/", posted(values, item_type=blog.post["id"]))
    assert error_codes(refused) == [("image", "INVALID_FORMAT")]
    assert Item.objects.filter(item_type_id=blog.post["id"]).count() == 2  # the fixture's


def test_publish_unpublish_and_restore_say_what_they_did(api, admin_client, world):
    record = world["record"]
    url = change_url("items", "item", record["id"])
    base = f"/admin/items/item/{quote(record['id'])}"
    first_version = record["meta"]["current_version"]
    published = admin_client.post(f"{base}/publish/", follow=True)
    assert "The record was published." in published.content.decode()
    assert Item.objects.get(pk=record["id"]).status == "published"
    values = editor_config(admin_client.get(url))["values"]
    assert admin_client.post(url, posted({**values, "title": "Second"})).status_code == 302
    page = admin_client.get(url).content.decode()
    assert f"restore/{quote(first_version)}/" in page
    restored = admin_client.post(f"{base}/restore/{quote(first_version)}/", follow=True)
    assert "was restored" in restored.content.decode()
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["title"] == "First"
    unpublished = admin_client.post(f"{base}/unpublish/", follow=True)
    assert "The record was unpublished." in unpublished.content.decode()
    assert Item.objects.get(pk=record["id"]).status == "draft"
    assert admin_client.get(f"{base}/publish/").status_code == 403  # a write needs a POST


def test_the_choosers_offer_only_what_the_field_allows(admin_client, world):
    blog = world["blog"]
    records = admin_client.get(
        "/admin/items/item/choose/records/", {"models": blog.post["id"], "q": "other"}
    ).json()["results"]
    assert [r["title"] for r in records] == ["Other"]
    none = admin_client.get(
        "/admin/items/item/choose/records/", {"models": blog.quote["id"]}
    ).json()["results"]
    assert none == []  # blocks are no records to link
    uploads = admin_client.get("/admin/items/item/choose/uploads/").json()["results"]
    assert [u["id"] for u in uploads] == [world["upload"]["id"]]
    refused = admin_client.post("/admin/items/item/choose/upload-file/")
    assert refused.status_code == 400


def test_a_post_without_the_editor_values_writes_nothing(admin_client, world):
    blog = world["blog"]
    for values in ({}, {"values": "not json"}, {"values": '{"values": []}'}):
        refused = admin_client.post(
            "/admin/items/item/add/", {"item_type": blog.post["id"], **values}
        )
        assert refused.status_code == 200
        assert "The editor sent no values" in refused.content.decode()
    assert Item.objects.filter(item_type_id=blog.post["id"]).count() == 2  # the fixture's
