"""The DreamFactory read tests' tables (authors and books) and how to read them."""

from urllib.parse import quote

import pytest

V2 = "/api/v2/db/_table"
AUTHORS = [
    {"name": "Ann", "born": 1950, "code": "ann"},
    {"name": "Bob", "born": 1970, "code": "bob"},
    {"name": "Cy", "born": 1970, "code": "cy"},
]


@pytest.fixture
def library(api):
    """author (name, born, unique code), tag (label), book (title, pages, author link,
    tags links, sequel: a link to a book); three authors, two tags, four books."""
    author = api.create_item_type("author")
    api.create_field(author["id"], "name", "string", validators={"required": {}})
    api.create_field(author["id"], "born", "integer")
    api.create_field(author["id"], "code", "string", validators={"unique": {}})
    tag = api.create_item_type("tag")
    api.create_field(tag["id"], "label", "string")
    book = api.create_item_type("book")
    api.create_field(book["id"], "title", "string", validators={"length": {"max": 80}})
    api.create_field(book["id"], "pages", "integer")
    links = {"item_item_type": {"item_types": [author["id"]]}}
    api.create_field(book["id"], "author", "link", validators=links)
    many = {"items_item_type": {"item_types": [tag["id"]]}}
    api.create_field(book["id"], "tags", "links", validators=many)
    api.create_field(
        book["id"], "sequel", "link", validators={"item_item_type": {"item_types": [book["id"]]}}
    )
    ids = {}
    created = api.post(f"{V2}/author", {"resource": AUTHORS}).body["resource"]
    ids.update({a["name"]: r["id"] for a, r in zip(AUTHORS, created, strict=True)})
    tags = api.post(f"{V2}/tag", {"resource": [{"label": "old"}, {"label": "new"}]})
    ids["old"], ids["new"] = [t["id"] for t in tags.body["resource"]]
    books = [
        {"title": "One", "pages": 100, "author": ids["Ann"], "tags": [ids["old"], ids["new"]]},
        {"title": "Two", "pages": 250, "author": ids["Ann"], "tags": [ids["new"]]},
        {"title": "Three", "pages": 300, "author": ids["Bob"], "tags": []},
        {"title": "Four", "pages": None, "author": None, "tags": []},
    ]
    for book_values in books:
        response = api.post(f"{V2}/book", book_values)
        assert response.status_code == 200, response.body
        ids[book_values["title"]] = response.body["id"]
    return ids


def get(api, path: str, **params):
    query = "&".join(f"{key}={quote(str(value))}" for key, value in params.items())
    return api.get(path + ("?" + query if query else ""))


def titles(response, wrapper="resource") -> list[str]:
    assert response.status_code == 200, response.body
    return [record["title"] for record in response.body[wrapper]]


def df_error(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert set(response.body) == {"error"}
    assert response.body["error"]["status_code"] == status
    return response.body["error"]
