"""DreamFactory 2's ``_schema`` writes (record_api.schema_views): tables and fields created,
changed and deleted through the item type and field services, checked through the Content
Management API and by writing records; every refusal a DreamFactory error, nothing written."""

import pytest

from audit_log.models import AuditLogEvent
from item_types.models import Field, ItemType
from items.models import Item
from tests.conftest import make_api
from tests.environments.conftest import (  # noqa: F401
    admin_token,
    environments,
    main_api,
    migrated_sqlite_file,
    sandbox,
    sandbox_api,
)
from tests.record_api.library import df_error

SCHEMA = "/api/v2/db/_schema"
TABLE = "/api/v2/db/_table"

PERSON = {
    "name": "person",
    "label": "People",
    "field": [
        {"name": "id", "type": "id"},  # DreamFactory's primary key: every table has one
        {"name": "name", "type": "string", "required": True, "max_length": 40},
        {"name": "bio", "type": "text", "label": "About"},
        {"name": "age", "type": "integer", "default": 18},
        {"name": "height", "type": "double"},
        {"name": "active", "type": "boolean"},
        {"name": "born", "type": "date"},
        {"name": "seen", "type": "timestamp"},
        {"name": "email", "type": "string", "is_unique": True},
        {"name": "team", "type": "reference", "ref_table": "team"},
    ],
}
TEAM = {"name": "team", "field": [{"name": "title", "type": "string"}]}


def _cma_fields(api, table: str) -> dict:
    response = api.get(f"/item-types/{table}/fields")
    assert response.status_code == 200, response.body
    return {f["attributes"]["api_key"]: f["attributes"] for f in response.body["data"]}


def _schema_rows() -> tuple[int, int]:
    return ItemType.objects.count(), Field.objects.count()


@pytest.fixture
def people(api):
    """``team`` and ``person`` (linking to it), made through POST _schema."""
    response = api.post(SCHEMA, {"resource": [PERSON, TEAM]})
    assert response.status_code == 201, response.body
    return response


def test_post_creates_tables_with_their_fields(api, people):
    assert people.body == {"resource": [{"name": "person"}, {"name": "team"}]}
    models = {m["attributes"]["api_key"]: m for m in api.get("/item-types").body["data"]}
    assert models["person"]["attributes"]["name"] == "People"
    assert models["team"]["attributes"]["name"] == "Team"
    fields = _cma_fields(api, "person")
    assert list(fields) == [
        "name",
        "bio",
        "age",
        "height",
        "active",
        "born",
        "seen",
        "email",
        "team",
    ]
    types = {key: f["field_type"] for key, f in fields.items()}
    assert types == {
        "name": "string",
        "bio": "text",
        "age": "integer",
        "height": "float",
        "active": "boolean",
        "born": "date",
        "seen": "date_time",
        "email": "string",
        "team": "link",
    }
    assert fields["name"]["validators"] == {"required": {}, "length": {"max": 40}}
    assert fields["email"]["validators"] == {"unique": {}}
    assert fields["bio"]["label"] == "About"
    assert fields["age"]["default_value"] == 18
    team_id = models["team"]["id"]
    assert fields["team"]["validators"]["item_item_type"]["item_types"] == [team_id]
    # And read back as DreamFactory describes it.
    described = {f["name"]: f for f in api.get(f"{SCHEMA}/person").body["field"]}
    assert described["team"]["ref_table"] == "team"
    assert (described["name"]["required"], described["name"]["length"]) == (True, 40)
    assert described["email"]["is_unique"] is True


def test_records_go_into_a_table_made_through_schema(api, people):
    team = api.post(f"{TABLE}/team", {"title": "Blue"})
    assert team.status_code == 200, team.body
    made = api.post(
        f"{TABLE}/person?fields=*",
        {"name": "Ann", "age": 30, "team": team.body["id"], "seen": "2024-01-02T03:04:05Z"},
    )
    assert made.status_code == 200, made.body
    assert (made.body["name"], made.body["team"]) == ("Ann", team.body["id"])
    # The required field and the unique one hold, as on /items.
    df_error(api.post(f"{TABLE}/person", {"age": 3}), 422)
    api.post(f"{TABLE}/person", {"name": "Bob", "email": "b@x.io"})
    df_error(api.post(f"{TABLE}/person", {"name": "Cy", "email": "b@x.io"}), 422)
    assert Item.objects.filter(item_type__api_key="person").count() == 2


def test_return_schema_answers_the_descriptions(api):
    response = api.post(f"{SCHEMA}?return_schema=true", {"resource": [TEAM]})
    assert response.status_code == 201, response.body
    (team,) = response.body["resource"]
    assert team["name"] == "team" and [f["name"] for f in team["field"]] == ["id", "title"]


