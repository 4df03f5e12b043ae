"""Schema operations over HTTP (SPEC-2 §2.2, §2.3): duplicating a model (synchronous) and a
field (a job), what references a model, its related fields, and reordering its fields and
fieldsets (a job, in both body forms); refusals that write and queue nothing."""

import pytest

from item_types.models import Field, Fieldset, ItemType
from jobs.models import Job
from tests.conftest import error_codes
from tests.item_types.jobs import job_result, run_queued_jobs
from tests.item_types.test_fieldsets import create_field, create_fieldset, form, in_fieldset
from tests.items.conftest import item_body


def schema_jobs():
    """The schema's own jobs (setting a schema up queues validity re-checks too)."""
    return Job.objects.filter(kind__startswith="item_types.")


def schema_rows() -> list:
    return [
        sorted(ItemType.objects.values_list("id", "api_key", "name")),
        sorted(
            Field.objects.values_list("id", "item_type_id", "fieldset_id", "position", "api_key")
        ),
        sorted(Fieldset.objects.values_list("id", "item_type_id", "position")),
    ]


class Schema:
    """post (title, slug from title, related posts, blocks of quotes, an SEO fieldset
    holding meta_title), quote (a block), page (a link to a post), article (structured
    text with quotes and links to posts)."""

    def __init__(self, api):
        self.quote = api.create_item_type("quote", modular_block=True)
        api.create_field(self.quote["id"], "text", "string")
        self.post = api.create_item_type("post", hint="A blog post")
        self.title = api.create_field(
            self.post["id"], "title", "string", validators={"required": {}}
        )
        self.slug = api.create_field(
            self.post["id"],
            "slug",
            "slug",
            validators={"slug_title_field": {"title_field_id": self.title["id"]}},
        )
        self.related = api.create_field(
            self.post["id"],
            "related",
            "links",
            validators={"items_item_type": {"item_types": [self.post["id"]]}},
        )
        self.body = api.create_field(
            self.post["id"],
            "body",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.quote["id"]]}},
        )
        self.seo = create_fieldset(api, self.post["id"], "SEO", collapsible=True)
        self.meta_title = create_field(api, self.post["id"], "meta_title", self.seo["id"])
        self.page = api.create_item_type("page")
        self.featured = api.create_field(
            self.page["id"],
            "featured",
            "link",
            validators={"item_item_type": {"item_types": [self.post["id"]]}},
        )
        self.article = api.create_item_type("article")
        self.story = api.create_field(
            self.article["id"],
            "story",
            "structured_text",
            validators={
                "structured_text_blocks": {"item_types": [self.quote["id"]]},
                "structured_text_links": {"item_types": [self.post["id"]]},
            },
        )


@pytest.fixture
def schema(api):
    return Schema(api)


# --- POST /item-types/:id/duplicate ------------------------------------------------------


def test_duplicating_a_model_copies_its_fields_and_fieldsets_with_fresh_ids(api, schema):
    record = api.post("/items", item_body(schema.post["id"], {"title": "Hello"}))
    assert record.status_code == 201, record.body
    source_fields = api.get(f"/item-types/{schema.post['id']}/fields").body["data"]

    response = api.post(f"/item-types/{schema.post['id']}/duplicate")
    assert response.status_code == 201, response.body
    copy = response.body["data"]
    assert copy["id"] != schema.post["id"]
    assert copy["attributes"] | {"name": "Post", "api_key": "post"} == schema.post["attributes"]
    assert (copy["attributes"]["api_key"], copy["attributes"]["name"]) == (
        "post_copy",
        "Post (copy)",
    )
    assert api.get(f"/item-types/{copy['id']}").body["data"] == copy

    fields = api.get(f"/item-types/{copy['id']}/fields").body["data"]
    assert [f["attributes"]["api_key"] for f in fields] == [
        f["attributes"]["api_key"] for f in source_fields
    ]
    assert not {f["id"] for f in fields} & {f["id"] for f in source_fields}
    by_key = {f["attributes"]["api_key"]: f for f in fields}
    [fieldset] = api.get(f"/item-types/{copy['id']}/fieldsets").body["data"]
    assert fieldset["id"] != schema.seo["id"]
    assert fieldset["attributes"] == schema.seo["attributes"]
    assert by_key["meta_title"]["relationships"]["fieldset"]["data"]["id"] == fieldset["id"]
    # What named the model's own fields, or the model itself, names the copies.
    assert by_key["slug"]["attributes"]["validators"]["slug_title_field"] == {
        "title_field_id": by_key["title"]["id"]
    }
    assert by_key["related"]["attributes"]["validators"]["items_item_type"]["item_types"] == [
        copy["id"]
    ]
    assert by_key["body"]["attributes"]["validators"] == schema.body["attributes"]["validators"]
    assert copy["relationships"]["title_field"]["data"]["id"] == by_key["title"]["id"]
    # Records are not copied; the copy takes its own.
    assert api.get("/items?filter[type]=post_copy").body["data"] == []
    made = api.post(
        "/items", item_body(copy["id"], {"title": "In the copy", "slug": "in-the-copy"})
    )
    assert made.status_code == 201, made.body
    # The source is untouched.
    assert api.get(f"/item-types/{schema.post['id']}/fields").body["data"] == source_fields

    again = api.post(f"/item-types/{schema.post['id']}/duplicate").body["data"]["attributes"]
    assert (again["api_key"], again["name"]) == ("post_copy2", "Post (copy 2)")
    of_copy = api.post("/item-types/post_copy/duplicate").body["data"]["attributes"]
    assert of_copy["api_key"] == "post_copy_copy"


