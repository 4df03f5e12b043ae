"""Record permissions over HTTP, on both APIs (SPEC-2 §10.2, §10.3): a matrix of actions ×
role shapes, the translator who may edit only Italian, inheritance with a negative entry
winning, lists filtered with no query per record, and entries following a fork."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from access.models import Role
from cms.models import ApiToken
from tests.access.test_roles import entry, parents, role_body
from tests.conftest import Api, make_api
from tests.items.conftest import item_body


class World:
    """Locales en and it; post (title localized, rank) and memo (text); a post and a memo
    made by the admin token."""

    def __init__(self):
        self.admin = make_api("admin")
        site = {"data": {"type": "site", "attributes": {"locales": ["en", "it"]}}}
        assert self.admin.put("/site", site).status_code == 200
        self.post = self.admin.create_item_type("post")["id"]
        self.admin.create_field(self.post, "title", "string", localized=True)
        self.admin.create_field(self.post, "rank", "integer")
        self.memo = self.admin.create_item_type("memo")["id"]
        self.admin.create_field(self.memo, "text", "string")
        self.post_record = self.make(self.admin, self.post, self.post_values())
        self.memo_record = self.make(self.admin, self.memo, {"text": "m"})

    @staticmethod
    def post_values(en="Hello", it="Ciao", rank=1) -> dict:
        return {"title": {"en": en, "it": it}, "rank": rank}

    @staticmethod
    def make(api, item_type, values) -> str:
        response = api.post("/items", item_body(item_type, values))
        assert response.status_code == 201, response.body
        return response.body["data"]["id"]

    def role(self, name, relationships=None, **arrays) -> Api:
        body = role_body(
            name,
            relationships=relationships,
            positive_item_type_permissions=arrays.get("positive", []),
            negative_item_type_permissions=arrays.get("negative", []),
        )
        response = self.admin.post("/roles", body)
        assert response.status_code == 201, response.body
        _, secret = ApiToken.create(
            name=name, role=Role.objects.get(pk=response.body["data"]["id"])
        )
        return Api(secret)


@pytest.fixture
def world(db) -> World:
    return World()


def _outcomes(world: World, api: Api) -> dict:
    """Each action's status, the records left untouched by refusals."""
    post, memo = world.post_record, world.memo_record
    listed = api.get("/items")
    return {
        "list post": api.get(f"/items?filter[type]={world.post}").status_code,
        "list memo": api.get(f"/items?filter[type]={world.memo}").status_code,
        "mixed list": sorted(r["id"] for r in listed.body.get("data", [])),
        "find post": api.get(f"/items/{post}").status_code,
        "find memo": api.get(f"/items/{memo}").status_code,
        "create post": api.post("/items", item_body(world.post, world.post_values())).status_code,
        "create memo": api.post("/items", item_body(world.memo, {"text": "x"})).status_code,
        "update post": api.put(
            f"/items/{post}",
            item_body(world.post, world.post_values(en="Hi")) | {},
        ).status_code,
        "publish post": api.put(f"/items/{post}/publish").status_code,
        "rest list memo": api.get("/rest/db/memo").status_code,
        "rest create memo": api.post("/rest/db/memo", {"text": "r"}).status_code,
        "delete memo": api.delete(f"/items/{memo}").status_code,
    }


def test_the_permission_matrix(world):
    post, memo = world.post_record, world.memo_record
    readonly = make_api("readonly")
    post_reader = world.role("Post readers", positive=[entry("read", item_type=world.post)])
    memo_editor = world.role(
        "Memo editors",
        positive=[
            entry("read", item_type=world.memo),
            entry("create", item_type=world.memo),
            entry("delete", item_type=world.memo),
        ],
    )
    expected = {
        "readonly": {
            "list post": 200,
            "list memo": 200,
            "mixed list": sorted([post, memo]),
            "find post": 200,
            "find memo": 200,
            "create post": 403,
            "create memo": 403,
            "update post": 403,
            "publish post": 403,
            "rest list memo": 200,
            "rest create memo": 403,
            "delete memo": 403,
        },
        "post reader": {
            "list post": 200,
            "list memo": 403,
            "mixed list": [post],
            "find post": 200,
            "find memo": 403,
            "create post": 403,
            "create memo": 403,
            "update post": 403,
            "publish post": 403,
            "rest list memo": 403,
            "rest create memo": 403,
            "delete memo": 403,
        },
    }
    assert _outcomes(world, readonly) == expected["readonly"]
    assert _outcomes(world, post_reader) == expected["post reader"]
    outcomes = _outcomes(world, memo_editor)
    assert outcomes["list post"] == 403 and outcomes["find post"] == 403
    assert outcomes["create memo"] == 201 and outcomes["rest create memo"] == 200
    assert outcomes["update post"] == 403 and outcomes["publish post"] == 403
    assert outcomes["delete memo"] == 200
    assert post not in outcomes["mixed list"] and memo in outcomes["mixed list"]
    # The refusals wrote nothing: the post is as the admin made it.
    record = world.admin.get(f"/items/{post}").body["data"]
    assert record["attributes"]["title"] == {"en": "Hello", "it": "Ciao"}
    # An editor (built in) does everything to records, nothing to the schema.
    editor = make_api("editor")
    assert _outcomes(world, editor)["update post"] == 200
    assert editor.post("/item-types", {"data": {"type": "item_type"}}).status_code == 403