def test_post_on_a_table_path_creates_that_table(api):
    response = api.post(f"{SCHEMA}/tag", {"label": "Tags", "field": [{"name": "label"}]})
    df_error(response, 400)  # a field without a type
    assert _schema_rows() == (0, 0)
    response = api.post(f"{SCHEMA}/tag", {"field": [{"name": "label", "type": "string"}]})
    assert response.status_code == 201 and response.body == {"name": "tag"}
    assert list(_cma_fields(api, "tag")) == ["label"]


def test_patch_adds_and_changes_fields(api, people):
    body = {
        "label": "Persons",
        "field": [
            {"name": "nick", "type": "string", "label": "Nickname"},  # new
            {"name": "name", "required": False, "max_length": None},  # changed
            {"name": "age", "type": "float"},  # a type its values can take
        ],
    }
    response = api.request("PATCH", f"{SCHEMA}/person", body)
    assert response.status_code == 200 and response.body == {"name": "person"}
    fields = _cma_fields(api, "person")
    assert fields["nick"]["label"] == "Nickname" and fields["nick"]["field_type"] == "string"
    assert fields["name"]["validators"] == {}
    assert fields["age"]["field_type"] == "float"
    assert "bio" in fields  # not listed, kept
    assert api.get("/item-types/person").body["data"]["attributes"]["name"] == "Persons"
    made = api.post(f"{TABLE}/person?fields=*", {"age": 1.5})  # name no longer required
    assert made.status_code == 200 and made.body["age"] == 1.5


def test_put_a_field_changes_it_and_delete_removes_it(api, people):
    api.post(f"{TABLE}/person", {"name": "Ann", "bio": "hello"})
    # The field services' rules: a text field can't be unique.
    refused = df_error(
        api.put(f"{SCHEMA}/person/_field/bio", {"label": "S", "is_unique": True}), 422
    )
    assert refused["context"]["error"][0]["code"] == "VALIDATION_VALIDATOR_NOT_ALLOWED"
    assert _cma_fields(api, "person")["bio"]["label"] == "About"
    response = api.put(f"{SCHEMA}/person/_field/bio", {"label": "Story", "required": True})
    assert response.status_code == 200 and response.body == {"name": "bio"}
    bio = _cma_fields(api, "person")["bio"]
    assert (bio["label"], bio["validators"]) == ("Story", {"required": {}})
    # The older form, without _field.
    response = api.request("PATCH", f"{SCHEMA}/person/bio", {"description": "Who they are"})
    assert response.status_code == 200
    assert _cma_fields(api, "person")["bio"]["hint"] == "Who they are"
    # A field read through _field.
    assert api.get(f"{SCHEMA}/person/_field/bio").body["label"] == "Story"

    response = api.delete(f"{SCHEMA}/person/_field/bio")
    assert response.status_code == 200 and response.body == {"name": "bio"}
    assert "bio" not in _cma_fields(api, "person")
    record = api.get(f"{TABLE}/person?fields=*").body["resource"][0]
    assert "bio" not in record and record["name"] == "Ann"
    df_error(api.delete(f"{SCHEMA}/person/_field/bio"), 404)


def test_patch_on_schema_changes_several_tables(api, people):
    body = {
        "resource": [
            {"name": "team", "label": "Teams", "field": [{"name": "city", "type": "string"}]},
            {"name": "person", "field": [{"name": "age", "required": True}]},
        ]
    }
    response = api.request("PATCH", SCHEMA, body)
    assert response.status_code == 200, response.body
    assert response.body == {"resource": [{"name": "team"}, {"name": "person"}]}
    assert api.get("/item-types/team").body["data"]["attributes"]["name"] == "Teams"
    assert "city" in _cma_fields(api, "team")
    assert _cma_fields(api, "person")["age"]["validators"] == {"required": {}}
    # A table that doesn't exist: a 404, and the first table's change undone.
    body = {"resource": [{"name": "team", "label": "Again"}, {"name": "nope", "label": "X"}]}
    error = df_error(api.put(SCHEMA, body), 404)
    assert "nope" in error["message"]
    assert api.get("/item-types/team").body["data"]["attributes"]["name"] == "Teams"


def test_writes_are_in_the_audit_log(api, people):
    api.put(f"{SCHEMA}/person/_field/bio", {"label": "Story"})
    api.delete(f"{SCHEMA}/person")
    logged = AuditLogEvent.objects.filter(request_path__startswith=SCHEMA)
    assert [(e.action_name, e.response_status) for e in logged.order_by("id")] == [
        ("item_types.create", 201),
        ("fields.update", 200),
        ("item_types.destroy", 200),
    ]


