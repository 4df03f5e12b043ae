"""Listing, filtering, ordering and finding records."""

import pytest

from tests.conftest import error_codes, thing_with_a_field_id_holding_double_underscores
from tests.items.conftest import block, ids, make


def test_list_pages_with_a_total(api, shop, catalogue):
    first = api.get("/items?filter[type]=product&page[limit]=2&order_by=_created_at_ASC")
    assert first.body["meta"]["total_count"] == 3
    assert len(first.body["data"]) == 2
    rest = api.get(
        "/items?filter[type]=product&page[offset]=2&page[limit]=2&order_by=_created_at_ASC"
    )
    assert ids(first) + ids(rest) == [r["id"] for r in catalogue["records"]]
    everything = api.get("/items")
    assert everything.body["meta"]["total_count"] == 4  # blocks are never listed


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("filter[fields][name][eq]=Anvil", ["Anvil"]),
        ("filter[fields][name][neq]=Anvil", ["Bird seed", "Rocket"]),
        ("filter[fields][name][in]=Anvil,Rocket", ["Anvil", "Rocket"]),
        ("filter[fields][name][not_in]=Anvil,Rocket", ["Bird seed"]),
        ("filter[fields][name][matches][pattern]=^r", ["Rocket"]),
        (
            "filter[fields][name][matches][pattern]=^r&filter[fields][name][matches]"
            "[case_sensitive]=true",
            [],
        ),
        ("filter[fields][price][gt]=100", ["Rocket"]),
        ("filter[fields][price][gte]=100", ["Anvil", "Rocket"]),
        ("filter[fields][price][lt]=100", ["Bird seed"]),
        ("filter[fields][price][lte]=3", ["Bird seed"]),
        ("filter[fields][launch][gt]=2025-01-01T00:00:00Z", ["Rocket"]),
        ("filter[fields][launch][lt]=2025-06-01T08:30:00%2B02:00", ["Anvil", "Rocket"]),
        ("filter[fields][launch][exists]=false", ["Bird seed"]),
        ("filter[fields][about][matches][pattern]=ferro&locale=it", ["Anvil"]),
        ("filter[fields][about][matches][pattern]=ferro", []),
        ("filter[fields][about][exists]=true", ["Anvil", "Rocket"]),
        ("filter[query]=veloce", ["Rocket"]),
        ("filter[query]=bird SEED", ["Bird seed"]),
        ("filter[fields][_status][eq]=published", ["Anvil", "Bird seed", "Rocket"]),
        ("filter[fields][_created_at][gt]=2000-01-01T00:00:00Z", ["Anvil", "Bird seed", "Rocket"]),
        ("filter[fields][_is_valid][eq]=false", []),
    ],
)
def test_field_filters(api, catalogue, query, expected):
    response = api.get("/items?filter[type]=product&" + query)
    assert response.status_code == 200, response.body
    assert sorted(r["attributes"]["name"] for r in response.body["data"]) == expected


def test_link_and_id_filters(api, shop, catalogue):
    acme = catalogue["acme"]["id"]
    anvil = catalogue["records"][0]["id"]
    assert ids(api.get(f"/items?filter[type]=product&filter[fields][maker][eq]={acme}")) == [anvil]
    assert len(ids(api.get("/items?filter[type]=product&filter[fields][maker][exists]=false"))) == 2
    both = ids(api.get(f"/items?filter[ids]={anvil},{acme}"))
    assert sorted(both) == sorted([anvil, acme])
    assert ids(api.get(f"/items?filter[type]={shop['maker']}")) == [acme]
    assert ids(api.get(f"/items?filter[fields][id][eq]={acme}")) == [acme]


