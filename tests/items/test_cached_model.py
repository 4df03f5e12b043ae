"""A create is checked against the content model this worker has cached (PostgreSQL's
one-statement create, items/services/create_statement.py), which may predate a schema
change another worker made: the answer is still the one the model as it is gives."""

import pytest

from items import content_model
from items.content_model import ContentModel
from items.models import Item, ItemVersion
from tests.conftest import error_codes
from tests.items.conftest import item_body


@pytest.fixture
def note(api):
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string", validators={"required": {}})
    response = api.post("/items", item_body(model["id"], {"title": "first"}))
    assert response.status_code == 201, response.body
    return model


def _stale_cache(stale: ContentModel) -> None:
    """As a worker that read the model before the change and not since."""
    for storage in list(content_model._cached):
        content_model._cached[storage] = stale


def test_a_value_the_cached_model_allows_but_the_current_one_refuses(api, note):
    stale = ContentModel.load()
    api.create_field(note["id"], "rank", "integer", validators={"required": {}})
    _stale_cache(stale)
    response = api.post("/items", item_body(note["id"], {"title": "no rank"}))
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "rank", "VALIDATION_REQUIRED")]
    assert Item.objects.filter(item_type_id=note["id"]).count() == 1
    assert ItemVersion.objects.filter(item_type_id=note["id"]).count() == 1


def test_a_value_the_cached_model_refuses_but_the_current_one_allows(api, note):
    stale = ContentModel.load()
    api.create_field(note["id"], "rank", "integer", validators={"required": {}})
    _stale_cache(stale)
    response = api.post("/items", item_body(note["id"], {"title": "ranked", "rank": 3}))
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["rank"] == 3
    record = Item.objects.get(pk=response.body["data"]["id"])
    assert ItemVersion.objects.get(pk=record.current_version).data == record.data


def test_a_refusal_with_the_model_unchanged_is_answered_once(api, note):
    response = api.post("/items", item_body(note["id"], {"title": None}))
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", "title", "VALIDATION_REQUIRED")]
    assert Item.objects.filter(item_type_id=note["id"]).count() == 1
