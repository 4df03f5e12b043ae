"""Sortable and tree models over HTTP, reads and publishing: lists filtered by parent and
position and ordered by position, ``has_children`` in one query, publishing and
unpublishing along the tree."""

import pytest

from tests.conftest import error_codes
from tests.items.trees import category, create, import_tree, names, slide

__all__ = ["category", "slide"]  # fixtures


# --- Lists --------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["parent_id", "parent"])
def test_filters_on_parent_and_position(api, category, key):
    ids = import_tree(api, category["id"])
    base = f"/items?filter[type]={category['id']}&order_by=position_ASC"
    assert names(api.get(f"{base}&filter[fields][{key}][eq]={ids['pear']}")) == [
        "williams",
        "abate",
    ]
    assert names(api.get(f"{base}&filter[fields][{key}][exists]=false")) == [
        "fruit",
        "vegetables",
    ]
    assert sorted(names(api.get(f"{base}&filter[fields][{key}][exists]=true"))) == sorted(
        ["apple", "pear", "williams", "abate", "leek"]
    )
    roots_first = f"{base}&filter[fields][{key}][exists]=false&filter[fields][position]"
    assert names(api.get(f"{roots_first}[gt]=1")) == ["vegetables"]


@pytest.mark.parametrize(
    ("op", "value", "expected"),
    [
        ("eq", 2, ["b"]),
        ("neq", 2, ["a", "c", "d"]),
        ("gt", 2, ["c", "d"]),
        ("gte", 2, ["b", "c", "d"]),
        ("lt", 2, ["a"]),
        ("lte", 2, ["a", "b"]),
    ],
)
def test_position_filters(api, slide, op, value, expected):
    for name in "abcd":
        create(api, slide, name)
    path = (
        f"/items?filter[type]={slide}&order_by=position_ASC&filter[fields][position][{op}]={value}"
    )
    assert names(api.get(path)) == expected


@pytest.mark.parametrize(
    "query",
    [
        "filter[fields][position][gt]=two",
        "filter[fields][position][in]=1",
        "filter[fields][position][exists]=true",
        "filter[fields][parent_id][neq]=x",
        "filter[fields][parent][exists]=maybe",
        "filter[fields][parent_id][eq][]=a",
        "order_by=parent_id_ASC",
        "order_by=position_UP",
    ],
)
def test_bad_tree_list_parameters(api, category, query):
    response = api.get(f"/items?filter[type]={category['id']}&{query}")
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][0] in ("INVALID_FILTER_FIELDS_PARAM", "INVALID_ORDERING")


def test_position_needs_a_placed_model(api, category):
    plain = api.create_item_type("plain")
    for query in (
        f"filter[type]={plain['id']}&filter[fields][position][eq]=1",
        f"filter[type]={plain['id']}&order_by=position_ASC",
        "order_by=position_ASC",
        "filter[fields][parent_id][eq]=x",
    ):
        response = api.get(f"/items?{query}")
        assert response.status_code == 422, (query, response.body)


def test_has_children_costs_one_query_per_list(api, category, django_assert_max_num_queries):
    ids = import_tree(api, category["id"])
    for n in range(6):
        create(api, category["id"], f"extra {n}", parent_id=ids["leek"])
    with django_assert_max_num_queries(5):
        response = api.get(f"/items?filter[type]={category['id']}&page[limit]=100")
    flags = {r["attributes"]["name"]: r["meta"]["has_children"] for r in response.body["data"]}
    assert flags["fruit"] is flags["pear"] is flags["leek"] is True
    assert flags["apple"] is flags["abate"] is flags["extra 3"] is False
    # Without filter[type] too, with other models' records on the page (null for them).
    create(api, category["other"], "elsewhere")
    with django_assert_max_num_queries(5):
        response = api.get("/items?page[limit]=100")
    flags = {r["attributes"]["name"]: r["meta"]["has_children"] for r in response.body["data"]}
    assert flags["pear"] is True and flags["apple"] is False and flags["elsewhere"] is False
    response = api.get(f"/items/{ids['williams']}")
    assert response.body["data"]["meta"]["has_children"] is False
    assert api.get(f"/items/{ids['vegetables']}").body["data"]["meta"]["has_children"] is True


# --- Publishing ---------------------------------------------------------------------------


def _statuses(api, ids: dict) -> dict:
    return {
        name: api.get(f"/items/{record_id}").body["data"]["meta"]["status"]
        for name, record_id in ids.items()
    }


def test_publish_needs_a_published_parent_or_recursive(api, category):
    ids = import_tree(api, category["id"])
    response = api.put(f"/items/{ids['williams']}/publish")
    assert response.status_code == 422
    assert error_codes(response) == [("UNPUBLISHED_PARENT", None, None)]
    assert response.body["data"][0]["attributes"]["details"]["parent_id"] == ids["pear"]
    assert set(_statuses(api, ids).values()) == {"draft"}

    response = api.put(f"/items/{ids['williams']}/publish?recursive=true")
    assert response.status_code == 200, response.body
    assert _statuses(api, ids) == {
        "fruit": "published",
        "vegetables": "draft",
        "apple": "draft",
        "pear": "published",
        "williams": "published",
        "abate": "draft",
        "leek": "draft",
    }
    # With its parent published, no recursive needed.
    assert api.put(f"/items/{ids['abate']}/publish").status_code == 200


def test_unpublish_needs_no_published_children_or_recursive(api, category):
    ids = import_tree(api, category["id"])
    for name in ("williams", "abate", "apple"):
        assert api.put(f"/items/{ids[name]}/publish?recursive=true").status_code == 200
    response = api.put(f"/items/{ids['fruit']}/unpublish")
    assert response.status_code == 422
    assert error_codes(response) == [("PUBLISHED_CHILDREN", None, None)]
    details = response.body["data"][0]["attributes"]["details"]
    assert set(details["published_children"]) == {
        ids[n] for n in ("apple", "pear", "williams", "abate")
    }
    assert _statuses(api, ids)["fruit"] == "published"

    response = api.put(f"/items/{ids['pear']}/unpublish?recursive=true")
    assert response.status_code == 200, response.body
    statuses = _statuses(api, ids)
    assert [statuses[n] for n in ("fruit", "apple", "pear", "williams", "abate")] == [
        "published",
        "published",
        "draft",
        "draft",
        "draft",
    ]
    assert api.put(f"/items/{ids['williams']}/unpublish").status_code == 200  # a leaf


@pytest.mark.parametrize("query", ["recursive=yes", "recursive=1", "recursive=", "deep=true"])
def test_bad_recursive_values(api, category, query):
    ids = import_tree(api, category["id"])
    for action in ("publish", "unpublish"):
        response = api.put(f"/items/{ids['pear']}/{action}?{query}")
        assert response.status_code == 422, response.body
        assert error_codes(response)[0][0] == "INVALID_QUERY_PARAMETERS"
    assert set(_statuses(api, ids).values()) == {"draft"}
