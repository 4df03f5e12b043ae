"""The record API under a restricted role: ``ids=`` refusals tell nothing about records the
role can't read, ``related=`` brings in only what the role may read, and replace, merge
and delete check the role on the rows they lock (no read of their own: the same
statements as for an admin)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.timezone import now

from access.models import Role
from cms.models import ApiToken
from environments.models import Environment
from items.models import Item, ItemVersion
from tests.access.test_roles import entry, role_body
from tests.conftest import Api, make_api

V2 = "/api/v2/db/_table"


class Shelf:
    """author (name), tag (label), memo (text), book (title, author link, tags links, memo
    link); Ann, tags "old" and "new", a memo, and two books by the admin."""

    def __init__(self):
        self.admin = admin = make_api("admin")
        self.author = admin.create_item_type("author")["id"]
        admin.create_field(self.author, "name", "string")
        self.tag = admin.create_item_type("tag")["id"]
        admin.create_field(self.tag, "label", "string")
        self.memo = admin.create_item_type("memo")["id"]
        admin.create_field(self.memo, "text", "string")
        self.book = admin.create_item_type("book")["id"]
        admin.create_field(self.book, "title", "string")
        for name, kind, target in (
            ("author", "link", self.author),
            ("tags", "links", self.tag),
            ("memo", "link", self.memo),
        ):
            key = "item_item_type" if kind == "link" else "items_item_type"
            admin.create_field(self.book, name, kind, validators={key: {"item_types": [target]}})
        self.ann = self.made(admin, "author", {"name": "Ann"})
        self.old = self.made(admin, "tag", {"label": "old"})
        self.new = self.made(admin, "tag", {"label": "new"})
        self.note = self.made(admin, "memo", {"text": "secret"})
        self.books = [
            self.made(
                admin,
                "book",
                {"title": t, "author": self.ann, "tags": [self.old, self.new], "memo": self.note},
            )
            for t in ("One", "Two")
        ]

    @staticmethod
    def made(api, table, values) -> str:
        response = api.post(f"{V2}/{table}", values)
        assert response.status_code == 200, response.body
        return response.body["id"]

    def role(self, name, positive, negative=()) -> Api:
        body = role_body(
            name,
            positive_item_type_permissions=list(positive),
            negative_item_type_permissions=list(negative),
        )
        response = self.admin.post("/roles", body)
        assert response.status_code == 201, response.body
        role = Role.objects.get(pk=response.body["data"]["id"])
        return Api(ApiToken.create(name=name, role=role)[1])


@pytest.fixture
def shelf(db) -> Shelf:
    return Shelf()


def df_error(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert response.body["error"]["status_code"] == status
    return response.body["error"]


# --- ids= and records the role can't read -------------------------------------------------


def test_ids_of_a_model_the_role_cant_read_are_refused_alike(shelf):
    """Known or unknown, an id of a forbidden model gets the same 403: no 404 telling
    which ids exist."""
    reader = shelf.role("Book readers", [entry("read", item_type=shelf.book)])
    known = reader.get(f"{V2}/memo?ids={shelf.note}")
    unknown = reader.get(f"{V2}/memo?ids=NoSuchRecordAAAAAAAAAA")
    assert df_error(known, 403) == df_error(unknown, 403)
    for path in ("/rest/db/memo", f"{V2}/memo"):
        assert reader.get(f"{path}?ids={shelf.note}&continue=true").status_code == 403


def test_a_record_the_role_cant_read_is_not_found_among_ids(shelf):
    """On a model the role reads only its own records of, another's record is an unknown
    id (404 naming it, or left out with continue=true), never a hint that it exists."""
    own = shelf.role(
        "Own books",
        [entry("read", item_type=shelf.book, on_creator="self"), entry("create", item_type=None)],
    )
    mine = shelf.made(own, "book", {"title": "Mine"})
    theirs = shelf.books[0]
    for path in ("/rest/db/book", f"{V2}/book"):
        refused = df_error(own.get(f"{path}?ids={theirs},{mine}"), 404)
        assert refused["context"]["ids"] == [theirs]
        unknown = df_error(own.get(f"{path}?ids=NoSuchRecordAAAAAAAAAA,{mine}"), 404)
        assert refused["message"].replace(theirs, "X") == unknown["message"].replace(
            "NoSuchRecordAAAAAAAAAA", "X"
        )
        wrapper = "record" if path.startswith("/rest") else "resource"
        kept = own.get(f"{path}?ids={theirs},{mine}&continue=true")
        assert [r["id"] for r in kept.body[wrapper]] == [mine]
    # The admin sees both: the record exists.
    assert shelf.admin.get(f"{V2}/book?ids={theirs},{mine}").status_code == 200


# --- related= brings in only what the role reads -----------------------------------------


def test_related_leaves_out_records_the_role_cant_read(shelf):
    tagger = shelf.role(
        "Taggers",
        [
            entry("read", item_type=shelf.book),
            entry("read", item_type=shelf.author),
            entry("read", item_type=shelf.tag, on_creator="self"),
            entry("create", item_type=shelf.tag),
        ],
    )
    own_tag = shelf.made(tagger, "tag", {"label": "mine"})
    patch = shelf.admin.request(
        "PATCH", f"{V2}/book/{shelf.books[0]}", {"tags": [shelf.old, own_tag]}
    )
    assert patch.status_code == 200, patch.body
    read = tagger.get(f"{V2}/book?related=tag_by_tags,author_by_author&fields=title")
    assert read.status_code == 200, read.body
    one, two = read.body["resource"]
    assert [t["label"] for t in one["tag_by_tags"]] == ["mine"]
    assert two["tag_by_tags"] == []
    assert one["author_by_author"]["name"] == "Ann"
    # has_many: the tag's books are read as the role reads books (all of them here).
    tags = tagger.get("/rest/db/tag?related=book_by_tags&fields=label")
    assert [(t["label"], [b["title"] for b in t["book_by_tags"]]) for t in tags.body["record"]] == [
        ("mine", ["One"])
    ]
    # related=* leaves out the relation to memos (no read at all); naming it is a 403.
    every = tagger.get(f"{V2}/book/{shelf.books[0]}?related=*")
    assert every.status_code == 200, every.body
    assert "memo_by_memo" not in every.body and "tag_by_tags" in every.body
    assert every.body["memo"] == shelf.note  # the link's value is the book's own
    refused = df_error(tagger.get(f"{V2}/book?related=memo_by_memo"), 403)
    assert shelf.memo in str(refused["context"])
    assert "secret" not in str(refused)


def test_a_has_many_relation_leaves_out_records_the_role_cant_read(shelf):
    own = shelf.role(
        "Own books",
        [
            entry("read", item_type=shelf.author),
            entry("read", item_type=shelf.book, on_creator="self"),
            entry("create", item_type=shelf.book),
        ],
    )
    mine = shelf.made(own, "book", {"title": "Mine", "author": shelf.ann})
    read = own.get(f"{V2}/author/{shelf.ann}?related=book_by_author")
    assert read.status_code == 200, read.body
    assert [b["id"] for b in read.body["book_by_author"]] == [mine]
    admin = shelf.admin.get(f"{V2}/author/{shelf.ann}?related=book_by_author")
    assert len(admin.body["book_by_author"]) == 3


def test_related_under_a_role_costs_the_same_for_any_number_of_records(shelf):
    reader = shelf.role(
        "Readers",
        [
            entry("read", item_type=shelf.book),
            entry("read", item_type=shelf.tag),
            entry("read", item_type=shelf.author),
        ],
    )
    for n in range(18):
        shelf.made(
            shelf.admin, "book", {"title": f"B{n}", "author": shelf.ann, "tags": [shelf.old]}
        )

    def cost(api, limit):
        with CaptureQueriesContext(connection) as captured:
            response = api.get(f"{V2}/book?related=*&limit={limit}")
        assert response.status_code == 200, response.body
        assert len(response.body["resource"]) == limit
        return len(captured.captured_queries)

    cost(reader, 1)  # warm: the content model read once
    assert cost(reader, 1) == cost(reader, 20)


# --- writes check the role on the rows they lock ------------------------------------------


def snapshot() -> tuple:
    return sorted(Item.objects.values_list("id", "data")), ItemVersion.objects.count()


def test_updates_and_deletes_refused_by_the_role_write_nothing(shelf):
    own = shelf.role(
        "Own books",
        [
            entry("read", item_type=shelf.book),
            entry("create", item_type=shelf.book),
            entry("update", item_type=shelf.book, on_creator="self"),
            entry("delete", item_type=shelf.book, on_creator="self"),
        ],
    )
    mine = shelf.made(own, "book", {"title": "Mine"})
    theirs = shelf.books[0]
    before = snapshot()
    for verb in ("PATCH", "PUT"):
        for path, body in (
            (f"{V2}/book/{theirs}", {"title": "x"}),
            (f"{V2}/book?ids={mine},{theirs}", {"title": "x"}),
            (
                "/rest/db/book?continue=true",
                {"record": [{"id": mine, "title": "x"}, {"id": theirs, "title": "x"}]},
            ),
        ):
            error = df_error(own.request(verb, path, body), 403)
            assert error["context"]["error"][0]["item"] == theirs, error
    for path in (f"{V2}/book/{theirs}", f"{V2}/book?ids={mine},{theirs}&continue=true"):
        error = df_error(own.delete(path), 403)
        assert error["context"]["error"][0]["item"] == theirs, error
    assert snapshot() == before
    # Their own record, and an unknown id beside it: written, and a 404 slot.
    assert own.request("PATCH", f"{V2}/book/{mine}", {"title": "y"}).status_code == 200
    batch = own.request(
        "PATCH", f"{V2}/book?ids={mine},NoSuchRecordAAAAAAAAAA&continue=true", {"title": "z"}
    )
    assert df_error(batch, 400)["context"]["error"] == [1]
    assert own.delete(f"{V2}/book?ids={mine}").status_code == 200
    assert not Item.objects.filter(pk=mine).exists()


def test_a_translator_may_merge_only_its_locale(shelf):
    site = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
    assert shelf.admin.put("/site", site).status_code == 200
    field = shelf.admin.create_field(shelf.book, "blurb", "string", localized=True)
    assert field
    blurb = {"blurb": {"en": "Hello", "it": "Ciao"}}
    assert shelf.admin.request("PATCH", f"{V2}/book/{shelf.books[0]}", blurb).status_code == 200
    translator = shelf.role(
        "Italian",
        [
            entry("read", item_type=shelf.book),
            entry("update", item_type=shelf.book, localization_scope="localized", locale="it"),
        ],
    )
    ok = translator.request(
        "PATCH", f"{V2}/book/{shelf.books[0]}", {"blurb": {"en": "Hello", "it": "Salve"}}
    )
    assert ok.status_code == 200, ok.body
    refused = translator.request(
        "PATCH", f"{V2}/book/{shelf.books[0]}", {"blurb": {"en": "Hi", "it": "Salve"}}
    )
    error = df_error(refused, 403)
    assert error["context"]["error"][0]["locale"] == "en"
    assert shelf.admin.get(f"/items/{shelf.books[0]}").body["data"]["attributes"]["blurb"] == {
        "en": "Hello",
        "it": "Salve",
    }


def test_a_restricted_role_writes_with_the_admins_statements(shelf):
    """The role is checked on the rows the write reads and locks: no read of its own, so
    a restricted role's write costs what the admin's costs, for 1 record or 20."""
    editor = shelf.role(
        "Book editors",
        [entry("all", item_type=shelf.book)],
    )
    made = [shelf.made(editor, "book", {"title": f"B{n}"}) for n in range(42)]

    def cost(api, method, path, body=None):
        # The environment's last data change (kept to the minute) just noted: no request
        # measured here is the one that notes it again, however slow the setup was.
        Environment.objects.update(last_data_change_at=now())
        with CaptureQueriesContext(connection) as captured:
            response = api.request(method, path, body)
        assert response.status_code == 200, response.body
        return len(captured.captured_queries)

    one, twenty = made[0], ",".join(made[1:21])
    for verb in ("PATCH", "PUT"):
        admin = cost(shelf.admin, verb, f"{V2}/book?ids={one}", {"title": "a"})
        assert cost(editor, verb, f"{V2}/book?ids={one}", {"title": "b"}) == admin, verb
        assert cost(editor, verb, f"{V2}/book?ids={twenty}", {"title": "c"}) == admin, verb
    admin = cost(shelf.admin, "DELETE", f"{V2}/book?ids={one}")
    assert cost(editor, "DELETE", f"{V2}/book?ids={made[21]}") == admin
    assert cost(editor, "DELETE", f"{V2}/book?ids={','.join(made[22:42])}") == admin
    assert cost(editor, "DELETE", f"{V2}/book?ids={made[1]}&fields=id") == cost(
        shelf.admin, "DELETE", f"{V2}/book?ids={made[2]}&fields=id"
    )
