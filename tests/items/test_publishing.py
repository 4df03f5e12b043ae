"""Publishing records: the state machine, links to unpublished records, selective publishing."""

from items.models import Item
from tests.conftest import error_codes
from tests.items.conftest import make, put


def test_the_publication_state_machine(api):
    page = api.create_item_type("page", draft_mode_active=True)
    api.create_field(page["id"], "title", "string")
    record = make(api, page["id"], {"title": "v1"})
    assert record["meta"]["status"] == "draft"
    published = api.put(f"/items/{record['id']}/publish")
    meta = published.body["data"]["meta"]
    assert meta["status"] == "published" and meta["published_at"]
    first = meta["first_published_at"]
    updated = put(api, record["id"], {"title": "v2"}).body["data"]["meta"]
    assert updated["status"] == "updated"
    again = api.put(f"/items/{record['id']}/publish").body["data"]["meta"]
    assert again["status"] == "published" and again["first_published_at"] == first
    down = api.put(f"/items/{record['id']}/unpublish").body["data"]["meta"]
    assert down["status"] == "draft" and down["published_at"] is None
    assert api.put(f"/items/{'x' * 22}/publish").status_code == 404


def test_publishing_with_links_to_unpublished_records(api):
    author = api.create_item_type("author", draft_mode_active=True)
    api.create_field(author["id"], "name", "string")
    story = api.create_item_type("story", draft_mode_active=True)
    api.create_field(
        story["id"], "writer", "link", validators={"item_item_type": {"item_types": [author["id"]]}}
    )
    api.create_field(
        story["id"],
        "editor",
        "link",
        validators={
            "item_item_type": {
                "item_types": [author["id"]],
                "on_publish_with_unpublished_references_strategy": "publish_references",
            }
        },
    )
    ann = make(api, author["id"], {"name": "Ann"})
    bob = make(api, author["id"], {"name": "Bob"})
    blocked = make(api, story["id"], {"writer": ann["id"]})
    refused = api.put(f"/items/{blocked['id']}/publish")
    assert refused.status_code == 422 and error_codes(refused)[0][0] == "UNPUBLISHED_LINK"
    assert Item.objects.get(pk=blocked["id"]).status == "draft"
    carried = make(api, story["id"], {"editor": bob["id"]})
    assert api.put(f"/items/{carried['id']}/publish").status_code == 200
    assert Item.objects.get(pk=bob["id"]).status == "published"


def test_selective_publishing(api, two_locales):
    guide = api.create_item_type("guide", draft_mode_active=True)
    api.create_field(guide["id"], "title", "string", localized=True)
    api.create_field(guide["id"], "code", "string")
    record = make(api, guide["id"], {"title": {"en": "Hello", "it": "Ciao"}, "code": "A"})
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    put(api, record["id"], {"title": {"en": "Hello!", "it": "Ciao!"}, "code": "B"})

    def selective(locales, non_localized):
        return api.put(
            f"/items/{record['id']}/publish",
            {
                "data": {
                    "type": "selective_publish_operation",
                    "attributes": {
                        "content_in_locales": locales,
                        "non_localized_content": non_localized,
                    },
                }
            },
        )

    response = selective(["it"], False)
    assert response.status_code == 200, response.body
    assert response.body["data"]["meta"]["status"] == "updated"
    published = api.get(f"/items/{record['id']}?version=published").body["data"]["attributes"]
    assert published == {"title": {"en": "Hello", "it": "Ciao!"}, "code": "A"}
    everything = selective(["en"], True).body["data"]["meta"]
    assert everything["status"] == "published"
    published = api.get(f"/items/{record['id']}?version=published").body["data"]["attributes"]
    assert published == {"title": {"en": "Hello!", "it": "Ciao!"}, "code": "B"}
    bad = selective(["fr"], True)
    assert error_codes(bad) == [("INVALID_FIELD", "content_in_locales", "INVALID_LOCALES")]
    wrong = api.put(f"/items/{record['id']}/publish", {"data": {"type": "item"}})
    assert error_codes(wrong)[0][0] == "INVALID_TYPE"
