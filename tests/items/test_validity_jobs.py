"""Record validity and duplicates through their jobs, against `manage.py serve` (the server
and its job worker, as `make run` starts them) on a fresh database: records re-checked by
the worker after a validator change, a new required field and a field's delete; the list
filters and ordering that read it; publishing refused until the record is fixed; a
duplicate (blocks copied with new ids) through the job protocol, and one a unique field
refuses."""

import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.serving import FAST_JOBS, serving

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    data_dir: Path = tmp_path_factory.mktemp("validity") / "data"
    with serving(data_dir, "validity", **FAST_JOBS) as server:
        yield server


def ok(answer, status=200):
    assert answer[0] == status, answer
    return answer[1]


def model(served, api_key: str, **attributes) -> dict:
    body = {
        "data": {
            "type": "item_type",
            "attributes": {"name": api_key, "api_key": api_key, **attributes},
        }
    }
    return ok(served.request("POST", "/item-types", body), 201)["data"]


def field(served, model_id: str, api_key: str, field_type="string", **attributes) -> dict:
    body = {
        "data": {
            "type": "field",
            "attributes": {
                "label": api_key,
                "api_key": api_key,
                "field_type": field_type,
                **attributes,
            },
        }
    }
    return ok(served.request("POST", f"/item-types/{model_id}/fields", body), 201)["data"]


def set_validators(served, field_id: str, validators: dict) -> dict:
    body = {"data": {"type": "field", "id": field_id, "attributes": {"validators": validators}}}
    return ok(served.request("PUT", f"/fields/{field_id}", body))["data"]


def record(served, model_id: str, **attributes) -> dict:
    body = {
        "data": {
            "type": "item",
            "attributes": attributes,
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model_id}}},
        }
    }
    return ok(served.request("POST", "/items", body), 201)["data"]


def listed(served, **params) -> list[dict]:
    return served.get("/items?" + urlencode(params))["data"]


def meta(served, record_id: str) -> dict:
    return served.get(f"/items/{record_id}")["data"]["meta"]


def eventually(check, what: str, timeout: float = 60):
    """Polls until ``check()`` is truthy (the job's worker got to it); its answer."""
    deadline = time.monotonic() + timeout
    while not (answer := check()):
        assert time.monotonic() < deadline, f"not {what} within {timeout} s"
        time.sleep(0.1)
    return answer


def validity(served, record_id: str) -> tuple:
    found = meta(served, record_id)
    return (
        found["is_valid"],
        found["is_current_version_valid"],
        found["is_published_version_valid"],
    )


def test_a_validator_change_has_the_worker_recheck_saved_records(served):
    post = model(served, "post_a")
    title = field(served, post["id"], "title")
    short = record(served, post["id"], title="Hi")
    long = record(served, post["id"], title="A title long enough")
    empty = record(served, post["id"], title=None)
    assert validity(served, short["id"]) == (True, True, True)  # no draft mode: published

    # The field update answers at once; the records are re-checked by the worker.
    set_validators(served, title["id"], {"length": {"min": 5}, "required": {}})
    eventually(lambda: not meta(served, short["id"])["is_valid"], "short marked invalid")
    eventually(lambda: not meta(served, empty["id"])["is_valid"], "empty marked invalid")
    assert validity(served, short["id"]) == (False, False, False)
    assert validity(served, long["id"]) == (True, True, True)

    type_filter = {"filter[type]": post["id"]}
    only_valid = listed(served, **type_filter, **{"filter[only_valid]": "true"})
    assert [r["id"] for r in only_valid] == [long["id"]]
    everything = listed(served, **type_filter, **{"filter[only_valid]": "false"})
    assert len(everything) == 3
    invalid = listed(served, **type_filter, **{"filter[fields][_is_valid][eq]": "false"})
    assert sorted(r["id"] for r in invalid) == sorted([short["id"], empty["id"]])
    ordered = listed(served, **type_filter, order_by="_is_valid_DESC,_created_at_ASC")
    assert [r["id"] for r in ordered] == [long["id"], short["id"], empty["id"]]
    ordered = listed(served, **type_filter, order_by="_is_valid_ASC")
    assert ordered[-1]["id"] == long["id"]

    # Fixing the record through an update makes it valid again at once.
    body = {"data": {"type": "item", "id": short["id"], "attributes": {"title": "Hello!"}}}
    ok(served.request("PUT", f"/items/{short['id']}", body))
    assert validity(served, short["id"]) == (True, True, True)

    # Relaxing the rule: the worker finds the empty one valid again.
    set_validators(served, title["id"], {})
    eventually(lambda: meta(served, empty["id"])["is_valid"], "empty valid again")


