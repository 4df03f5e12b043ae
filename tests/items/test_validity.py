"""Record validity answered in the request: publishing refused with the errors a write of
the record's values gets (whole or selective, nothing written), the current-vs-published
state of draft, published and updated records, and the refusals of the new parameters.
The re-check job itself runs on a real worker in test_validity_jobs.py."""

import pytest

from items.models import Item, ItemVersion
from tests.conftest import error_codes
from tests.items.conftest import make, put


def set_validators(api, field_id: str, validators: dict):
    body = {"data": {"type": "field", "id": field_id, "attributes": {"validators": validators}}}
    response = api.put(f"/fields/{field_id}", body)
    assert response.status_code == 200, response.body


def selective(api, record_id: str, locales: list, non_localized: bool):
    body = {
        "data": {
            "type": "selective_publish_operation",
            "attributes": {"content_in_locales": locales, "non_localized_content": non_localized},
        }
    }
    return api.put(f"/items/{record_id}/publish", body)


@pytest.fixture
def guide(api, two_locales):
    """A draft-mode model: a localized title and a non-localized code."""
    guide = api.create_item_type("guide", draft_mode_active=True)
    guide["title"] = api.create_field(guide["id"], "title", "string", localized=True)
    guide["code"] = api.create_field(guide["id"], "code", "string")
    return guide


def state(api, record_id: str) -> dict:
    response = api.get(f"/items/{record_id}/current-vs-published-state")
    assert response.status_code == 200, response.body
    return response.body


def test_publishing_values_the_rules_refuse_is_refused_with_their_errors(api, guide):
    record = make(api, guide["id"], {"title": {"en": "Hello", "it": ""}, "code": None})
    set_validators(api, guide["title"]["id"], {"required": {}})
    set_validators(api, guide["code"]["id"], {"required": {}})
    before = Item.objects.get(pk=record["id"])
    versions = ItemVersion.objects.count()

    refused = api.put(f"/items/{record['id']}/publish")
    assert refused.status_code == 422
    assert sorted(
        (e["attributes"]["details"]["field"], e["attributes"]["details"].get("locale"))
        for e in refused.body["data"]
    ) == [("code", None), ("title", "it")]
    assert set(error_codes(refused)) == {
        ("INVALID_FIELD", "title", "VALIDATION_REQUIRED"),
        ("INVALID_FIELD", "code", "VALIDATION_REQUIRED"),
    }
    # The same errors an update with those very values gets.
    update = put(api, record["id"], {"title": {"en": "Hello", "it": ""}, "code": None})
    assert sorted(error_codes(update)) == sorted(error_codes(refused))
    after = Item.objects.get(pk=record["id"])
    assert (after.status, after.published_version_id, after.published_at) == ("draft", None, None)
    assert after.current_version == before.current_version
    assert ItemVersion.objects.count() == versions

    # A selection is refused only for the problems it holds.
    only_it = selective(api, record["id"], ["it"], False)
    assert error_codes(only_it) == [("INVALID_FIELD", "title", "VALIDATION_REQUIRED")]
    assert selective(api, record["id"], ["en"], True).status_code == 422  # code is empty
    assert Item.objects.get(pk=record["id"]).published_version_id is None
    published = selective(api, record["id"], ["en"], False)
    assert published.status_code == 200, published.body
    meta = published.body["data"]["meta"]
    # What it published passed; the record as a whole still doesn't.
    assert (meta["is_valid"], meta["is_published_version_valid"]) == (False, True)

    fixed = put(api, record["id"], {"title": {"en": "Hello", "it": "Ciao"}, "code": "A"})
    assert fixed.status_code == 200, fixed.body
    assert fixed.body["data"]["meta"]["is_valid"] is True
    assert api.put(f"/items/{record['id']}/publish").status_code == 200


def test_the_state_of_a_draft_a_published_and_an_updated_record(api, guide):
    record = make(api, guide["id"], {"title": {"en": "Hello", "it": "Ciao"}, "code": "A"})
    draft = state(api, record["id"])
    data = draft["data"]
    assert (data["type"], data["id"]) == ("item_current_vs_published_state", record["id"])
    assert data["attributes"] == {
        "current_version_locales": ["en", "it"],
        "published_version_locales": [],
        "changed_locales": [],
        "added_locales": ["en", "it"],
        "removed_locales": [],
        "non_localized_fields_changed": True,
        "current_version_invalid_locales": [],
        "current_version_non_localized_fields_invalid": False,
    }
    assert data["relationships"] == {
        "scheduled_publication": {"data": None},
        "scheduled_unpublishing": {"data": None},
        "published_version": {"data": None},
    }
    assert draft["included"] == []

    api.put(f"/items/{record['id']}/publish")
    published = state(api, record["id"])
    attributes = published["data"]["attributes"]
    assert attributes["published_version_locales"] == ["en", "it"]
    assert (attributes["changed_locales"], attributes["added_locales"]) == ([], [])
    assert attributes["non_localized_fields_changed"] is False
    version = published["data"]["relationships"]["published_version"]["data"]
    assert version["type"] == "item_version"
    assert [(v["type"], v["id"]) for v in published["included"]] == [
        ("item_version", version["id"])
    ]
    assert published["included"][0]["meta"]["is_published"] is True

    put(api, record["id"], {"title": {"en": "Hello", "it": "Cia"}})
    set_validators(api, guide["title"]["id"], {"length": {"min": 5}})
    updated = state(api, record["id"])["data"]["attributes"]
    assert updated["changed_locales"] == ["it"]
    assert updated["non_localized_fields_changed"] is False
    assert updated["current_version_invalid_locales"] == ["it"]  # "Cia" is too short
    assert updated["current_version_non_localized_fields_invalid"] is False

    put(api, record["id"], {"title": {"en": "Hello"}, "code": "B"})  # "it" removed
    removed = state(api, record["id"])["data"]["attributes"]
    assert removed["current_version_locales"] == ["en"]
    assert removed["removed_locales"] == ["it"]
    assert removed["non_localized_fields_changed"] is True


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("filter[only_valid]=maybe", "filter[only_valid]"),
        ("filter[only_valid][x]=true", "filter[only_valid]"),
        ("filter[fields][_is_valid][eq]=perhaps", "filter[fields][_is_valid][eq]"),
        ("filter[fields][_is_valid][neq]=true", "filter[fields][_is_valid][neq]"),
    ],
)
def test_validity_filters_refuse_what_they_cant_read(api, guide, query, parameter):
    response = api.get(f"/items?filter[type]={guide['id']}&{query}")
    assert response.status_code == 422, response.body
    details = response.body["data"][0]["attributes"]["details"]
    assert response.body["data"][0]["attributes"]["code"] == "INVALID_FILTER_FIELDS_PARAM"
    assert details["parameter"] == parameter


