"""Events of the bulk upload jobs, of scheduling and of scheduled runs, and
``nested_items_in_payload``, delivered to a real receiver (SPEC-2 §5, §8.1, §8.2)."""

import pytest

from cms.ids import new_id
from jobs.models import Job
from schedules import execution
from tests.items.conftest import block, item_body, make
from tests.menus.conftest import (
    queue,  # noqa: F401  (a fixture)
    run_jobs,
)
from tests.schedules.test_endpoints import later, publication, unpublishing
from tests.schedules.test_execution import make_due
from tests.uploads.library import (
    bulk_collection_body,
    bulk_tag_body,
    create_collection,
    make_uploads,
)
from tests.webhooks.test_events import listen, received
from webhooks.models import WebhookCall


def bulk_destroy_body(ids) -> dict:
    entries = [{"type": "upload", "id": upload_id} for upload_id in ids]
    return {
        "data": {
            "type": "upload_bulk_destroy_operation",
            "relationships": {"uploads": {"data": entries}},
        }
    }


def ran(api, response) -> None:
    assert response.status_code == 202, response.body
    (job,) = run_jobs()
    assert job.state == Job.State.SUCCEEDED


@pytest.mark.django_db(transaction=True)  # jobs run here as on a worker
@pytest.mark.usefixtures("queue")
def test_bulk_upload_jobs_send_one_event_per_upload(api, receiver):
    ids = sorted(make_uploads(3, tags=["old"]))
    listen(api, receiver, "upload", ["create", "update", "delete"])

    ran(api, api.post("/uploads/bulk/tag", bulk_tag_body([*ids, new_id()], ["sea"])))
    assert received(receiver) == [("upload", "update")] * 3
    tagged = {receiver.json(i)["entity"]["id"]: receiver.json(i) for i in range(3)}
    assert sorted(tagged) == ids
    assert {tuple(b["entity"]["attributes"]["tags"]) for b in tagged.values()} == {("old", "sea")}
    # Tags every upload already has change nothing, and send nothing.
    ran(api, api.post("/uploads/bulk/tag", bulk_tag_body(ids, ["sea"])))
    assert len(received(receiver)) == 3

    collection = create_collection(api, "Holidays")
    ran(
        api,
        api.post(
            "/uploads/bulk/set-upload-collection", bulk_collection_body(ids, collection["id"])
        ),
    )
    assert received(receiver)[3:] == [("upload", "update")] * 3
    moved = [receiver.json(i)["entity"] for i in range(3, 6)]
    assert {m["relationships"]["upload_collection"]["data"]["id"] for m in moved} == {
        collection["id"]
    }

    ran(api, api.post("/uploads/bulk/destroy", bulk_destroy_body([ids[0], ids[1], new_id()])))
    assert received(receiver)[6:] == [("upload", "delete")] * 2
    assert sorted(receiver.json(i)["entity"]["id"] for i in (6, 7)) == ids[:2]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("queue")
@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/uploads/bulk/tag", lambda ids: bulk_tag_body(ids, [])),
        ("/uploads/bulk/tag", lambda ids: bulk_tag_body([], ["x"])),
        ("/uploads/bulk/set-upload-collection", lambda ids: bulk_collection_body(ids, new_id())),
        ("/uploads/bulk/destroy", lambda ids: bulk_destroy_body([])),
        ("/uploads/bulk/destroy", lambda ids: {"data": {"type": "upload"}}),
    ],
)
def test_refused_bulk_upload_calls_send_nothing(api, receiver, path, body):
    ids = make_uploads(2)
    listen(api, receiver, "upload", ["update", "delete"])
    response = api.post(path, body(ids))
    assert response.status_code in (404, 422), response.body
    assert run_jobs() == []
    assert not WebhookCall.objects.exists()


@pytest.fixture
def page(api):
    model = api.create_item_type("page", draft_mode_active=True)
    api.create_field(model["id"], "title", "string")
    return model


