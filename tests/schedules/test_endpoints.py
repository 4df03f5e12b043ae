"""``POST/DELETE /items/:id/scheduled-publication`` and ``…/scheduled-unpublishing``
over HTTP: the answers' shapes, the record's meta, current-vs-published-state, one
schedule per kind, and refusals that write nothing."""

from datetime import UTC, datetime, timedelta

import pytest

from items.models import Item
from schedules.models import Schedule
from tests.conftest import error_codes
from tests.items.conftest import make


def later(**delta) -> str:
    return (datetime.now(UTC) + timedelta(**(delta or {"days": 1}))).isoformat()


def publication(at, selective=None, **extra) -> dict:
    attributes = {"publication_scheduled_at": at, **extra}
    if selective is not ...:
        attributes["selective_publication"] = selective
    return {"data": {"type": "scheduled_publication", "attributes": attributes}}


def unpublishing(at, locales=None) -> dict:
    attributes = {"unpublishing_scheduled_at": at, "content_in_locales": locales}
    return {"data": {"type": "scheduled_unpublishing", "attributes": attributes}}


@pytest.fixture
def guide(api, two_locales):
    model = api.create_item_type("guide", draft_mode_active=True)
    api.create_field(model["id"], "title", "string", localized=True)
    api.create_field(model["id"], "code", "string")
    return model


@pytest.fixture
def record(api, guide):
    return make(api, guide["id"], {"title": {"en": "Hello", "it": "Ciao"}, "code": "A"})


def test_scheduling_a_publication_and_cancelling_it(api, record):
    at = "2099-06-01T09:00:00+02:00"
    selective = {"content_in_locales": ["en"], "non_localized_content": True}
    created = api.post(f"/items/{record['id']}/scheduled-publication", publication(at, selective))
    assert created.status_code == 201, created.body
    data = created.body["data"]
    assert data == {
        "type": "scheduled_publication",
        "id": data["id"],
        "attributes": {
            "publication_scheduled_at": "2099-06-01T07:00:00.000+00:00",
            "selective_publication": selective,
        },
        "relationships": {"item": {"data": {"type": "item", "id": record["id"]}}},
    }
    assert data["id"].isdigit()
    [included] = created.body["included"]
    assert included["id"] == record["id"]
    assert included["meta"]["publication_scheduled_at"] == "2099-06-01T07:00:00.000+00:00"
    assert included["meta"]["status"] == "draft"  # nothing published yet
    shown = api.get(f"/items/{record['id']}").body["data"]["meta"]
    assert shown["publication_scheduled_at"] == "2099-06-01T07:00:00.000+00:00"
    assert shown["unpublishing_scheduled_at"] is None

    state = api.get(f"/items/{record['id']}/current-vs-published-state").body
    links = state["data"]["relationships"]
    assert links["scheduled_publication"] == {
        "data": {"type": "scheduled_publication", "id": data["id"]}
    }
    assert links["scheduled_unpublishing"] == {"data": None}
    assert state["included"] == [data]

    listed = api.get(
        "/items?filter[type]=guide&filter[fields][_publication_scheduled_at][exists]=true"
    ).body["data"]
    assert [r["id"] for r in listed] == [record["id"]]

    cancelled = api.delete(f"/items/{record['id']}/scheduled-publication")
    assert cancelled.status_code == 200, cancelled.body
    assert cancelled.body["data"]["id"] == record["id"]
    assert cancelled.body["data"]["meta"]["publication_scheduled_at"] is None
    assert not Schedule.objects.exists()
    state = api.get(f"/items/{record['id']}/current-vs-published-state").body
    assert state["data"]["relationships"]["scheduled_publication"] == {"data": None}
    again = api.delete(f"/items/{record['id']}/scheduled-publication")
    assert again.status_code == 404 and error_codes(again) == [("NOT_FOUND", None, None)]


def test_scheduling_an_unpublishing(api, record):
    assert api.put(f"/items/{record['id']}/publish").status_code == 200
    at = later(hours=3)
    created = api.post(f"/items/{record['id']}/scheduled-unpublishing", unpublishing(at))
    assert created.status_code == 201, created.body
    data = created.body["data"]
    assert data["type"] == "scheduled_unpublishing"
    assert data["attributes"] == {
        "unpublishing_scheduled_at": data["attributes"]["unpublishing_scheduled_at"],
        "content_in_locales": None,
    }
    assert created.body["included"][0]["meta"]["unpublishing_scheduled_at"] is not None
    assert created.body["included"][0]["meta"]["status"] == "published"
    # Both kinds side by side.
    api.post(f"/items/{record['id']}/scheduled-publication", publication(later(days=2)))
    links = api.get(f"/items/{record['id']}/current-vs-published-state").body["data"]
    assert links["relationships"]["scheduled_unpublishing"]["data"]["id"] == data["id"]
    assert links["relationships"]["scheduled_publication"]["data"] is not None
    gone = api.delete(f"/items/{record['id']}/scheduled-unpublishing")
    assert gone.status_code == 200
    assert gone.body["data"]["meta"]["unpublishing_scheduled_at"] is None
    assert gone.body["data"]["meta"]["publication_scheduled_at"] is not None
    assert list(Schedule.objects.values_list("kind", flat=True)) == ["publication"]


