"""PostgreSQL's plans for the filters of SPEC-2 §4.3 that an index can answer, at realistic
statistics (as tests/items/test_list_plans.py): ``near`` reads the lat_lon field's index
(a bounding box), ``filter[query]`` the full-text GIN index, a minute of a date_time the
field's prefix index, and link and upload filters the references' target index; none
reads every record of the model."""

import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from item_types.field_types.scalar import format_date_time
from items.field_indexes import index_name
from items.models import Item, Reference
from tests.items.test_list_plans import _plan, _statements

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's plans and statistics"
)

PLACES = 3000
OTHERS = 9000
WORDS = ["anvil", "rocket", "seed", "magnet", "spring", "tornado", "glue", "paint"]


@pytest.fixture
def places(api):
    """A model of places (a point, a moment, a link to a maker, searchable text) among
    notes, ANALYZEd; answers field ids and a maker's id."""
    place = api.create_item_type("place")
    spot = api.create_field(place["id"], "spot", "lat_lon")["id"]
    moment = api.create_field(place["id"], "moment", "date_time")["id"]
    maker_model = api.create_item_type("maker")
    maker_field = api.create_field(
        place["id"],
        "maker",
        "link",
        validators={"item_item_type": {"item_types": [maker_model["id"]]}},
    )["id"]
    makers = [Item(item_type_id=maker_model["id"], data={}) for _ in range(50)]
    Item.objects.bulk_create(makers)
    note = api.create_item_type("note")
    text = api.create_field(note["id"], "text", "text")["id"]
    rng = random.Random(7)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    rows, references = [], []
    for n in range(PLACES):
        maker = makers[n % len(makers)]
        data = {
            spot: {"latitude": rng.uniform(-80, 80), "longitude": rng.uniform(-180, 180)},
            moment: format_date_time(start + timedelta(minutes=rng.randint(0, 500000))),
            maker_field: maker.id,
        }
        words = " ".join(rng.choice(WORDS) for _ in range(5))
        record = Item(item_type_id=place["id"], data=data, search_text=f"place {n} {words}")
        rows.append(record)
        references.append(
            Reference(record=record, holder=record, field_id=maker_field, target_item=maker)
        )
        rows.extend(
            Item(item_type_id=note["id"], data={text: "A note " * 20}, search_text="a note")
            for _ in range(OTHERS // PLACES)
        )
    Item.objects.bulk_create(rows, batch_size=2000)
    Reference.objects.bulk_create(references, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE items_item")
        cursor.execute("ANALYZE items_reference")
    return {"spot": spot, "moment": moment, "maker": makers[3].id}


def _count_plan(api, path: str) -> str:
    count, params = next((s, p) for s, p in _statements(api, path) if "COUNT(" in s)
    return _plan(count, params)


def test_near_reads_the_point_s_index(api, places):
    near = "filter[fields][spot][near]"
    plan = _count_plan(
        api,
        f"/items?filter[type]=place&{near}[latitude]=10&{near}[longitude]=20"
        f"&{near}[radius]=200000&page[limit]=25",
    )
    assert index_name(places["spot"]) in plan, plan
    assert "Seq Scan" not in plan and "items_model_order" not in plan, plan


def test_near_across_the_antimeridian_reads_the_index_too(api, places):
    near = "filter[fields][spot][near]"
    plan = _count_plan(
        api,
        f"/items?filter[type]=place&{near}[latitude]=10&{near}[longitude]=179.5"
        f"&{near}[radius]=300000",
    )
    assert index_name(places["spot"]) in plan, plan
    assert "Seq Scan" not in plan, plan


def test_full_text_search_reads_the_gin_index(api, places):
    for path in (
        "/items?filter[query]=tornado%20glue&page[limit]=25",
        "/items?filter[type]=place&filter[query]=magn&order_by=_rank_DESC",
    ):
        plan = _count_plan(api, path)
        assert "items_search" in plan, (path, plan)
        assert "Seq Scan on items_item" not in plan, (path, plan)


def test_a_minute_of_a_date_time_reads_the_field_s_index(api, places):
    plan = _count_plan(
        api, "/items?filter[type]=place&filter[fields][moment][eq]=2024-03-01T10:00:00Z"
    )
    assert index_name(places["moment"]) in plan, plan
    assert "Seq Scan" not in plan, plan


@pytest.mark.parametrize("op", ["eq", "in", "not_in"])
def test_link_filters_read_the_references_index(api, places, op):
    plan = _count_plan(
        api, f"/items?filter[type]=place&filter[fields][maker][{op}]={places['maker']}"
    )
    assert "on items_reference_target_item_id" in plan, plan
    assert "Seq Scan on items_reference" not in plan, plan
