"""Related records in writes, continued (record_api/nested.py, nested_take.py): ``has_many``
lists (the records linking to the one written: created, linked or merged, and on an update
the ones left out unlinked), and related records carrying their own, to 5 levels."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from items.models import Item
from tests.access.test_roles import entry
from tests.record_api import test_record_api_nested_writes as nested_writes
from tests.record_api.test_record_api_nested_writes import V2, attributes, counts, df_error, values
from tests.record_api.test_record_api_roles import Shelf

shop = nested_writes.shop  # the fixture: author, tag, book; Ann, tags "old" and "new"

FORMS = [("/rest/db", "record"), (V2, "resource")]


def books_of(api, author_id) -> list:
    """The titles of the author's books, as the Content Management API reads them."""
    found = api.get(
        f"/items?filter[type]=book&filter[fields][author][eq]={author_id}&page[limit]=100"
    )
    assert found.status_code == 200, found.body
    return sorted(item["attributes"]["title"] for item in found.body["data"])


def new_book(api, title, author=None) -> str:
    return api.post(f"{V2}/book", {"title": title, "author": author}).body["id"]


@pytest.mark.parametrize("path,wrapper", FORMS)
def test_a_create_carries_has_many_records(api, shop, path, wrapper):
    loose = new_book(api, "Loose")
    annes = new_book(api, "Ann's", shop["ann"])
    body = {
        wrapper: [
            {
                "name": "Frank",
                "book_by_author": [
                    {"title": "Dune"},  # created, linked to Frank
                    {"id": loose},  # linked
                    {"id": annes, "title": "Now Frank's"},  # merged and moved
                ],
            }
        ]
    }
    response = api.post(f"{path}/author?related=book_by_author", body)
    assert response.status_code == 200, response.body
    [frank] = response.body[wrapper]
    assert attributes(api, frank["id"])["name"] == "Frank"
    assert books_of(api, frank["id"]) == ["Dune", "Loose", "Now Frank's"]
    assert books_of(api, shop["ann"]) == []
    read = api.get(f"{V2}/author/{frank['id']}?related=book_by_author").body
    assert sorted(b["title"] for b in read["book_by_author"]) == ["Dune", "Loose", "Now Frank's"]


@pytest.mark.parametrize("path,wrapper", FORMS)
def test_an_update_unlinks_the_has_many_records_left_out(api, shop, path, wrapper):
    kept, dropped = new_book(api, "Kept", shop["ann"]), new_book(api, "Dropped", shop["ann"])
    body = {"book_by_author": [{"id": kept, "title": "Kept too"}, {"title": "Added"}]}
    response = api.request("PATCH", f"{path}/author/{shop['ann']}", body)
    assert response.status_code == 200, response.body
    assert books_of(api, shop["ann"]) == ["Added", "Kept too"]
    assert attributes(api, dropped) == {"title": "Dropped", "author": None, "tags": []}
    # An empty list unlinks them all; the records stay.
    emptied = api.request(
        "PUT", f"{path}/author/{shop['ann']}", {"name": "Ann", "book_by_author": []}
    )
    assert emptied.status_code == 200, emptied.body
    assert books_of(api, shop["ann"]) == []
    assert sorted(values(api, "book", "title")) == ["Added", "Dropped", "Kept too"]


def test_an_unlink_a_required_link_refuses_is_named_and_writes_nothing(api, shop):
    chapter = api.create_item_type("chapter")["id"]
    api.create_field(chapter, "heading", "string")
    api.create_field(
        chapter,
        "book",
        "link",
        validators={"required": {}, "item_item_type": {"item_types": [shop["book"]]}},
    )
    book = new_book(api, "B")
    one = api.post(f"{V2}/chapter", {"heading": "1", "book": book}).body["id"]
    before = counts()
    body = {"title": "B2", "chapter_by_book": [{"heading": "2"}]}
    refused = api.request("PATCH", f"{V2}/book/{book}", body)
    details = df_error(refused, 422)["context"]["error"]
    assert details[0]["related"] == "chapter_by_book" and details[0]["related_id"] == one
    assert counts() == before and attributes(api, book)["title"] == "B"


