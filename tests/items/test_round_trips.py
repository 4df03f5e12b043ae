"""What a record request costs PostgreSQL in round trips (README "What a create costs").

Counted from libpq's trace (tests/round_trips.py) on a database outside any test
transaction, so that ``BEGIN`` and ``COMMIT`` are what a server sends, not savepoints.
``pytest -s`` prints each request's statements.
"""

import pytest
from django.db import connection

from cms.models import ApiToken, hash_secret
from items.models import Item
from tests.conftest import Api, create_upload, make_api, png_bytes
from tests.items.conftest import item_body
from tests.round_trips import RoundTrips


@pytest.fixture
def live_api(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("round trips to PostgreSQL")
    return make_api("admin")


def _simple_model(api) -> dict:
    model = api.create_item_type("note")
    api.create_field(model["id"], "title", "string", validators={"required": {}})
    api.create_field(model["id"], "body", "text")
    api.create_field(model["id"], "rank", "integer")
    api.create_field(model["id"], "score", "float")
    api.create_field(model["id"], "done", "boolean")
    api.create_field(model["id"], "day", "date")
    return model


SIMPLE = {"title": "t", "body": "b", "rank": 1, "score": 2.5, "done": True, "day": "2026-01-02"}


def _rich_model(api) -> tuple[dict, dict]:
    """The benchmark's post (bench/create_records.py): 10 fields, 2 localized, blocks, a
    link, an upload; and the payload of one."""
    api.put("/site", {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}})
    quote = api.create_item_type("quote", modular_block=True)
    api.create_field(quote["id"], "text", "string", validators={"required": {}})
    category = api.create_item_type("category")
    api.create_field(category["id"], "name", "string")
    post = api.create_item_type("post")
    rich = [
        ("title", "string", {"validators": {"required": {}, "length": {"max": 200}}}),
        ("slug", "string", {"validators": {"unique": {}}}),
        ("subtitle", "string", {"localized": True}),
        ("content", "text", {"localized": True}),
        ("category", "link", {"validators": {"item_item_type": {"item_types": [category["id"]]}}}),
        ("cover", "file", {}),
        (
            "sections",
            "rich_text",
            {"validators": {"rich_text_blocks": {"item_types": [quote["id"]]}}},
        ),
        ("published_on", "date", {}),
        ("rating", "integer", {"validators": {"number_range": {"min": 0, "max": 5}}}),
        ("featured", "boolean", {}),
    ]
    for api_key, field_type, attributes in rich:
        api.create_field(post["id"], api_key, field_type, **attributes)
    news = api.post("/items", item_body(category["id"], {"name": "News"})).body["data"]
    upload = create_upload(api, png_bytes())
    counter = iter(range(1_000_000))

    def attributes():
        return {
            "title": "A post about benchmarks",
            "slug": f"post-{next(counter)}",
            "subtitle": {"en": "Fast", "it": "Veloce"},
            "content": {"en": "Lorem ipsum " * 20, "it": "Dolor sit amet " * 20},
            "category": news["id"],
            "cover": {"upload_id": upload["id"], "alt": "Cover"},
            "sections": [
                {
                    "type": "item",
                    "attributes": {"text": f"Quote {n}"},
                    "relationships": {
                        "item_type": {"data": {"type": "item_type", "id": quote["id"]}}
                    },
                }
                for n in range(2)
            ],
            "published_on": "2026-11-22",
            "rating": 4,
            "featured": True,
        }

    return post, attributes


def _trips(send, expected_status) -> RoundTrips:
    with RoundTrips() as trips:
        response = send()
    assert response.status_code == expected_status, response.body
    return trips


def _warm(send, times=2):
    for _ in range(times):
        send()


