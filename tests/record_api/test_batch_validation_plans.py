"""What validation works out once per content model (items.validation.plans) follows the
schema: a field's new validators, a new field, apply to the very next batch."""

from items.models import Item


def _batch(api, records):
    # 60 records: past COPY_FROM, so PostgreSQL takes the COPY path.
    return api.post("/rest/db/note?rollback=true", {"record": records})


def test_a_batch_checks_the_validators_the_field_has_now(api):
    model = api.create_item_type("note")
    field = api.create_field(model["id"], "title", "string")
    assert _batch(api, [{"title": "long title"}] * 60).status_code == 200
    changed = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "id": field["id"],
                "attributes": {"validators": {"length": {"max": 5}, "unique": {}}},
            }
        },
    )
    assert changed.status_code == 200, changed.body

    response = _batch(api, [{"title": "short"}, *[{"title": "long title"}] * 59])
    assert response.status_code == 400
    slots = response.body["error"]["context"]["record"]
    assert slots[0] is None
    assert slots[1]["details"][0]["code"] == "VALIDATION_LENGTH"
    assert slots[1]["details"][0]["field"] == "title"
    assert Item.objects.count() == 60  # the first batch's only


def test_a_batch_knows_a_field_added_since_the_last_one(api):
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string")
    refused = _batch(api, [{"title": "a", "rank": 1}] * 60)
    assert refused.status_code == 400
    [problem] = refused.body["error"]["context"]["record"][0]["details"]
    assert (problem["field"], problem["code"]) == ("rank", "VALIDATION_UNKNOWN_FIELD")

    api.create_field(model["id"], "rank", "integer", validators={"number_range": {"min": 0}})
    assert _batch(api, [{"title": "a", "rank": 1}] * 60).status_code == 200
    response = _batch(api, [{"title": "a", "rank": -1}] * 60)
    assert response.status_code == 400
    [problem] = response.body["error"]["context"]["record"][0]["details"]
    assert (problem["field"], problem["code"]) == ("rank", "VALIDATION_NUMBER_RANGE")
