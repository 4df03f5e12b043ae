"""A record's versions: listing, restoring, and versions for records older than them."""

import importlib

from django.apps import apps

from items.models import Item, ItemVersion
from tests.items.conftest import block, make, put


def test_versions_and_restore(api, catalogue):
    anvil = catalogue["records"][0]
    put(api, anvil["id"], {"price": 150})
    put(api, anvil["id"], {"price": 175})
    listed = api.get(f"/items/{anvil['id']}/versions")
    assert listed.body["meta"]["total_count"] == 3
    newest, middle, oldest = listed.body["data"]
    assert [v["attributes"]["price"] for v in listed.body["data"]] == [175, 150, 100]
    assert newest["meta"]["is_current"] is True and oldest["meta"]["is_current"] is False
    assert newest["type"] == "item_version"
    assert newest["relationships"]["item"]["data"]["id"] == anvil["id"]
    assert api.get(f"/versions/{oldest['id']}").body["data"]["attributes"]["price"] == 100
    restored = api.post(f"/versions/{oldest['id']}/restore")  # as the official client sends
    assert restored.status_code == 200, restored.body
    record, version = restored.body["data"]
    assert record["attributes"]["price"] == 100 and version["type"] == "item_version"
    assert api.get(f"/items/{anvil['id']}/versions?page[limit]=1").body["meta"]["total_count"] == 4
    assert api.put("/versions/nope/restore").status_code == 404


def test_restore_brings_back_dropped_blocks(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    first_version = record["meta"]["current_version"]
    put(api, record["id"], {"parts": []})
    assert not Item.objects.filter(root_id=record["id"]).exists()
    restored = api.put(f"/versions/{first_version}/restore")
    assert restored.status_code == 200, restored.body
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert [p["attributes"]["label"] for p in nested] == ["a"]


def test_records_older_than_versions_get_one_and_can_be_published(api, shop):
    """Migration 0006: a record written before versions existed gets the version its
    current_version names (with its blocks), so publishing it points at a real one."""
    record = make(api, shop["product"], {"name": "Old", "parts": [block(shop["part"], label="a")]})
    ItemVersion.objects.filter(item_id=record["id"]).delete()  # as before 0003
    migration = importlib.import_module("items.migrations.0006_versions_for_older_records")
    migration.add_missing_versions(apps, None)
    version = ItemVersion.objects.get(item_id=record["id"])
    assert version.id == record["meta"]["current_version"]
    assert [b["data"] for b in version.blocks.values()] == [
        Item.objects.get(root_id=record["id"]).data
    ]
    migration.add_missing_versions(apps, None)  # a second run adds nothing
    assert ItemVersion.objects.filter(item_id=record["id"]).count() == 1
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    published = api.get(f"/items/{record['id']}?version=published&nested=true")
    assert published.status_code == 200, published.body
    assert published.body["data"]["attributes"]["parts"][0]["attributes"]["label"] == "a"
