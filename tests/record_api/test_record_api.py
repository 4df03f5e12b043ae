"""The DreamFactory-style record API: POST /rest/<service>/<table>."""

import json
import tracemalloc

import pytest
from django.db import connection

from items.models import Item, ItemVersion, Reference, UniqueValue
from tests.conftest import Api, race
from tests.items.conftest import block


@pytest.fixture
def contact(api):
    model = api.create_item_type("contact")
    api.create_field(model["id"], "first_name", "string", validators={"required": {}})
    api.create_field(model["id"], "last_name", "string")
    api.create_field(model["id"], "email", "string", validators={"unique": {}})
    return model


def test_the_seed_batch(api, contact):
    """The documented example: a wrapped batch with fields, answered wrapped, 200."""
    response = api.post(
        "/rest/db/contact?fields=first_name%2Clast_name",
        {"record": [{"first_name": "Joe", "last_name": "Smith"}]},
    )
    assert response.status_code == 200, response.body
    [record] = response.body["record"]
    assert list(record) == ["id", "first_name", "last_name"]
    assert (record["first_name"], record["last_name"]) == ("Joe", "Smith")
    found = api.get(f"/items/{record['id']}").body["data"]
    assert found["attributes"]["first_name"] == "Joe"  # a real record, seen by /items


def test_the_seed_single_record(api, contact):
    response = api.post(
        "/rest/db/contact?fields=first_name,last_name", {"first_name": "Joe", "last_name": "Smith"}
    )
    assert response.status_code == 200
    assert set(response.body) == {"id", "first_name", "last_name"}


@pytest.mark.parametrize(
    ("fields", "keys"),
    [
        (None, ["id"]),
        ("", ["id"]),
        ("*", ["id", "first_name", "last_name", "email"]),
        ("email", ["id", "email"]),
    ],
)
def test_fields(api, contact, fields, keys):
    path = "/rest/db/contact" + ("" if fields is None else f"?fields={fields}")
    response = api.post(path, [{"first_name": "Ann", "email": "ann@example.com"}])
    assert response.status_code == 200, response.body
    assert list(response.body["record"][0]) == keys


def test_fields_in_the_body(api, contact):
    response = api.post("/rest/db/contact", {"record": [{"first_name": "Ann"}], "fields": "*"})
    assert "last_name" in response.body["record"][0]


BATCH = [
    {"first_name": "A", "email": "a@example.com"},
    {"first_name": None, "email": "b@example.com"},  # required first_name
    {"first_name": "C", "email": "a@example.com"},  # email taken by the first one
    {"first_name": "D", "email": "d@example.com"},
]


def names():
    return sorted(
        item.data and next(v for v in item.data.values() if isinstance(v, str))
        for item in Item.objects.all()
    )


def test_rollback_writes_nothing(api, contact):
    response = api.post("/rest/db/contact?rollback=true", {"record": BATCH})
    assert response.status_code == 400
    error = response.body["error"]
    assert error["code"] == 1000
    assert error["message"] == (
        "Batch Error: Not all requested records could be created. All changes rolled back."
    )
    assert error["context"]["error"] == [1, 2]
    slots = error["context"]["record"]
    assert slots[0] is None and slots[3] is None
    assert slots[1]["details"] == [
        {"error": "INVALID_FIELD", "field": "first_name", "code": "VALIDATION_REQUIRED"}
    ]
    assert slots[2]["details"][0]["code"] == "VALIDATION_UNIQUENESS"
    assert not Item.objects.exists()


def test_continue_keeps_the_good_ones(api, contact):
    response = api.post("/rest/db/contact?continue=true", {"record": BATCH})
    assert response.status_code == 400
    context = response.body["error"]["context"]
    assert context["error"] == [1, 2]
    assert context["record"][0]["id"] and context["record"][3]["id"]
    assert Item.objects.count() == 2


def test_by_default_the_batch_stops_at_the_first_failure(api, contact):
    response = api.post("/rest/db/contact", {"record": BATCH})
    assert response.status_code == 400
    context = response.body["error"]["context"]
    assert context["error"] == [1, 2]
    assert context["record"][0]["id"]
    assert context["record"][3] is None
    assert Item.objects.count() == 1