def test_the_translator_edits_italian_only(world):
    translator = world.role(
        "Italian translators",
        positive=[
            entry("read", item_type=world.post),
            entry("update", item_type=world.post, localization_scope="localized", locale="it"),
        ],
    )
    post = world.post_record
    # The whole record sent back with only Italian changed: accepted.
    ok = translator.put(f"/items/{post}", item_body(world.post, world.post_values(it="Salve")))
    assert ok.status_code == 200, ok.body
    assert ok.body["data"]["attributes"]["title"] == {"en": "Hello", "it": "Salve"}
    # English touched: refused, naming the field and the locale; nothing written.
    refused = translator.put(
        f"/items/{post}", item_body(world.post, world.post_values(en="Hi", it="Salve"))
    )
    assert refused.status_code == 403
    details = refused.body["data"][0]["attributes"]["details"]
    assert refused.body["data"][0]["attributes"]["code"] == "INSUFFICIENT_PERMISSIONS"
    assert (details["field"], details["locale"]) == ("title", "en")
    # A field that isn't localized: refused, naming it.
    rank = translator.put(
        f"/items/{post}", item_body(world.post, world.post_values(it="Salve", rank=9))
    )
    assert rank.status_code == 403
    assert rank.body["data"][0]["attributes"]["details"]["field"] == "rank"
    after = world.admin.get(f"/items/{post}").body["data"]["attributes"]
    assert after["title"] == {"en": "Hello", "it": "Salve"} and after["rank"] == 1
    # Nor may the translator create or delete.
    assert translator.post("/items", item_body(world.post, world.post_values())).status_code == 403
    assert translator.delete(f"/items/{post}").status_code == 403


def test_inheritance_with_a_negative_entry_winning(world):
    parent = world.admin.post(
        "/roles",
        role_body(
            "Post writers",
            positive_item_type_permissions=[entry("all", item_type=None)],
            negative_item_type_permissions=[],
        ),
    ).body["data"]
    child = world.role(
        "Post writers who never delete",
        relationships=parents(parent["id"]),
        negative=[entry("delete", item_type=world.post)],
    )
    assert child.get(f"/items/{world.post_record}").status_code == 200  # inherited
    assert child.put(f"/items/{world.post_record}/publish").status_code == 200
    refused = child.delete(f"/items/{world.post_record}")
    assert refused.status_code == 403  # the negative entry wins over "all"
    assert world.admin.get(f"/items/{world.post_record}").status_code == 200
    assert child.delete(f"/items/{world.memo_record}").status_code == 200


def test_on_creator_self(world):
    own = world.role(
        "Own posts",
        positive=[
            entry("read", item_type=world.post),
            entry("create", item_type=world.post),
            entry("update", item_type=world.post, on_creator="self"),
        ],
    )
    mine = world.make(own, world.post, world.post_values())
    assert own.put(f"/items/{mine}", item_body(world.post, {"rank": 5})).status_code == 200
    theirs = own.put(f"/items/{world.post_record}", item_body(world.post, {"rank": 5}))
    assert theirs.status_code == 403
    reader = world.role(
        "Own readers", positive=[entry("read", item_type=world.post, on_creator="self")]
    )
    assert reader.get("/items").body["data"] == []