def test_ordering(api, catalogue):
    def names(order):
        response = api.get(f"/items?filter[type]=product&order_by={order}")
        assert response.status_code == 200, response.body
        return [r["attributes"]["name"] for r in response.body["data"]]

    assert names("price_ASC") == ["Bird seed", "Anvil", "Rocket"]
    assert names("price_DESC") == ["Rocket", "Anvil", "Bird seed"]
    assert names("name_ASC") == ["Anvil", "Bird seed", "Rocket"]
    assert names("_created_at_DESC") == ["Bird seed", "Rocket", "Anvil"]


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("filter[type]=product&filter[fields][colour][eq]=red", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=product&filter[fields][price][matches]=1", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=product&filter[fields][price][gt]=cheap", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[fields][price][gt]=1", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=nothing", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=part", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[colour]=red", "INVALID_FILTER_FIELDS_PARAM"),
        ("filter[type]=product&order_by=colour_ASC", "INVALID_ORDERING"),
        ("order_by=price_ASC", "INVALID_ORDERING"),
        ("filter[type]=product&order_by=maker_ASC", "INVALID_ORDERING"),
        ("version=draft", "INVALID_QUERY_PARAMETERS"),
        ("locale=fr", "INVALID_QUERY_PARAMETERS"),
        ("page[limit]=501", "INVALID_PAGINATION"),
        ("sort=name", "INVALID_QUERY_PARAMETERS"),
        ("nested=yes", "INVALID_QUERY_PARAMETERS"),
    ],
)
def test_bad_list_parameters(api, catalogue, query, code):
    response = api.get("/items?" + query)
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][0] == code


@pytest.mark.parametrize("query", ["nested=yes", "nested=1", "version=draft"])
def test_bad_find_parameters(api, catalogue, query):
    record = catalogue["records"][0]["id"]
    response = api.get(f"/items/{record}?{query}")
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][0] == "INVALID_QUERY_PARAMETERS"


def test_list_query_count_is_constant(api, shop, django_assert_max_num_queries):
    for index in range(8):
        make(
            api,
            shop["product"],
            {
                "name": f"P{index}",
                "parts": [block(shop["part"], label="a"), block(shop["part"], label="b")],
            },
        )
    with django_assert_max_num_queries(6):
        response = api.get("/items?filter[type]=product&nested=true")
    assert len(response.body["data"]) == 8
    assert response.body["data"][0]["attributes"]["parts"][0]["attributes"]["label"] == "a"


def test_find_nested_and_published(api, shop):
    draft_type = api.create_item_type("note", draft_mode_active=True)
    api.create_field(draft_type["id"], "text", "string")
    note = make(api, draft_type["id"], {"text": "v1"})
    assert api.get(f"/items/{note['id']}?version=published").status_code == 404
    assert api.put(f"/items/{note['id']}/publish").status_code == 200
    api.put(f"/items/{note['id']}", {"data": {"type": "item", "attributes": {"text": "v2"}}})
    current = api.get(f"/items/{note['id']}").body["data"]
    published = api.get(f"/items/{note['id']}?version=published").body["data"]
    assert current["attributes"]["text"] == "v2" and published["attributes"]["text"] == "v1"
    assert current["meta"]["status"] == "updated"
    listed = api.get("/items?filter[type]=note&version=published").body["data"]
    assert [r["attributes"]["text"] for r in listed] == ["v1"]
    product = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="x")]})
    nested = api.get(f"/items/{product['id']}?nested=true").body["data"]
    part = nested["attributes"]["parts"][0]
    assert part["type"] == "item" and part["attributes"] == {"label": "x"}
    assert part["relationships"]["item_type"]["data"]["id"] == shop["part"]


def test_field_ids_holding_double_underscores_filter_and_sort(api):
    """Ids may hold "__", Django's lookup separator: filters must not split on it."""
    thing = thing_with_a_field_id_holding_double_underscores(api)
    for size in (3, 1, 2):
        make(api, thing["id"], {"size": size})
    listed = api.get("/items?filter[type]=thing&filter[fields][size][gte]=2&order_by=size_ASC")
    assert [r["attributes"]["size"] for r in listed.body["data"]] == [2, 3]


def test_a_record_without_a_value_is_in_no_range(api, shop, catalogue):
    make(api, shop["product"], {"name": "Priceless"})
    cheap = api.get("/items?filter[type]=product&filter[fields][price][lt]=100")
    assert sorted(r["attributes"]["name"] for r in cheap.body["data"]) == ["Bird seed"]
