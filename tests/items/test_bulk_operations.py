"""Bulk publish, unpublish and destroy over HTTP (SPEC-2 §4.2): a 202 job whose result
counts the records that went and those that failed, naming each failure's record and
code; each record by the single call's rules; bad bodies refused before anything is
queued; a constant number of queries whatever the number of records."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.ids import new_id
from items.models import Item
from jobs.models import Job
from tests.conftest import error_codes
from tests.item_types.jobs import job_result, run_queued_jobs
from tests.items.conftest import block, make
from tests.items.trees import category, import_tree, shape, slide

__all__ = ["category", "slide"]  # fixtures

TYPES = {
    "publish": "item_bulk_publish_operation",
    "unpublish": "item_bulk_unpublish_operation",
    "destroy": "item_bulk_destroy_operation",
}


def body(action: str, ids: list[str], type_=None) -> dict:
    return {
        "data": {
            "type": type_ or TYPES[action],
            "relationships": {"items": {"data": [{"type": "item", "id": i} for i in ids]}},
        }
    }


def bulk(api, action: str, ids: list[str]) -> dict:
    """POST the bulk call, run its job; the job's payload as /job-results answers it."""
    result = job_result(api, api.post(f"/items/bulk/{action}", body(action, ids)))
    assert result["status"] == 200, result
    return result["payload"]


def failures(payload) -> dict:
    """record id -> code, from the job's raw result."""
    return {f["item"]: f["code"] for f in payload["meta"]["failures"]}


def status(record_id) -> str | None:
    item = Item.objects.filter(pk=record_id).first()
    return item and item.status


@pytest.fixture
def page(api):
    model = api.create_item_type("page", draft_mode_active=True)
    title = api.create_field(model["id"], "title", "string")
    return {"id": model["id"], "title": title["id"]}


def test_bulk_publish_and_unpublish_are_jobs_counting_each_record(api, page):
    records = [make(api, page["id"], {"title": f"p{n}"})["id"] for n in range(3)]
    payload = bulk(api, "publish", records)
    assert payload == {"data": [], "meta": {"successful": 3, "failed": 0, "failures": []}}
    assert [status(r) for r in records] == ["published"] * 3
    meta = api.get(f"/items/{records[0]}").body["data"]["meta"]
    assert meta["published_at"] and meta["first_published_at"] == meta["published_at"]
    published = api.get(f"/items/{records[0]}?version=published").body["data"]
    assert published["attributes"]["title"] == "p0"

    payload = bulk(api, "unpublish", records[:2])
    assert payload["meta"] == {"successful": 2, "failed": 0, "failures": []}
    assert [status(r) for r in records] == ["draft", "draft", "published"]
    assert api.get(f"/items/{records[0]}").body["data"]["meta"]["published_at"] is None


def test_unknown_ids_and_blocks_fail_alone_and_are_named(api, shop):
    record = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="a")]})
    block_id = Item.objects.get(root_id=record["id"]).id
    unknown = new_id()
    payload = bulk(api, "publish", [unknown, record["id"], block_id])
    assert payload["meta"]["successful"] == 1 and payload["meta"]["failed"] == 2
    assert payload["meta"]["failures"] == [
        {
            "item": unknown,
            "code": "NOT_FOUND",
            "errors": [
                {"code": "NOT_FOUND", "details": {"item": unknown, "message": "No such record."}}
            ],
        },
        {
            "item": block_id,
            "code": "ITEM_IS_A_BLOCK",
            "errors": [
                {
                    "code": "ITEM_IS_A_BLOCK",
                    "details": {
                        "item": block_id,
                        "message": "A block is published, unpublished and deleted with its record.",
                    },
                }
            ],
        },
    ]
    assert status(record["id"]) == "published"
    payload = bulk(api, "destroy", [block_id, unknown])
    assert failures(payload) == {block_id: "ITEM_IS_A_BLOCK", unknown: "NOT_FOUND"}
    assert Item.objects.filter(pk=block_id).exists()  # nothing else changed