def test_a_new_required_field_and_its_delete(served):
    page = model(served, "page_b", draft_mode_active=True)
    field(served, page["id"], "title")
    draft = record(served, page["id"], title="Draft")
    published = record(served, page["id"], title="Published")
    ok(served.request("PUT", f"/items/{published['id']}/publish"))
    assert validity(served, draft["id"]) == (True, True, None)  # never published: null

    summary = field(served, page["id"], "summary", validators={"required": {}})
    eventually(lambda: not meta(served, draft["id"])["is_valid"], "draft marked invalid")
    eventually(
        lambda: meta(served, published["id"])["is_published_version_valid"] is False,
        "the published version marked invalid",
    )
    assert validity(served, draft["id"]) == (False, False, None)
    assert validity(served, published["id"]) == (False, False, False)

    # Publishing is refused with the errors a write of those values gets; nothing changes.
    before = served.get(f"/items/{draft['id']}")["data"]
    status, body = served.request("PUT", f"/items/{draft['id']}/publish")
    assert status == 422, body
    errors = [e["attributes"] for e in body["data"]]
    assert [(e["code"], e["details"]["field"], e["details"]["code"]) for e in errors] == [
        ("INVALID_FIELD", "summary", "VALIDATION_REQUIRED")
    ]
    assert served.get(f"/items/{draft['id']}")["data"] == before

    ok(served.request("DELETE", f"/fields/{summary['id']}"))
    eventually(lambda: meta(served, draft["id"])["is_valid"], "draft valid again")
    eventually(
        lambda: meta(served, published["id"])["is_published_version_valid"],
        "the published version valid again",
    )
    assert (
        ok(served.request("PUT", f"/items/{draft['id']}/publish"))["data"]["meta"]["status"]
        == "published"
    )


def test_a_block_models_new_rule_rechecks_the_records_holding_its_blocks(served):
    quote = model(served, "quote_c", modular_block=True)
    text = field(served, quote["id"], "text")
    article = model(served, "article_c")
    field(
        served,
        article["id"],
        "body",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [quote["id"]]}},
    )
    block = {
        "type": "item",
        "attributes": {"text": "x"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": quote["id"]}}},
    }
    holding = record(served, article["id"], body=[block])
    without = record(served, article["id"], body=[])
    set_validators(served, text["id"], {"length": {"min": 3}})
    eventually(lambda: not meta(served, holding["id"])["is_valid"], "record marked invalid")
    assert meta(served, without["id"])["is_valid"] is True


def test_duplicate_copies_values_and_blocks_through_the_job(served):
    quote = model(served, "quote_d", modular_block=True)
    field(served, quote["id"], "text")
    post = model(served, "post_d")
    field(served, post["id"], "title")
    field(served, post["id"], "slug", "slug", validators={"unique": {}})
    field(
        served,
        post["id"],
        "body",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [quote["id"]]}},
    )
    block = {
        "type": "item",
        "attributes": {"text": "Quoted"},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": quote["id"]}}},
    }
    source = record(served, post["id"], title="Original", body=[block, block])

    job = ok(served.request("POST", f"/items/{source['id']}/duplicate"), 202)["data"]
    assert job["type"] == "job"
    result = served.job_result(job["id"])
    assert result["status"] == 200, result
    copy = result["payload"]["data"]
    assert [i["type"] for i in result["payload"]["included"]] == ["item_type"]
    assert copy["id"] != source["id"]
    assert copy["attributes"]["title"] == "Original"
    assert copy["relationships"]["item_type"]["data"]["id"] == post["id"]
    new_blocks, old_blocks = copy["attributes"]["body"], source["attributes"]["body"]
    assert len(new_blocks) == 2 and not set(new_blocks) & set(old_blocks)
    nested = served.get(f"/items/{copy['id']}?nested=true")["data"]["attributes"]["body"]
    assert [b["attributes"]["text"] for b in nested] == ["Quoted", "Quoted"]
    # The source keeps its own blocks.
    assert served.get(f"/items/{source['id']}")["data"]["attributes"]["body"] == old_blocks

    # A unique value can't be copied: 422 at once, as a create of it; no job, no record.
    unique = record(served, post["id"], title="Unique", slug="only-one")
    count = len(served.records(post["id"]))
    status, body = served.request("POST", f"/items/{unique['id']}/duplicate")
    assert status == 422, body
    details = body["data"][0]["attributes"]["details"]
    assert (details["field"], details["code"]) == ("slug", "VALIDATION_UNIQUENESS")
    assert len(served.records(post["id"])) == count

    status, body = served.request("POST", "/items/AAAAAAAAAAAAAAAAAAAAAA/duplicate")
    assert status == 404, body


def test_a_new_site_locale_rechecks_models_requiring_every_locale(served):
    # Last in the module: the site keeps its second locale.
    guide = model(served, "guide_e", all_locales_required=True)
    field(served, guide["id"], "title", localized=True)
    loose = model(served, "loose_e")
    field(served, loose["id"], "title", localized=True)
    strict = record(served, guide["id"], title={"en": "Hello"})
    relaxed = record(served, loose["id"], title={"en": "Hello"})
    body = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    ok(served.request("PUT", "/site", body))
    eventually(lambda: not meta(served, strict["id"])["is_valid"], "marked invalid")
    assert meta(served, relaxed["id"])["is_valid"] is True
    state = served.get(f"/items/{strict['id']}/current-vs-published-state")["data"]
    assert state["attributes"]["current_version_invalid_locales"] == ["it"]
    assert state["attributes"]["current_version_non_localized_fields_invalid"] is False