def test_validity_ordering_and_filters_read_the_version_listed(api, guide):
    record = make(api, guide["id"], {"title": {"en": "Hi", "it": "Ciao"}, "code": "A"})
    api.put(f"/items/{record['id']}/publish")
    # As the re-check job leaves a record whose current values broke a new rule.
    Item.objects.filter(pk=record["id"]).update(is_current_version_valid=False)
    base = f"/items?filter[type]={guide['id']}"
    assert api.get(base + "&filter[only_valid]=true").body["data"] == []
    published = api.get(base + "&filter[only_valid]=true&version=published").body["data"]
    assert [r["id"] for r in published] == [record["id"]]
    assert published[0]["meta"]["is_valid"] is False  # the record's meta: its current values
    assert api.get(base + "&order_by=_is_valid_ASC").status_code == 200
    bad = api.get(base + "&order_by=_is_valid_UP")
    assert error_codes(bad)[0][0] == "INVALID_ORDERING"
    # Meta columns order without a filter[type].
    assert api.get("/items?order_by=_is_valid_DESC").status_code == 200


def test_unknown_records_and_parameters_on_the_new_endpoints(api, guide):
    missing = "AAAAAAAAAAAAAAAAAAAAAA"
    assert api.get(f"/items/{missing}/current-vs-published-state").status_code == 404
    assert api.post(f"/items/{missing}/duplicate").status_code == 404
    record = make(api, guide["id"], {"title": {"en": "Hello", "it": "Ciao"}})
    for response in (
        api.get(f"/items/{record['id']}/current-vs-published-state?nested=true"),
        api.post(f"/items/{record['id']}/duplicate?fast=true"),
    ):
        assert response.status_code == 422, response.body
        assert response.body["data"][0]["attributes"]["code"] == "INVALID_QUERY_PARAMETERS"
    assert Item.objects.filter(item_type_id=guide["id"]).count() == 1


def test_a_recheck_never_overwrites_a_version_written_since_it_was_read(api, guide):
    """The re-check job reads a batch, validates it, then flags: a record updated in
    between (valid by construction) keeps its flag; the others get theirs."""
    from items import validity
    from items.content_model import ContentModel

    changed = make(api, guide["id"], {"title": {"en": "x", "it": "y"}, "code": "A"})
    untouched = make(api, guide["id"], {"title": {"en": "x", "it": "y"}, "code": "B"})
    set_validators(api, guide["title"]["id"], {"length": {"min": 3}})
    read = list(Item.objects.filter(item_type_id=guide["id"]).order_by("pk"))
    fixed = put(api, changed["id"], {"title": {"en": "xxx", "it": "yyy"}})
    assert fixed.status_code == 200, fixed.body

    assert validity.recheck([guide["id"]]) == {"checked": 2, "invalid": 1}
    invalid = validity._check_batch(read, ContentModel.load())  # as if read before the put
    assert invalid == 2
    flags = dict(Item.objects.values_list("id", "is_current_version_valid"))
    assert flags == {changed["id"]: True, untouched["id"]: False}


def test_the_new_endpoints_cost_the_same_queries_whatever_the_record_holds(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.items.conftest import block

    note = api.create_item_type("note", modular_block=True)
    api.create_field(note["id"], "text", "string", validators={"required": {}})
    page = api.create_item_type("page", draft_mode_active=True)
    api.create_field(page["id"], "title", "string", validators={"length": {"min": 2}})
    api.create_field(
        page["id"],
        "notes",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [note["id"]]}},
    )
    small = make(api, page["id"], {"title": "One", "notes": [block(note["id"], text="a")]})
    big = make(
        api,
        page["id"],
        {"title": "Six", "notes": [block(note["id"], text=str(n)) for n in range(6)]},
    )

    def cost(method, path) -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api.request(method, path)
        assert response.status_code in (200, 202), response.body
        return len(queries)

    for record in (small, big):
        assert api.put(f"/items/{record['id']}/publish").status_code == 200
    for method, suffix in [
        ("GET", "current-vs-published-state"),
        ("POST", "duplicate"),
        ("PUT", "publish"),
    ]:
        costs = [cost(method, f"/items/{r['id']}/{suffix}") for r in (small, big)]
        assert costs[0] == costs[1], (suffix, costs)
