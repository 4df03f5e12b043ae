"""``manage.py migrate`` gives an existing installation's every storage (the project's and
each environment's) what lists read on PostgreSQL (items 0008 and 0009): the model's order
index with the id, and statistics on each field's index. Nothing else changes."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from environments import selection
from environments.migrating import migrate_storage
from environments.storages import PROJECT_STORAGE
from items.field_indexes import index_name, statistics_name
from tests.items.conftest import make

OLD_ORDER_INDEX = "items_item_item_ty_76854b_idx"


def _indexes() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.get_constraints(cursor, "items_item"))


def _statistics(storage: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.stxname FROM pg_statistic_ext s "
            "JOIN pg_namespace n ON n.oid = s.stxnamespace WHERE n.nspname = %s",
            [selection.schema(storage)],
        )
        return {row[0] for row in cursor.fetchall()}


def _as_before(storage: str, field_id: str) -> None:
    """The storage as this change found it: at items 0007, without statistics."""
    migrate_storage(storage, app_label="items", migration_name="0007_text_indexes_by_prefix")
    with connection.cursor() as cursor:
        cursor.execute(
            f'DROP STATISTICS "{selection.schema(storage)}"."{statistics_name(field_id)}"'
        )
    with selection.using(storage, migrating=True):
        assert OLD_ORDER_INDEX in _indexes() and "items_model_order" not in _indexes()
    assert statistics_name(field_id) not in _statistics(storage)


def test_migrate_adds_the_list_indexes_to_every_storage(main_api, sandbox, sandbox_api):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's indexes and statistics")
    made = {}
    for storage, api in ((PROJECT_STORAGE, main_api), (sandbox.storage, sandbox_api)):
        model = api.create_item_type("article")
        rating = api.create_field(model["id"], "rating", "integer")["id"]
        made[storage] = (api, rating, make(api, model["id"], {"rating": 7})["id"])
        _as_before(storage, rating)

    out = StringIO()
    call_command("migrate", stdout=out)
    assert "Environment sandbox" in out.getvalue()

    for storage, (api, rating, record_id) in made.items():
        with selection.using(storage, migrating=True):
            indexes = _indexes()
        assert "items_model_order" in indexes and OLD_ORDER_INDEX not in indexes
        assert index_name(rating) in indexes
        assert statistics_name(rating) in _statistics(storage)
        listed = api.get("/items?filter[type]=article&filter[fields][rating][gt]=5")
        assert listed.body["meta"]["total_count"] == 1
        assert [r["id"] for r in listed.body["data"]] == [record_id]


def test_a_copy_keeps_its_fields_statistics_and_drops_them_with_its_fields(content, storages):
    """A fork's statistics come with its table (``LIKE … INCLUDING STATISTICS``, under
    names of its own): they are found by what they read, neither doubled nor left behind."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's statistics")
    from environments import copying
    from item_types.models import Field
    from items import field_indexes

    target = storages()
    copying.copy_storage(PROJECT_STORAGE, target)
    rating = Field.objects.get(item_type_id=content.post["id"], api_key="rating")

    def reading_rating() -> list[str]:
        with connection.cursor() as cursor:
            return field_indexes._statistics(cursor, selection.schema(target), rating.id)

    assert len(reading_rating()) == 1
    with selection.using(target):
        field_indexes.ensure_index(rating)
        assert len(reading_rating()) == 1
        field_indexes.drop_index(rating.id)
    assert reading_rating() == []
    assert statistics_name(rating.id) in _statistics(PROJECT_STORAGE)  # the source's: kept
