"""Idempotency-Key: a retried create gets the first answer and creates nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cms.models import IdempotencyKey
from items.models import Item
from tests.conftest import error_codes, make_api
from tests.items.conftest import item_body


@pytest.fixture
def note(api):
    model = api.create_item_type("note")
    api.create_field(model["id"], "text", "string", validators={"required": {}})
    return model


def send(api, note, text, key):
    return api.post(
        "/items", item_body(note["id"], {"text": text}), headers={"Idempotency-Key": key}
    )


def test_a_repeat_gets_the_first_answer(api, note):
    first = send(api, note, "hello", "k-1")
    assert first.status_code == 201
    again = send(api, note, "hello", "k-1")
    assert again.status_code == 201
    assert again.body == first.body
    assert again["Idempotent-Replayed"] == "true"
    assert Item.objects.count() == 1


def test_a_key_reused_for_another_body_is_refused(api, note):
    send(api, note, "hello", "k-2")
    other = send(api, note, "different", "k-2")
    assert other.status_code == 422
    assert error_codes(other)[0][0] == "IDEMPOTENCY_KEY_REUSED"
    assert Item.objects.count() == 1


def test_a_failed_request_does_not_hold_its_key(api, note):
    refused = send(api, note, None, "k-3")
    assert refused.status_code == 422
    assert send(api, note, "fixed", "k-3").status_code == 201
    assert Item.objects.count() == 1


def test_keys_are_per_token_and_expire(api, note, db):
    send(api, note, "hello", "k-4")
    other_token = make_api("editor")
    assert send(other_token, note, "hello", "k-4").status_code == 201
    assert Item.objects.count() == 2
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    assert send(api, note, "hello", "k-4").status_code == 201
    assert Item.objects.count() == 3


def test_expired_keys_are_cleared_by_the_next_claim(api, note, db):
    send(api, note, "old", "k-old")
    send(make_api("editor"), note, "old", "k-old-2")
    IdempotencyKey.objects.update(created_at=timezone.now() - timedelta(hours=25))
    send(api, note, "fresh", "k-recent")
    IdempotencyKey.objects.filter(key="k-recent").update(
        created_at=timezone.now() - timedelta(hours=23)
    )
    send(api, note, "new", "k-new")
    assert sorted(IdempotencyKey.objects.values_list("key", flat=True)) == ["k-new", "k-recent"]


def test_bad_keys(api, note):
    response = send(api, note, "hello", "x" * 256)
    assert response.status_code == 400
    assert error_codes(response)[0][0] == "INVALID_IDEMPOTENCY_KEY"
    assert not Item.objects.exists()


def test_without_a_key_nothing_changes(api, note):
    for _ in range(2):
        api.post("/items", item_body(note["id"], {"text": "a"}))
    assert Item.objects.count() == 2
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize(
    ("mode", "kept"), [("", ["a"]), ("?continue=true", ["a", "c"])], ids=["stop", "continue"]
)
def test_a_batch_that_kept_records_keeps_its_key(api, note, mode, kept):
    body = {"record": [{"text": "a"}, {"text": None}, {"text": "c"}]}
    first = api.post(f"/rest/db/note{mode}", body, headers={"Idempotency-Key": "b-1"})
    assert first.status_code == 400
    assert texts(api) == kept
    again = api.post(f"/rest/db/note{mode}", body, headers={"Idempotency-Key": "b-1"})
    assert again.status_code == 400
    assert again["Idempotent-Replayed"] == "true"
    assert again.body == first.body
    assert texts(api) == kept


def test_a_batch_rolled_back_whole_keeps_no_key(api, note):
    key = {"Idempotency-Key": "b-2"}
    refused = api.post("/rest/db/note?rollback=true", [{"text": "a"}, {}], headers=key)
    assert refused.status_code == 400
    assert not Item.objects.exists()
    assert not IdempotencyKey.objects.exists()
    fixed = api.post("/rest/db/note?rollback=true", [{"text": "a"}, {"text": "b"}], headers=key)
    assert fixed.status_code == 200
    assert not fixed.has_header("Idempotent-Replayed")
    assert Item.objects.count() == 2


def texts(api) -> list:
    return sorted(record["text"] for record in api.get("/rest/db/note?fields=text").body["record"])


def test_a_repeat_serialized_differently_is_the_same_request(api, note):
    """Keys in another order, other spacing: the same request (replayed, not refused)."""
    key = {"Idempotency-Key": "b-3"}
    records = [{"text": "a", "id": None}, {"id": None, "text": "b"}]
    first = api.post("/rest/db/note", {"record": records}, headers=key)
    assert first.status_code == 200
    respaced = '{ "record" : [ {"id":null, "text":"a"}, {"text":"b", "id":null} ] }'
    again = api.post("/rest/db/note", raw=respaced, headers=key)
    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.body == first.body
    assert texts(api) == ["a", "b"]