def test_an_invalid_record_fails_with_its_errors_and_the_rest_publish(api, page):
    good = make(api, page["id"], {"title": "fine"})["id"]
    bad = make(api, page["id"], {"title": None})["id"]
    response = api.put(
        f"/fields/{page['title']}",
        {"data": {"type": "field", "attributes": {"validators": {"required": {}}}}},
    )
    assert response.status_code in (200, 202), response.body
    run_queued_jobs()
    payload = bulk(api, "publish", [good, bad])
    assert failures(payload) == {bad: "INVALID_FIELD"}
    (failure,) = payload["meta"]["failures"]
    assert failure["errors"][0]["details"]["field"] == "title"
    assert failure["errors"][0]["details"]["code"] == "VALIDATION_REQUIRED"
    assert (status(good), status(bad)) == ("published", "draft")


def test_links_to_unpublished_records_follow_their_strategy(api):
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
    ann, bob, cy = (make(api, author["id"], {"name": n})["id"] for n in ("Ann", "Bob", "Cy"))
    blocked = make(api, story["id"], {"writer": ann})["id"]
    with_writer = make(api, story["id"], {"writer": bob})["id"]
    carried = make(api, story["id"], {"editor": cy})["id"]
    # bob is published by the same call: the story linking to him goes too.
    payload = bulk(api, "publish", [blocked, with_writer, bob, carried])
    assert failures(payload) == {blocked: "UNPUBLISHED_LINK"}
    (failure,) = payload["meta"]["failures"]
    assert failure["errors"][0]["details"]["unpublished"] == [ann]
    assert [status(r) for r in (blocked, with_writer, bob, carried, cy, ann)] == [
        "draft",
        "published",
        "published",
        "published",
        "published",  # carried along
        "draft",
    ]


def test_tree_parents_and_children(api, category):
    ids = import_tree(api, category["id"])
    # pear's parent (fruit) isn't published, nor named: pear fails; williams is under pear.
    payload = bulk(api, "publish", [ids["pear"], ids["williams"]])
    assert failures(payload) == {
        ids["pear"]: "UNPUBLISHED_PARENT",
        ids["williams"]: "UNPUBLISHED_PARENT",
    }
    assert status(ids["pear"]) == "draft"
    # Named together with its parent, in any order, it goes.
    payload = bulk(api, "publish", [ids["williams"], ids["pear"], ids["fruit"]])
    assert payload["meta"]["successful"] == 3
    # Unpublishing fruit without the published records below it is refused...
    payload = bulk(api, "unpublish", [ids["fruit"], ids["williams"]])
    assert failures(payload) == {ids["fruit"]: "PUBLISHED_CHILDREN"}
    (failure,) = payload["meta"]["failures"]
    assert failure["errors"][0]["details"]["published_children"] == [ids["pear"]]
    assert [status(ids[n]) for n in ("fruit", "pear", "williams")] == [
        "published",
        "published",
        "draft",
    ]
    # ... and goes with them.
    payload = bulk(api, "unpublish", [ids["fruit"], ids["pear"]])
    assert payload["meta"]["successful"] == 2


def test_unpublish_strategies_of_published_linking_records(api):
    target = api.create_item_type("target", draft_mode_active=True)
    api.create_field(target["id"], "name", "string")
    holder = api.create_item_type("holder", draft_mode_active=True)
    for api_key, strategy in (("strict", "fail"), ("loose", "delete_references")):
        api.create_field(
            holder["id"],
            api_key,
            "link",
            validators={
                "item_item_type": {
                    "item_types": [target["id"]],
                    "on_reference_unpublish_strategy": strategy,
                }
            },
        )
    a, b = (make(api, target["id"], {"name": n})["id"] for n in "ab")
    strict = make(api, holder["id"], {"strict": a})["id"]
    loose = make(api, holder["id"], {"loose": b})["id"]
    assert bulk(api, "publish", [a, b, strict, loose])["meta"]["successful"] == 4
    payload = bulk(api, "unpublish", [a, b])
    assert failures(payload) == {a: "UNPUBLISHED_PARENT"}
    assert payload["meta"]["failures"][0]["errors"][0]["details"]["linked_from"] == [strict]
    assert api.get(f"/items/{loose}").body["data"]["attributes"]["loose"] is None
    # With the linking record in the same call, it goes.
    assert bulk(api, "unpublish", [a, strict])["meta"]["successful"] == 2


