"""The admin's schema editor: each validator edited with inputs of its own, turned into
the same ``validators`` the schema API stores (and back), errors from the API's own
checks next to the input they are about, nothing written; editors with their parameters;
the model page's fields grouped by fieldset and reordered through the reorder service."""

import json

import pytest

from item_types.admin.editors import EDITORS
from item_types.field_types import FIELD_TYPES
from item_types.models import Field
from item_types.validators import VALIDATORS
from item_types.validators.admin_inputs import VALIDATOR_INPUTS
from tests.conftest import change_url
from tests.item_types.admin_forms import errors_next_to, post_data_of, shown_form
from tests.item_types.test_field_validators_api import (
    MANDATORY,
    VALID_PARAMETERS,
    fill,
)

pytestmark = pytest.mark.django_db
ADD_URL = "/admin/item_types/field/add/"


@pytest.fixture
def schema(api):
    """test_field_validators_api's models (a page with title and body, an author model, a
    block model), their ids, for its tables' placeholders."""
    model = api.create_item_type("author")
    block = api.create_item_type("section", modular_block=True)
    page = api.create_item_type("page")
    title = api.create_field(page["id"], "title", "string")
    body = api.create_field(page["id"], "body", "text")
    return {
        "page": page["id"],
        "model": model["id"],
        "block": block["id"],
        "string_field": title["id"],
        "text_field": body["id"],
    }


def test_every_validator_has_an_input_for_each_of_its_parameters():
    assert set(VALIDATOR_INPUTS) == set(VALIDATORS)
    for name, validator in VALIDATORS.items():
        assert {entry.param for entry in VALIDATOR_INPUTS[name]} == set(validator.parameters)


def test_every_field_type_offers_its_default_editor_first():
    assert set(EDITORS) == set(FIELD_TYPES)
    for code, field_type in FIELD_TYPES.items():
        assert next(iter(EDITORS[code])) == field_type.default_editor
        # The default parameters are all editable (none lost by a save).
        params = {entry.param for entry in EDITORS[code][field_type.default_editor]}
        assert set(field_type.default_editor_parameters) <= params


@pytest.mark.parametrize(
    ("validator", "field_type", "params", "echoed"),
    VALID_PARAMETERS,
    ids=[f"{v}-{t}-{i}" for i, (v, t, *_rest) in enumerate(VALID_PARAMETERS)],
)
def test_a_field_saved_unchanged_keeps_the_validators_the_api_stored(
    api, admin_client, schema, validator, field_type, params, echoed
):
    validators = fill({**MANDATORY.get(field_type, {}), validator: params}, schema)
    created = api.post(
        f"/item-types/{schema['page']}/fields",
        {
            "data": {
                "type": "field",
                "attributes": {
                    "label": "Subject",
                    "api_key": "subject",
                    "field_type": field_type,
                    "validators": validators,
                },
            }
        },
    )
    assert created.status_code == 201, created.body
    stored = created.body["data"]["attributes"]
    url = change_url("item_types", "field", created.body["data"]["id"])

    form = shown_form(admin_client.get(url))
    saved = admin_client.post(url, post_data_of(form))
    assert saved.status_code == 302, errors_next_to(shown_form(saved))

    again = api.get(f"/fields/{created.body['data']['id']}").body["data"]["attributes"]
    assert again["validators"] == stored["validators"]
    assert again["appearance"] == stored["appearance"]


def test_typed_inputs_store_what_the_api_stores_for_the_same_validators(api, admin_client, schema):
    """A string field filled in as an editor would: the dict stored is the one the API
    stores when sent the same validators."""
    data = {
        "item_type": schema["page"],
        "label": "Stage",
        "api_key": "stage",
        "field_type": "string",
        "validator_required": "on",
        "validator_length": "on",
        "validator_length__min": "2",
        "validator_length__max": "12",
        "validator_format": "on",
        "validator_format__custom_pattern": "^[a-z]+$",
        "validator_format__description": "Lower case",
        "validator_enum": "on",
        "validator_enum__values": "draft\r\nlive\r\n\r\n",
        "editor": "string_select",
        "editor_string_select__options": "draft | Draft\nlive | Live | On the site",
    }
    saved = admin_client.post(ADD_URL, data)
    assert saved.status_code == 302, errors_next_to(shown_form(saved))
    field = Field.objects.get(api_key="stage")
    expected = {
        "required": {},
        "length": {"min": 2, "max": 12},
        "format": {"custom_pattern": "^[a-z]+$", "description": "Lower case"},
        "enum": {"values": ["draft", "live"]},
    }
    by_api = api.create_field(schema["page"], "stage_by_api", "string", validators=expected)
    assert field.validators == by_api["attributes"]["validators"] == expected
    assert field.appearance == {
        "editor": "string_select",
        "parameters": {
            "options": [
                {"value": "draft", "label": "Draft", "hint": ""},
                {"value": "live", "label": "Live", "hint": "On the site"},
            ]
        },
        "addons": [],
    }


