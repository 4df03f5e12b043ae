"""Related records nested in a record API write (record_api/nested.py), as DreamFactory's
documentation sends them: under the relation's name, a ``belongs_to`` object or a
``many_many`` list, each created (no ``id``), linked (``id`` alone) or merged and linked
(``id`` and fields), in the parent's transaction and batch mode."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item, ItemVersion
from tests.access.test_roles import entry
from tests.record_api.test_record_api_roles import Shelf

V2 = "/api/v2/db/_table"


@pytest.fixture
def shop(api):
    """author (name required, code unique), tag (label required), book (title of at most 20
    characters, author link, tags links); Ann, tags "old" and "new"."""
    author = api.create_item_type("author")
    api.create_field(author["id"], "name", "string", validators={"required": {}})
    api.create_field(author["id"], "code", "string", validators={"unique": {}})
    tag = api.create_item_type("tag")
    api.create_field(tag["id"], "label", "string", validators={"required": {}})
    book = api.create_item_type("book")
    api.create_field(book["id"], "title", "string", validators={"length": {"max": 20}})
    api.create_field(
        book["id"], "author", "link", validators={"item_item_type": {"item_types": [author["id"]]}}
    )
    api.create_field(
        book["id"], "tags", "links", validators={"items_item_type": {"item_types": [tag["id"]]}}
    )
    ids = {"author": author["id"], "tag": tag["id"], "book": book["id"]}
    ids["ann"] = api.post(f"{V2}/author", {"name": "Ann", "code": "ann"}).body["id"]
    made = api.post(f"{V2}/tag", {"resource": [{"label": "old"}, {"label": "new"}]})
    ids["old"], ids["new"] = [t["id"] for t in made.body["resource"]]
    return ids


def attributes(api, record_id) -> dict:
    return api.get(f"/items/{record_id}").body["data"]["attributes"]


def counts() -> tuple:
    return Item.objects.count(), ItemVersion.objects.count()


def df_error(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert response.body["error"]["status_code"] == status
    return response.body["error"]


@pytest.mark.parametrize("path,wrapper", [("/rest/db", "record"), (V2, "resource")])
def test_a_create_carries_new_linked_and_merged_records(api, shop, path, wrapper):
    body = {
        wrapper: [
            {
                "title": "Dune",
                "author_by_author": {"name": "Frank", "code": "frank"},
                "tag_by_tags": [
                    {"label": "sf"},
                    {"id": shop["old"]},
                    {"id": shop["new"], "label": "newer"},
                ],
            }
        ]
    }
    versions = ItemVersion.objects.filter(item_id=shop["new"]).count()
    response = api.post(f"{path}/book?fields=*", body)
    assert response.status_code == 200, response.body
    [book] = response.body[wrapper]
    frank = book["author"]
    assert attributes(api, frank)["name"] == "Frank"  # the CMA sees it
    sf, old, new = book["tags"]
    assert (old, new) == (shop["old"], shop["new"])
    assert attributes(api, sf)["label"] == "sf"
    assert attributes(api, new)["label"] == "newer"
    assert ItemVersion.objects.filter(item_id=new).count() == versions + 1
    assert attributes(api, shop["old"])["label"] == "old"
    read = api.get(f"{V2}/book/{book['id']}?related=author_by_author,tag_by_tags")
    assert read.body["author_by_author"]["code"] == "frank"
    assert [t["label"] for t in read.body["tag_by_tags"]] == ["sf", "old", "newer"]


def test_an_update_links_unlinks_and_creates(api, shop):
    book = api.post(f"{V2}/book", {"title": "B", "tags": [shop["old"]]}).body["id"]
    linked = api.request(
        "PATCH",
        f"{V2}/book/{book}?fields=*",
        {"author_by_author": {"id": shop["ann"]}, "tag_by_tags": [{"label": "fresh"}]},
    )
    assert linked.status_code == 200, linked.body
    assert linked.body["author"] == shop["ann"]
    [fresh] = linked.body["tags"]  # the list is the field's new value: "old" unlinked
    assert attributes(api, fresh)["label"] == "fresh"
    assert attributes(api, shop["old"])["label"] == "old"  # unlinked, not deleted
    unlinked = api.request("PATCH", f"{V2}/book/{book}?fields=*", {"author_by_author": None})
    assert unlinked.body["author"] is None and unlinked.body["tags"] == [fresh]
    # PUT replaces: the relations sent, the other fields their defaults.
    replaced = api.request(
        "PUT", f"/rest/db/book/{book}?fields=*", {"author_by_author": {"name": "Put"}}
    )
    assert replaced.status_code == 200, replaced.body
    assert attributes(api, replaced.body["author"])["name"] == "Put"
    assert replaced.body["title"] is None and replaced.body["tags"] == []


def test_a_write_by_ids_creates_a_related_record_per_record(api, shop):
    books = api.post(f"{V2}/book", {"resource": [{"title": "A"}, {"title": "B"}]}).body
    ids = [b["id"] for b in books["resource"]]
    before = len(values(api, "author", "name"))
    response = api.request(
        "PATCH",
        f"{V2}/book?ids={','.join(ids)}&fields=author",
        {"author_by_author": {"name": "Each"}},
    )
    assert response.status_code == 200, response.body
    authors = [r["author"] for r in response.body["resource"]]
    assert len(set(authors)) == 2 and len(values(api, "author", "name")) == before + 2


def _batch(shop, bad):
    """Three books, the second failing as ``bad`` says, each with a new author and tag."""
    books = []
    for n in range(3):
        book = {
            "title": f"T{n}",
            "author_by_author": {"name": f"A{n}"},
            "tag_by_tags": [{"label": f"L{n}"}, {"id": shop["old"]}],
        }
        if n == 1:
            book.update(bad)
        books.append(book)
    return {"resource": books}


BAD = {
    "nested invalid": {"author_by_author": {"code": "no name"}},
    "nested unknown id": {"tag_by_tags": [{"id": "NoSuchRecordAAAAAAAAAA"}]},
    "parent invalid": {"title": "x" * 30},
}


@pytest.mark.parametrize("bad", list(BAD))
@pytest.mark.parametrize(
    "mode,kept", [("", ["T0"]), ("&continue=true", ["T0", "T2"]), ("&rollback=true", [])]
)
def test_batch_modes_write_nothing_of_a_failed_record(api, shop, bad, mode, kept):
    response = api.post(f"{V2}/book?fields=title{mode}", _batch(shop, BAD[bad]))
    error = df_error(response, 400)
    assert error["context"]["error"] == [1]
    failure = error["context"]["resource"][1]
    if bad != "parent invalid":  # the error names the nested record
        related = [d for d in failure["details"] if d.get("related")]
        assert related, failure
        assert related[0]["related"] in ("author_by_author", "tag_by_tags")
    if bad == "nested unknown id":
        assert failure["details"][0]["related_index"] == 0
        assert failure["details"][0]["error"] == "NOT_FOUND"
    assert sorted(values(api, "book", "title")) == kept
    made_authors = set(values(api, "author", "name"))
    assert {f"A{n}" for n in range(3)} & made_authors == {f"A{t[1]}" for t in kept}
    made_tags = set(values(api, "tag", "label"))
    assert {f"L{n}" for n in range(3)} & made_tags == {f"L{t[1]}" for t in kept}


def values(api, table, name) -> list:
    """One field of every record of the table, as the record API reads it."""
    response = api.get(f"{V2}/{table}?fields={name}&limit=1000")
    assert response.status_code == 200, response.body
    return [record[name] for record in response.body["resource"]]


def test_updates_in_batch_modes(api, shop):
    made = api.post(f"{V2}/book", {"resource": [{"title": f"U{n}"} for n in range(3)]})
    ids = [b["id"] for b in made.body["resource"]]
    body = {
        "resource": [
            {"id": ids[0], "author_by_author": {"name": "X0"}},
            {"id": ids[1], "author_by_author": {"name": "X1"}, "title": "y" * 30},
            {"id": ids[2], "author_by_author": {"id": shop["ann"], "name": "Ann 2"}},
        ]
    }
    before = counts()
    refused = api.request("PATCH", f"{V2}/book?rollback=true", body)
    assert df_error(refused, 400)["context"]["error"] == [1]
    assert counts() == before
    kept = api.request("PATCH", f"{V2}/book?continue=true&fields=author", body)
    assert df_error(kept, 400)["context"]["error"] == [1]
    slots = kept.body["error"]["context"]["resource"]
    assert attributes(api, slots[0]["author"])["name"] == "X0"
    assert slots[2]["author"] == shop["ann"]
    assert attributes(api, shop["ann"])["name"] == "Ann 2"
    assert "X1" not in values(api, "author", "name")


def test_bad_nested_values_are_named_and_write_nothing(api, shop):
    before = counts()
    cases = {
        "has_many through links": ("tag", {"label": "Z", "book_by_tags": [{"title": "x"}]}),
        "both": ("book", {"author": shop["ann"], "author_by_author": {"name": "Z"}}),
        "not an object": ("book", {"author_by_author": "Ann"}),
        "not a list": ("book", {"tag_by_tags": {"label": "x"}}),
        "not objects": ("book", {"tag_by_tags": ["x"]}),
        "bad id": ("book", {"tag_by_tags": [{"id": 5}]}),
        "another table's id": ("book", {"author_by_author": {"id": shop["old"]}}),
        "merged twice": (
            "book",
            {"tag_by_tags": [{"id": shop["old"], "label": "a"}, {"id": shop["old"], "label": "b"}]},
        ),
        "invalid merge": ("book", {"author_by_author": {"id": shop["ann"], "name": None}}),
    }
    for name, (table, body) in cases.items():
        response = api.post(f"{V2}/{table}", body)
        error = df_error(response, 422)
        details = error["context"]["error"]
        assert any("related" in d for d in details), (name, details)
    taken = api.post(f"{V2}/book", {"author_by_author": {"name": "Dup", "code": "ann"}})
    details = df_error(taken, 422)["context"]["error"]
    assert details[0]["related"] == "author_by_author" and details[0]["field"] == "code"
    assert counts() == before


def test_a_record_of_the_write_is_linked_not_merged(api):
    book = api.create_item_type("book")["id"]
    api.create_field(book, "title", "string")
    api.create_field(book, "sequel", "link", validators={"item_item_type": {"item_types": [book]}})
    one, two = [
        r["id"]
        for r in api.post(f"{V2}/book", {"resource": [{"title": "1"}, {"title": "2"}]}).body[
            "resource"
        ]
    ]
    merged = {
        "resource": [
            {"id": one, "book_by_sequel": {"id": two, "title": "changed"}},
            {"id": two, "title": "2b"},
        ]
    }
    refused = api.request("PATCH", f"{V2}/book?continue=true", merged)
    failure = df_error(refused, 400)["context"]["resource"][0]
    assert failure["details"][0]["related"] == "book_by_sequel"
    assert attributes(api, two)["title"] == "2b" and attributes(api, one)["sequel"] is None
    linked = {"resource": [{"id": one, "book_by_sequel": {"id": two}}, {"id": two, "title": "c"}]}
    assert api.request("PATCH", f"{V2}/book", linked).status_code == 200
    assert attributes(api, one)["sequel"] == two and attributes(api, two)["title"] == "c"
    # A new record of the same table, nested in a create.
    made = api.post(f"{V2}/book?fields=*", {"title": "3", "book_by_sequel": {"title": "4"}})
    assert made.status_code == 200, made.body
    assert attributes(api, made.body["sequel"])["title"] == "4"


def test_two_records_creating_the_same_unique_value(api, shop):
    body = {
        "resource": [
            {"title": "A", "author_by_author": {"name": "N", "code": "same"}},
            {"title": "B", "author_by_author": {"name": "N", "code": "same"}},
        ]
    }
    response = api.post(f"{V2}/book?continue=true", body)
    assert df_error(response, 400)["context"]["error"] == [1]
    assert values(api, "author", "code").count("same") == 1
    assert Item.objects.filter(item_type_id=shop["book"]).count() == 1


def test_nested_writes_cost_the_same_statements_for_1_or_20_records(api, shop):
    authors = api.post(f"{V2}/author", {"resource": [{"name": f"P{n}"} for n in range(21)]}).body[
        "resource"
    ]

    def cost(method, path, body):
        with CaptureQueriesContext(connection) as captured:
            response = api.request(method, path, body)
        assert response.status_code == 200, response.body
        return len(captured.captured_queries)

    def books(count, offset=0):
        return {
            "resource": [
                {
                    "title": f"C{n}",
                    "author_by_author": {"name": f"New {n}"},
                    "tag_by_tags": [{"label": f"t{n}"}, {"id": shop["old"]}],
                }
                for n in range(offset, offset + count)
            ]
        }

    cost("POST", f"{V2}/book", books(1))  # warm
    one = cost("POST", f"{V2}/book", books(1))
    assert cost("POST", f"{V2}/book", books(20)) == one
    made = [b["id"] for b in api.get(f"{V2}/book?fields=id&limit=100").body["resource"]]

    def merges(ids, offset):
        return {
            "resource": [
                {
                    "id": book,
                    "author_by_author": {"id": authors[offset + n]["id"], "name": f"M{n}"},
                    "tag_by_tags": [{"label": "m"}],
                }
                for n, book in enumerate(ids)
            ]
        }

    one = cost("PATCH", f"{V2}/book", merges(made[:1], 0))
    assert cost("PATCH", f"{V2}/book", merges(made[1:21], 1)) == one


def test_the_role_is_checked_on_nested_records(db):
    shelf = Shelf()
    editor = shelf.role(
        "Book editors",
        [
            entry("all", item_type=shelf.book),
            entry("read", item_type=shelf.author),
            entry("read", item_type=shelf.tag),
            entry("create", item_type=shelf.tag),
        ],
    )
    before = counts()
    refused = editor.post(f"{V2}/book", {"title": "x", "author_by_author": {"name": "New"}})
    assert df_error(refused, 403)["context"]["error"][0]["item_type"] == shelf.author
    merge = editor.post(
        f"{V2}/book", {"title": "x", "author_by_author": {"id": shelf.ann, "name": "Renamed"}}
    )
    assert df_error(merge, 403)
    assert counts() == before
    allowed = editor.post(
        f"{V2}/book?fields=*",
        {"title": "x", "author_by_author": {"id": shelf.ann}, "tag_by_tags": [{"label": "t"}]},
    )
    assert allowed.status_code == 200, allowed.body
    assert allowed.body["author"] == shelf.ann and len(allowed.body["tags"]) == 1
