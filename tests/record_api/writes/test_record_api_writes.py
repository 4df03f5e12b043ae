"""The record API's replace, merge and delete (record_api/writes.py), called as DreamFactory's
documentation calls them: by id in the path, by ``ids``, by ``filter``, as a batch of
records carrying their ids; and what every write keeps (links, webhooks, read-only tokens,
its statement count). Batch modes and deletes: test_record_api_batch_modes_and_deletes.py."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion, Reference
from tests.conftest import Api
from tests.record_api.writes.records import _df_error, snapshot, values
from tests.webhooks.conftest import receiver  # noqa: F401  (a fixture)
from tests.webhooks.test_events import listen, received

# --- by id in the path ----------------------------------------------------------------


def test_patch_by_id_merges_and_makes_a_new_version(api, people):
    ann = people[0]
    response = api.request("PATCH", f"/rest/db/contact/{ann}", {"last_name": "Ray"})
    assert response.status_code == 200, response.body
    assert response.body == {"id": ann}  # DreamFactory's default answer: the id
    assert values(api, ann) == {
        "first_name": "Ann",
        "last_name": "Ray",
        "email": "ann@x.org",
        "age": 30,
    }
    assert ItemVersion.objects.filter(item_id=ann).count() == 2
    with_fields = api.request("PATCH", f"/rest/db/contact/{ann}?fields=last_name,age", {"age": 31})
    assert with_fields.body == {"id": ann, "last_name": "Ray", "age": 31}


def test_put_by_id_replaces_fields_not_sent_take_their_default(api, people):
    ann = people[0]
    response = api.put(f"/rest/db/contact/{ann}?fields=*", {"first_name": "Annie"})
    assert response.status_code == 200, response.body
    assert response.body == {
        "id": ann,
        "first_name": "Annie",
        "last_name": None,
        "email": None,
        "age": 18,  # the field's default, as a create without it
    }
    # The email is free again: its unique value went with it.
    taken = api.post("/rest/db/contact", {"first_name": "New", "email": "ann@x.org"})
    assert taken.status_code == 200, taken.body


def test_the_merge_verb_and_tunnelled_verbs(api, people):
    ann, bob, cid = people
    merged = api.request("MERGE", f"/rest/db/contact/{ann}", {"age": 1})
    assert merged.status_code == 200, merged.body
    tunnelled = api.post(f"/rest/db/contact/{bob}", {"age": 2}, headers={"X-HTTP-Method": "PATCH"})
    assert tunnelled.status_code == 200, tunnelled.body
    as_merge = api.post(f"/rest/db/contact/{cid}", {"age": 3}, headers={"X-HTTP-Method": "MERGE"})
    assert as_merge.status_code == 200, as_merge.body
    assert [values(api, i)["age"] for i in people] == [1, 2, 3]
    assert values(api, ann)["first_name"] == "Ann"  # a merge
    replaced = api.post(f"/rest/db/contact/{ann}?method=PUT", {"first_name": "Ann"})
    assert replaced.status_code == 200 and values(api, ann)["email"] is None
    # No create for a verb not understood: 400 naming the verbs a POST may tunnel.
    for verb in ["FOO", "PO ST", "é"]:
        _df_error(
            api.post("/rest/db/contact", {"first_name": "x"}, headers={"X-HTTP-Method": verb}), 400
        )
    _df_error(api.post("/rest/db/contact?method=TRACE", {"first_name": "x"}), 400)
    assert Item.objects.count() == 3
    deleted = api.post(f"/rest/db/contact/{cid}", headers={"X-HTTP-Method": "DELETE"})
    assert deleted.status_code == 200 and deleted.body == {"id": cid}
    assert not Item.objects.filter(pk=cid).exists()


def test_single_record_refusals(api, people):
    ann = people[0]
    before = snapshot()
    unknown = api.request("PATCH", "/rest/db/contact/nosuchrecord", {"age": 1})
    error = _df_error(unknown, 404)
    assert error["context"]["error"][0]["error"] == "NOT_FOUND"
    assert "nosuchrecord" in error["message"]
    # A replace that drops a required field, a value of the wrong type, an unknown field.
    for verb, body, code in [
        ("PUT", {"last_name": "x"}, "VALIDATION_REQUIRED"),
        ("PATCH", {"age": "old"}, "INVALID_FORMAT"),
        ("PATCH", {"colour": "red"}, "VALIDATION_UNKNOWN_FIELD"),
        ("PATCH", {"email": "bob@x.org"}, "VALIDATION_UNIQUENESS"),
    ]:
        refused = _df_error(api.request(verb, f"/rest/db/contact/{ann}", body), 422)
        assert code in [d.get("code") for d in refused["context"]["error"]], refused
    other = api.request("PATCH", f"/rest/db/contact/{ann}", {"id": people[1], "age": 1})
    _df_error(other, 400)  # the body's id is another record's
    for body in [[], {}, "text", {"record": [{"age": 1}, {"age": 2}]}]:
        _df_error(api.request("PATCH", f"/rest/db/contact/{ann}", body), 400)
    _df_error(api.request("DELETE", "/rest/db/contact/nosuchrecord"), 404)
    _df_error(api.request("PATCH", "/rest/db/nothing/x", {"age": 1}), 404)
    _df_error(api.request("PATCH", "/rest/nodb/contact/x", {"age": 1}), 404)
    assert snapshot() == before


def test_an_id_of_another_table_or_a_block_is_not_found(api, people):
    other = api.create_item_type("note")
    api.create_field(other["id"], "text", "string")
    note = api.post("/rest/db/note", {"text": "hi"}).body["id"]
    _df_error(api.request("PATCH", f"/rest/db/contact/{note}", {"age": 1}), 404)
    _df_error(api.request("DELETE", f"/rest/db/contact/{note}"), 404)
    assert Item.objects.filter(pk=note).exists()


# --- by ids, by filter, as a batch ------------------------------------------------------


def test_patch_by_ids_with_one_body(api, people):
    ids = ",".join(people[:2])
    response = api.request("PATCH", f"/rest/db/contact?ids={ids}&fields=age", {"age": 7})
    assert response.status_code == 200, response.body
    assert response.body == {"record": [{"id": people[0], "age": 7}, {"id": people[1], "age": 7}]}
    assert [values(api, i)["age"] for i in people] == [7, 7, 50]
    wrapped = api.request("PATCH", f"/rest/db/contact?ids={ids}", {"record": [{"age": 8}]})
    assert wrapped.status_code == 200, wrapped.body
    assert [values(api, i)["age"] for i in people] == [8, 8, 50]


def test_put_by_filter(api, people):
    response = api.put(
        "/rest/db/contact?filter=age%20%3E%3D%2040&fields=first_name,age",
        {"first_name": "Old"},
    )
    assert response.status_code == 200, response.body
    assert response.body["record"] == [
        {"id": people[1], "first_name": "Old", "age": 18},
        {"id": people[2], "first_name": "Old", "age": 18},
    ]
    assert values(api, people[0])["first_name"] == "Ann"
    nothing = api.request("PATCH", "/rest/db/contact?filter=age%20%3E%20100", {"age": 1})
    assert nothing.status_code == 200 and nothing.body == {"record": []}


def test_a_batch_of_records_carrying_their_ids(api, people):
    ann, bob, _ = people
    body = {"record": [{"id": ann, "age": 31}, {"id": bob, "last_name": "Bay"}]}
    response = api.request("PATCH", "/rest/db/contact?fields=*", body)
    assert response.status_code == 200, response.body
    assert [r["age"] for r in response.body["record"]] == [31, 40]
    assert values(api, bob)["last_name"] == "Bay"
    bare = api.request("PATCH", "/rest/db/contact", [{"id": ann, "age": 32}])
    assert bare.status_code == 200 and bare.body == {"record": [{"id": ann}]}
    single = api.request("PATCH", "/rest/db/contact", {"id": ann, "age": 33})
    assert single.status_code == 200 and single.body == {"id": ann}


def test_fields_in_the_body_beside_the_wrapper(api, people):
    body = {"record": [{"id": people[0], "age": 5}], "fields": "age"}
    response = api.request("PATCH", "/rest/db/contact", body)
    assert response.body == {"record": [{"id": people[0], "age": 5}]}


# --- what every write keeps ------------------------------------------------------------


def test_links_are_checked_and_recorded(api, people, contact):
    note = api.create_item_type("note")
    validators = {"item_item_type": {"item_types": [contact["id"]]}}
    api.create_field(note["id"], "about", "link", validators=validators)
    made = api.post("/rest/db/note", {"about": people[0]}).body["id"]
    moved = api.request("PATCH", f"/rest/db/note/{made}", {"about": people[1]})
    assert moved.status_code == 200, moved.body
    assert list(
        Reference.objects.filter(record_id=made).values_list("target_item_id", flat=True)
    ) == [people[1]]
    broken = api.request("PATCH", f"/rest/db/note/{made}", {"about": "nosuchrecord"})
    assert _df_error(broken, 422)["context"]["error"][0]["field"] == "about"


def test_writes_send_webhooks(api, people, receiver):  # noqa: F811
    listen(api, receiver, "item", ["update", "delete"])
    assert api.request("PATCH", f"/rest/db/contact?ids={people[0]},{people[1]}", {"age": 1})
    assert api.delete(f"/rest/db/contact/{people[2]}").status_code == 200
    assert sorted(received(receiver)) == [
        ("item", "delete"),
        ("item", "update"),
        ("item", "update"),
    ]
    previous = [receiver.json(i).get("previous_entity") for i in range(3)]
    assert any(p and p["attributes"]["age"] == 30 for p in previous)


def test_read_only_tokens_write_nothing(db, people, readonly_api, api):
    before = snapshot()
    for verb, path in [
        ("PATCH", f"/rest/db/contact/{people[0]}"),
        ("MERGE", f"/rest/db/contact/{people[0]}"),
        ("PUT", "/rest/db/contact"),
        ("DELETE", "/rest/db/contact?force=true"),
    ]:
        _df_error(readonly_api.request(verb, path, {"id": people[0], "age": 1}), 403)
    tunnelled = readonly_api.post(
        f"/rest/db/contact/{people[0]}", headers={"X-HTTP-Method": "DELETE"}
    )
    _df_error(tunnelled, 403)
    _df_error(Api(None).delete(f"/rest/db/contact/{people[0]}"), 401)
    assert snapshot() == before


def test_a_write_costs_the_same_statements_whatever_its_size(api, people):
    """The records are read and locked once, checked against the database once, and
    written with one statement per table, for 1 record or 20 (blocks and links too)."""

    def cost(method, path, body=None):
        with CaptureQueriesContext(connection) as queries:
            response = api.request(method, path, body)
        assert response.status_code == 200, response.body
        return len(queries.captured_queries)

    rows = [{"first_name": "x", "email": f"x{n}@x.org"} for n in range(20)]
    more = api.post("/rest/db/contact", {"record": rows}).body["record"]
    twenty = ",".join(record["id"] for record in more)
    for verb in ["PATCH", "PUT"]:
        one = cost(verb, f"/rest/db/contact?ids={people[0]}", {"first_name": "y", "age": 3})
        many = cost(verb, f"/rest/db/contact?ids={twenty}", {"first_name": "y", "age": 4})
        assert many == one, verb
    batch = {"record": [{"id": record["id"], "age": n} for n, record in enumerate(more)]}
    assert cost("PATCH", "/rest/db/contact", batch) == one
    single = cost("DELETE", f"/rest/db/contact?ids={people[0]}")
    assert cost("DELETE", f"/rest/db/contact?ids={twenty}") == single


def test_a_batch_changes_records_blocks(api):
    from tests.items.conftest import block

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
        for i in range(3)
    ]
    ids = [r["id"] for r in api.post("/rest/db/post", {"record": records}).body["record"]]
    blocks = {i: api.get(f"/items/{i}").body["data"]["attributes"]["body"] for i in ids}

    def texts(record_id):
        nested = api.get(f"/items/{record_id}?nested=true").body["data"]["attributes"]["body"]
        return [b["attributes"]["text"] for b in nested]

    before = snapshot()
    bad = {"record": [{"id": ids[0], "body": [block(quote["id"])]}, {"id": ids[1], "title": "x"}]}
    refused = api.request("PATCH", "/rest/db/post?rollback=true", bad)
    assert _df_error(refused, 400)["context"]["error"] == [0]
    assert snapshot() == before

    changed = dict(block(quote["id"], text="changed"), id=blocks[ids[1]][0])
    batch = {
        "record": [
            {"id": ids[0], "body": [blocks[ids[0]][1]]},  # the second block kept, by id
            {"id": ids[1], "body": [changed, blocks[ids[1]][1]]},
            {"id": ids[2], "title": "only the title"},
        ]
    }
    response = api.request("PATCH", "/rest/db/post", batch)
    assert response.status_code == 200, response.body
    assert [texts(i) for i in ids] == [["b"], ["changed", "b"], ["a2", "b"]]
    assert Item.objects.filter(root__isnull=False).count() == 5
    assert ItemVersion.objects.get(item_id=ids[1], pk=Item.objects.get(pk=ids[1]).current_version)