def test_round_trips_of_record_requests(live_api):
    """Prints what each request sends (pytest -s); the create is bounded."""
    api = live_api
    note = _simple_model(api)
    post, rich = _rich_model(api)

    def simple():
        return api.post("/items", item_body(note["id"], SIMPLE))

    def rich_create():
        return api.post("/items", item_body(post["id"], rich()))

    record = simple().body["data"]["id"]
    requests = {
        "simple create": (simple, 201),
        "rich create": (rich_create, 201),
        "update": (
            lambda: api.put(
                f"/items/{record}",
                {"data": {"type": "item", "id": record, "attributes": {"rank": 2}}},
            ),
            200,
        ),
        "list": (lambda: api.get("/items?filter[type]=note&page[limit]=5"), 200),
        "find": (lambda: api.get(f"/items/{record}"), 200),
    }
    counts = {}
    for name, (send, status) in requests.items():
        _warm(send)
        trips = _trips(send, status)
        counts[name] = trips.count
        print(f"\n{name}: {trips}")
    print(f"\nround trips: {counts}")
    assert counts["simple create"] <= 3
    assert counts["rich create"] <= 3


def test_a_simple_create_takes_at_most_three_round_trips(live_api):
    """The token (with the environment and maintenance mode) and one statement; BEGIN and
    COMMIT included, a SET the statement timeout needs too (the read before switches it)."""
    note = _simple_model(live_api)
    # The first caches the model; the second prepares the create's statement on this
    # connection (cms/prepared.py: one more round trip, once per connection).
    for _ in range(2):
        live_api.post("/items", item_body(note["id"], SIMPLE))
    for _ in range(3):
        assert live_api.get("/items?filter[type]=note").status_code == 200
        trips = _trips(lambda: live_api.post("/items", item_body(note["id"], SIMPLE)), 201)
        assert trips.count <= 3, str(trips)
        assert not any(s in ("BEGIN", "COMMIT") for s in trips.statements), trips


def _token_refused(api, note) -> list[int]:
    return [
        api.get("/items?filter[type]=note").status_code,
        api.post("/items", item_body(note["id"], SIMPLE)).status_code,
    ]


def test_a_revoked_token_is_refused_at_once(live_api):
    note = _simple_model(live_api)
    other = make_api("editor")
    assert _token_refused(other, note) == [200, 201]  # the worker has it all cached
    ApiToken.objects.get(secret_hash=hash_secret(other.token)).delete()
    assert _token_refused(other, note) == [401, 401]
    assert Item.objects.filter(item_type_id=note["id"]).count() == 1


def test_a_regenerated_token_is_refused_at_once(live_api):
    note = _simple_model(live_api)
    other = make_api("editor")
    assert _token_refused(other, note) == [200, 201]
    token = ApiToken.objects.get(secret_hash=hash_secret(other.token))
    new_secret = token.set_new_secret()
    token.save()
    assert _token_refused(other, note) == [401, 401]
    other.token = new_secret
    assert _token_refused(other, note) == [200, 201]
    assert Item.objects.filter(item_type_id=note["id"]).count() == 2


def test_a_role_limited_to_one_model_creates_in_as_few_round_trips(live_api):
    # Issue 17's target: a restricted role costs no more than an admin token. Its check
    # needs no content model when the role may create whole records of the model.
    from access.final import recompute_all
    from access.models import Role

    note = _simple_model(live_api)
    entry = {"environment": "main", "item_type": note["id"], "on_creator": "anyone"}
    role = Role.objects.create(
        name="note writers",
        positive_item_type_permissions=[
            {**entry, "action": "read"},
            {**entry, "action": "create", "localization_scope": "all"},
        ],
    )
    recompute_all()
    _, secret = ApiToken.create(name="note writer", role=role)
    writer = Api(secret)
    assert writer.post("/items", item_body(note["id"], SIMPLE)).status_code == 201
    for _ in range(2):
        admins = _trips(lambda: live_api.post("/items", item_body(note["id"], SIMPLE)), 201)
        trips = _trips(lambda: writer.post("/items", item_body(note["id"], SIMPLE)), 201)
        assert trips.count <= admins.count, (trips, admins)
    other = live_api.create_item_type("other")
    refused = writer.post("/items", item_body(other["id"], {}))
    assert refused.status_code == 403  # the check still runs
    assert not Item.objects.filter(item_type_id=other["id"]).exists()