def test_both_modes_at_once_is_a_bad_request(api, contact):
    response = api.post("/rest/db/contact?rollback=true&continue=true", {"record": BATCH})
    assert response.status_code == 400
    assert "rollback" in response.body["error"]["message"]
    assert not Item.objects.exists()


def test_a_failing_single_record_answers_its_own_error(api, contact):
    response = api.post("/rest/db/contact", {"last_name": "Nobody"})
    assert response.status_code == 422
    # DreamFactory's error object, as every other refusal under /rest/.
    assert set(response.body["error"]) == {"code", "status_code", "message", "context"}
    assert response.body["error"]["status_code"] == 422
    assert response.body["error"]["context"]["error"] == [
        {"error": "INVALID_FIELD", "field": "first_name", "code": "VALIDATION_REQUIRED"}
    ]
    assert not Item.objects.exists()


@pytest.mark.parametrize(
    ("path", "status"),
    [("/rest/db/nothing", 404), ("/rest/other/contact", 404)],
)
def test_unknown_tables_and_services(api, contact, path, status):
    response = api.post(path, {"first_name": "A"})
    assert response.status_code == status
    assert response.body["error"]["status_code"] == status


@pytest.mark.parametrize("path", ["/rest/db/contact/a%0Ab", "/rest/x/y/%0A"])
def test_unknown_paths_with_a_newline_answer_dreamfactory_s_404(api, contact, path):
    """Found by the fuzz test: a %0A made the path miss /rest/'s catch-all (the CMA's 404)."""
    response = api.get(path)
    assert response.status_code == 404
    assert response.body["error"]["status_code"] == 404


def test_limits_and_shapes(api, contact, settings):
    settings.CMS_MAX_BATCH_RECORDS = 3
    too_many = api.post("/rest/db/contact", {"record": [{"first_name": "x"}] * 4})
    assert too_many.status_code == 413
    settings.CMS_MAX_BATCH_BYTES = 50
    too_big = api.post("/rest/db/contact", {"record": [{"first_name": "x" * 100}]})
    assert too_big.status_code == 413
    settings.CMS_MAX_BATCH_BYTES = 10_000_000
    bad = api.post("/rest/db/contact", {"record": "nope"})
    assert bad.status_code == 400
    unknown = api.post("/rest/db/contact?fields=colour", {"first_name": "x"})
    assert unknown.status_code == 400
    assert not Item.objects.exists()


def test_dreamfactory_api_key_header_and_roles(db, contact, readonly_api):
    from cms.models import ApiToken

    _, secret = ApiToken.create(name="df", role="editor")
    response = Api(None).post(
        "/rest/db/contact", {"first_name": "Key"}, headers={"X-DreamFactory-Api-Key": secret}
    )
    assert response.status_code == 200, response.body
    refused = readonly_api.post("/rest/db/contact", {"first_name": "No"})
    assert refused.status_code == 403
    assert Item.objects.count() == 1


def _df_error(response, status: int) -> list[str]:
    """A DreamFactory error object: its status, and the codes of its details."""
    assert response.status_code == status, response.body
    error = response.body["error"]
    assert (error["code"], error["status_code"]) == (status, status)
    assert isinstance(error["message"], str) and error["message"]
    return [detail["error"] for detail in (error["context"] or {}).get("error", [])]


