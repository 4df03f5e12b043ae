"""Records in the admin go through the API's validation and writes."""

import pytest

from items.models import Item, ItemVersion
from tests.conftest import change_url
from tests.items.conftest import item_body
from tests.items.editor_forms import editor_config, error_codes, posted


@pytest.fixture
def page_model(api):
    page = api.create_item_type("page", draft_mode_active=True)
    api.create_field(page["id"], "title", "string", validators={"required": {}})
    api.create_field(page["id"], "views", "integer")
    return page


def test_records_are_listed_per_model(api, admin_client, page_model):
    api.post("/items", item_body(page_model["id"], {"title": "Welcome"}))
    listing = admin_client.get(f"/admin/items/item/?item_type__id__exact={page_model['id']}")
    assert listing.status_code == 200
    assert "Welcome" in listing.content.decode()


def test_adding_a_record_uses_the_api_rules(admin_client, page_model):
    bad = admin_client.post(
        "/admin/items/item/add/",
        posted({"views": "many"}, item_type=page_model["id"]),
    )
    assert bad.status_code == 200
    assert error_codes(bad) == [("views", "INVALID_FORMAT")]  # the form's: not a number
    assert not Item.objects.exists()
    bad = admin_client.post(
        "/admin/items/item/add/", posted({"views": "3"}, item_type=page_model["id"])
    )
    assert error_codes(bad) == [("title", "VALIDATION_REQUIRED")]  # the API's
    assert editor_config(bad)["values"] == {"views": "3"}  # what the editor typed is kept
    assert not Item.objects.exists()
    good = admin_client.post(
        "/admin/items/item/add/",
        posted({"title": "Hi", "views": "3"}, item_type=page_model["id"]),
    )
    assert good.status_code == 302
    record = Item.objects.get()
    assert record.status == "draft" and ItemVersion.objects.filter(item=record).count() == 1


def test_editing_publishing_a_record(api, admin_client, page_model):
    created = api.post("/items", item_body(page_model["id"], {"title": "Old"})).body["data"]
    url = change_url("items", "item", created["id"])
    form = admin_client.get(url)
    assert form.status_code == 200
    assert editor_config(form)["values"] == {"title": "Old", "views": ""}
    refused = admin_client.post(url, posted({"title": ""}))
    assert refused.status_code == 200 and error_codes(refused) == [("title", "VALIDATION_REQUIRED")]
    saved = admin_client.post(url, posted({"title": "New"}))
    assert saved.status_code == 302
    record = Item.objects.get(pk=created["id"])
    assert record.data and ItemVersion.objects.filter(item=record).count() == 2
    assert api.get(f"/items/{created['id']}").body["data"]["attributes"]["title"] == "New"
    admin_client.post(
        "/admin/items/item/", {"action": "publish", "_selected_action": [created["id"]]}
    )
    assert Item.objects.get(pk=created["id"]).status == "published"


def test_tree_records_are_placed_and_moved_in_the_admin(api, admin_client):
    category = api.create_item_type("category", tree=True)
    api.create_field(category["id"], "name", "string")
    fruit = api.post("/items", item_body(category["id"], {"name": "fruit"})).body["data"]
    added = admin_client.post(
        "/admin/items/item/add/",
        {
            "item_type": category["id"],
            **posted({"name": "apple", "parent_id": fruit["id"]}),
        },
    )
    assert added.status_code == 302
    apple = Item.objects.get(tree_parent_id=fruit["id"])
    assert apple.position == 1
    url = change_url("items", "item", apple.id)
    config = editor_config(admin_client.get(url))
    assert config["values"] == {"name": "apple", "position": "1", "parent_id": fruit["id"]}
    assert config["labels"]["records"][fruit["id"]]["title"] == "fruit"
    loop = admin_client.post(url, posted({"name": "apple", "parent_id": apple.id}))
    assert loop.status_code == 200
    assert ("parent_id", "VALIDATION_TREE_CYCLE") in error_codes(loop)
    moved = admin_client.post(url, posted({"name": "apple", "parent_id": "", "position": "1"}))
    assert moved.status_code == 302
    assert Item.objects.get(pk=apple.id).tree_parent_id is None
    assert Item.objects.get(pk=apple.id).position == 1
    assert Item.objects.get(pk=fruit["id"]).position == 2