def test_has_many_refusals_write_nothing(api, shop):
    before = counts()
    cases = {
        "link sent too": ("author", {"name": "Z", "book_by_author": [{"author": shop["ann"]}]}),
        "not a list": ("author", {"name": "Z", "book_by_author": {"title": "x"}}),
        "through a links field": ("tag", {"label": "Z", "book_by_tags": [{"title": "x"}]}),
        "invalid child": ("author", {"name": "Z", "book_by_author": [{"title": "x" * 30}]}),
    }
    for name, (table, body) in cases.items():
        details = df_error(api.post(f"{V2}/{table}", body), 422)["context"]["error"]
        assert any(d.get("related", "").startswith("book_by_") for d in details), (name, details)
    assert counts() == before


@pytest.mark.parametrize("path,wrapper", FORMS)
def test_two_levels_of_related_records(api, shop, path, wrapper):
    body = {
        "title": "Dune",
        "author_by_author": {  # before the book...
            "name": "Frank",
            "book_by_author": [  # ...whose other books after Frank
                {"title": "Messiah", "tag_by_tags": [{"label": "deep"}, {"id": shop["old"]}]}
            ],
        },
    }
    response = api.post(f"{path}/book?fields=*", body)
    assert response.status_code == 200, response.body
    frank = response.body["author"]
    assert books_of(api, frank) == ["Dune", "Messiah"]
    [messiah] = [
        b for b in api.get(f"{V2}/book?fields=*").body["resource"] if b["title"] == "Messiah"
    ]
    deep, old = messiah["tags"]
    assert attributes(api, deep)["label"] == "deep" and old == shop["old"]


def _deep(levels: int) -> dict:
    """A book whose author has a book whose author... ``levels`` relations down."""
    top = current = {"title": "L0"}
    for level in range(1, levels + 1):
        if "title" in current:  # a book: its author
            current["author_by_author"] = current = {"name": f"A{level}"}
        else:  # an author: its book
            child = {"title": f"L{level}"}
            current["book_by_author"] = [child]
            current = child
    return top


def test_the_depth_limit(api, shop):
    fine = api.post(f"{V2}/book", _deep(5))
    assert fine.status_code == 200, fine.body
    before = counts()
    error = df_error(api.post(f"{V2}/book", _deep(6)), 422)
    [detail] = error["context"]["error"]
    assert detail["related"] == (
        "author_by_author.book_by_author[0].author_by_author.book_by_author[0]"
        ".author_by_author.book_by_author"
    )
    assert "5 levels" in detail["message"]
    assert counts() == before


def _authors(bad_tag: dict) -> dict:
    """Three authors, each with a book carrying a new tag; the second's tag as given."""
    return {
        "resource": [
            {
                "name": f"W{n}",
                "book_by_author": [
                    {"title": f"B{n}", "tag_by_tags": [bad_tag if n == 1 else {"label": f"G{n}"}]}
                ],
            }
            for n in range(3)
        ]
    }


@pytest.mark.parametrize(
    "mode,kept", [("", ["0"]), ("&continue=true", ["0", "2"]), ("&rollback=true", [])]
)
def test_a_failing_grandchild_fails_its_whole_record(api, shop, mode, kept):
    response = api.post(f"{V2}/author?fields=name{mode}", _authors({"label": None}))
    error = df_error(response, 400)
    assert error["context"]["error"] == [1]
    [detail] = error["context"]["resource"][1]["details"]
    assert detail["related"] == "book_by_author[0].tag_by_tags" and detail["related_index"] == 0
    assert sorted(values(api, "author", "name")) == ["Ann", *(f"W{n}" for n in kept)]
    assert sorted(values(api, "book", "title")) == [f"B{n}" for n in kept]
    assert set(values(api, "tag", "label")) - {"old", "new"} == {f"G{n}" for n in kept}


