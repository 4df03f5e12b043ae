"""PostgreSQL's plans for sortable and tree lists at realistic statistics: a sortable
model's page in position order, a record's children in order and ``has_children`` read
the siblings' indexes, sorting nothing and scanning no table."""

import pytest
from django.db import connection

from items.models import Item
from tests.items.test_list_plans import _plan, _statements

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans and statistics"
)

SLIDES = 3000
OTHERS = 12000


@pytest.fixture
def loaded(api):
    slide = api.create_item_type("slide", sortable=True)
    api.create_field(slide["id"], "name", "string")
    category = api.create_item_type("category", tree=True)
    api.create_field(category["id"], "name", "string")
    note = api.create_item_type("note")
    rows = [Item(item_type_id=slide["id"], position=n) for n in range(1, SLIDES + 1)]
    # 30 roots with 100 children each.
    roots = [Item(item_type_id=category["id"], position=n) for n in range(1, 31)]
    rows += roots
    rows += [
        Item(item_type_id=category["id"], tree_parent_id=root.id, position=n)
        for root in roots
        for n in range(1, 101)
    ]
    rows += [Item(item_type_id=note["id"]) for _ in range(OTHERS)]
    Item.objects.bulk_create(rows, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE items_item")
    return {"slide": slide["id"], "category": category["id"], "root": roots[7].id}


def _page_plan(api, path: str) -> str:
    statements = _statements(api, path)
    page = next(s for s in reversed(statements) if "LIMIT" in s[0] and "COUNT(" not in s[0])
    return _plan(*page)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_a_sortable_page_walks_the_siblings_index(api, loaded, direction):
    plan = _page_plan(
        api, f"/items?filter[type]={loaded['slide']}&order_by=position_{direction}&page[limit]=25"
    )
    assert "items_roots" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_children_in_order_read_the_siblings_index(api, loaded):
    path = (
        f"/items?filter[type]={loaded['category']}&filter[fields][parent_id][eq]={loaded['root']}"
        "&order_by=position_ASC&page[limit]=25"
    )
    plan = _page_plan(api, path)  # (a record's 100 children: read, then sorted)
    assert "items_children" in plan and "Seq Scan" not in plan, plan
    roots = f"/items?filter[type]={loaded['category']}&filter[fields][parent][exists]=false"
    plan = _page_plan(api, roots + "&order_by=position_ASC&page[limit]=25")
    assert "items_roots" in plan, plan
    assert "Sort" not in plan and "Seq Scan" not in plan, plan


def test_has_children_reads_an_index(api, loaded):
    statements = _statements(api, f"/items?filter[type]={loaded['category']}&page[limit]=50")
    (sql, params) = next(s for s in statements if '"tree_parent_id" IN (' in s[0])
    plan = _plan(sql, params)
    assert "items_children" in plan, plan
    assert "Seq Scan" not in plan, plan