def test_a_duplicate_api_key_and_name_fit_their_limits(api):
    long = api.create_item_type("a" * 64, name="N" * 200)
    copy = api.post(f"/item-types/{long['id']}/duplicate").body["data"]["attributes"]
    assert copy["api_key"] == "a" * 59 + "_copy"
    assert copy["name"] == "N" * 193 + " (copy)"


def test_duplicating_an_unknown_model_or_without_the_role_writes_nothing(api, editor_api, schema):
    before = schema_rows()
    response = api.post("/item-types/nope/duplicate")
    assert (response.status_code, error_codes(response)[0][0]) == (404, "NOT_FOUND")
    assert editor_api.post(f"/item-types/{schema.post['id']}/duplicate").status_code == 403
    assert schema_rows() == before


# --- Referencing and related ---------------------------------------------------------------


def test_referencing_lists_the_models_and_fields_that_name_a_model(api, schema):
    models = api.get(f"/item-types/{schema.post['id']}/referencing")
    assert models.status_code == 200, models.body
    assert [m["id"] for m in models.body["data"]] == [
        schema.post["id"],  # its related posts
        schema.page["id"],
        schema.article["id"],
    ]
    assert models.body["data"][1] == api.get(f"/item-types/{schema.page['id']}").body["data"]
    fields = api.get(f"/item-types/{schema.post['id']}/fields/referencing").body["data"]
    assert [f["id"] for f in fields] == [
        schema.related["id"],
        schema.featured["id"],
        schema.story["id"],
    ]
    assert fields[1] == schema.featured

    blocks = api.get(f"/item-types/{schema.quote['id']}/referencing").body["data"]
    assert [m["id"] for m in blocks] == [schema.post["id"], schema.article["id"]]
    block_fields = api.get(f"/item-types/{schema.quote['id']}/fields/referencing").body["data"]
    assert [f["id"] for f in block_fields] == [schema.body["id"], schema.story["id"]]

    for model in (schema.page, schema.article):
        assert api.get(f"/item-types/{model['id']}/referencing").body["data"] == []
        assert api.get(f"/item-types/{model['id']}/fields/referencing").body["data"] == []


def test_related_lists_the_fields_records_may_link_here_through(api, schema):
    related = api.get(f"/item-types/{schema.post['id']}/fields/related")
    assert related.status_code == 200, related.body
    assert [f["id"] for f in related.body["data"]] == [
        schema.related["id"],
        schema.featured["id"],
        schema.story["id"],  # its links, not its blocks
    ]
    # Blocks are embedded, never linked to.
    assert api.get(f"/item-types/{schema.quote['id']}/fields/related").body["data"] == []


@pytest.mark.parametrize("path", ["referencing", "fields/referencing", "fields/related"])
def test_reference_lists_of_an_unknown_model_are_404(readonly_api, schema, path):
    response = readonly_api.get(f"/item-types/nope/{path}")
    assert (response.status_code, error_codes(response)[0][0]) == (404, "NOT_FOUND")
    assert readonly_api.get(f"/item-types/post/{path}").status_code == 200


