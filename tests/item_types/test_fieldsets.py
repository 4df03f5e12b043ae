"""Fieldsets over HTTP (SPEC-2 §2.1): CRUD under /item-types/:id/fieldsets and
/fieldsets/:id, the field's `fieldset` relationship, the one ordering fieldsets share with
the top-level fields, and refusals that write nothing."""

import pytest

from cms.ids import is_valid_id, new_id
from item_types.models import Field, Fieldset
from tests.conftest import error_codes


def fieldset_body(fieldset_id=None, **attributes):
    data = {"type": "fieldset", "attributes": attributes}
    if fieldset_id:
        data["id"] = fieldset_id
    return {"data": data}


def in_fieldset(fieldset_id):
    return {"fieldset": {"data": fieldset_id and {"type": "fieldset", "id": fieldset_id}}}


def field_body(api_key, relationships=None, **attributes):
    data = {
        "type": "field",
        "attributes": {"label": api_key.title(), "api_key": api_key, "field_type": "string"},
    }
    data["attributes"].update(attributes)
    if relationships is not None:
        data["relationships"] = relationships
    return {"data": data}


@pytest.fixture
def post(api):
    return api.create_item_type("post")


def create_fieldset(api, item_type_id, title, **attributes):
    response = api.post(
        f"/item-types/{item_type_id}/fieldsets", fieldset_body(title=title, **attributes)
    )
    assert response.status_code == 201, response.body
    return response.body["data"]


def create_field(api, item_type_id, api_key, fieldset_id=None, **attributes):
    relationships = in_fieldset(fieldset_id) if fieldset_id else None
    response = api.post(
        f"/item-types/{item_type_id}/fields", field_body(api_key, relationships, **attributes)
    )
    assert response.status_code == 201, response.body
    return response.body["data"]


def form(api, item_type_id) -> list[tuple]:
    """The model's form, as its fields list and fieldsets show it: (fieldset title or
    None, api_key, position) per field, in the order the model lists them."""
    titles = {
        f["id"]: f["attributes"]["title"]
        for f in api.get(f"/item-types/{item_type_id}/fieldsets").body["data"]
    }
    fields = api.get(f"/item-types/{item_type_id}/fields").body["data"]
    model = api.get(f"/item-types/{item_type_id}").body["data"]
    assert [f["id"] for f in model["relationships"]["fields"]["data"]] == [f["id"] for f in fields]
    return [
        (
            titles.get((f["relationships"]["fieldset"]["data"] or {}).get("id")),
            f["attributes"]["api_key"],
            f["attributes"]["position"],
        )
        for f in fields
    ]


def top_level(item_type_id) -> list[tuple]:
    """(kind, name, position) of the top-level fields and the fieldsets, by position."""
    rows = [
        ("field", f.api_key, f.position)
        for f in Field.objects.filter(item_type_id=item_type_id, fieldset=None)
    ]
    rows += [
        ("fieldset", f.title, f.position)
        for f in Fieldset.objects.filter(item_type_id=item_type_id)
    ]
    return sorted(rows, key=lambda row: row[2])


# --- CRUD ------------------------------------------------------------------------------------


def test_create_answers_the_fieldset_with_its_defaults_and_its_model(api, post):
    response = api.post(f"/item-types/{post['id']}/fieldsets", fieldset_body(title="SEO"))
    assert response.status_code == 201, response.body
    data = response.body["data"]
    assert is_valid_id(data["id"])
    assert data == {
        "type": "fieldset",
        "id": data["id"],
        "attributes": {
            "title": "SEO",
            "hint": None,
            "collapsible": False,
            "start_collapsed": False,
            "position": 1,
        },
        "relationships": {"item_type": {"data": {"type": "item_type", "id": post["id"]}}},
    }
    [model] = response.body["included"]
    assert model["relationships"]["fieldsets"]["data"] == [{"type": "fieldset", "id": data["id"]}]
    assert api.get(f"/fieldsets/{data['id']}").body["data"] == data
    assert api.get(f"/item-types/{post['id']}/fieldsets").body["data"] == [data]
    assert api.get("/item-types").body["data"][0]["relationships"]["fieldsets"]["data"] == [
        {"type": "fieldset", "id": data["id"]}
    ]


