"""Filters and block lookups read PostgreSQL's indexes."""

import pytest
from django.db import connection

from items.models import Item


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
