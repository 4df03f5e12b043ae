"""A model's menu items (SPEC-2 §3): made with it (``skip_menu_item_creation``,
``menu_item_id``, ``schema_menu_item_id``), removed with it (``skip_menu_items_deletion``).
Model create and destroy still answer synchronously (201, 200)."""

import pytest

from cms.ids import new_id
from item_types.models import ItemType
from menus.models import MenuItem, SchemaMenuItem
from tests.conftest import error_codes
from tests.menus.conftest import create, menu, rows

SCHEMA = "schema_menu_item"


def model_body(api_key: str, **attributes) -> dict:
    attributes = {"name": api_key.title(), "api_key": api_key, **attributes}
    return {"data": {"type": "item_type", "attributes": attributes}}


def linked(model_id: str) -> tuple[list, list]:
    """(menu items, schema menu items) linked to the model: (id, label, kind...)."""
    return (
        list(MenuItem.objects.filter(item_type=model_id).values_list("id", "label", "position")),
        list(SchemaMenuItem.objects.filter(item_type=model_id).values_list("id", "label", "kind")),
    )


def test_a_new_model_gets_a_menu_item_and_a_schema_menu_item(api):
    create(api, "Home")
    response = api.post("/item-types", model_body("post", name="Blog post"))
    assert response.status_code == 201, response.body
    model = response.body["data"]

    items, schema_items = linked(model["id"])
    assert [(label, position) for _, label, position in items] == [("Blog post", 2)]
    assert [(label, kind) for _, label, kind in schema_items] == [(None, "item_type")]


def test_a_new_block_gets_only_a_schema_menu_item(api):
    block = api.create_item_type("quote", modular_block=True)
    items, schema_items = linked(block["id"])
    assert items == []
    assert [(label, kind) for _, label, kind in schema_items] == [(None, "modular_block")]


def test_skip_menu_item_creation(api):
    response = api.post("/item-types?skip_menu_item_creation=true", model_body("post"))
    assert response.status_code == 201, response.body
    assert linked(response.body["data"]["id"]) == ([], [])
    response = api.post("/item-types?skip_menu_item_creation=false", model_body("page"))
    assert linked(response.body["data"]["id"]) != ([], [])


def test_the_new_items_ids_can_be_chosen(api):
    menu_item_id, schema_item_id = new_id(), new_id()
    response = api.post(
        f"/item-types?menu_item_id={menu_item_id}&schema_menu_item_id={schema_item_id}",
        model_body("post"),
    )
    assert response.status_code == 201, response.body
    items, schema_items = linked(response.body["data"]["id"])
    assert [i[0] for i in items] == [menu_item_id]
    assert [i[0] for i in schema_items] == [schema_item_id]
    assert api.get(f"/menu-items/{menu_item_id}").status_code == 200


@pytest.mark.parametrize(
    "query, parameter",
    [
        ("skip_menu_item_creation=maybe", "skip_menu_item_creation"),
        ("menu_item_id=not-an-id", "menu_item_id"),
        ("menu_item_id=TAKEN", "menu_item_id"),
        ("schema_menu_item_id=TAKEN_SCHEMA", "schema_menu_item_id"),
        ("skip_menu_item_creation=true&menu_item_id=NEW", "menu_item_id"),
    ],
)
def test_bad_menu_parameters_refuse_the_model_and_write_nothing(api, query, parameter):
    taken = create(api, "Taken")["id"]
    taken_schema = create(api, "Taken", type_=SCHEMA)["id"]
    query = query.replace("TAKEN_SCHEMA", taken_schema).replace("TAKEN", taken)
    query = query.replace("NEW", new_id())  # made here: xdist's workers collect the same ids
    before = (rows(), rows(SCHEMA), list(ItemType.objects.values_list("id", flat=True)))

    response = api.post(f"/item-types?{query}", model_body("post"))

    assert response.status_code == 422, response.body
    assert response.body["data"][0]["attributes"]["code"] == "INVALID_QUERY_PARAMETERS"
    assert response.body["data"][0]["attributes"]["details"]["parameter"] == parameter
    assert (rows(), rows(SCHEMA), list(ItemType.objects.values_list("id", flat=True))) == before


def test_a_block_takes_no_menu_item_id(api):
    response = api.post(
        f"/item-types?menu_item_id={new_id()}", model_body("quote", modular_block=True)
    )
    assert response.status_code == 422
    assert not ItemType.objects.exists()
    assert rows(SCHEMA) == []


def test_a_refused_model_makes_no_menu_items(api):
    response = api.post("/item-types", model_body("Bad Key"))
    assert response.status_code == 422
    assert (rows(), rows(SCHEMA)) == ([], [])


def test_destroying_a_model_removes_its_items_and_keeps_those_under_them(api):
    first = create(api, "First")
    post = api.create_item_type("post")
    last = create(api, "Last")
    ((post_item, _, _),) = linked(post["id"])[0]
    create(api, "Under post", parent=post_item)
    create(api, "Also under", parent=post_item)

    response = api.delete(f"/item-types/{post['id']}")

    assert response.status_code == 200, response.body
    assert response.body["data"]["id"] == post["id"]
    assert menu(api) == [
        ("First", None, 1),
        ("Under post", None, 2),
        ("Also under", None, 3),
        ("Last", None, 4),
    ]
    assert linked(post["id"]) == ([], [])
    assert {first["id"], last["id"]} <= set(MenuItem.objects.values_list("id", flat=True))
    assert not SchemaMenuItem.objects.exists()


def test_skip_menu_items_deletion_keeps_them_linked_to_nothing(api):
    post = api.create_item_type("post", name="Post")
    ((item_id, _, _),) = linked(post["id"])[0]
    ((schema_id, _, _),) = linked(post["id"])[1]

    response = api.delete(f"/item-types/{post['id']}?skip_menu_items_deletion=true")

    assert response.status_code == 200, response.body
    item = api.get(f"/menu-items/{item_id}").body["data"]
    assert (item["attributes"]["label"], item["relationships"]["item_type"]["data"]) == (
        "Post",
        None,
    )
    schema_item = api.get(f"/schema-menu-items/{schema_id}").body["data"]
    # A group needs a name: it takes the model's.
    assert schema_item["attributes"]["label"] == "Post"
    assert schema_item["relationships"]["item_type"]["data"] is None


def test_a_bad_skip_flag_keeps_the_model(api):
    post = api.create_item_type("post")
    response = api.delete(f"/item-types/{post['id']}?skip_menu_items_deletion=yes")
    assert response.status_code == 422
    assert error_codes(response)[0][0] == "INVALID_QUERY_PARAMETERS"
    assert ItemType.objects.filter(pk=post["id"]).exists()
    assert linked(post["id"]) != ([], [])


def test_the_admin_makes_and_removes_a_models_items_too(admin_client):
    response = admin_client.post(
        "/admin/item_types/itemtype/add/",
        {
            "name": "Post",
            "api_key": "post",
            "collection_appearance": "compact",
            "fields-TOTAL_FORMS": "0",
            "fields-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    model = ItemType.objects.get(api_key="post")
    assert [label for _, label, _ in linked(model.id)[0]] == ["Post"]


def test_a_duplicated_model_gets_its_own_items(api):
    post = api.create_item_type("post", name="Post")
    response = api.post(f"/item-types/{post['id']}/duplicate")
    assert response.status_code in (200, 201), response.body
    copy = response.body["data"]
    items, schema_items = linked(copy["id"])
    assert [label for _, label, _ in items] == [copy["attributes"]["name"]]
    assert [kind for _, _, kind in schema_items] == ["item_type"]