def test_create_takes_a_client_id_and_every_attribute(api, post):
    chosen = new_id()
    body = fieldset_body(
        chosen, title="More", hint="Rarely used", collapsible=True, start_collapsed=True
    )
    response = api.post(f"/item-types/{post['id']}/fieldsets", body)
    assert response.status_code == 201, response.body
    assert response.body["data"]["id"] == chosen
    assert response.body["data"]["attributes"] == {
        "title": "More",
        "hint": "Rarely used",
        "collapsible": True,
        "start_collapsed": True,
        "position": 1,
    }


def test_update_changes_only_what_is_sent_and_delete_answers_it(api, post):
    fieldset = create_fieldset(api, post["id"], "SEO", hint="old")
    response = api.put(
        f"/fieldsets/{fieldset['id']}",
        {"data": {"type": "fieldset", "id": fieldset["id"], "attributes": {"collapsible": True}}},
    )
    assert response.status_code == 200, response.body
    attributes = response.body["data"]["attributes"]
    assert (attributes["title"], attributes["hint"], attributes["collapsible"]) == (
        "SEO",
        "old",
        True,
    )
    # What the client sends when nothing changes: no attributes at all.
    unchanged = api.put(f"/fieldsets/{fieldset['id']}", {"data": {"type": "fieldset"}})
    assert unchanged.status_code == 200 and unchanged.body["data"] == response.body["data"]

    deleted = api.delete(f"/fieldsets/{fieldset['id']}")
    assert deleted.status_code == 200
    assert deleted.body["data"] == response.body["data"]
    assert not Fieldset.objects.exists()
    assert api.get(f"/fieldsets/{fieldset['id']}").status_code == 404


def test_unknown_ids_are_404(api, post):
    for method, path in [
        ("GET", "/fieldsets/nope"),
        ("PUT", "/fieldsets/nope"),
        ("DELETE", "/fieldsets/nope"),
        ("GET", "/item-types/nope/fieldsets"),
        ("POST", "/item-types/nope/fieldsets"),
    ]:
        response = api.request(method, path, fieldset_body(title="x"))
        assert response.status_code == 404, (method, path)
        assert error_codes(response)[0][0] == "NOT_FOUND"
    assert not Fieldset.objects.exists()


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (fieldset_body(), [("INVALID_FIELD", "title", "VALIDATION_REQUIRED")]),
        (fieldset_body(title=" "), [("INVALID_FIELD", "title", "VALIDATION_REQUIRED")]),
        (fieldset_body(title=7), [("INVALID_FIELD", "title", "VALIDATION_FORMAT")]),
        (fieldset_body(title="x" * 201), [("INVALID_FIELD", "title", "VALIDATION_LENGTH")]),
        (
            fieldset_body(title="T", position=0),
            [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
        ),
        (
            fieldset_body(title="T", position=True),
            [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
        ),
        (
            fieldset_body(title="T", collapsible="yes"),
            [("INVALID_FIELD", "collapsible", "VALIDATION_FORMAT")],
        ),
        (
            fieldset_body(title="T", start_collapsed=None),
            [("INVALID_FIELD", "start_collapsed", "VALIDATION_REQUIRED")],
        ),
        (
            fieldset_body(title="T", colour=1),
            [("INVALID_ATTRIBUTES", "colour", "VALIDATION_UNKNOWN_ATTRIBUTE")],
        ),
        (fieldset_body("not an id", title="T"), [("INVALID_ENTITY_ID", "id", None)]),
        (
            {"data": {"type": "field", "attributes": {"title": "T"}}},
            [("INVALID_TYPE", "type", None)],
        ),
        ({"data": []}, [("INVALID_FORMAT", None, None)]),
    ],
)
def test_bad_creates_are_refused_and_write_nothing(api, post, body, expected):
    response = api.post(f"/item-types/{post['id']}/fieldsets", body)
    assert response.status_code == 422, response.body
    assert error_codes(response) == expected
    assert not Fieldset.objects.exists()