def test_refusals_before_the_handler_answer_in_dreamfactory_shape(db, contact, readonly_api, api):
    anonymous = Api(None).post("/rest/db/contact", {"first_name": "No"})
    assert _df_error(anonymous, 401) == ["INVALID_AUTHORIZATION_HEADER"]
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    forged = Api(None).post(
        "/rest/db/contact", {"first_name": "No"}, headers={"X-DreamFactory-Api-Key": "forged"}
    )
    assert _df_error(forged, 401) == ["INVALID_AUTHORIZATION_HEADER"]
    assert _df_error(readonly_api.post("/rest/db/contact", {"first_name": "No"}), 403) == [
        "INSUFFICIENT_PERMISSIONS"
    ]
    assert _df_error(api.put("/rest/db", {}), 405) == ["METHOD_NOT_ALLOWED"]
    for path in ["/rest", "/rest/", "/rest/db/contact/1/2", "/rest/db/contact/"]:
        assert _df_error(api.get(path), 404) == [], path
    assert _df_error(api.post("/rest/db/contact/extra/more", {"first_name": "No"}), 404) == []
    # A record's path takes PUT, PATCH, MERGE and DELETE (test_record_api_writes.py).
    extra = api.post("/rest/db/contact/extra", {"first_name": "No"})
    assert _df_error(extra, 405) == ["METHOD_NOT_ALLOWED"]
    assert _df_error(Api(None).get("/rest/db/contact/x/y"), 401)  # who asks comes first
    assert not Item.objects.exists()


def test_an_unexpected_failure_answers_500_in_dreamfactory_shape(api, contact, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("record_api.batch.create_batch", broken)
    response = api.post("/rest/db/contact", {"first_name": "Boom"})
    assert _df_error(response, 500) == ["INTERNAL_SERVER_ERROR"]
    assert "a bug" not in str(response.body)  # no internals leak
    assert not Item.objects.exists()


def test_a_2000_record_batch(api, contact, django_assert_max_num_queries):
    records = [{"first_name": f"P{i}", "email": f"p{i}@example.com"} for i in range(2000)]
    # One statement per table on PostgreSQL; SQLite caps a statement's parameters, so
    # Django splits its inserts.
    limit = 20 if connection.vendor == "postgresql" else 200
    with django_assert_max_num_queries(limit):
        response = api.post("/rest/db/contact?rollback=true", {"record": records})
    assert response.status_code == 200, str(response.body)[:500]
    assert len(response.body["record"]) == 2000
    assert Item.objects.count() == 2000
    assert UniqueValue.objects.count() == 2000  # the unique emails are guarded
    again = api.post("/rest/db/contact?rollback=true", {"record": records[:60]})
    assert again.status_code == 400
    assert again.body["error"]["context"]["error"] == list(range(60))
    assert Item.objects.count() == 2000


def test_a_batch_needs_a_few_copies_of_its_payload_not_ten(api, contact):
    """Memory stays bounded: at its peak, a 2,000-record batch holds fewer than ten times
    what its parsed payload takes (the parse itself, the values validated, the rows as
    they are written: never a model instance per row, never every row at once)."""
    records = [
        {"first_name": f"Person {i} {'x' * 40}", "last_name": "Smith " * 10, "email": f"{i}@a.b"}
        for i in range(2000)
    ]
    api.post("/rest/db/contact", {"first_name": "Warm-up"})  # the content model is cached
    tracemalloc.start()
    try:
        parsed = json.loads(json.dumps({"record": records}))
        payload, _ = tracemalloc.get_traced_memory()
        del parsed
        tracemalloc.reset_peak()
        before, _ = tracemalloc.get_traced_memory()
        response = api.post("/rest/db/contact?rollback=true", {"record": records})
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert response.status_code == 200, str(response.body)[:300]
    assert Item.objects.count() == 2001
    assert (peak - before) < 10 * payload, f"peak {peak - before} B for {payload} B parsed"


@pytest.mark.parametrize("size", [10, 60])  # a multi-row INSERT, then a COPY on PostgreSQL
def test_a_batch_of_records_with_blocks(api, size):
    quote = api.create_item_type("quote", modular_block=True)
    api.create_field(quote["id"], "text", "string", validators={"required": {}})
    post = api.create_item_type("post")
    api.create_field(post["id"], "title", "string")
    api.create_field(
        post["id"],
        "body",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [quote["id"]]}},
    )
    records = [
        {"title": f"T{i}", "body": [block(quote["id"], text=f"a{i}"), block(quote["id"], text="b")]}
        for i in range(size)
    ]
    response = api.post("/rest/db/post?rollback=true", {"record": records})
    assert response.status_code == 200, str(response.body)[:500]
    assert Item.objects.filter(root__isnull=True).count() == size
    assert Item.objects.filter(root__isnull=False).count() == 2 * size
    last = response.body["record"][-1]["id"]
    nested = api.get(f"/items/{last}?nested=true").body["data"]["attributes"]["body"]
    assert [b["attributes"]["text"] for b in nested] == [f"a{size - 1}", "b"]
    version = ItemVersion.objects.get(item_id=last)
    assert len(version.blocks) == 2  # the version holds its blocks' snapshot
    blocks = Item.objects.filter(root_id=last)
    assert {(b.status, b.singleton_of, b.published_version_id) for b in blocks} == {
        ("published", None, None)
    }