def test_a_list_costs_the_same_queries_with_a_restricted_role(world):
    for number in range(20):
        world.make(world.admin, world.post, world.post_values(rank=number))
    restricted = world.role(
        "Two kinds",
        positive=[entry("read", item_type=world.post), entry("read", item_type=world.memo)],
    )

    def count(api, path):
        api.get(path)  # warm: the model read once
        with CaptureQueriesContext(connection) as captured:
            response = api.get(path)
        assert response.status_code == 200
        return len(captured), len(response.body.get("data", response.body.get("record", [])))

    for path in ("/items?page[limit]=30", "/rest/db/post"):
        admin_queries, admin_rows = count(world.admin, path)
        restricted_queries, restricted_rows = count(restricted, path)
        assert restricted_rows == admin_rows >= 21
        assert restricted_queries == admin_queries, path


def test_environments_access_and_a_fork_copies_entries(world):
    for access_, status in (("sandbox_only", 403), ("none", 403), ("primary_only", 200)):
        role = world.admin.post("/roles", role_body(access_, environments_access=access_))
        _, secret = ApiToken.create(name="t", role=Role.objects.get(pk=role.body["data"]["id"]))
        response = Api(secret).get("/site")
        assert response.status_code == status, access_
        if status == 403:
            assert response.body["data"][0]["attributes"]["details"]["environment"] == "main"
    # A fork copies each role's entries for its source to the new environment.
    from access import environments as access_environments

    world.role("Readers", positive=[entry("read", item_type=world.post)])
    access_environments.forked("main", "copy")
    role = Role.objects.get(name="Readers")
    final = role.final_permissions["positive_item_type_permissions"]
    assert {e["environment"] for e in role.positive_item_type_permissions} == {"main", "copy"}
    assert {e["environment"] for e in final} == {"main", "copy"}
    access_environments.renamed("copy", "renamed")
    access_environments.destroyed("main")
    role.refresh_from_db()
    assert [e["environment"] for e in role.positive_item_type_permissions] == ["renamed"]


def test_uploads_follow_their_entries(world, tmp_path):
    from uploads.models import Upload

    mine = Upload.objects.create(
        id="MineAAAAAAAAAAAAAAAAAA",
        path="x/a.png",
        filename="a.png",
        basename="a",
        size=1,
        creator_id="nobody",
    )
    readers = world.admin.post(
        "/roles",
        role_body(
            "Own uploads",
            positive_upload_permissions=[
                {"action": "read", "environment": "main", "on_creator": "self"}
            ],
            negative_upload_permissions=[],
        ),
    ).body["data"]
    token, secret = ApiToken.create(name="u", role=Role.objects.get(pk=readers["id"]))
    api = Api(secret)
    assert api.get("/uploads").body["data"] == []
    assert api.get(f"/uploads/{mine.pk}").status_code == 403
    Upload.objects.filter(pk=mine.pk).update(creator_id=token.pk)
    assert [u["id"] for u in api.get("/uploads").body["data"]] == [mine.pk]
    assert api.get(f"/uploads/{mine.pk}").status_code == 200
    assert api.delete(f"/uploads/{mine.pk}").status_code == 403
    assert Upload.objects.filter(pk=mine.pk).exists()


def test_reading_everything_but_one_model(world):
    api = world.role(
        "All but memos",
        positive=[entry("read", item_type=None)],
        negative=[entry("read", item_type=world.memo)],
    )
    assert [r["id"] for r in api.get("/items").body["data"]] == [world.post_record]
    assert api.get(f"/items?filter[type]={world.memo}").status_code == 403
    assert api.get(f"/items/{world.memo_record}").status_code == 403
    nothing = world.role(
        "Nothing", positive=[entry("read", item_type=None)], negative=[entry("read")]
    )
    assert nothing.get("/items").body["data"] == []


def test_on_creator_role(world):
    team = world.role(
        "Team",
        positive=[
            entry("read", item_type=world.post, on_creator="role"),
            entry("create", item_type=world.post),
        ],
    )
    made = world.make(team, world.post, world.post_values())
    teammate_role = Role.objects.get(name="Team")
    _, secret = ApiToken.create(name="teammate", role=teammate_role)
    teammate = Api(secret)
    assert [r["id"] for r in teammate.get("/items").body["data"]] == [made]
    assert teammate.get(f"/items/{made}").status_code == 200
    assert teammate.get(f"/items/{world.post_record}").status_code == 403