def test_a_taken_client_id_is_refused(api, post):
    taken = create_fieldset(api, post["id"], "One")["id"]
    response = api.post(f"/item-types/{post['id']}/fieldsets", fieldset_body(taken, title="Two"))
    assert response.status_code == 422
    assert error_codes(response) == [("INVALID_ENTITY_ID", "id", "VALIDATION_UNIQUENESS")]
    assert list(Fieldset.objects.values_list("title", flat=True)) == ["One"]


@pytest.mark.parametrize(
    ("attributes", "expected"),
    [
        ({"title": None}, [("INVALID_FIELD", "title", "VALIDATION_REQUIRED")]),
        ({"position": -1}, [("INVALID_FIELD", "position", "VALIDATION_FORMAT")]),
        ({"hint": 3}, [("INVALID_FIELD", "hint", "VALIDATION_FORMAT")]),
        ({"item_type": "x"}, [("INVALID_ATTRIBUTES", "item_type", "VALIDATION_UNKNOWN_ATTRIBUTE")]),
    ],
)
def test_bad_updates_change_nothing(api, post, attributes, expected):
    fieldset = create_fieldset(api, post["id"], "SEO")
    response = api.put(
        f"/fieldsets/{fieldset['id']}", {"data": {"type": "fieldset", "attributes": attributes}}
    )
    assert response.status_code == 422
    assert error_codes(response) == expected
    assert api.get(f"/fieldsets/{fieldset['id']}").body["data"] == fieldset


def test_editors_and_readers_may_only_read(api, editor_api, readonly_api, post):
    fieldset = create_fieldset(api, post["id"], "SEO")
    for client in (editor_api, readonly_api):
        assert client.get(f"/fieldsets/{fieldset['id']}").status_code == 200
        refused = [
            client.post(f"/item-types/{post['id']}/fieldsets", fieldset_body(title="x")),
            client.put(f"/fieldsets/{fieldset['id']}", fieldset_body(title="x")),
            client.delete(f"/fieldsets/{fieldset['id']}"),
        ]
        assert [r.status_code for r in refused] == [403, 403, 403]
    assert list(Fieldset.objects.values_list("title", flat=True)) == ["SEO"]


# --- The field's fieldset ------------------------------------------------------------------


def test_a_field_is_created_in_a_fieldset_and_moved_out_of_it(api, post):
    seo = create_fieldset(api, post["id"], "SEO")
    field = create_field(api, post["id"], "meta_title", seo["id"])
    assert field["relationships"]["fieldset"] == {"data": {"type": "fieldset", "id": seo["id"]}}
    assert api.get(f"/fields/{field['id']}").body["data"] == field

    moved = api.put(
        f"/fields/{field['id']}",
        {"data": {"type": "field", "relationships": in_fieldset(None)}},  # no attributes
    )
    assert moved.status_code == 200, moved.body
    assert moved.body["data"]["relationships"]["fieldset"] == {"data": None}
    back = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "attributes": {"label": "T"},
                "relationships": in_fieldset(seo["id"]),
            }
        },
    )
    assert back.body["data"]["relationships"]["fieldset"]["data"]["id"] == seo["id"]
    assert back.body["data"]["attributes"]["label"] == "T"
    # An update that doesn't send the relationship leaves the field where it is.
    kept = api.put(
        f"/fields/{field['id']}", {"data": {"type": "field", "attributes": {"hint": "h"}}}
    )
    assert kept.body["data"]["relationships"]["fieldset"]["data"]["id"] == seo["id"]