def test_a_link_field_chooses_its_models_by_name(api, admin_client, schema):
    page = admin_client.get(f"{ADD_URL}?item_type={schema['page']}&field_type=link")
    chooser = shown_form(page).fields["validator_item_item_type__item_types"]
    labels = dict(chooser.choices)
    # Models by name, not block models.
    assert labels == {
        schema["model"]: "Author (author)",
        schema["page"]: "Page (page)",
    }
    assert 'name="validator_item_item_type__item_types"' in page.content.decode()

    data = {
        "item_type": schema["page"],
        "label": "Author",
        "api_key": "author",
        "field_type": "link",
        "validator_item_item_type__item_types": [schema["model"]],
        "validator_item_item_type__on_reference_delete_strategy": "fail",
        "validator_required": "on",
    }
    assert admin_client.post(ADD_URL, data).status_code == 302
    assert Field.objects.get(api_key="author").validators == {
        "required": {},
        "item_item_type": {
            "item_types": [schema["model"]],
            "on_publish_with_unpublished_references_strategy": "fail",
            "on_reference_unpublish_strategy": "fail",
            "on_reference_delete_strategy": "fail",
        },
    }
    blocks = shown_form(admin_client.get(f"{ADD_URL}?field_type=rich_text"))
    assert dict(blocks.fields["validator_rich_text_blocks__item_types"].choices) == {
        schema["block"]: "Section (section)"
    }


@pytest.mark.parametrize(
    ("changes", "input_name", "code"),
    [
        (  # the API's range check, next to min
            {"validator_length": "on", "validator_length__min": "9", "validator_length__max": "2"},
            "validator_length__min",
            "VALIDATION_INVALID_PARAMETERS",
        ),
        (  # a bound the API refuses (a whole number >= 0)
            {"validator_length": "on", "validator_length__max": "-1"},
            "validator_length__max",
            "VALIDATION_INVALID_PARAMETERS",
        ),
        (  # enum on, with no values: the API's "values is required"
            {"validator_enum": "on"},
            "validator_enum__values",
            "VALIDATION_INVALID_PARAMETERS",
        ),
        (  # a backtracking pattern RE2 refuses
            {"validator_format": "on", "validator_format__custom_pattern": "(a)\\1"},
            "validator_format__custom_pattern",
            "VALIDATION_INVALID_PARAMETERS",
        ),
        (  # neither or both of the patterns
            {"validator_format": "on"},
            "validator_format",
            "VALIDATION_INVALID_PARAMETERS",
        ),
    ],
)
def test_a_bad_validator_is_shown_next_to_its_input_and_nothing_is_written(
    api, admin_client, schema, changes, input_name, code
):
    url = change_url("item_types", "field", schema["string_field"])
    before = Field.objects.get(pk=schema["string_field"])
    data = post_data_of(shown_form(admin_client.get(url)), **changes)
    refused = admin_client.post(url, data)
    errors = errors_next_to(shown_form(refused))
    assert list(errors) == [input_name]
    assert errors[input_name][0].startswith(code)
    assert 'class="errorlist' in refused.content.decode()
    after = Field.objects.get(pk=schema["string_field"])
    assert (after.validators, after.updated_at) == (before.validators, before.updated_at)


def test_a_link_without_a_model_is_refused_next_to_the_chooser(admin_client, schema):
    data = {
        "item_type": schema["page"],
        "label": "Related",
        "api_key": "related",
        "field_type": "link",
    }
    refused = admin_client.post(ADD_URL, data)
    errors = errors_next_to(shown_form(refused))
    assert list(errors) == ["validator_item_item_type__item_types"]
    assert "Name at least one model." in errors["validator_item_item_type__item_types"][0]
    assert not Field.objects.filter(api_key="related").exists()