def test_bulk_destroy_strategies_and_blocks(api, shop, catalogue):
    acme = catalogue["acme"]["id"]
    anvil, rocket, seed = (r["id"] for r in catalogue["records"])
    fan = api.create_item_type("fan")
    api.create_field(
        fan["id"],
        "likes",
        "links",
        validators={"items_item_type": {"item_types": [shop["product"]]}},
    )  # default strategy: delete_references
    liker = make(api, fan["id"], {"likes": [rocket, seed]})["id"]
    parted = make(api, shop["product"], {"name": "P", "parts": [block(shop["part"], label="x")]})
    payload = bulk(api, "destroy", [acme, rocket, parted["id"]])
    assert failures(payload) == {acme: "DELETE_RESTRICTION"}  # anvil.maker says "fail"
    assert payload["meta"]["failures"][0]["errors"][0]["details"]["linked_from"] == [anvil]
    assert set(Item.objects.filter(root__isnull=True).values_list("id", flat=True)) == {
        acme,
        anvil,
        seed,
        liker,
    }
    assert not Item.objects.filter(root_id=parted["id"]).exists()  # its blocks went too
    assert api.get(f"/items/{liker}").body["data"]["attributes"]["likes"] == [seed]
    # With the record linking to it, it goes.
    assert bulk(api, "destroy", [acme, anvil])["meta"] == {
        "successful": 2,
        "failed": 0,
        "failures": [],
    }


def test_bulk_destroy_removes_the_records_schedules(api, page):
    """Every table pointing at records (here schedules) loses their rows with them."""
    from schedules.models import Schedule

    first, second = (make(api, page["id"], {"title": t})["id"] for t in ("a", "b"))
    at = {"publication_scheduled_at": "2099-06-01T09:00:00+02:00"}
    for record_id in (first, second):
        answer = api.post(
            f"/items/{record_id}/scheduled-publication",
            {"data": {"type": "scheduled_publication", "attributes": at}},
        )
        assert answer.status_code == 201, answer.body
    assert Schedule.objects.filter(item_id__in=[first, second]).count() == 2
    assert bulk(api, "destroy", [first])["meta"]["successful"] == 1
    assert not Item.objects.filter(pk=first).exists()
    assert list(Schedule.objects.values_list("item_id", flat=True)) == [second]


def test_bulk_destroy_moves_children_up_as_the_single_delete(api, category):
    ids = import_tree(api, category["id"])
    extra = make(api, category["id"], {"name": "nuts", "parent_id": ids["fruit"]})["id"]
    assert extra
    before = shape(api, category["id"])
    assert before["pear"] == ("fruit", 2) and before["nuts"] == ("fruit", 3)
    payload = bulk(api, "destroy", [ids["pear"], ids["vegetables"]])
    assert payload["meta"]["successful"] == 2
    assert shape(api, category["id"]) == {
        "fruit": (None, 1),
        "apple": ("fruit", 1),
        "williams": ("fruit", 2),
        "abate": ("fruit", 3),
        "nuts": ("fruit", 4),
        "leek": (None, 2),
    }


BAD_BODIES = {
    "malformed": ({"nope": 1}, "INVALID_FORMAT", None),
    "wrong type": (
        body("publish", [new_id()], "item_bulk_unpublish_operation"),
        "INVALID_TYPE",
        "type",
    ),
    "empty": (body("publish", []), "INVALID_FIELD", "items"),
    "over 200": (body("publish", [new_id() for _ in range(201)]), "INVALID_FIELD", "items"),
    "no items": ({"data": {"type": "item_bulk_publish_operation"}}, "INVALID_FIELD", "items"),
    "entry not an item": (
        {
            "data": {
                "type": "item_bulk_publish_operation",
                "relationships": {"items": {"data": [{"type": "upload", "id": new_id()}]}},
            }
        },
        "INVALID_FIELD",
        "items",
    ),
    "id not a string": (
        {
            "data": {
                "type": "item_bulk_publish_operation",
                "relationships": {"items": {"data": [{"type": "item", "id": 5}]}},
            }
        },
        "INVALID_FIELD",
        "items",
    ),
}


