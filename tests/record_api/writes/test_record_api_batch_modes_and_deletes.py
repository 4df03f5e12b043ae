"""The record API's batch modes (stop at the first failure, continue, rollback) and what a
batch refuses; deletes (by id, ids, filter and records; the whole table with
``force=true``; links that forbid one)."""

import pytest

from items.models import Item, ItemVersion, Reference, UniqueValue
from tests.record_api.writes.records import _df_error, snapshot, values
from tests.webhooks.conftest import receiver  # noqa: F401  (a fixture)
from tests.webhooks.test_events import listen

# --- batch modes --------------------------------------------------------------------------


def _batch(people):
    """The second record fails (Cid's email is taken by Ann), the others are good."""
    ann, bob, cid = people
    return {
        "record": [
            {"id": bob, "age": 41},
            {"id": cid, "email": "ann@x.org"},
            {"id": ann, "age": 31},
        ]
    }


def test_by_default_a_batch_stops_at_the_first_failure(api, people):
    response = api.request("PATCH", "/rest/db/contact", _batch(people))
    error = _df_error(response, 400)
    assert error["code"] == 1000
    assert error["message"] == "Batch Error: Not all requested records could be updated."
    assert error["context"]["error"] == [1]
    slots = error["context"]["record"]
    assert slots[0] == {"id": people[1]} and slots[2] is None
    assert slots[1]["details"][0]["code"] == "VALIDATION_UNIQUENESS"
    assert [values(api, i)["age"] for i in people] == [30, 41, 50]


def test_continue_keeps_the_good_ones(api, people):
    response = api.request("PATCH", "/rest/db/contact?continue=true", _batch(people))
    assert _df_error(response, 400)["context"]["error"] == [1]
    assert [values(api, i)["age"] for i in people] == [31, 41, 50]
    assert values(api, people[2])["email"] == "cid@x.org"


def test_rollback_leaves_nothing(api, people, receiver):  # noqa: F811
    listen(api, receiver, "item", ["update", "delete"])
    before = snapshot()
    response = api.request("PATCH", "/rest/db/contact?rollback=true", _batch(people))
    error = _df_error(response, 400)
    assert error["message"].endswith("All changes rolled back.")
    assert error["context"]["record"][0] is None
    assert snapshot() == before  # no value, version or webhook call
    unknown = api.request("DELETE", f"/rest/db/contact?rollback=true&ids={people[0]},nosuch")
    assert _df_error(unknown, 400)["context"]["error"] == [1]
    assert snapshot() == before


def test_both_modes_at_once_is_a_bad_request(api, people):
    response = api.request("PATCH", "/rest/db/contact?rollback=true&continue=true", _batch(people))
    _df_error(response, 400)


def test_bad_slots_in_a_batch(api, people):
    body = {"record": [{"age": 1}, "text", {"id": people[0], "age": 2}]}
    response = api.request("PATCH", "/rest/db/contact?continue=true", body)
    error = _df_error(response, 400)
    assert error["context"]["error"] == [0, 1]
    assert values(api, people[0])["age"] == 2


def test_an_unknown_id_among_ids(api, people):
    before = snapshot()
    response = api.request("PATCH", f"/rest/db/contact?ids=nosuch,{people[0]}", {"age": 9})
    slots = _df_error(response, 400)["context"]["record"]
    assert slots[0]["details"][0]["error"] == "NOT_FOUND" and slots[1] is None
    assert snapshot() == before
    kept = api.request(
        "PATCH", f"/rest/db/contact?continue=true&ids=nosuch,{people[0]}", {"age": 9}
    )
    assert _df_error(kept, 400)["context"]["error"] == [0]
    assert values(api, people[0])["age"] == 9


def test_bad_filters_and_bodies_write_nothing(api, people):
    before = snapshot()
    for path, body in [
        ("/rest/db/contact?filter=age%20%3E", {"age": 1}),  # doesn't parse
        ("/rest/db/contact?filter=colour%20%3D%201", {"age": 1}),  # unknown field
        ("/rest/db/contact?ids=a,b", {"record": [{"age": 1}, {"age": 2}]}),
        ("/rest/db/contact?ids=a,b", {"id": "a", "age": 1}),
        ("/rest/db/contact?fields=colour", {"id": people[0], "age": 1}),
        ("/rest/db/contact", {"record": {"id": people[0]}}),
        ("/rest/db/contact", []),
    ]:
        _df_error(api.request("PATCH", path, body), 400)
    assert snapshot() == before