def test_the_type_select_shows_that_types_validators(admin_client, schema):
    url = change_url("item_types", "field", schema["string_field"])
    string_form = shown_form(admin_client.get(url))
    assert "validator_enum__values" in string_form.fields
    assert "validator_number_range__min" not in string_form.fields
    integer_form = shown_form(admin_client.get(url + "?field_type=integer"))
    assert "validator_number_range__min" in integer_form.fields
    assert "validator_enum__values" not in integer_form.fields
    assert integer_form.initial["field_type"] == "integer"


def test_an_unknown_editor_keeps_its_parameters(api, admin_client, schema):
    appearance = {"editor": "my_plugin", "parameters": {"x": 1}, "addons": [{"id": "a"}]}
    field = api.create_field(schema["page"], "extra", "json", appearance=appearance)
    url = change_url("item_types", "field", field["id"])
    form = shown_form(admin_client.get(url))
    assert form.fields["editor"].initial == "my_plugin"
    assert admin_client.post(url, post_data_of(form)).status_code == 302
    assert Field.objects.get(pk=field["id"]).appearance == appearance
    # Another editor: its own parameters; the addons stay.
    data = post_data_of(form, editor="string_checkbox_group")
    data["editor_string_checkbox_group__options"] = "a"
    assert admin_client.post(url, data).status_code == 302
    assert Field.objects.get(pk=field["id"]).appearance == {
        "editor": "string_checkbox_group",
        "parameters": {"options": [{"value": "a", "label": "a", "hint": ""}]},
        "addons": [{"id": "a"}],
    }


# --- The model page: fields grouped by fieldset, reordered ----------------------------


def test_the_model_page_groups_fields_by_fieldset(api, admin_client, schema):
    seo = api.post(
        f"/item-types/{schema['page']}/fieldsets",
        {"data": {"type": "fieldset", "attributes": {"title": "Search engines"}}},
    ).body["data"]
    moved = api.put(
        f"/fields/{schema['text_field']}",
        {
            "data": {
                "type": "field",
                "id": schema["text_field"],
                "relationships": {"fieldset": {"data": {"type": "fieldset", "id": seo["id"]}}},
            }
        },
    )
    assert moved.status_code == 200, moved.body
    page = admin_client.get(change_url("item_types", "itemtype", schema["page"])).content.decode()
    group = page.index(f'data-type="fieldset" data-id="{seo["id"]}"')
    inside = page.index(f'data-fieldset="{seo["id"]}"')
    assert page.index(f'data-id="{schema["string_field"]}"') < group < inside
    assert inside < page.index(f'data-id="{schema["text_field"]}"')
    assert "Search engines" in page and "/reorder/" in page


def reorder_url(item_type_id):
    return change_url("item_types", "itemtype", item_type_id).replace("/change/", "/reorder/")


def form_order(api, item_type_id):
    fields = api.get(f"/item-types/{item_type_id}/fields").body["data"]
    return sorted((f["attributes"]["position"], f["attributes"]["api_key"]) for f in fields)


def test_reordering_saves_through_the_reorder_service(api, admin_client, schema):
    assert form_order(api, schema["page"]) == [(1, "title"), (2, "body")]
    order = [
        {"type": "field", "id": schema["text_field"], "position": 1, "fieldset": None},
        {"type": "field", "id": schema["string_field"], "position": 2, "fieldset": None},
    ]
    response = admin_client.post(reorder_url(schema["page"]), {"order": json.dumps(order)})
    assert response.status_code == 302
    assert form_order(api, schema["page"]) == [(1, "body"), (2, "title")]
    page = admin_client.get(response["Location"]).content.decode()
    assert "The new order of the fields was saved." in page


@pytest.mark.parametrize(
    ("order", "shown"),
    [
        ([{"type": "field", "id": "nope", "position": 1}], "VALIDATION_NOT_IN_THIS_MODEL"),
        ([{"type": "field", "id": "{text_field}", "position": 0}], "VALIDATION_FORMAT"),
        ({"not": "a list"}, "The order must be a list."),
        ("[not json", "The order was not JSON"),
    ],
)
def test_a_bad_order_changes_nothing(api, admin_client, schema, order, shown):
    raw = order if isinstance(order, str) else json.dumps(fill(order, schema))
    response = admin_client.post(reorder_url(schema["page"]), {"order": raw}, follow=True)
    assert response.status_code == 200
    assert shown in response.content.decode()
    assert form_order(api, schema["page"]) == [(1, "title"), (2, "body")]


def test_reordering_needs_a_post_by_a_staff_user(client, admin_client, schema):
    assert admin_client.get(reorder_url(schema["page"])).status_code == 400
    anonymous = client.post(reorder_url(schema["page"]), {"order": "[]"})
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