def test_a_large_batch_records_its_references(api, contact):
    owner = api.post("/rest/db/contact?fields=*", {"first_name": "Owner"}).body
    note = api.create_item_type("note")
    api.create_field(
        note["id"], "about", "link", validators={"item_item_type": {"item_types": [contact["id"]]}}
    )
    response = api.post("/rest/db/note", {"record": [{"about": owner["id"]}] * 60})
    assert response.status_code == 200, response.body
    references = api.get(f"/items/{owner['id']}/references").body["data"]
    assert len(references) == 60


def test_idempotency_key_on_the_record_api(api, contact):
    body = {"record": [{"first_name": "Once", "email": "once@example.com"}]}
    headers = {"Idempotency-Key": "batch-1"}
    first = api.post("/rest/db/contact", body, headers=headers)
    again = api.post("/rest/db/contact", body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.body == first.body and again["Idempotent-Replayed"] == "true"
    other = api.post("/rest/db/contact", {"record": [{"first_name": "Twice"}]}, headers=headers)
    assert other.status_code == 422
    assert Item.objects.count() == 1


def test_concurrent_batches_racing_on_a_unique_value_exactly_one_wins(racing_api):
    api = racing_api
    model = api.create_item_type("contact")
    api.create_field(model["id"], "email", "string", validators={"unique": {}})

    def send(index):
        records = [{"email": f"own-{index}-{n}@example.com"} for n in range(80)]
        records.append({"email": "shared@example.com"})
        response = Api(racing_api.token).post("/rest/db/contact?rollback=true", {"record": records})
        return response.status_code

    statuses = race(4, send)
    assert sorted(statuses) == [200, 400, 400, 400]
    assert Item.objects.count() == 81


def test_a_deleted_record_leaves_nothing_behind(api, contact):
    """Versions, unique values and references are written with their record (COPY on
    PostgreSQL past 50 records) and go with it, through Django's cascade."""
    note = api.create_item_type("note")
    api.create_field(
        note["id"], "about", "link", validators={"item_item_type": {"item_types": [contact["id"]]}}
    )
    api.create_field(note["id"], "code", "string", validators={"unique": {}})
    owner = api.post("/rest/db/contact?fields=*", {"first_name": "Owner"}).body
    batch = [{"about": owner["id"], "code": f"n{i}"} for i in range(60)]
    notes = api.post("/rest/db/note", {"record": batch}).body["record"]
    gone = notes[0]["id"]
    assert ItemVersion.objects.filter(item_id=gone).count() == 1
    assert UniqueValue.objects.filter(item_id=gone).count() == 1
    assert Reference.objects.filter(record_id=gone).count() == 1

    assert api.delete(f"/items/{gone}").status_code == 200
    assert not ItemVersion.objects.filter(item_id=gone).exists()
    assert not UniqueValue.objects.filter(item_id=gone).exists()
    assert not Reference.objects.filter(record_id=gone).exists()
    again = api.post("/rest/db/note", {"about": owner["id"], "code": "n0"})
    assert again.status_code == 200, again.body  # its unique value is free again

    assert api.delete(f"/item-types/{note['id']}").status_code == 200
    assert not Item.objects.filter(item_type_id=note["id"]).exists()
    assert not ItemVersion.objects.filter(item_type_id=note["id"]).exists()
    assert UniqueValue.objects.count() == 0  # the contacts sent no email
    assert not Reference.objects.exists()
