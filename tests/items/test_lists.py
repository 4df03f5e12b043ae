"""Managing records: list and filter, find, update, publish, versions, delete."""

import importlib

import pytest
from django.apps import apps
from django.db import connection

from cms.models import ApiToken
from items.models import Item, ItemVersion
from tests.conftest import Api, error_codes, race
from tests.items.conftest import block, make, put


@pytest.fixture
def shop(api, two_locales):
    """product: name (string), price (integer), launch (date_time), about (localized
    text), maker (link to maker, delete strategy fail), parts (blocks)."""
    maker = api.create_item_type("maker")
    api.create_field(maker["id"], "name", "string")
    part = api.create_item_type("part", modular_block=True)
    api.create_field(part["id"], "label", "string", validators={"required": {}})
    product = api.create_item_type("product")
    api.create_field(product["id"], "name", "string", validators={"required": {}})
    api.create_field(product["id"], "price", "integer")
    api.create_field(product["id"], "launch", "date_time")
    api.create_field(product["id"], "about", "text", localized=True)
    api.create_field(
        product["id"],
        "maker",
        "link",
        validators={
            "item_item_type": {"item_types": [maker["id"]], "on_reference_delete_strategy": "fail"}
        },
    )
    api.create_field(
        product["id"],
        "parts",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [part["id"]]}},
    )
    return {"maker": maker["id"], "part": part["id"], "product": product["id"]}


def ids(response) -> list[str]:
    assert response.status_code == 200, response.body
    return [record["id"] for record in response.body["data"]]


@pytest.fixture
def catalogue(api, shop):
    acme = make(api, shop["maker"], {"name": "Acme"})
    records = [
        make(
            api,
            shop["product"],
            {
                "name": "Anvil",
                "price": 100,
                "maker": acme["id"],
                "launch": "2024-01-10T10:00:00Z",
                "about": {"en": "Heavy iron", "it": "Ferro pesante"},
            },
        ),
        make(
            api,
            shop["product"],
            {
                "name": "Rocket",
                "price": 5000,
                "launch": "2025-06-01T08:00:00+02:00",
                "about": {"en": "Fast", "it": "Veloce"},
            },
        ),
        make(api, shop["product"], {"name": "Bird seed", "price": 3}),
    ]
    return {"acme": acme, "records": records}


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


# --- Update ------------------------------------------------------------------------------


def test_an_update_answers_kept_blocks_as_they_are_stored(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    [part] = record["attributes"]["parts"]
    before = Item.objects.get(pk=part)
    response = put(api, record["id"], {"parts": [{"type": "item", "id": part, "attributes": {}}]})
    assert response.status_code == 200, response.body
    [answered] = [r for r in response.body["included"] if r["id"] == part]
    stored = Item.objects.get(pk=part)
    assert (stored.created_at, stored.current_version) == (
        before.created_at,
        before.current_version,
    )
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert answered["meta"]["created_at"] == nested[0]["meta"]["created_at"]
    assert answered["meta"]["current_version"] == nested[0]["meta"]["current_version"]


def test_update_changes_only_what_is_sent(api, catalogue):
    anvil = catalogue["records"][0]
    response = put(api, anvil["id"], {"price": 120})
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert attributes["price"] == 120
    assert attributes["name"] == "Anvil" and attributes["about"]["it"] == "Ferro pesante"
    assert response.body["data"]["meta"]["current_version"] != anvil["meta"]["current_version"]


def test_a_previous_answer_can_be_sent_back(api, catalogue):
    anvil = catalogue["records"][0]
    anvil["attributes"]["name"] = "Big anvil"
    response = api.put(f"/items/{anvil['id']}", {"data": anvil})
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["name"] == "Big anvil"


def test_localized_values_are_replaced_whole_and_keep_one_locale_set(api, catalogue):
    anvil = catalogue["records"][0]
    mismatched = put(api, anvil["id"], {"about": {"en": "Only English"}})
    assert mismatched.status_code == 201 or mismatched.status_code == 200
    assert mismatched.body["data"]["attributes"]["about"] == {"en": "Only English"}


def test_bad_updates_write_nothing(api, catalogue):
    anvil = catalogue["records"][0]
    before = api.get(f"/items/{anvil['id']}").body["data"]
    response = put(api, anvil["id"], {"name": None, "price": "cheap", "colour": "red"})
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_FIELD"),
        ("INVALID_FIELD", "name", "VALIDATION_REQUIRED"),
        ("INVALID_FIELD", "price", "INVALID_FORMAT"),
    ]
    assert api.get(f"/items/{anvil['id']}").body["data"] == before
    assert ItemVersion.objects.filter(item_id=anvil["id"]).count() == 1