@pytest.mark.parametrize(
    ("relationships", "expected"),
    [
        ("OTHER", [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_NOT_IN_THIS_MODEL")]),
        ("UNKNOWN", [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_NOT_IN_THIS_MODEL")]),
        (
            {"fieldset": {"data": {"type": "item_type", "id": "x"}}},
            [("INVALID_RELATIONSHIP", "fieldset", "INVALID_TYPE")],
        ),
        (
            {"fieldset": {"data": {"type": "fieldset", "id": 5}}},
            [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_FORMAT")],
        ),
        ({"fieldset": {"data": "x"}}, [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_FORMAT")]),
        ({"fieldset": "x"}, [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_FORMAT")]),
        ({"fieldset": {}}, [("INVALID_RELATIONSHIP", "fieldset", "VALIDATION_FORMAT")]),
    ],
)
def test_a_fieldset_of_another_model_or_malformed_is_refused(api, post, relationships, expected):
    page = api.create_item_type("page")
    other = create_fieldset(api, page["id"], "Page's")
    mine = create_fieldset(api, post["id"], "Mine")
    existing = create_field(api, post["id"], "existing", mine["id"])
    if relationships == "OTHER":
        relationships = in_fieldset(other["id"])
    elif relationships == "UNKNOWN":
        relationships = in_fieldset(new_id())
    before = sorted(Field.objects.values_list("id", "fieldset_id", "position"))

    created = api.post(f"/item-types/{post['id']}/fields", field_body("title", relationships))
    assert created.status_code == 422, created.body
    assert error_codes(created) == expected
    updated = api.put(
        f"/fields/{existing['id']}",
        {"data": {"type": "field", "attributes": {"label": "New"}, "relationships": relationships}},
    )
    assert updated.status_code == 422, updated.body
    assert error_codes(updated) == expected
    assert sorted(Field.objects.values_list("id", "fieldset_id", "position")) == before
    assert Field.objects.get(pk=existing["id"]).label == "Existing"


# --- One ordering ----------------------------------------------------------------------------


def test_fieldsets_and_top_level_fields_share_positions(api, post):
    create_field(api, post["id"], "title")
    seo = create_fieldset(api, post["id"], "SEO")
    create_field(api, post["id"], "body")
    assert top_level(post["id"]) == [
        ("field", "title", 1),
        ("fieldset", "SEO", 2),
        ("field", "body", 3),
    ]
    # Fields inside a fieldset are numbered among themselves, appended or inserted.
    create_field(api, post["id"], "meta_title", seo["id"])
    create_field(api, post["id"], "meta_description", seo["id"])
    create_field(api, post["id"], "canonical", seo["id"], position=1)
    assert form(api, post["id"]) == [
        (None, "title", 1),
        ("SEO", "canonical", 1),
        ("SEO", "meta_title", 2),
        ("SEO", "meta_description", 3),
        (None, "body", 3),
    ]
    # A fieldset inserted first pushes the top level down, not the fields inside.
    media = create_fieldset(api, post["id"], "Media", position=1)
    assert top_level(post["id"]) == [
        ("fieldset", "Media", 1),
        ("field", "title", 2),
        ("fieldset", "SEO", 3),
        ("field", "body", 4),
    ]
    # Moving a fieldset moves its fields with it in the form.
    response = api.put(
        f"/fieldsets/{seo['id']}", {"data": {"type": "fieldset", "attributes": {"position": 4}}}
    )
    assert response.body["data"]["attributes"]["position"] == 4
    assert [api_key for _, api_key, _ in form(api, post["id"])] == [
        "title",
        "body",
        "canonical",
        "meta_title",
        "meta_description",
    ]
    assert top_level(post["id"])[0] == ("fieldset", "Media", 1)
    model = api.get(f"/item-types/{post['id']}").body["data"]
    assert [f["id"] for f in model["relationships"]["fieldsets"]["data"]] == [
        media["id"],
        seo["id"],
    ]


def test_moving_a_field_between_orderings_closes_and_opens_gaps(api, post):
    a = create_field(api, post["id"], "aa")
    seo = create_fieldset(api, post["id"], "SEO")
    create_field(api, post["id"], "bb")
    inside = [create_field(api, post["id"], key, seo["id"]) for key in ("xx", "yy")]

    # Into the fieldset at position 2: the top level closes up, the fieldset opens.
    response = api.put(
        f"/fields/{a['id']}",
        {
            "data": {
                "type": "field",
                "attributes": {"position": 2},
                "relationships": in_fieldset(seo["id"]),
            }
        },
    )
    assert response.status_code == 200, response.body
    assert response.body["data"]["attributes"]["position"] == 2
    assert top_level(post["id"]) == [("fieldset", "SEO", 1), ("field", "bb", 2)]
    assert form(api, post["id"]) == [
        ("SEO", "xx", 1),
        ("SEO", "aa", 2),
        ("SEO", "yy", 3),
        (None, "bb", 2),
    ]
    # Out of it without a position: at the end of the top level.
    api.put(
        f"/fields/{inside[0]['id']}",
        {"data": {"type": "field", "relationships": in_fieldset(None)}},
    )
    assert top_level(post["id"]) == [("fieldset", "SEO", 1), ("field", "bb", 2), ("field", "xx", 3)]
    assert form(api, post["id"])[:2] == [("SEO", "aa", 1), ("SEO", "yy", 2)]
    # Deleting a field inside closes the gap inside only.
    api.delete(f"/fields/{a['id']}")
    assert form(api, post["id"])[0] == ("SEO", "yy", 1)
    assert top_level(post["id"]) == [("fieldset", "SEO", 1), ("field", "bb", 2), ("field", "xx", 3)]


def test_deleting_a_fieldset_moves_its_fields_to_the_top_level_in_its_place(api, post):
    create_field(api, post["id"], "title")
    seo = create_fieldset(api, post["id"], "SEO")
    create_field(api, post["id"], "body")
    inside = [
        create_field(api, post["id"], key, seo["id"]) for key in ("meta_title", "meta_description")
    ]

    response = api.delete(f"/fieldsets/{seo['id']}")
    assert response.status_code == 200, response.body
    assert form(api, post["id"]) == [
        (None, "title", 1),
        (None, "meta_title", 2),
        (None, "meta_description", 3),
        (None, "body", 4),
    ]
    for field in inside:
        assert api.get(f"/fields/{field['id']}").body["data"]["relationships"]["fieldset"] == {
            "data": None
        }
    empty = create_fieldset(api, post["id"], "Empty", position=2)
    api.delete(f"/fieldsets/{empty['id']}")
    assert [p for _, _, p in form(api, post["id"])] == [1, 2, 3, 4]


def test_deleting_a_model_deletes_its_fieldsets(api, post):
    seo = create_fieldset(api, post["id"], "SEO")
    create_field(api, post["id"], "title", seo["id"])
    assert api.delete(f"/item-types/{post['id']}").status_code == 200
    assert not Fieldset.objects.exists() and not Field.objects.exists()


def test_model_reads_stay_a_constant_number_of_queries(api, django_assert_max_num_queries):
    for index in range(5):
        model = api.create_item_type(f"model{index}x")
        fieldset = create_fieldset(api, model["id"], "Group")
        create_field(api, model["id"], "title", fieldset["id"])
    with django_assert_max_num_queries(5):  # token, last-used, models, fields, fieldsets
        listed = api.get("/item-types").body["data"]
    assert all(len(m["relationships"]["fieldsets"]["data"]) == 1 for m in listed)
    with django_assert_max_num_queries(4):  # token, last-used, model, fieldsets
        assert len(api.get(f"/item-types/{model['id']}/fieldsets").body["data"]) == 1