@pytest.mark.parametrize("case", BAD_BODIES)
def test_bad_bodies_are_refused_and_queue_nothing(api, page, case):
    record = make(api, page["id"], {"title": "t"})["id"]
    sent, code, field = BAD_BODIES[case]
    response = api.post("/items/bulk/publish", sent)
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][:2] == (code, field)
    assert not Job.objects.exists()
    assert status(record) == "draft"


def test_move_to_stage_says_workflows_are_not_supported(api, page):
    record = make(api, page["id"], {"title": "t"})["id"]
    response = api.post(
        "/items/bulk/move-to-stage",
        {
            "data": {
                "type": "item_bulk_move_to_stage_operation",
                "attributes": {"stage": "review"},
                "relationships": {"items": {"data": [{"type": "item", "id": record}]}},
            }
        },
    )
    assert response.status_code == 422
    assert error_codes(response) == [("WORKFLOWS_NOT_SUPPORTED", None, None)]
    assert not Job.objects.exists()


def test_the_bulk_routes_come_before_a_record_s_routes(api):
    # PUT /items/:id/publish no longer swallows /items/bulk/publish: POST only there now.
    assert api.put("/items/bulk/publish").status_code == 405
    assert api.get("/items/bulk").status_code == 404  # "bulk" is no record's id


def _queries(api, action: str, ids: list[str]) -> int:
    run_queued_jobs()  # the schema's own (validity re-checks), not counted
    response = api.post(f"/items/bulk/{action}", body(action, ids))
    assert response.status_code == 202
    with CaptureQueriesContext(connection) as queries:
        (job_id,) = run_queued_jobs()
    assert Job.objects.get(pk=job_id).payload["meta"]["successful"] == len(ids)
    return len(queries)


def test_a_constant_number_of_queries_whatever_the_number_of_records(api, shop):
    counts = {}
    # A first round of 1 fills this process's caches, which an earlier test's rolled-back
    # writes may have left stale (webhooks, roles): only 10 and 100 are compared.
    for size in (1, 10, 100):
        acme = make(api, shop["maker"], {"name": "Acme"})["id"]
        records = [
            make(
                api,
                shop["product"],
                {"name": f"p{n}", "maker": acme, "parts": [block(shop["part"], label="x")]},
            )["id"]
            for n in range(size)
        ]
        counts[size] = [
            _queries(api, "publish", [acme, *records]),
            _queries(api, "unpublish", [acme, *records]),
            _queries(api, "destroy", [acme, *records]),
        ]
    assert counts[10] == counts[100], counts


@pytest.mark.parametrize(
    "names",
    [
        ["fruit", "pear"],
        ["pear", "fruit"],
        ["apple", "williams", "leek"],
        ["vegetables", "abate", "fruit"],
    ],
)
def test_bulk_destroy_leaves_the_tree_as_single_deletes_in_turn(api, category, names):
    singly, together = import_tree(api, category["id"]), import_tree(api, category["other"])
    for name in names:
        assert api.delete(f"/items/{singly[name]}").status_code == 200
    payload = bulk(api, "destroy", [together[name] for name in names])
    assert payload["meta"]["successful"] == len(names)
    assert shape(api, category["other"]) == shape(api, category["id"])


def test_bulk_destroy_closes_the_gaps_of_a_sortable_model(api, slide):
    made = [make(api, slide, {"name": f"s{n}"})["id"] for n in range(6)]
    payload = bulk(api, "destroy", [made[4], made[1], made[2]])
    assert payload["meta"]["successful"] == 3
    assert shape(api, slide) == {"s0": (None, 1), "s3": (None, 2), "s5": (None, 3)}


def test_an_id_over_64_characters_is_a_malformed_entry(api, page):
    record = make(api, page["id"], {"title": "t"})["id"]
    response = api.post("/items/bulk/destroy", body("destroy", [record, "x" * 65]))
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][:2] == ("INVALID_FIELD", "items")
    assert response.body["data"][0]["attributes"]["details"]["index"] == 1
    assert not Job.objects.exists() and Item.objects.filter(pk=record).exists()
