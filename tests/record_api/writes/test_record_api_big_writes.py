"""Big updates and deletes through the record API (past ``rows.COPY_FROM`` records, where
PostgreSQL's set-based path runs: the versions COPYed, the rows updated from one array
per column, the records deleted with every row pointing at them in one statement): the
same statements whatever the number, the same rows written as small calls write, and a
delete that links forbid writing nothing."""

import json

from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion, Reference, UniqueValue
from items.services.rows import COPY_FROM
from tests.record_api.writes.records import _df_error, snapshot, values
from tests.webhooks.conftest import receiver  # noqa: F401  (a fixture)
from tests.webhooks.test_events import listen, received

SMALL, BIG = COPY_FROM + 10, 2 * COPY_FROM + 20


def _contacts(api, count: int, tag: str) -> list[str]:
    rows = [{"first_name": f"{tag}{n}", "email": f"{tag}{n}@x.org", "age": n} for n in range(count)]
    response = api.post("/rest/db/contact", {"record": rows})
    assert response.status_code == 200, response.body
    return [record["id"] for record in response.body["record"]]


def _cost(api, method, path, body=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = api.request(method, path, body)
    assert response.status_code == 200, response.body
    return len(queries.captured_queries)


def test_big_updates_and_deletes_cost_the_same_statements_whatever_their_size(api, contact):
    small, big = _contacts(api, SMALL, "s"), _contacts(api, BIG, "b")

    def batch(ids, tag):
        return {"record": [{"id": i, "email": f"{tag}{n}@y.org"} for n, i in enumerate(ids)]}

    assert _cost(api, "PATCH", "/rest/db/contact", batch(small, "s")) == _cost(
        api, "PATCH", "/rest/db/contact", batch(big, "b")
    )
    by_ids = "/rest/db/contact?ids={}"
    assert _cost(api, "PATCH", by_ids.format(",".join(small)), {"age": 7}) == _cost(
        api, "PATCH", by_ids.format(",".join(big)), {"age": 7}
    )
    gone = {"record": [{"id": i} for i in small]}  # answered by ids: no values read
    assert _cost(api, "DELETE", "/rest/db/contact", gone) == _cost(
        api, "DELETE", "/rest/db/contact", {"record": [{"id": i} for i in big]}
    )
    assert not Item.objects.exists() and not ItemVersion.objects.exists()
    assert not UniqueValue.objects.exists()


def test_a_big_batch_writes_what_a_small_one_writes(api, contact):
    ids = _contacts(api, BIG, "c")
    batch = {"record": [{"id": i, "email": f"new{n}@x.org"} for n, i in enumerate(ids)]}
    response = api.request("PATCH", "/rest/db/contact?fields=*", batch)
    assert response.status_code == 200, response.body
    assert response.body["record"][3]["email"] == "new3@x.org"
    assert values(api, ids[3])["email"] == "new3@x.org" and values(api, ids[3])["age"] == 3
    assert ItemVersion.objects.count() == 2 * BIG  # a new version each
    latest = ItemVersion.objects.filter(item_id=ids[3]).order_by("-created_at").first()
    assert latest.id == Item.objects.get(pk=ids[3]).current_version
    assert latest.data == Item.objects.get(pk=ids[3]).data
    # The unique values moved with the update: the old one is free, the new one taken.
    assert UniqueValue.objects.count() == BIG
    freed = api.post("/rest/db/contact", {"first_name": "x", "email": "c3@x.org"})
    assert freed.status_code == 200, freed.body
    taken = api.post("/rest/db/contact", {"first_name": "y", "email": "new3@x.org"})
    assert "VALIDATION_UNIQUENESS" in json.dumps(_df_error(taken, 422))


def test_a_big_delete_that_links_forbid_writes_nothing(api, contact):
    ids = _contacts(api, BIG, "d")
    note = api.create_item_type("note")
    fail = {
        "item_item_type": {"item_types": [contact["id"]], "on_reference_delete_strategy": "fail"}
    }
    api.create_field(note["id"], "about", "link", validators=fail)
    linked = ids[BIG // 2]
    note_id = api.post("/rest/db/note", {"about": linked}).body["id"]
    before = snapshot()
    gone = {"record": [{"id": i} for i in ids]}
    refused = _df_error(api.request("DELETE", "/rest/db/contact?rollback=true", gone), 400)
    assert refused["context"]["error"] == [BIG // 2]
    assert "DELETE_RESTRICTION" in json.dumps(refused["context"]["record"][BIG // 2])
    assert snapshot() == before
    stopped = api.request("DELETE", "/rest/db/contact", gone)  # the ones before it go
    assert _df_error(stopped, 400)["context"]["error"] == [BIG // 2]
    assert Item.objects.filter(pk__in=ids).count() == BIG - BIG // 2
    assert not ItemVersion.objects.filter(item_id__in=ids[: BIG // 2]).exists()
    assert UniqueValue.objects.count() == BIG - BIG // 2
    assert Reference.objects.filter(record_id=note_id, target_item_id=linked).exists()


def test_a_big_delete_answered_by_ids_still_sends_whole_records(api, contact, receiver):  # noqa: F811
    ids = _contacts(api, BIG, "w")
    listen(api, receiver, "item", ["delete"])
    gone = {"record": [{"id": i} for i in ids]}
    response = api.request("DELETE", "/rest/db/contact", gone)
    assert response.status_code == 200 and response.body["record"][0] == {"id": ids[0]}
    events = received(receiver)
    assert events == [("item", "delete")] * BIG
    names = {receiver.json(i)["entity"]["attributes"]["first_name"] for i in range(BIG)}
    assert names == {f"w{n}" for n in range(BIG)}