def test_reference_lists_read_a_constant_number_of_queries(
    api, schema, django_assert_max_num_queries
):
    for index in range(4):
        page = api.create_item_type(f"page{index}x")
        api.create_field(
            page["id"],
            "post",
            "link",
            validators={"item_item_type": {"item_types": [schema.post["id"]]}},
        )
    with django_assert_max_num_queries(6):  # token, last-used, model, fields, models, fieldsets
        assert len(api.get(f"/item-types/{schema.post['id']}/referencing").body["data"]) == 7
    with django_assert_max_num_queries(4):  # token, last-used, model, fields
        assert len(api.get(f"/item-types/{schema.post['id']}/fields/related").body["data"]) == 7


# --- POST /fields/:id/duplicate (a job) ---------------------------------------------------


def test_duplicating_a_field_is_a_job_answering_the_copy_and_its_model(api, schema):
    accepted = api.post(f"/fields/{schema.title['id']}/duplicate")
    result = job_result(api, accepted)
    assert result["status"] == 201
    copy = result["payload"]["data"]
    assert copy["id"] != schema.title["id"]
    attributes = copy["attributes"]
    assert (attributes["api_key"], attributes["label"], attributes["position"]) == (
        "title_copy",
        "Title (copy)",
        2,
    )
    for same in ("field_type", "validators", "appearance", "localized", "hint", "default_value"):
        assert attributes[same] == schema.title["attributes"][same]
    [model] = result["payload"]["included"]
    assert model["id"] == schema.post["id"]
    assert [f["id"] for f in model["relationships"]["fields"]["data"]][:3] == [
        schema.title["id"],
        copy["id"],
        schema.slug["id"],
    ]
    assert api.get(f"/fields/{copy['id']}").body["data"] == copy

    # In a fieldset, the copy stays in it, just after the original.
    inside = job_result(api, api.post(f"/fields/{schema.meta_title['id']}/duplicate"))
    assert (
        inside["payload"]["data"]["relationships"]["fieldset"]
        == in_fieldset(schema.seo["id"])["fieldset"]
    )
    assert [(t, k, p) for t, k, p in form(api, schema.post["id"]) if t] == [
        ("SEO", "meta_title", 1),
        ("SEO", "meta_title_copy", 2),
    ]
    second = job_result(api, api.post(f"/fields/{schema.title['id']}/duplicate"))
    assert second["payload"]["data"]["attributes"]["api_key"] == "title_copy2"


def test_a_field_duplicate_run_twice_makes_one_copy(api, schema):
    """A worker that died after committing: the job is run again and finds its copy."""
    accepted = api.post(f"/fields/{schema.title['id']}/duplicate")
    first = job_result(api, accepted)
    Job.objects.filter(pk=accepted.body["data"]["id"]).update(state=Job.State.QUEUED)
    run_queued_jobs()
    again = api.get(f"/job-results/{accepted.body['data']['id']}").body["data"]["attributes"]
    assert again["payload"]["data"] == first["payload"]["data"]
    assert Field.objects.filter(api_key__startswith="title_copy").count() == 1


def test_duplicating_an_unknown_field_or_without_the_role_queues_nothing(api, editor_api, schema):
    before = schema_rows()
    response = api.post("/fields/nope/duplicate")
    assert (response.status_code, error_codes(response)[0][0]) == (404, "NOT_FOUND")
    assert editor_api.post(f"/fields/{schema.title['id']}/duplicate").status_code == 403
    assert not schema_jobs().exists()
    assert schema_rows() == before


def test_a_field_deleted_before_its_duplicate_runs_fails_the_job(api, schema):
    accepted = api.post(f"/fields/{schema.meta_title['id']}/duplicate")
    api.delete(f"/fields/{schema.meta_title['id']}")
    result = job_result(api, accepted)
    assert result["status"] == 404
    assert result["payload"]["data"][0]["attributes"]["code"] == "NOT_FOUND"


# --- POST /item-types/:id/reorder-fields-and-fieldsets (a job) ---------------------------


def field_entry(field, position, fieldset=...):
    entry = {"type": "field", "id": field["id"], "attributes": {"position": position}}
    if fieldset is not ...:
        entry["relationships"] = in_fieldset(fieldset and fieldset["id"])
    return entry