def test_stale_versions_are_refused(api, catalogue):
    anvil = catalogue["records"][0]
    old = anvil["meta"]["current_version"]
    assert put(api, anvil["id"], {"price": 1}, meta={"current_version": old}).status_code == 200
    stale = put(api, anvil["id"], {"price": 2}, meta={"current_version": old})
    assert stale.status_code == 422
    assert error_codes(stale)[0][0] == "STALE_ITEM_VERSION"
    assert api.get(f"/items/{anvil['id']}").body["data"]["attributes"]["price"] == 1


def test_a_record_keeps_its_model(api, shop, catalogue):
    anvil = catalogue["records"][0]
    response = put(
        api,
        anvil["id"],
        {},
        relationships={"item_type": {"data": {"type": "item_type", "id": shop["maker"]}}},
    )
    assert error_codes(response) == [("INVALID_RELATIONSHIP", "item_type", "VALIDATION_IMMUTABLE")]


def test_block_semantics(api, shop):
    record = make(
        api,
        shop["product"],
        {
            "name": "P",
            "parts": [
                block(shop["part"], label="one"),
                block(shop["part"], label="two"),
                block(shop["part"], label="three"),
            ],
        },
    )
    one, two, three = record["attributes"]["parts"]
    response = put(
        api,
        record["id"],
        {
            "parts": [
                three,  # kept, moved first
                {"type": "item", "id": one, "attributes": {"label": "ONE"}},  # updated in place
                block(shop["part"], label="four"),  # created
            ]
        },
    )  # two: dropped
    assert response.status_code == 200, response.body
    parts = response.body["data"]["attributes"]["parts"]
    assert parts[:2] == [three, one] and len(parts) == 3
    labels = {b.id: b.data for b in Item.objects.filter(root_id=record["id"])}
    assert set(labels) == {one, three, parts[2]}
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert [p["attributes"]["label"] for p in nested] == ["three", "ONE", "four"]
    foreign = put(api, record["id"], {"parts": [two]})
    assert error_codes(foreign) == [("INVALID_FIELD", "parts", "VALIDATION_BLOCK_NOT_FOUND")]


# --- Publishing --------------------------------------------------------------------------


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


# --- Versions ----------------------------------------------------------------------------


def test_versions_and_restore(api, catalogue):
    anvil = catalogue["records"][0]
    put(api, anvil["id"], {"price": 150})
    put(api, anvil["id"], {"price": 175})
    listed = api.get(f"/items/{anvil['id']}/versions")
    assert listed.body["meta"]["total_count"] == 3
    newest, middle, oldest = listed.body["data"]
    assert [v["attributes"]["price"] for v in listed.body["data"]] == [175, 150, 100]
    assert newest["meta"]["is_current"] is True and oldest["meta"]["is_current"] is False
    assert newest["type"] == "item_version"
    assert newest["relationships"]["item"]["data"]["id"] == anvil["id"]
    assert api.get(f"/versions/{oldest['id']}").body["data"]["attributes"]["price"] == 100
    restored = api.post(f"/versions/{oldest['id']}/restore")  # as the official client sends
    assert restored.status_code == 200, restored.body
    record, version = restored.body["data"]
    assert record["attributes"]["price"] == 100 and version["type"] == "item_version"
    assert api.get(f"/items/{anvil['id']}/versions?page[limit]=1").body["meta"]["total_count"] == 4
    assert api.put("/versions/nope/restore").status_code == 404


