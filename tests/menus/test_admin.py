"""The content menu in the admin: listed by parent and position, saved through the menus'
services (the API's rules: dense positions, no item under itself)."""

import pytest

from menus.models import MenuItem
from tests.conftest import change_url
from tests.menus.conftest import create, menu, rows


def form(label, parent="", position="", item_type="", external_url=""):
    return {
        "label": label,
        "parent": parent,
        "position": position,
        "item_type": item_type,
        "external_url": external_url,
    }


@pytest.mark.parametrize("url", ["/admin/menus/menuitem/", "/admin/menus/menuitem/add/"])
def test_admin_pages_render(admin_client, api, url):
    create(api, "A")
    response = admin_client.get(url)
    assert response.status_code == 200
    assert "text/html" in response["Content-Type"]


def test_the_list_is_in_menu_order(admin_client, api):
    b = create(api, "Bee")
    create(api, "Bee two", parent=b["id"])
    create(api, "Bee one", parent=b["id"], position=1)
    create(api, "Ant", position=1)
    page = admin_client.get("/admin/menus/menuitem/").content.decode()
    found = [page.index(label) for label in ("Ant", "Bee<", "Bee one", "Bee two")]
    assert found == sorted(found)


def test_adding_and_moving_follow_the_api_rules(admin_client, api):
    a, b = create(api, "A"), create(api, "B")

    response = admin_client.post("/admin/menus/menuitem/add/", form("First", position="1"))
    assert response.status_code == 302
    assert menu(api) == [("First", None, 1), ("A", None, 2), ("B", None, 3)]

    response = admin_client.post(
        change_url("menus", "menuitem", a["id"]), form("A", parent=b["id"], position="")
    )
    assert response.status_code == 302
    assert menu(api) == [("First", None, 1), ("B", None, 2), ("A", "B", 1)]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"position": "0"}, "VALIDATION_NUMBER_RANGE"),
        ({"parent": "SELF"}, "VALIDATION_CYCLE"),
        ({"external_url": "nope"}, "VALIDATION_FORMAT"),
    ],
)
def test_refusals_show_on_the_form_and_write_nothing(admin_client, api, changes, message):
    a = create(api, "A")
    create(api, "B")
    before = rows()
    values = form("A", **{k: v.replace("SELF", a["id"]) for k, v in changes.items()})
    response = admin_client.post(change_url("menus", "menuitem", a["id"]), values)
    assert response.status_code == 200  # the form again
    assert message in response.content.decode()
    assert rows() == before


def test_deleting_takes_the_items_under_it_and_closes_the_gap(admin_client, api):
    a, b = create(api, "A"), create(api, "B")
    create(api, "A1", parent=a["id"])
    response = admin_client.post(
        change_url("menus", "menuitem", a["id"]).replace("/change/", "/delete/"), {"post": "yes"}
    )
    assert response.status_code == 302
    assert list(MenuItem.objects.values_list("id", "position")) == [(b["id"], 1)]