def test_has_many_and_two_levels_cost_the_same_statements_for_1_or_20_records(api, shop):
    def cost(method, path, body):
        with CaptureQueriesContext(connection) as captured:
            response = api.request(method, path, body)
        assert response.status_code == 200, response.body
        return len(captured.captured_queries)

    def authors(count, offset=0):
        return {
            "resource": [
                {
                    "name": f"H{n}",
                    "book_by_author": [
                        {"title": f"h{n}", "tag_by_tags": [{"label": f"t{n}"}]},
                        {"title": f"i{n}"},
                    ],
                }
                for n in range(offset, offset + count)
            ]
        }

    cost("POST", f"{V2}/author", authors(1))  # warm
    one = cost("POST", f"{V2}/author", authors(1, 1))
    assert cost("POST", f"{V2}/author", authors(20, 2)) == one
    made = Item.objects.filter(item_type_id=shop["author"]).exclude(pk=shop["ann"])
    ids = list(made.order_by("created_at").values_list("pk", flat=True))

    def updates(chosen):  # each keeps one new book: the two it had are unlinked
        return {"resource": [{"id": a, "book_by_author": [{"title": "u"}]} for a in chosen]}

    one = cost("PATCH", f"{V2}/author", updates(ids[:1]))
    assert cost("PATCH", f"{V2}/author", updates(ids[1:21])) == one
    assert books_of(api, ids[5]) == ["u"]


def test_the_role_is_checked_on_has_many_records(db):
    shelf = Shelf()
    # may write authors and create books, not change them (an unlink is a change)
    writer = shelf.role(
        "Author writers",
        [
            entry("all", item_type=shelf.author),
            entry("read", item_type=shelf.book),
            entry("create", item_type=shelf.book),
        ],
    )
    before = counts()
    unlinking = writer.request("PATCH", f"{V2}/author/{shelf.ann}", {"book_by_author": []})
    assert df_error(unlinking, 403)["context"]["error"][0]["item"] in shelf.books
    linking = writer.post(f"{V2}/author", {"name": "B", "book_by_author": [{"id": shelf.books[0]}]})
    assert df_error(linking, 403)
    assert counts() == before
    created = writer.post(f"{V2}/author", {"name": "C", "book_by_author": [{"title": "New"}]})
    assert created.status_code == 200, created.body
    assert books_of(shelf.admin, created.body["id"]) == ["New"]


def test_a_record_links_only_to_new_records_of_its_own_slot(api, shop):
    # Another slot's new record may not be kept (it fails here): linking to it would leave
    # a link to a record that is never written.
    from cms.ids import new_id

    author_link = {"item_item_type": {"item_types": [shop["author"]]}}
    api.create_field(shop["book"], "co_author", "link", validators=author_link)
    other = new_id()
    before = counts()
    for query in ("", "?continue=true"):
        body = {
            "resource": [
                {"name": "b", "book_by_author": [{"title": "u", "co_author": other}]},
                {"id": other, "name": "", "book_by_author": []},  # fails: name is required
            ]
        }
        response = api.post(f"{V2}/author{query}", body)
        assert response.status_code in (400, 422), response.body
        assert "co_author" in str(response.body)
        assert counts() == before  # nothing written, in either mode


def test_a_null_id_on_a_new_record_with_has_many_gets_one(api, shop):
    body = {"resource": [{"id": None, "name": "Nil", "book_by_author": [{"title": "t"}]}]}
    response = api.post(f"{V2}/author", body)
    assert response.status_code == 200, response.body
    [made] = response.body["resource"]
    assert made["id"] and books_of(api, made["id"]) == ["t"]


def test_one_record_with_two_has_many_lists_in_one_write_is_refused(api, shop):
    first, second = new_book(api, "C1", shop["ann"]), new_book(api, "C2", shop["ann"])
    body = {
        "resource": [
            {"id": shop["ann"], "book_by_author": [{"id": first}]},
            {"id": shop["ann"], "book_by_author": [{"id": second}]},
        ]
    }
    before = counts()
    response = api.request("PATCH", f"{V2}/author?rollback=true", body)
    assert response.status_code in (400, 422), response.body
    assert "at most once" in str(response.body)
    assert counts() == before and books_of(api, shop["ann"]) == ["C1", "C2"]