def test_restore_brings_back_dropped_blocks(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    first_version = record["meta"]["current_version"]
    put(api, record["id"], {"parts": []})
    assert not Item.objects.filter(root_id=record["id"]).exists()
    restored = api.put(f"/versions/{first_version}/restore")
    assert restored.status_code == 200, restored.body
    nested = api.get(f"/items/{record['id']}?nested=true").body["data"]["attributes"]["parts"]
    assert [p["attributes"]["label"] for p in nested] == ["a"]


# --- Delete and references ---------------------------------------------------------------


def test_delete_answers_the_record_and_takes_its_blocks(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    response = api.delete(f"/items/{record['id']}")
    assert response.status_code == 200
    assert response.body["data"]["id"] == record["id"]
    assert response.body["data"]["attributes"]["name"] == "P"  # as it was when deleted
    assert response.body["data"]["meta"]["current_version"] == record["meta"]["current_version"]
    assert not Item.objects.exists()
    assert api.get(f"/items/{record['id']}").status_code == 404


def test_delete_strategies(api, shop, catalogue):
    acme = catalogue["acme"]["id"]
    refused = api.delete(f"/items/{acme}")  # product.maker says "fail"
    assert refused.status_code == 422 and error_codes(refused)[0][0] == "DELETE_RESTRICTION"
    assert Item.objects.filter(pk=acme).exists()
    references = api.get(f"/items/{acme}/references").body["data"]
    assert [r["id"] for r in references] == [catalogue["records"][0]["id"]]

    fan = api.create_item_type("fan")
    api.create_field(
        fan["id"],
        "likes",
        "links",
        validators={"items_item_type": {"item_types": [shop["product"]]}},
    )  # default strategy: delete_references
    rocket, seed = catalogue["records"][1]["id"], catalogue["records"][2]["id"]
    liker = make(api, fan["id"], {"likes": [rocket, seed]})
    assert api.delete(f"/items/{rocket}").status_code == 200
    assert api.get(f"/items/{liker['id']}").body["data"]["attributes"]["likes"] == [seed]


@pytest.mark.django_db(transaction=True)
def test_concurrent_updates_with_one_version_exactly_one_wins():
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    _, secret = ApiToken.create(name="race", role="admin")
    api = Api(secret)
    page = api.create_item_type("page")
    api.create_field(page["id"], "title", "string")
    record = make(api, page["id"], {"title": "v0"})
    version = record["meta"]["current_version"]

    def update(index):
        response = put(
            Api(secret), record["id"], {"title": f"v{index}"}, meta={"current_version": version}
        )
        return response.status_code

    statuses = race(5, update)
    assert sorted(statuses) == [200, 422, 422, 422, 422]
    assert ItemVersion.objects.filter(item_id=record["id"]).count() == 2


def test_deleting_a_field_or_a_locale_removes_their_values(api, shop):
    record = make(
        api, shop["product"], {"name": "P", "price": 3, "about": {"en": "Hi", "it": "Ciao"}}
    )
    price = api.get("/fields/product::price").body["data"]
    assert api.delete(f"/fields/{price['id']}").status_code == 200
    stored = Item.objects.get(pk=record["id"]).data
    assert price["id"] not in stored
    assert "price" not in api.get(f"/items/{record['id']}").body["data"]["attributes"]
    response = api.put("/site", {"data": {"type": "site", "attributes": {"locales": ["en"]}}})
    assert response.status_code == 200
    assert api.get(f"/items/{record['id']}").body["data"]["attributes"]["about"] == {"en": "Hi"}
    model = api.get("/item-types/product").body["data"]
    assert api.delete(f"/item-types/{model['id']}").status_code == 200
    assert not Item.objects.filter(pk=record["id"]).exists()


def test_field_ids_holding_double_underscores_filter_and_sort(api):
    """Ids may hold "__", Django's lookup separator: filters must not split on it."""
    from cms.ids import new_id

    tricky = next(i for i in iter(new_id, None) if "__" in i[1:-1])
    thing = api.create_item_type("thing")
    response = api.post(
        f"/item-types/{thing['id']}/fields",
        {
            "data": {
                "type": "field",
                "id": tricky,
                "attributes": {"label": "Size", "api_key": "size", "field_type": "integer"},
            }
        },
    )
    assert response.status_code == 201, response.body
    for size in (3, 1, 2):
        make(api, thing["id"], {"size": size})
    listed = api.get("/items?filter[type]=thing&filter[fields][size][gte]=2&order_by=size_ASC")
    assert [r["attributes"]["size"] for r in listed.body["data"]] == [2, 3]


@pytest.mark.parametrize(
    ("field_api_key", "query"),
    [("price", "filter[fields][price][lt]=100"), ("name", "filter[fields][name][eq]=Anvil")],
)
def test_field_filters_read_an_index_on_postgresql(api, shop, catalogue, field_api_key, query):
    if connection.vendor != "postgresql":
        pytest.skip("the expression indexes are PostgreSQL's")
    from django.http import QueryDict

    from cms.api.query import nested_params
    from items.content_model import ContentModel
    from items.field_indexes import index_name as field_index_name
    from items.selectors import item_list

    params = nested_params(QueryDict("filter[type]=product&" + query))
    captured = []

    def capture(execute, sql, sql_params, many, context):
        captured.append((sql, sql_params))
        return execute(sql, sql_params, many, context)

    with connection.execute_wrapper(capture):
        item_list(params, ContentModel.load())
    select, select_params = next(
        (sql, p) for sql, p in captured if "items_item" in sql and "LIMIT" in sql
    )
    field_id = api.get(f"/fields/product::{field_api_key}").body["data"]["id"]
    with connection.cursor() as cursor:
        # With a handful of rows any plan will do: leave the planner only our index to
        # show that it matches the filter's expression (rolled back with the test).
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'items_item' "
            "AND indexname NOT LIKE 'items_value_%%' AND indexname NOT LIKE '%%_pkey' "
            "AND indexname NOT LIKE '%%_key'"
        )
        for (other,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{other}"')
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + select, select_params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert field_index_name(field_id) in plan, plan


@pytest.mark.parametrize(
    "lookup, index",
    [
        ({"root_id": "x"}, "items_block_root"),
        ({"parent_id__in": ["x", "y"]}, "items_block_parent"),
        ({"parent_field_id": "x"}, "items_block_parent_field"),
        ({"singleton_of": "x"}, "one_record_per_singleton"),
    ],
)
def test_block_lookups_read_indexes_that_leave_records_out(db, lookup, index):
    """Records have no root, parent or parent field (and most no singleton slot): those
    indexes hold blocks only, yet the lookups that need them still read them."""
    if connection.vendor != "postgresql":
        pytest.skip("reads PostgreSQL's plans")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = %s AND indexdef LIKE %s",
            [index, "%IS NOT NULL%"],
        )
        assert cursor.fetchone(), f"{index} is not partial"
        select, params = Item.objects.filter(**lookup).query.sql_with_params()
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + select, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert index in plan, plan


def test_records_older_than_versions_get_one_and_can_be_published(api, shop):
    """Migration 0006: a record written before versions existed gets the version its
    current_version names (with its blocks), so publishing it points at a real one."""
    record = make(api, shop["product"], {"name": "Old", "parts": [block(shop["part"], label="a")]})
    ItemVersion.objects.filter(item_id=record["id"]).delete()  # as before 0003
    migration = importlib.import_module("items.migrations.0006_versions_for_older_records")
    migration.add_missing_versions(apps, None)
    version = ItemVersion.objects.get(item_id=record["id"])
    assert version.id == record["meta"]["current_version"]
    assert [b["data"] for b in version.blocks.values()] == [
        Item.objects.get(root_id=record["id"]).data
    ]
    migration.add_missing_versions(apps, None)  # a second run adds nothing
    assert ItemVersion.objects.filter(item_id=record["id"]).count() == 1
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    published = api.get(f"/items/{record['id']}?version=published&nested=true")
    assert published.status_code == 200, published.body
    assert published.body["data"]["attributes"]["parts"][0]["attributes"]["label"] == "a"


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


def test_a_record_without_a_value_is_in_no_range(api, shop, catalogue):
    make(api, shop["product"], {"name": "Priceless"})
    cheap = api.get("/items?filter[type]=product&filter[fields][price][lt]=100")
    assert sorted(r["attributes"]["name"] for r in cheap.body["data"]) == ["Bird seed"]