def fieldset_entry(fieldset, position):
    return {"type": "fieldset", "id": fieldset["id"], "attributes": {"position": position}}


@pytest.mark.parametrize("wrapped", [True, False], ids=["data", "bare array"])
def test_reorder_moves_fields_and_fieldsets_in_one_job(api, schema, wrapped):
    entries = [
        fieldset_entry(schema.seo, 1),
        field_entry(schema.title, 1, schema.seo),
        field_entry(schema.meta_title, 2, schema.seo),
        field_entry(schema.body, 2, None),
        field_entry(schema.slug, 3, None),
        field_entry(schema.related, 4, None),
    ]
    accepted = api.post(
        f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets",
        {"data": entries} if wrapped else entries,
    )
    result = job_result(api, accepted)
    assert result["status"] == 200, result
    assert [(e["type"], e["id"]) for e in result["payload"]["data"]] == [
        ("fieldset", schema.seo["id"]),
        ("field", schema.title["id"]),
        ("field", schema.meta_title["id"]),
        ("field", schema.body["id"]),
        ("field", schema.slug["id"]),
        ("field", schema.related["id"]),
    ]
    assert form(api, schema.post["id"]) == [
        ("SEO", "title", 1),
        ("SEO", "meta_title", 2),
        (None, "body", 2),
        (None, "slug", 3),
        (None, "related", 4),
    ]
    assert api.get(f"/fieldsets/{schema.seo['id']}").body["data"]["attributes"]["position"] == 1


