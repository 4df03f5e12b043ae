"""The Django admin of the site, models and fields saves through the API's services, so it
obeys the same rules."""

import pytest
from django.contrib.admin.utils import quote
from django.urls import reverse

from item_types.models import Field, Fieldset, ItemType, Site
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
        },
    )
    assert response.status_code == 200  # the link validator's chooser, with no model chosen
    assert "Name at least one model." in response.content.decode()
    assert not Field.objects.exists()

    response = admin_client.post(
        "/admin/item_types/field/add/",
        {
            "item_type": post.pk,
            "label": "Title",
            "api_key": "title",
            "field_type": "string",
            "validator_required": "on",
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


# --- Fieldsets: their own pages, listed on the model's; a field's fieldset on its form ----


def test_fieldsets_are_edited_through_the_services(admin_client, api):
    post = api.create_item_type("post")
    page_model = api.create_item_type("page")
    title = api.create_field(post["id"], "title", "string")
    for url in ("/admin/item_types/fieldset/", "/admin/item_types/fieldset/add/"):
        assert admin_client.get(url).status_code == 200

    add = {"item_type": post["id"], "title": "SEO", "hint": "", "collapsible": "on"}
    response = admin_client.post("/admin/item_types/fieldset/add/", add)
    assert response.status_code == 302, response.content.decode()[:2000]
    seo = Fieldset.objects.get()
    assert (seo.title, seo.hint, seo.collapsible, seo.position) == ("SEO", None, True, 2)
    refused = admin_client.post("/admin/item_types/fieldset/add/", {**add, "position": "0"})
    assert refused.status_code == 200 and Fieldset.objects.count() == 1

    # The model's page lists it, with a link to it and one to add another.
    model_page = admin_client.get(change_url("item_types", "itemtype", post["id"])).content.decode()
    assert change_url("item_types", "fieldset", seo.pk) in model_page
    assert f"/admin/item_types/fieldset/add/?item_type={post['id']}" in model_page

    # A field's form offers its model's fieldsets, and moving it goes through the service.
    field_url = change_url("item_types", "field", title["id"])
    form = admin_client.get(field_url).context["adminform"].form
    assert list(form.fields["fieldset"].queryset) == [seo]
    other = Fieldset.objects.create(item_type_id=page_model["id"], title="Page's")
    edit = {"label": "Title", "api_key": "title", "field_type": "string"}
    wrong = admin_client.post(field_url, {**edit, "fieldset": other.pk})
    assert wrong.status_code == 200  # the form again: not a choice for this model
    assert Field.objects.get(pk=title["id"]).fieldset_id is None
    moved = admin_client.post(field_url, {**edit, "fieldset": seo.pk})
    assert moved.status_code == 302, moved.content.decode()[:2000]
    assert Field.objects.get(pk=title["id"]).fieldset_id == seo.pk

    # Deleting the fieldset moves its field to the top level.
    delete_url = reverse("admin:item_types_fieldset_delete", args=[quote(seo.pk)])
    deleted = admin_client.post(delete_url, {"post": "yes"})
    assert deleted.status_code == 302
    field = Field.objects.get(pk=title["id"])
    assert (field.fieldset_id, field.position) == (None, 1)
    assert not Fieldset.objects.filter(item_type_id=post["id"]).exists()
