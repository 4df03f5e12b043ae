"""Sortable and tree models for the tests: the models, records made and moved over HTTP,
and a tree's shape read back."""

import pytest

from tests.items.conftest import item_body, put


@pytest.fixture
def category(api):
    """A tree model with draft/published, ``name``; and another tree model."""
    model = api.create_item_type("category", tree=True, draft_mode_active=True)
    api.create_field(model["id"], "name", "string")
    other = api.create_item_type("place", tree=True)
    api.create_field(other["id"], "name", "string")
    return {"id": model["id"], "other": other["id"]}


@pytest.fixture
def slide(api):
    model = api.create_item_type("slide", sortable=True)
    api.create_field(model["id"], "name", "string")
    return model["id"]


def create(api, model_id, name, **placement):
    response = api.post("/items", item_body(model_id, {"name": name, **placement}))
    assert response.status_code == 201, response.body
    return response.body["data"]


def move(api, record_id, **placement):
    return put(api, record_id, placement)


def shape(api, model_id) -> dict:
    """name -> (parent's name or None, position), read over HTTP."""
    response = api.get(f"/items?filter[type]={model_id}&page[limit]=500")
    assert response.status_code == 200, response.body
    names = {r["id"]: r["attributes"]["name"] for r in response.body["data"]}
    return {
        r["attributes"]["name"]: (
            names.get(r["attributes"].get("parent_id")),
            r["attributes"]["position"],
        )
        for r in response.body["data"]
    }


def names(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [r["attributes"]["name"] for r in response.body["data"]]


def import_tree(api, model_id) -> dict:
    """fruit (apple, pear (williams, abate)), vegetables (leek): name -> id."""
    ids = {}
    for name, parent in [
        ("fruit", None),
        ("vegetables", None),
        ("apple", "fruit"),
        ("pear", "fruit"),
        ("williams", "pear"),
        ("abate", "pear"),
        ("leek", "vegetables"),
    ]:
        ids[name] = create(api, model_id, name, parent_id=ids.get(parent))["id"]
    return ids


TREE = {
    "fruit": (None, 1),
    "vegetables": (None, 2),
    "apple": ("fruit", 1),
    "pear": ("fruit", 2),
    "williams": ("pear", 1),
    "abate": ("pear", 2),
    "leek": ("vegetables", 1),
}