def test_post_fields_adds_them(api, people):
    response = api.post(
        f"{SCHEMA}/team/_field",
        {"resource": [{"name": "city", "type": "string"}, {"name": "size", "type": "integer"}]},
    )
    assert response.status_code == 201, response.body
    assert response.body == {"resource": [{"name": "city"}, {"name": "size"}]}
    assert list(_cma_fields(api, "team")) == ["title", "city", "size"]
    listed = api.get(f"{SCHEMA}/team/_field").body["resource"]
    assert [f["name"] for f in listed] == ["id", "title", "city", "size"]


def test_delete_a_table(api, people):
    api.post(f"{TABLE}/team", {"title": "Blue"})
    # person links to team: the service refuses, nothing goes.
    refused = df_error(api.delete(f"{SCHEMA}/team"), 422)
    assert refused["context"]["table"] == "team"
    assert refused["context"]["error"][0]["error"] == "DELETE_RESTRICTION"
    assert ItemType.objects.filter(api_key="team").exists()
    assert api.delete(f"{SCHEMA}/person").body == {"name": "person"}
    assert api.delete(f"{SCHEMA}/team").body == {"name": "team"}
    assert api.get("/item-types").body["data"] == []
    assert Item.objects.count() == 0
    df_error(api.get(f"{SCHEMA}/team"), 404)
    df_error(api.delete(f"{SCHEMA}/team"), 404)


# Refusals: DreamFactory's error naming the table and field, nothing written.


def test_an_unknown_type_is_a_400_naming_the_field(api):
    tables = [TEAM, {"name": "thing", "field": [{"name": "shape", "type": "polygon"}]}]
    error = df_error(api.post(SCHEMA, {"resource": tables}), 400)
    assert "shape" in error["message"] and "polygon" in error["message"]
    assert (error["context"]["table"], error["context"]["field"]) == ("thing", "shape")
    assert _schema_rows() == (0, 0)  # team, valid, went too: all or nothing


def test_a_duplicate_name_is_refused_with_nothing_written(api, people):
    before = _schema_rows()
    # A table that exists.
    error = df_error(api.post(SCHEMA, {"resource": [{"name": "other"}, TEAM]}), 422)
    assert error["context"]["table"] == "team"
    assert error["context"]["error"][0]["code"] == "VALIDATION_UNIQUENESS"
    # A field twice in one call, and a field the table has.
    twice = [{"name": "x", "type": "string"}, {"name": "x", "type": "integer"}]
    error = df_error(api.post(f"{SCHEMA}/team/_field", {"resource": twice}), 422)
    assert (error["context"]["table"], error["context"]["field"]) == ("team", "x")
    error = df_error(api.post(f"{SCHEMA}/team/_field", [{"name": "title", "type": "text"}]), 422)
    assert error["context"]["field"] == "title"
    assert _schema_rows() == before
    assert not ItemType.objects.filter(api_key="other").exists()


def test_a_type_change_records_cant_take_is_refused(api, people):
    api.post(f"{TABLE}/person", {"name": "Ann", "bio": "not a number"})
    body = {"field": [{"name": "nick", "type": "string"}, {"name": "bio", "type": "integer"}]}
    error = df_error(api.request("PATCH", f"{SCHEMA}/person", body), 422)
    assert (error["context"]["table"], error["context"]["field"]) == ("person", "bio")
    fields = _cma_fields(api, "person")
    assert fields["bio"]["field_type"] == "text" and "nick" not in fields
    record = api.get(f"{TABLE}/person?fields=bio").body["resource"][0]
    assert record["bio"] == "not a number"


@pytest.mark.parametrize(
    "body",
    [
        "text",
        {"resource": "x"},
        {"resource": [3]},
        {"resource": [{"label": "no name"}]},
        {"resource": [{"name": "t", "field": "x"}]},
        {"resource": [{"name": "t", "field": [{"type": "string"}]}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": ["string"]}]}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": "string", "required": 1}]}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": "text", "length": -2}]}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": "string", "picklist": 3}]}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": "reference"}]}]},
        {
            "resource": [
                {"name": "t", "field": [{"name": "f", "type": "reference", "ref_table": "x"}]}
            ]
        },
        {"resource": [{"name": "Not A Key"}]},
        {"resource": [{"name": "t", "label": 5}]},
        {"resource": [{"name": "t", "field": [{"name": "f", "type": "integer", "default": "x"}]}]},
    ],
)
def test_bad_bodies_are_dreamfactory_errors(api, body):
    response = api.post(SCHEMA, body)
    assert 400 <= response.status_code < 500, response.body
    df_error(response, response.status_code)
    assert _schema_rows() == (0, 0)