def test_scheduling_and_cancelling_send_update(api, receiver, page):
    record = make(api, page["id"], {"title": "Hi"})
    listen(api, receiver, "item", ["update", "publish", "unpublish"])
    path = f"/items/{record['id']}/scheduled-publication"
    assert api.post(path, publication(later())).status_code == 201
    assert api.delete(path).status_code == 200
    off = f"/items/{record['id']}/scheduled-unpublishing"
    assert api.post(off, unpublishing(later())).status_code == 201
    assert received(receiver) == [("item", "update")] * 3
    first = receiver.json(0)
    assert first["entity"]["meta"]["publication_scheduled_at"] is not None
    assert first["previous_entity"]["meta"]["publication_scheduled_at"] is None
    assert receiver.json(1)["entity"]["meta"]["publication_scheduled_at"] is None
    assert receiver.json(2)["entity"]["meta"]["unpublishing_scheduled_at"] is not None


@pytest.mark.parametrize(
    "body",
    [
        publication("2001-01-01T00:00:00Z"),  # in the past
        publication("soon"),
        publication(later(), {"content_in_locales": ["xx"]}),
        {"data": {"type": "scheduled_publication", "attributes": {"nope": 1}}},
    ],
)
def test_refused_schedules_send_nothing(api, receiver, page, body):
    record = make(api, page["id"], {"title": "Hi"})
    listen(api, receiver, "item", ["update"])
    response = api.post(f"/items/{record['id']}/scheduled-publication", body)
    assert response.status_code == 422, response.body
    assert not WebhookCall.objects.exists()
    assert api.delete(f"/items/{record['id']}/scheduled-publication").status_code == 404
    assert not WebhookCall.objects.exists()


def test_scheduled_runs_send_publish_and_unpublish(api, receiver, page):
    record = make(api, page["id"], {"title": "Hi"})
    assert (
        api.post(f"/items/{record['id']}/scheduled-publication", publication(later())).status_code
        == 201
    )
    listen(api, receiver, "item", ["update", "publish", "unpublish"])
    make_due()
    assert [o.succeeded for o in execution.run_due()] == [True]
    assert received(receiver) == [("item", "publish")]
    entity = receiver.json(0)["entity"]
    assert entity["meta"]["status"] == "published"
    assert entity["meta"]["publication_scheduled_at"] is None  # as the run left it

    off = f"/items/{record['id']}/scheduled-unpublishing"
    assert api.post(off, unpublishing(later())).status_code == 201
    make_due()
    assert [o.succeeded for o in execution.run_due()] == [True]
    assert received(receiver)[1:] == [("item", "update"), ("item", "unpublish")]
    entity = receiver.json(2)["entity"]
    assert entity["meta"]["status"] == "draft"
    assert entity["meta"]["unpublishing_scheduled_at"] is None


def test_nested_items_in_payload(api, receiver):
    slide = api.create_item_type("slide", modular_block=True)
    api.create_field(slide["id"], "caption", "string")
    album = api.create_item_type("album")
    api.create_field(
        album["id"],
        "slides",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [slide["id"]]}},
    )
    listen(api, receiver, "item", ["create"], name="flat")
    listen(api, receiver, "item", ["create"], name="nested", nested_items_in_payload=True)
    body = item_body(album["id"], {"slides": [block(slide["id"], caption="one")]})
    created = api.post("/items", body)
    assert created.status_code == 201, created.body
    assert len(received(receiver)) == 2
    by_hook = {}
    for i in range(2):
        payload = receiver.json(i)
        by_hook[payload["webhook_id"]] = payload["entity"]["attributes"]["slides"]
    flat, nested = sorted(by_hook.values(), key=lambda slides: isinstance(slides[0], dict))
    assert isinstance(flat[0], str)
    assert nested[0]["type"] == "item" and nested[0]["id"] == flat[0]
    assert nested[0]["attributes"] == {"caption": "one"}
    assert nested[0]["relationships"]["item_type"]["data"]["id"] == slide["id"]