def test_reorder_of_some_entries_keeps_the_others_and_renumbers(api, schema):
    # related to the top; a field listed without its fieldset stays where it is.
    entries = [field_entry(schema.related, 1), field_entry(schema.meta_title, 1)]
    result = job_result(
        api, api.post(f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets", entries)
    )
    assert result["status"] == 200, result
    assert form(api, schema.post["id"]) == [
        (None, "related", 1),
        (None, "title", 2),
        (None, "slug", 3),
        (None, "body", 4),
        ("SEO", "meta_title", 1),
    ]
    assert api.get(f"/fieldsets/{schema.seo['id']}").body["data"]["attributes"]["position"] == 5
    assert len(result["payload"]["data"]) == 6  # every field and fieldset of the model


BAD_ENTRIES = {
    "unknown id": (
        lambda s: [field_entry({"id": "AAAAAAAAAAAAAAAAAAAAAA"}, 1)],
        [("INVALID_FIELD", "id", "VALIDATION_NOT_IN_THIS_MODEL")],
    ),
    "another model's field": (
        lambda s: [field_entry(s.featured, 1)],
        [("INVALID_FIELD", "id", "VALIDATION_NOT_IN_THIS_MODEL")],
    ),
    "a field named as a fieldset": (
        lambda s: [fieldset_entry(s.title, 1)],
        [("INVALID_FIELD", "id", "VALIDATION_NOT_IN_THIS_MODEL")],
    ),
    "position 0": (
        lambda s: [field_entry(s.title, 0)],
        [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
    ),
    "position as text": (
        lambda s: [field_entry(s.title, "1")],
        [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
    ),
    "position true": (
        lambda s: [field_entry(s.title, True)],
        [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
    ),
    "no position": (
        lambda s: [{"type": "field", "id": s.title["id"]}],
        [("INVALID_FIELD", "position", "VALIDATION_FORMAT")],
    ),
    "another attribute": (
        lambda s: [
            {"type": "field", "id": s.title["id"], "attributes": {"position": 1, "label": "x"}}
        ],
        [("INVALID_FIELD", "label", "VALIDATION_UNKNOWN_ATTRIBUTE")],
    ),
    "unknown type": (
        lambda s: [{"type": "item", "id": s.title["id"], "attributes": {"position": 1}}],
        [("INVALID_FIELD", "type", "VALIDATION_INCLUSION")],
    ),
    "type not a string": (
        lambda s: [{"type": ["field"], "id": s.title["id"], "attributes": {"position": 1}}],
        [("INVALID_FIELD", "type", "VALIDATION_INCLUSION")],
    ),
    "id not a string": (
        lambda s: [{"type": "field", "id": 7, "attributes": {"position": 1}}],
        [("INVALID_FIELD", "id", "VALIDATION_FORMAT")],
    ),
    "entry not an object": (lambda s: ["x"], [("INVALID_FIELD", "data", "VALIDATION_FORMAT")]),
    "listed twice": (
        lambda s: [field_entry(s.title, 1), field_entry(s.title, 2)],
        [("INVALID_FIELD", "id", "VALIDATION_UNIQUENESS")],
    ),
    "another model's fieldset": (
        lambda s: [field_entry(s.title, 1, {"id": s.other_fieldset})],
        [("INVALID_FIELD", "fieldset", "VALIDATION_NOT_IN_THIS_MODEL")],
    ),
    "a malformed fieldset": (
        lambda s: [{**field_entry(s.title, 1), "relationships": {"fieldset": {"data": "x"}}}],
        [("INVALID_FIELD", "fieldset", "VALIDATION_FORMAT")],
    ),
    "a fieldset in a fieldset": (
        lambda s: [{**fieldset_entry(s.seo, 1), "relationships": in_fieldset(s.seo["id"])}],
        [("INVALID_FIELD", "fieldset", "VALIDATION_NOT_ALLOWED")],
    ),
    "every problem at once": (
        lambda s: [field_entry(s.title, 0), field_entry(s.featured, 1)],
        [
            ("INVALID_FIELD", "position", "VALIDATION_FORMAT"),
            ("INVALID_FIELD", "id", "VALIDATION_NOT_IN_THIS_MODEL"),
        ],
    ),
}


@pytest.mark.parametrize("case", BAD_ENTRIES)
def test_bad_reorder_entries_are_refused_before_anything_is_queued(api, schema, case):
    schema.other_fieldset = create_fieldset(api, schema.page["id"], "Page's")["id"]
    make_entries, expected = BAD_ENTRIES[case]
    before = schema_rows()
    for body in ({"data": make_entries(schema)}, make_entries(schema)):
        response = api.post(f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets", body)
        assert response.status_code == 422, response.body
        assert error_codes(response) == expected
    assert not schema_jobs().exists()
    assert schema_rows() == before


@pytest.mark.parametrize("body", [None, {}, {"data": {}}, {"data": None}, "x", 3])
def test_a_reorder_body_that_is_no_list_is_refused(api, schema, body):
    response = api.post(f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets", body)
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FORMAT", None, None)]
    assert not schema_jobs().exists()


def test_reorder_needs_the_schema_role_and_a_known_model(api, editor_api, schema):
    entries = [field_entry(schema.title, 2)]
    path = f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets"
    assert editor_api.post(path, entries).status_code == 403
    missing = api.post("/item-types/nope/reorder-fields-and-fieldsets", entries)
    assert (missing.status_code, error_codes(missing)[0][0]) == (404, "NOT_FOUND")
    assert not schema_jobs().exists()


def test_a_reorder_checked_again_when_it_runs_fails_on_a_deleted_field(api, schema):
    accepted = api.post(
        f"/item-types/{schema.post['id']}/reorder-fields-and-fieldsets",
        [field_entry(schema.related, 1), field_entry(schema.title, 2)],
    )
    before = schema_rows()
    api.delete(f"/fields/{schema.related['id']}")
    after_delete = schema_rows()
    assert after_delete != before
    result = job_result(api, accepted)
    assert result["status"] == 422
    [error] = result["payload"]["data"]
    assert error["attributes"]["details"]["field"] == "id"
    assert error["attributes"]["details"]["code"] == "VALIDATION_NOT_IN_THIS_MODEL"
    assert schema_rows() == after_delete


def test_a_field_copied_with_its_rules_has_saved_records_re_checked(api):
    """As a field created with validators: the copy of a required field is empty in every
    saved record, which the re-check it queues finds invalid."""
    model = api.create_item_type("note")
    name = api.create_field(model["id"], "name", "string", validators={"required": {}})
    made = api.post("/items", item_body(model["id"], {"name": "x"}))
    assert made.status_code == 201, made.body
    run_queued_jobs()
    assert job_result(api, api.post(f"/fields/{name['id']}/duplicate"))["status"] == 201
    assert Job.objects.filter(kind="items.check_validity", state=Job.State.QUEUED).exists()
    run_queued_jobs()
    record = api.get(f"/items/{made.body['data']['id']}").body["data"]
    assert record["meta"]["is_valid"] is False
