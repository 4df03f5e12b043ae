"""Updating records: only what is sent, blocks, stale versions, rival updates."""

from items.models import Item, ItemVersion
from tests.conftest import Api, error_codes, race
from tests.items.conftest import block, make, put


def test_an_update_answers_kept_blocks_as_they_are_stored(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    [part] = record["attributes"]["parts"]
    before = Item.objects.get(pk=part)
    response = put(api, record["id"], {"parts": [{"type": "item", "id": part, "attributes": {}}]})
    assert response.status_code == 200, response.body
    [answered] = [r for r in response.body["included"] if r["id"] == part]
    stored = Item.objects.get(pk=part)
    assert (stored.created_at, stored.current_version) == (
        before.created_at,
        before.current_version,
    )
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert answered["meta"]["created_at"] == nested[0]["meta"]["created_at"]
    assert answered["meta"]["current_version"] == nested[0]["meta"]["current_version"]


def test_update_changes_only_what_is_sent(api, catalogue):
    anvil = catalogue["records"][0]
    response = put(api, anvil["id"], {"price": 120})
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["price"] == 120
    assert attributes["name"] == "Anvil" and attributes["about"]["it"] == "Ferro pesante"
    assert response.body["data"]["meta"]["current_version"] != anvil["meta"]["current_version"]


def test_a_previous_answer_can_be_sent_back(api, catalogue):
    anvil = catalogue["records"][0]
    anvil["attributes"]["name"] = "Big anvil"
    response = api.put(f"/items/{anvil['id']}", {"data": anvil})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["name"] == "Big anvil"


def test_localized_values_are_replaced_whole_and_keep_one_locale_set(api, catalogue):
    anvil = catalogue["records"][0]
    mismatched = put(api, anvil["id"], {"about": {"en": "Only English"}})
    assert mismatched.status_code == 201 or mismatched.status_code == 200
    assert mismatched.body["data"]["attributes"]["about"] == {"en": "Only English"}


def test_bad_updates_write_nothing(api, catalogue):
    anvil = catalogue["records"][0]
    before = api.get(f"/items/{anvil['id']}").body["data"]
    response = put(api, anvil["id"], {"name": None, "price": "cheap", "colour": "red"})
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_FIELD"),
        ("INVALID_FIELD", "name", "VALIDATION_REQUIRED"),
        ("INVALID_FIELD", "price", "INVALID_FORMAT"),
    ]
    assert api.get(f"/items/{anvil['id']}").body["data"] == before
    assert ItemVersion.objects.filter(item_id=anvil["id"]).count() == 1


def test_stale_versions_are_refused(api, catalogue):
    anvil = catalogue["records"][0]
    old = anvil["meta"]["current_version"]
    assert put(api, anvil["id"], {"price": 1}, meta={"current_version": old}).status_code == 200
    stale = put(api, anvil["id"], {"price": 2}, meta={"current_version": old})
    assert stale.status_code == 422
    assert error_codes(stale)[0][0] == "STALE_ITEM_VERSION"
    assert api.get(f"/items/{anvil['id']}").body["data"]["attributes"]["price"] == 1


def test_a_record_keeps_its_model(api, shop, catalogue):
    anvil = catalogue["records"][0]
    response = put(
        api,
        anvil["id"],
        {},
        relationships={"item_type": {"data": {"type": "item_type", "id": shop["maker"]}}},
    )
    assert error_codes(response) == [("INVALID_RELATIONSHIP", "item_type", "VALIDATION_IMMUTABLE")]


def test_block_semantics(api, shop):
    record = make(
        api,
        shop["product"],
        {
            "name": "P",
            "parts": [
                block(shop["part"], label="one"),
                block(shop["part"], label="two"),
                block(shop["part"], label="three"),
            ],
        },
    )
    one, two, three = record["attributes"]["parts"]
    response = put(
        api,
        record["id"],
        {
            "parts": [
                three,  # kept, moved first
                {"type": "item", "id": one, "attributes": {"label": "ONE"}},  # updated in place
                block(shop["part"], label="four"),  # created
            ]
        },
    )  # two: dropped
    assert response.status_code == 200, response.body
    parts = response.body["data"]["attributes"]["parts"]
    assert parts[:2] == [three, one] and len(parts) == 3
    labels = {b.id: b.data for b in Item.objects.filter(root_id=record["id"])}
    assert set(labels) == {one, three, parts[2]}
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert [p["attributes"]["label"] for p in nested] == ["three", "ONE", "four"]
    foreign = put(api, record["id"], {"parts": [two]})
    assert error_codes(foreign) == [("INVALID_FIELD", "parts", "VALIDATION_BLOCK_NOT_FOUND")]


def test_concurrent_updates_with_one_version_exactly_one_wins(racing_api):
    api = racing_api
    page = api.create_item_type("page")
    api.create_field(page["id"], "title", "string")
    record = make(api, page["id"], {"title": "v0"})
    version = record["meta"]["current_version"]

    def update(index):
        response = put(
            Api(racing_api.token),
            record["id"],
            {"title": f"v{index}"},
            meta={"current_version": version},
        )
        return response.status_code

    statuses = race(5, update)
    assert sorted(statuses) == [200, 422, 422, 422, 422]
    assert ItemVersion.objects.filter(item_id=record["id"]).count() == 2
