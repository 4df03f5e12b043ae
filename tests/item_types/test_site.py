"""GET/PUT /site: name, locales (main first), timezone."""

import pytest

from item_types.models import Field, Site
from tests.conftest import error_codes


def put_site(api, **attributes):
    return api.put("/site", {"data": {"type": "site", "attributes": attributes}})


def test_a_new_site_has_one_locale(api):
    response = api.get("/site")
    assert response.status_code == 200
    data = response.body["data"]
    assert data["type"] == "site"
    assert data["attributes"]["locales"] == ["en"]
    assert data["attributes"]["timezone"] == "UTC"
    assert data["relationships"]["item_types"] == {"data": []}


def test_update_name_locales_and_timezone(api):
    response = put_site(api, name="Magazine", locales=["it", "en", "pt-BR"], timezone="Europe/Rome")
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["name"] == "Magazine"
    assert attributes["locales"] == ["it", "en", "pt-BR"]
    assert attributes["timezone"] == "Europe/Rome"
    assert Site.load().main_locale == "it"
    assert api.get("/site").body["data"]["attributes"]["locales"] == ["it", "en", "pt-BR"]


def test_site_lists_its_item_types_and_includes_them(api):
    post = api.create_item_type("post")
    api.create_field(post["id"], "title", "string")
    response = api.get("/site?include=item_types,item_types.fields")
    assert response.body["data"]["relationships"]["item_types"]["data"] == [
        {"type": "item_type", "id": post["id"]}
    ]
    included = {(r["type"], r["attributes"]["api_key"]) for r in response.body["included"]}
    assert included == {("item_type", "post"), ("field", "title")}


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"locales": []}, ("INVALID_FIELD", "locales", "VALIDATION_REQUIRED")),
        ({"locales": ["en", "en"]}, ("INVALID_FIELD", "locales", "VALIDATION_UNIQUENESS")),
        ({"locales": ["English"]}, ("INVALID_FIELD", "locales", "VALIDATION_FORMAT")),
        ({"locales": [1]}, ("INVALID_FIELD", "locales", "VALIDATION_FORMAT")),
        ({"locales": "en"}, ("INVALID_FIELD", "locales", "VALIDATION_FORMAT")),
        ({"timezone": "Mars/Olympus"}, ("INVALID_FIELD", "timezone", "VALIDATION_FORMAT")),
        ({"name": None}, ("INVALID_FIELD", "name", "VALIDATION_REQUIRED")),
        ({"no_index": "no"}, ("INVALID_FIELD", "no_index", "VALIDATION_FORMAT")),
        ({"owner": "me"}, ("INVALID_ATTRIBUTES", "owner", "VALIDATION_UNKNOWN_ATTRIBUTE")),
    ],
)
def test_bad_site_updates_change_nothing(api, attributes, expected):
    before = api.get("/site").body["data"]["attributes"]
    response = put_site(api, **attributes)
    assert response.status_code == 422
    assert error_codes(response) == [expected]
    after = api.get("/site").body["data"]["attributes"]
    assert after == before


def test_read_only_attributes_sent_back_are_ignored(api):
    previous = api.get("/site").body["data"]
    previous["attributes"]["name"] = "Renamed"
    response = api.put("/site", {"data": previous})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["name"] == "Renamed"


def test_removing_a_locale_removes_its_default_values(api):
    put_site(api, locales=["en", "it"])
    post = api.create_item_type("post")
    field = api.create_field(
        post["id"], "title", "string", localized=True, default_value={"en": "Hello", "it": "Ciao"}
    )
    assert field["attributes"]["default_value"] == {"en": "Hello", "it": "Ciao"}
    response = put_site(api, locales=["en"])
    assert response.status_code == 200
    assert Field.objects.get(pk=field["id"]).default_value == {"en": "Hello"}
    assert api.get(f"/fields/{field['id']}").body["data"]["attributes"]["default_value"] == {
        "en": "Hello"
    }