def test_a_second_schedule_replaces_the_first(api, record):
    first = api.post(f"/items/{record['id']}/scheduled-publication", publication(later(days=1)))
    second = api.post(
        f"/items/{record['id']}/scheduled-publication",
        publication("2098-01-01T00:00:00Z", ...),  # no selective_publication: the whole record
    )
    assert second.status_code == 201
    assert second.body["data"]["id"] != first.body["data"]["id"]
    assert second.body["data"]["attributes"]["selective_publication"] is None
    [row] = Schedule.objects.all()
    assert str(row.pk) == second.body["data"]["id"]
    assert row.scheduled_at == datetime(2098, 1, 1, tzinfo=UTC)
    assert Item.objects.get(pk=record["id"]).publication_scheduled_at == row.scheduled_at


BAD_PUBLICATIONS = [
    # (attributes, the refusals: (code, details.field, details.code))
    (
        {"publication_scheduled_at": "2020-01-01T00:00:00Z"},
        [("INVALID_FIELD", "publication_scheduled_at", "VALIDATION_IN_THE_PAST")],
    ),
    (
        {"publication_scheduled_at": "next monday"},
        [("INVALID_FIELD", "publication_scheduled_at", "VALIDATION_FORMAT")],
    ),
    (
        {"publication_scheduled_at": 1893456000},
        [("INVALID_FIELD", "publication_scheduled_at", "VALIDATION_FORMAT")],
    ),
    ({}, [("INVALID_FIELD", "publication_scheduled_at", "VALIDATION_REQUIRED")]),
    (
        {"publication_scheduled_at": "2099-01-01T00:00:00Z", "selective_publication": "en"},
        [("INVALID_FIELD", "selective_publication", "VALIDATION_FORMAT")],
    ),
    (
        {
            "publication_scheduled_at": "2099-01-01T00:00:00Z",
            "selective_publication": {"content_in_locales": "en"},
        },
        [("INVALID_FIELD", "selective_publication", "VALIDATION_FORMAT")],
    ),
    (
        {
            "publication_scheduled_at": "2099-01-01T00:00:00Z",
            "selective_publication": {"content_in_locales": ["fr"]},
        },
        [("INVALID_FIELD", "selective_publication", "INVALID_LOCALES")],
    ),
    (
        {"publication_scheduled_at": "1999-01-01T00:00:00Z", "when": "now"},
        [
            ("INVALID_ATTRIBUTES", "when", "VALIDATION_UNKNOWN_ATTRIBUTE"),
            ("INVALID_FIELD", "publication_scheduled_at", "VALIDATION_IN_THE_PAST"),
        ],
    ),
]


@pytest.mark.parametrize(("attributes", "refusals"), BAD_PUBLICATIONS)
def test_bad_schedules_are_refused_and_write_nothing(api, record, attributes, refusals):
    body = {"data": {"type": "scheduled_publication", "attributes": attributes}}
    refused = api.post(f"/items/{record['id']}/scheduled-publication", body)
    assert refused.status_code == 422, refused.body
    assert error_codes(refused) == refusals
    assert not Schedule.objects.exists()
    assert Item.objects.get(pk=record["id"]).publication_scheduled_at is None


def test_other_refusals_write_nothing(api, guide, record, two_locales):
    path = f"/items/{record['id']}/scheduled-unpublishing"
    partial = api.post(path, unpublishing(later(), ["en"]))
    assert partial.status_code == 422
    assert error_codes(partial) == [
        ("INVALID_FIELD", "content_in_locales", "VALIDATION_NOT_SUPPORTED")
    ]
    wrong_type = api.post(path, publication(later()))
    assert error_codes(wrong_type) == [("INVALID_TYPE", "type", None)]
    assert api.post(path, None).status_code == 422
    unknown = api.post(f"/items/{'x' * 22}/scheduled-publication", publication(later()))
    assert unknown.status_code == 404 and error_codes(unknown) == [("NOT_FOUND", None, None)]
    # A block is not a record: no schedule of its own.
    section = api.create_item_type("section", modular_block=True)
    api.create_field(section["id"], "heading", "string")
    page = api.create_item_type("page")
    api.create_field(
        page["id"],
        "parts",
        "rich_text",
        validators={"rich_text_blocks": {"item_types": [section["id"]]}},
    )
    holder = make(
        api,
        page["id"],
        {
            "parts": [
                {
                    "type": "item",
                    "attributes": {"heading": "h"},
                    "relationships": {
                        "item_type": {"data": {"type": "item_type", "id": section["id"]}}
                    },
                }
            ]
        },
    )
    block_id = holder["attributes"]["parts"][0]
    on_block = api.post(f"/items/{block_id}/scheduled-publication", publication(later()))
    assert on_block.status_code == 404
    assert api.delete(f"/items/{block_id}/scheduled-publication").status_code == 404
    extra = api.post(f"/items/{record['id']}/scheduled-publication?now=true", publication(later()))
    assert error_codes(extra)[0][0] == "INVALID_QUERY_PARAMETERS"
    assert not Schedule.objects.exists()
    assert not Item.objects.filter(publication_scheduled_at__isnull=False).exists()
    assert not Item.objects.filter(unpublishing_scheduled_at__isnull=False).exists()


def test_roles(api, readonly_api, editor_api, record):
    path = f"/items/{record['id']}/scheduled-publication"
    refused = readonly_api.post(path, publication(later()))
    assert refused.status_code == 403 and not Schedule.objects.exists()
    assert editor_api.post(path, publication(later())).status_code == 201
    assert readonly_api.delete(path).status_code == 403
    assert editor_api.delete(path).status_code == 200


def test_a_deleted_record_takes_its_schedules_along(api, record):
    api.post(f"/items/{record['id']}/scheduled-publication", publication(later()))
    api.post(f"/items/{record['id']}/scheduled-unpublishing", unpublishing(later()))
    assert Schedule.objects.count() == 2
    assert api.delete(f"/items/{record['id']}").status_code == 200
    assert not Schedule.objects.exists()
