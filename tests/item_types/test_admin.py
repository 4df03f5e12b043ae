"""The Django admin of the site, models and fields saves through the API's services, so it
obeys the same rules."""

import pytest

from item_types.models import Field, ItemType, Site
from tests.conftest import change_url

# The model page shows its fields inline; a form posts the inline's management data.
EMPTY_FIELD_INLINE = {"fields-TOTAL_FORMS": "0", "fields-INITIAL_FORMS": "0"}


@pytest.mark.parametrize(
    "url",
    [
        "/admin/item_types/site/",
        "/admin/item_types/itemtype/",
        "/admin/item_types/itemtype/add/",
        "/admin/item_types/field/",
        "/admin/item_types/field/add/",
    ],
)
def test_admin_pages_render(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_site_locales_are_edited_with_the_api_rules(admin_client):
    site = Site.load()
    url = change_url("item_types", "site", site.pk)
    bad = admin_client.post(url, {"name": "S", "locales": "en, en", "timezone": "UTC"})
    assert bad.status_code == 200  # the form again, with the error
    assert "VALIDATION_UNIQUENESS" in bad.content.decode()
    assert Site.load().locales == ["en"]
    good = admin_client.post(url, {"name": "S", "locales": "it, en", "timezone": "Europe/Rome"})
    assert good.status_code == 302
    site = Site.load()
    assert site.locales == ["it", "en"] and site.timezone == "Europe/Rome"


def test_models_and_fields_are_created_with_the_api_rules(admin_client):
    response = admin_client.post(
        "/admin/item_types/itemtype/add/",
        {
            "name": "Post",
            "api_key": "Bad Key",
            "collection_appearance": "compact",
            **EMPTY_FIELD_INLINE,
        },
    )
    assert response.status_code == 200
    assert "VALIDATION_FORMAT" in response.content.decode()
    assert not ItemType.objects.exists()

    response = admin_client.post(
        "/admin/item_types/itemtype/add/",
        {
            "name": "Post",
            "api_key": "post",
            "collection_appearance": "compact",
            **EMPTY_FIELD_INLINE,
        },
    )
    assert response.status_code == 302
    post = ItemType.objects.get(api_key="post")

    response = admin_client.post(
        "/admin/item_types/field/add/",
        {
            "item_type": post.pk,
            "label": "Related",
            "api_key": "related",
            "field_type": "link",
            "validators": "{}",
        },
    )
    assert response.status_code == 200
    assert "VALIDATION_MISSING_VALIDATOR" in response.content.decode()
    assert not Field.objects.exists()

    response = admin_client.post(
        "/admin/item_types/field/add/",
        {
            "item_type": post.pk,
            "label": "Title",
            "api_key": "title",
            "field_type": "string",
            "validators": '{"required": {}}',
        },
    )
    assert response.status_code == 302
    title = Field.objects.get(api_key="title")
    assert title.position == 1
    assert title.appearance["editor"] == "single_line"
    post.refresh_from_db()
    assert post.title_field_id == title.pk

    page = admin_client.get(change_url("item_types", "itemtype", post.pk))
    assert page.status_code == 200 and "title" in page.content.decode()