def test_writes_need_can_edit_schema(db, people):
    editor = make_api("editor")
    assert editor.get(f"{SCHEMA}/person").status_code == 200  # reads don't
    before = _schema_rows()
    df_error(editor.post(SCHEMA, {"resource": [{"name": "other"}]}), 403)
    df_error(editor.request("PATCH", f"{SCHEMA}/person", {"label": "X"}), 403)
    df_error(editor.post(f"{SCHEMA}/team/_field", [{"name": "x", "type": "string"}]), 403)
    df_error(editor.put(f"{SCHEMA}/person/_field/bio", {"label": "X"}), 403)
    df_error(editor.delete(f"{SCHEMA}/person/_field/bio"), 403)
    df_error(editor.delete(f"{SCHEMA}/person"), 403)
    assert _schema_rows() == before
    assert ItemType.objects.get(api_key="person").name == "People"


def test_schema_writes_are_per_environment(main_api, sandbox_api):  # noqa: F811
    response = sandbox_api.post(SCHEMA, {"resource": [TEAM]})
    assert response.status_code == 201, response.body
    assert [m["attributes"]["api_key"] for m in sandbox_api.get("/item-types").body["data"]] == [
        "team"
    ]
    assert main_api.get("/item-types").body["data"] == []
    df_error(main_api.delete(f"{SCHEMA}/team"), 404)


def test_allow_null_false_is_the_required_validator(api, people):
    fields = [
        {"name": "code", "type": "string", "allow_null": False},
        # required, when sent, says it: allow_null is then only its other side
        {"name": "note", "type": "string", "allow_null": False, "required": False},
    ]
    response = api.post(f"{SCHEMA}/team/_field", {"resource": fields})
    assert response.status_code == 201, response.body
    cma = _cma_fields(api, "team")
    assert cma["code"]["validators"] == {"required": {}}
    assert cma["note"]["validators"] == {}
    described = {f["name"]: f for f in api.get(f"{SCHEMA}/team").body["field"]}
    assert (described["code"]["allow_null"], described["code"]["required"]) == (False, True)
    # allow_null: true clears it (person.name was made required)
    changed = api.request("PATCH", f"{SCHEMA}/person/_field/name", {"allow_null": True})
    assert changed.status_code == 200, changed.body
    assert _cma_fields(api, "person")["name"]["validators"] == {"length": {"max": 40}}
    error = df_error(
        api.request("PATCH", f"{SCHEMA}/person/_field/name", {"allow_null": "no"}), 400
    )
    assert "allow_null" in error["message"]
    assert _cma_fields(api, "person")["name"]["validators"] == {"length": {"max": 40}}


def test_delete_schema_drops_the_tables_named_all_or_nothing(api, people):
    api.post(SCHEMA, {"resource": [{"name": "lonely"}]})
    before = _schema_rows()
    # team first: person still links to it, so the call fails whole (lonely stays too)
    body = {"resource": [{"name": "lonely"}, {"name": "team"}, {"name": "person"}]}
    refused = df_error(api.request("DELETE", SCHEMA, body), 422)
    assert refused["context"]["table"] == "team"
    assert _schema_rows() == before
    unknown = df_error(
        api.request("DELETE", SCHEMA, {"resource": [{"name": "lonely"}, {"name": "nope"}]}), 404
    )
    assert "nope" in unknown["message"]
    assert _schema_rows() == before
    df_error(api.request("DELETE", SCHEMA, {"resource": []}), 400)
    gone = api.request(
        "DELETE", SCHEMA, {"resource": [{"name": "person"}, {"name": "team"}, {"name": "lonely"}]}
    )
    assert gone.status_code == 200, gone.body
    assert gone.body == {"resource": [{"name": "person"}, {"name": "team"}, {"name": "lonely"}]}
    assert api.get("/item-types").body["data"] == []


def test_related_lists_the_tables_relations(api, people):
    team = api.get(f"{SCHEMA}/team/_related")
    assert team.status_code == 200, team.body
    (has_many,) = team.body["resource"]
    assert {k: has_many[k] for k in ("name", "type", "ref_table", "ref_field", "field")} == {
        "name": "person_by_team",
        "type": "has_many",
        "ref_table": "person",
        "ref_field": "team",
        "field": "id",
    }
    person = api.get(f"{SCHEMA}/person/_related").body["resource"]
    assert [(r["name"], r["type"], r["field"], r["ref_field"]) for r in person] == [
        ("team_by_team", "belongs_to", "team", "id")
    ]
    # the same list _schema/<table> gives, and names related= takes
    assert person == api.get(f"{SCHEMA}/person").body["related"]
    one = api.get(f"{SCHEMA}/team/_related/person_by_team")
    assert one.status_code == 200 and one.body == has_many
    assert api.get(f"{TABLE}/team?related=person_by_team").status_code == 200
    df_error(api.get(f"{SCHEMA}/team/_related/nope"), 404)
    df_error(api.get(f"{SCHEMA}/nope/_related"), 404)