def test_too_many_records(api, people, settings):
    settings.CMS_MAX_BATCH_RECORDS = 2
    before = snapshot()
    _df_error(api.request("PATCH", "/rest/db/contact?filter=age%20%3E%201", {"age": 1}), 413)
    _df_error(api.request("DELETE", "/rest/db/contact?force=true"), 413)
    _df_error(api.request("DELETE", "/rest/db/contact?ids=a,b,c"), 413)
    assert snapshot() == before


# --- delete -------------------------------------------------------------------------------


def test_delete_by_id_ids_filter_and_records(api, people, contact):
    more = api.post("/rest/db/contact", {"record": [{"first_name": f"P{n}"} for n in range(3)]})
    extra = [record["id"] for record in more.body["record"]]
    by_id = api.delete(f"/rest/db/contact/{people[0]}?fields=first_name")
    assert by_id.status_code == 200 and by_id.body == {"id": people[0], "first_name": "Ann"}
    by_ids = api.delete(f"/rest/db/contact?ids={people[1]}")
    assert by_ids.body == {"record": [{"id": people[1]}]}
    by_filter = api.delete("/rest/db/contact?filter=first_name%20%3D%20%27Cid%27&fields=age")
    assert by_filter.body == {"record": [{"id": people[2], "age": 50}]}
    by_records = api.request("DELETE", "/rest/db/contact", {"record": [{"id": i} for i in extra]})
    assert by_records.status_code == 200, by_records.body
    assert not Item.objects.exists() and not ItemVersion.objects.exists()
    assert not UniqueValue.objects.exists()


def test_a_whole_table_delete_needs_force(api, people):
    before = snapshot()
    error = _df_error(api.delete("/rest/db/contact"), 400)
    assert "force=true" in error["message"]
    _df_error(api.delete("/rest/db/contact?force=false"), 400)
    _df_error(api.request("DELETE", "/rest/db/contact", {"record": []}), 400)
    assert snapshot() == before
    emptied = api.delete("/rest/db/contact?force=true")
    assert emptied.status_code == 200 and emptied.body == {"success": True, "count": 3}
    assert not Item.objects.exists()


@pytest.fixture
def notes(api, contact, people):
    """A note linking to Ann with a ``fail`` link (Ann can't go while it stays)."""
    note = api.create_item_type("note")
    validators = {
        "item_item_type": {"item_types": [contact["id"]], "on_reference_delete_strategy": "fail"}
    }
    api.create_field(note["id"], "about", "link", validators=validators)
    response = api.post("/rest/db/note", {"about": people[0]})
    assert response.status_code == 200, response.body
    return response.body["id"]


def test_a_delete_that_links_forbid(api, people, notes):
    ann, bob, cid = people
    before = snapshot()
    refused = _df_error(api.delete(f"/rest/db/contact/{ann}"), 422)
    assert refused["context"]["error"][0]["error"] == "DELETE_RESTRICTION"
    stopped = api.delete(f"/rest/db/contact?ids={bob},{ann},{cid}")
    assert _df_error(stopped, 400)["context"]["error"] == [1]
    assert stopped.body["error"]["context"]["record"][0] == {"id": bob}
    assert not Item.objects.filter(pk=bob).exists()
    assert Item.objects.filter(pk__in=[ann, cid]).count() == 2
    rolled = api.delete(f"/rest/db/contact?rollback=true&ids={cid},{ann}")
    assert _df_error(rolled, 400)["context"]["error"] == [1]
    assert Item.objects.filter(pk__in=[ann, cid]).count() == 2
    kept = api.delete(f"/rest/db/contact?continue=true&ids={ann},{cid}")
    assert _df_error(kept, 400)["context"]["error"] == [0]
    assert list(Item.objects.filter(pk__in=people).values_list("pk", flat=True)) == [ann]
    assert Reference.objects.filter(record_id=notes).exists()
    assert snapshot() != before
