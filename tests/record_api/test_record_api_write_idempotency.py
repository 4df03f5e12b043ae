"""``Idempotency-Key`` on the record API's ``PUT``, ``PATCH`` (``MERGE``) and ``DELETE``, as
on ``POST`` (cms.api.idempotency): the same key and request replay the first answer
without writing; the same key with another body, verb or path is a 422; a request that
wrote nothing keeps no key."""

import pytest

from items.models import Item, ItemVersion
from webhooks.models import WebhookCall

V2 = "/api/v2/db/_table"


@pytest.fixture
def people(api):
    model = api.create_item_type("person")
    api.create_field(model["id"], "name", "string", validators={"required": {}})
    api.create_field(model["id"], "age", "integer")
    rows = [{"name": name, "age": age} for name, age in [("Ann", 30), ("Bob", 40), ("Cid", 50)]]
    response = api.post(f"{V2}/person", {"resource": rows})
    assert response.status_code == 200, response.body
    return [record["id"] for record in response.body["resource"]]


def snapshot() -> tuple:
    return (
        sorted(Item.objects.values_list("id", "data", "current_version")),
        ItemVersion.objects.count(),
        WebhookCall.objects.count(),
    )


def age(api, record_id):
    return api.get(f"/items/{record_id}").body["data"]["attributes"]["age"]


def key(name: str) -> dict:
    return {"Idempotency-Key": name}


@pytest.mark.parametrize("verb", ["PATCH", "PUT", "MERGE"])
def test_a_repeated_update_replays_its_answer_without_writing(api, people, verb):
    path = f"{V2}/person/{people[0]}?fields=*"
    body = {"name": "Ann", "age": 31}
    first = api.request(verb, path, body, headers=key(f"u-{verb}"))
    assert first.status_code == 200, first.body
    assert "Idempotent-Replayed" not in first
    # Another write meanwhile: the replay must not undo it.
    assert api.request("PATCH", path, {"age": 99}).status_code == 200
    before = snapshot()
    again = api.request(verb, path, body, headers=key(f"u-{verb}"))
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.body == first.body and again.body["age"] == 31
    assert snapshot() == before and age(api, people[0]) == 99


def test_the_same_key_with_another_request_is_refused(api, people):
    first = api.request(
        "PATCH", f"/rest/db/person?ids={people[0]},{people[1]}", {"age": 1}, headers=key("k")
    )
    assert first.status_code == 200, first.body
    before = snapshot()
    for verb, path, body in [
        ("PATCH", f"/rest/db/person?ids={people[0]},{people[1]}", {"age": 2}),  # body
        ("PATCH", f"/rest/db/person?ids={people[0]}", {"age": 1}),  # path
        ("PUT", f"/rest/db/person?ids={people[0]},{people[1]}", {"age": 1}),  # verb
        ("DELETE", f"/rest/db/person?ids={people[0]},{people[1]}", None),
    ]:
        refused = api.request(verb, path, body, headers=key("k"))
        assert refused.status_code == 422, (verb, path, refused.body)
        error = refused.body["error"]
        assert error["status_code"] == 422
        assert error["context"]["error"][0]["error"] == "IDEMPOTENCY_KEY_REUSED"
    assert snapshot() == before
    assert [age(api, i) for i in people] == [1, 1, 50]


def test_a_repeated_delete_replays_the_deleted_records(api, people):
    path = f"{V2}/person?ids={people[0]},{people[1]}&fields=name"
    first = api.delete(path, headers=key("d"))
    assert first.status_code == 200, first.body
    assert [r["name"] for r in first.body["resource"]] == ["Ann", "Bob"]
    before = snapshot()
    again = api.delete(path, headers=key("d"))
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.body == first.body
    assert snapshot() == before
    # Without the key the same delete finds nothing: a 404 slot per id.
    assert api.delete(path).status_code == 400


def test_a_tunnelled_delete_takes_the_key(api, people):
    path = f"/rest/db/person/{people[2]}"
    headers = {**key("t"), "X-HTTP-Method": "DELETE"}
    first = api.post(path, headers=headers)
    assert first.status_code == 200, first.body
    again = api.post(path, headers=headers)
    assert again.status_code == 200 and again["Idempotent-Replayed"] == "true"
    assert again.body == first.body
    # The tunnelled DELETE is a DELETE: the same key on a real DELETE of the path replays.
    plain = api.delete(path, headers=key("t"))
    assert plain.status_code == 200 and plain.body == first.body
    assert Item.objects.filter(pk=people[2]).count() == 0


def test_a_request_that_wrote_nothing_keeps_no_key(api, people):
    before = snapshot()
    unknown = api.request(
        "PATCH", f"{V2}/person/NoSuchRecordAAAAAAAAAA", {"age": 1}, headers=key("n")
    )
    assert unknown.status_code == 404
    invalid = api.request("PATCH", f"{V2}/person/{people[0]}", {"age": "x"}, headers=key("v"))
    assert invalid.status_code == 422
    rolled_back = api.request(
        "PATCH",
        f"{V2}/person?rollback=true",
        {"resource": [{"id": people[0], "age": 5}, {"id": people[1], "age": "x"}]},
        headers=key("r"),
    )
    assert rolled_back.status_code == 400
    assert snapshot() == before
    # Fixed and sent again with the same key: it runs.
    fixed = api.request("PATCH", f"{V2}/person/{people[0]}", {"age": 7}, headers=key("v"))
    assert fixed.status_code == 200 and "Idempotent-Replayed" not in fixed
    assert age(api, people[0]) == 7


def test_a_batch_that_kept_some_records_keeps_its_key(api, people):
    body = {"resource": [{"id": people[0], "age": 5}, {"id": people[1], "age": "x"}]}
    first = api.request("PATCH", f"{V2}/person?continue=true", body, headers=key("c"))
    assert first.status_code == 400 and first.body["error"]["context"]["error"] == [1]
    assert age(api, people[0]) == 5
    assert api.request("PATCH", f"{V2}/person/{people[0]}", {"age": 6}).status_code == 200
    before = snapshot()
    again = api.request("PATCH", f"{V2}/person?continue=true", body, headers=key("c"))
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert again.body == first.body
    assert snapshot() == before and age(api, people[0]) == 6


def test_keys_are_checked_and_per_token(api, people, editor_api):
    path = f"{V2}/person/{people[0]}"
    too_long = api.request("PATCH", path, {"age": 1}, headers=key("x" * 256))
    assert too_long.status_code == 400
    assert too_long.body["error"]["context"]["error"][0]["error"] == "INVALID_IDEMPOTENCY_KEY"
    assert api.request("PATCH", path, {"age": 1}, headers=key("shared")).status_code == 200
    other = editor_api.request("PATCH", path, {"age": 2}, headers=key("shared"))
    assert other.status_code == 200 and "Idempotent-Replayed" not in other
    assert age(api, people[0]) == 2
