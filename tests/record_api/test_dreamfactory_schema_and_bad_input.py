"""DreamFactory 2's schema paths, its API key header, and bad input (a DreamFactory error,
never a 5xx, nothing written); a read tunnelled by POST and localized link relations."""

import json

import pytest

from cms.models import ApiToken
from items.models import Item
from tests.conftest import Api, within_one_rate_window
from tests.record_api.library import V2, df_error, get, titles

# Schema.


def test_schema(api, library):
    tables = api.get("/api/v2/db/_schema")
    assert [t["name"] for t in tables.body["resource"]] == ["author", "book", "tag"]
    book = api.get("/api/v2/db/_schema/book").body
    assert book["name"] == "book" and book["primary_key"] == ["id"]
    fields = {f["name"]: f for f in book["field"]}
    assert list(fields) == ["id", "title", "pages", "author", "tags", "sequel"]
    assert fields["id"]["is_primary_key"] is True
    assert (fields["title"]["type"], fields["title"]["length"]) == ("string", 80)
    assert fields["pages"]["type"] == "integer"
    assert fields["author"]["ref_table"] == "author" and fields["author"]["is_foreign_key"]
    relations = {r["name"]: r["type"] for r in book["related"]}
    assert relations == {
        "author_by_author": "belongs_to",
        "tag_by_tags": "many_many",
        "book_by_sequel": "belongs_to",
        "book_by_sequel_reverse": "has_many",
    }
    author = api.get("/api/v2/db/_schema/author/name").body
    assert (author["required"], author["allow_null"]) == (True, False)
    code = api.get("/api/v2/db/_schema/author/code").body
    assert code["is_unique"] is True
    df_error(api.get("/api/v2/db/_schema/author/nothing"), 404)


def test_api_key_header_and_roles(db, library):
    _, secret = ApiToken.create(name="df", role="readonly")
    keyed = Api(None).get(f"{V2}/book?fields=title", headers={"X-DreamFactory-Api-Key": secret})
    assert titles(keyed) == ["One", "Two", "Three", "Four"]
    assert (
        Api(None).get("/api/v2/db/_schema", headers={"X-DreamFactory-Api-Key": secret}).status_code
        == 200
    )
    readonly = Api(secret).post(f"{V2}/tag", {"label": "no"})
    df_error(readonly, 403)


# Bad input: a DreamFactory error, never a 5xx, nothing written.

ODD_BODIES = [
    {"ids": {"a": 1}},
    {"ids": [1, 2]},
    {"ids": []},
    {"ids": [None, {"x": 1}]},
    {"filter": 3},
    {"filter": ["pages > 1"]},
    {"filter": {"pages": 1}},
    {"order": {"pages": "asc"}},
    {"order": ["pages DESC"]},
    {"fields": {"a": 1}},
    {"fields": ["title", 3]},
    {"related": ["author_by_author"]},
    {"related": {"x": 1}},
    {"group": ["pages"]},
    {"limit": [1]},
    {"limit": True},
    {"offset": -1},
    {"locale": {"en": 1}},
    {"id_field": ["code"]},
    {"id_type": 5},
    {"params": [1, 2]},
    {"params": "x"},
    {"filter": "pages > :p", "params": {"p": [1]}},
    {"filter": "pages > :p", "params": {"p": 2**70}},
    {"filter": "pages > :p", "params": {"p": float("1e308") * 10}},
    {"filter": "title = :p", "params": {"p": "a\x00b"}},
    {"filter": "title IN (:p, :q)", "params": {"p": "One", "q": None}},
    {"resource": "x"},
    {"resource": [1, "a", None]},
    {"count_only": {"x": 1}, "include_schema": [1]},
    [1, 2],
    "text",
    123,
    None,
]


@pytest.mark.parametrize("body", ODD_BODIES)
def test_odd_posted_reads_never_fail_with_a_5xx(api, library, body):
    raw = json.dumps(body, allow_nan=True)
    response = api.post(f"{V2}/book", raw=raw, headers={"X-HTTP-Method": "GET"})
    assert response.status_code < 500, response.body
    if response.status_code >= 400:
        df_error(response, response.status_code)
    assert Item.objects.filter(item_type__api_key="book").count() == 4


def test_a_read_tunnelled_by_post_counts_as_one_request(api, library, settings):
    settings.CMS_RATE_LIMIT_RECORDS = 2
    settings.CMS_RATE_LIMIT_WINDOW = 3600
    within_one_rate_window(3600, needed=60)
    tunnelled = {"headers": {"X-HTTP-Method": "GET"}}
    first = api.post(f"{V2}/book", {"ids": [library["One"]]}, **tunnelled)
    second = api.post(f"{V2}/book", {"ids": [library["Two"]]}, **tunnelled)
    assert [first["X-RateLimit-Remaining"], second["X-RateLimit-Remaining"]] == ["1", "0"]
    refused = api.post(f"{V2}/book", {"ids": [library["One"]]}, **tunnelled)
    assert df_error(refused, 429)


def test_a_localized_links_relation_answers_per_locale(api, two_locales):
    city = api.create_item_type("city")
    api.create_field(city["id"], "name", "string")
    guide = api.create_item_type("guide")
    links = {"item_item_type": {"item_types": [city["id"]]}}
    api.create_field(guide["id"], "city", "link", localized=True, validators=links)
    rome, milan = api.post(f"{V2}/city", {"resource": [{"name": "Rome"}, {"name": "Milan"}]}).body[
        "resource"
    ]
    made = api.post(f"{V2}/guide", {"city": {"en": rome["id"], "it": milan["id"]}})
    assert made.status_code == 200, made.body
    read = api.get(f"{V2}/guide/{made.body['id']}?related=city_by_city")
    shaped = {locale: c["name"] for locale, c in read.body["city_by_city"].items()}
    assert shaped == {"en": "Rome", "it": "Milan"}
    back = get(api, f"{V2}/city", related="guide_by_city", fields="name")
    assert [len(c["guide_by_city"]) for c in back.body["resource"]] == [1, 1]
