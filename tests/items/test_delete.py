"""Deleting records (their blocks, the link strategies), fields and locales."""

from items.models import Item
from tests.conftest import error_codes
from tests.items.conftest import block, make


def test_delete_answers_the_record_and_takes_its_blocks(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    response = api.delete(f"/items/{record['id']}")
    assert response.status_code == 200
    assert response.body["data"]["id"] == record["id"]
    assert response.body["data"]["attributes"]["name"] == "P"  # as it was when deleted
    assert response.body["data"]["meta"]["current_version"] == record["meta"]["current_version"]
    assert not Item.objects.exists()
    assert api.get(f"/items/{record['id']}").status_code == 404


def test_delete_strategies(api, shop, catalogue):
    acme = catalogue["acme"]["id"]
    refused = api.delete(f"/items/{acme}")  # product.maker says "fail"
    assert refused.status_code == 422 and error_codes(refused)[0][0] == "DELETE_RESTRICTION"
    assert Item.objects.filter(pk=acme).exists()
    references = api.get(f"/items/{acme}/references").body["data"]
    assert [r["id"] for r in references] == [catalogue["records"][0]["id"]]

    fan = api.create_item_type("fan")
    api.create_field(
        fan["id"],
        "likes",
        "links",
        validators={"items_item_type": {"item_types": [shop["product"]]}},
    )  # default strategy: delete_references
    rocket, seed = catalogue["records"][1]["id"], catalogue["records"][2]["id"]
    liker = make(api, fan["id"], {"likes": [rocket, seed]})
    assert api.delete(f"/items/{rocket}").status_code == 200
    assert api.get(f"/items/{liker['id']}").body["data"]["attributes"]["likes"] == [seed]


def test_deleting_a_field_or_a_locale_removes_their_values(api, shop):
    record = make(
        api, shop["product"], {"name": "P", "price": 3, "about": {"en": "Hi", "it": "Ciao"}}
    )
    price = api.get("/fields/product::price").body["data"]
    assert api.delete(f"/fields/{price['id']}").status_code == 200
    stored = Item.objects.get(pk=record["id"]).data
    assert price["id"] not in stored
    assert "price" not in api.get(f"/items/{record['id']}").body["data"]["attributes"]
    response = api.put("/site", {"data": {"type": "site", "attributes": {"locales": ["en"]}}})
    assert response.status_code == 200
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["about"] == {"en": "Hi"}
    model = api.get("/item-types/product").body["data"]
    assert api.delete(f"/item-types/{model['id']}").status_code == 200
    assert not Item.objects.filter(pk=record["id"]).exists()
