"""Field validators and default values over HTTP: tables of accepted and refused settings.

Parameters may name models and fields created per test; they are written with placeholders
(``"{model}"``, ``"{block}"`` ...) and filled in by :func:`fill`.
"""

import pytest

from cms.ids import new_id
from tests.conftest import error_codes

pytestmark = pytest.mark.django_db

INVALID_PARAMETERS = ("INVALID_FIELD", "validators", "VALIDATION_INVALID_PARAMETERS")
DEFAULT_STRATEGIES = {
    "on_publish_with_unpublished_references_strategy": "fail",
    "on_reference_unpublish_strategy": "fail",
    "on_reference_delete_strategy": "delete_references",
}


@pytest.fixture
def schema(api):
    """A page model to add fields to, a model to link to, a block model; their ids."""
    model = api.create_item_type("author")
    block = api.create_item_type("section", modular_block=True)
    page = api.create_item_type("page")
    other_string = api.create_field(model["id"], "name", "string")
    title = api.create_field(page["id"], "title", "string")
    body = api.create_field(page["id"], "body", "text")
    return {
        "page": page["id"],
        "model": model["id"],
        "block": block["id"],
        "missing": new_id(),
        "string_field": title["id"],
        "text_field": body["id"],
        "other_string_field": other_string["id"],
    }


def fill(value, ids: dict):
    """Replace ``"{name}"`` placeholders, at any depth, with ``ids[name]``."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


# Valid mandatory validators, so a case can test one other validator on these types.
MANDATORY = {
    "link": {"item_item_type": {"item_types": ["{model}"]}},
    "links": {"items_item_type": {"item_types": ["{model}"]}},
    "rich_text": {"rich_text_blocks": {"item_types": ["{block}"]}},
    "single_block": {"single_block_blocks": {"item_types": ["{block}"]}},
    "structured_text": {
        "structured_text_blocks": {"item_types": ["{block}"]},
        "structured_text_links": {"item_types": ["{model}"]},
    },
}


def field_body(field_type: str, api_key: str = "subject", **attributes) -> dict:
    return {
        "data": {
            "type": "field",
            "attributes": {
                "label": api_key.title(),
                "api_key": api_key,
                "field_type": field_type,
                **attributes,
            },
        }
    }


def field_count(api, item_type_id: str) -> int:
    response = api.get(f"/item-types/{item_type_id}/fields")
    assert response.status_code == 200, response.body
    return len(response.body["data"])


def post_field(api, schema, field_type, **attributes):
    return api.post(f"/item-types/{schema['page']}/fields", field_body(field_type, **attributes))


def assert_refused(api, schema, response, expected_errors):
    """422 with exactly these (code, field, details.code) errors, and nothing written."""
    assert response.status_code == 422, response.body
    assert sorted(error_codes(response)) == sorted(expected_errors)
    assert field_count(api, schema["page"]) == 2  # only title and body


def details(response) -> list[dict]:
    return [e["attributes"]["details"] for e in response.body["data"]]


# --- Validator parameters ---------------------------------------------------------
# (validator, field type, parameters sent, parameters echoed; None: echoed as sent)

VALID_PARAMETERS = [
    ("required", "string", {}, None),
    ("required", "link", {}, None),
    ("unique", "string", {}, None),
    ("unique", "slug", {}, None),
    ("length", "string", {"min": 1}, None),
    ("length", "string", {"max": 10}, None),
    ("length", "string", {"eq": 5}, None),
    ("length", "string", {"min": 0, "max": 0}, None),
    ("length", "text", {"min": 1, "max": 10}, None),
    ("length", "structured_text", {"max": 100}, None),
    ("size", "gallery", {"min": 1}, None),
    ("size", "gallery", {"eq": 3}, None),
    ("size", "links", {"min": 1, "max": 5}, None),
    ("size", "rich_text", {"multiple_of": 2}, None),
    ("size", "gallery", {"min": 2, "multiple_of": 2}, None),
    ("number_range", "integer", {"min": 0}, None),
    ("number_range", "integer", {"min": -10, "max": 10}, None),
    ("number_range", "float", {"max": 1.5}, None),
    ("number_range", "float", {"min": 1.5, "max": 1.5}, None),
    ("date_range", "date", {"min": "2024-01-01"}, None),
    ("date_range", "date", {"min": "2024-01-01", "max": "2024-12-31"}, None),
    ("date_time_range", "date_time", {"max": "2024-01-01T00:00:00Z"}, None),
    (
        "date_time_range",
        "date_time",
        {"min": "2024-01-01T00:00:00+02:00", "max": "2024-01-01T00:00:00Z"},
        None,
    ),
    ("format", "string", {"predefined_pattern": "email"}, None),
    ("format", "string", {"predefined_pattern": "url"}, None),
    ("format", "text", {"custom_pattern": "^[A-Z]+$"}, None),
    ("format", "string", {"custom_pattern": "^a+$", "description": "Only a"}, None),
    ("enum", "string", {"values": ["draft", "live"]}, None),
    ("sanitized_html", "text", {}, None),
    ("sanitized_html", "text", {"sanitize_before_validation": True}, None),
    ("extension", "file", {"predefined_list": "image"}, None),
    ("extension", "gallery", {"predefined_list": "document"}, None),
    ("extension", "file", {"extensions": ["pdf", "docx"]}, None),
    (
        "extension",
        "file",
        {"extensions": [".JPG", "Png", ".svg"]},
        {"extensions": ["jpg", "png", "svg"]},
    ),
    ("file_size", "file", {"max_value": 5, "max_unit": "MB"}, None),
    (
        "file_size",
        "gallery",
        {"min_value": 1, "min_unit": "KB", "max_value": 2, "max_unit": "MB"},
        None,
    ),
    ("file_size", "seo", {"min_value": 0.5, "min_unit": "B"}, None),
    ("image_dimensions", "file", {"width_min_value": 100}, None),
    (
        "image_dimensions",
        "gallery",
        {"width_min_value": 100, "width_max_value": 200, "height_max_value": 300},
        None,
    ),
    ("image_aspect_ratio", "file", {"eq_ar_numerator": 16, "eq_ar_denominator": 9}, None),
    (
        "image_aspect_ratio",
        "seo",
        {
            "min_ar_numerator": 1,
            "min_ar_denominator": 1,
            "max_ar_numerator": 2,
            "max_ar_denominator": 1,
        },
        None,
    ),
    ("required_alt_title", "file", {"title": True, "alt": False}, None),
    ("required_alt_title", "gallery", {}, None),
    ("required_seo_fields", "seo", {"title": True, "description": True}, None),
    ("required_seo_fields", "seo", {"image": False, "twitter_card": True}, None),
    ("title_length", "seo", {"max": 60}, None),
    ("title_length", "seo", {"min": 10, "max": 60}, None),
    ("description_length", "seo", {"min": 50}, None),
    ("slug_format", "slug", {"predefined_pattern": "webpage_slug"}, None),
    ("slug_format", "slug", {"custom_pattern": "^[a-z-]+$"}, None),
    ("slug_title_field", "slug", {"title_field_id": "{string_field}"}, None),
    ("item_item_type", "link", {"item_types": ["{model}"]}, {**DEFAULT_STRATEGIES}),
    ("item_item_type", "link", {"item_types": ["{model}", "{page}"]}, {**DEFAULT_STRATEGIES}),
    (
        "item_item_type",
        "link",
        {
            "item_types": ["{model}"],
            "on_publish_with_unpublished_references_strategy": "publish_references",
            "on_reference_unpublish_strategy": "unpublish",
            "on_reference_delete_strategy": "fail",
        },
        None,
    ),
    (
        "item_item_type",
        "link",
        {"item_types": ["{model}"], "on_reference_unpublish_strategy": "delete_references"},
        {**DEFAULT_STRATEGIES, "on_reference_unpublish_strategy": "delete_references"},
    ),
    ("items_item_type", "links", {"item_types": ["{model}"]}, {**DEFAULT_STRATEGIES}),
    (
        "items_item_type",
        "links",
        {"item_types": ["{model}"], "on_reference_delete_strategy": None},
        {**DEFAULT_STRATEGIES},
    ),
    ("structured_text_links", "structured_text", {"item_types": []}, {**DEFAULT_STRATEGIES}),
    (
        "structured_text_links",
        "structured_text",
        {"item_types": ["{model}", "{page}"]},
        {**DEFAULT_STRATEGIES},
    ),
    ("rich_text_blocks", "rich_text", {"item_types": ["{block}"]}, None),
    ("rich_text_blocks", "rich_text", {"item_types": []}, None),
    ("single_block_blocks", "single_block", {"item_types": ["{block}"]}, None),
    ("structured_text_blocks", "structured_text", {"item_types": []}, None),
    ("structured_text_inline_blocks", "structured_text", {"item_types": ["{block}"]}, None),
]


# (validator, field type, parameters refused)
INVALID_PARAMETER_CASES = [
    ("required", "string", {"strict": True}),
    ("required", "string", None),
    ("required", "string", []),
    ("unique", "string", {"scope": "locale"}),
    ("length", "string", {}),
    ("length", "string", {"min": -1}),
    ("length", "string", {"min": 1.5}),
    ("length", "string", {"min": "1"}),
    ("length", "string", {"max": True}),
    ("length", "string", {"min": 5, "max": 1}),
    ("length", "string", {"eq": 3, "min": 1}),
    ("length", "string", {"eq": 3, "max": 5}),
    ("length", "string", {"minimum": 1}),
    ("length", "string", "1..5"),
    ("size", "gallery", {}),
    ("size", "gallery", {"multiple_of": 0}),
    ("size", "gallery", {"min": 3, "max": 1}),
    ("size", "gallery", {"min": -1}),
    ("number_range", "integer", {}),
    ("number_range", "integer", {"min": 2, "max": 1}),
    ("number_range", "integer", {"min": "1"}),
    ("number_range", "float", {"max": True}),
    ("number_range", "float", {"min": None, "max": None}),
    ("date_range", "date", {}),
    ("date_range", "date", {"min": "2024-02-30"}),
    ("date_range", "date", {"min": "24-1-1"}),
    ("date_range", "date", {"min": "2024-02-01", "max": "2024-01-01"}),
    ("date_range", "date", {"min": 20240101}),
    ("date_time_range", "date_time", {}),
    ("date_time_range", "date_time", {"min": "yesterday"}),
    (
        "date_time_range",
        "date_time",
        {"min": "2024-01-02T00:00:00Z", "max": "2024-01-01T00:00:00Z"},
    ),
    ("format", "string", {}),
    ("format", "string", {"predefined_pattern": "phone"}),
    ("format", "string", {"custom_pattern": "("}),
    ("format", "string", {"custom_pattern": ""}),
    ("format", "string", {"custom_pattern": "^a$", "predefined_pattern": "email"}),
    ("format", "string", {"predefined_pattern": "email", "description": 5}),
    ("enum", "string", {}),
    ("enum", "string", {"values": []}),
    ("enum", "string", {"values": [1, 2]}),
    ("enum", "string", {"values": "a,b"}),
    ("enum", "string", {"values": None}),
    ("sanitized_html", "text", {"sanitize_before_validation": "yes"}),
    ("extension", "file", {}),
    ("extension", "file", {"extensions": []}),
    ("extension", "file", {"extensions": "jpg"}),
    ("extension", "file", {"extensions": [""]}),
    ("extension", "file", {"extensions": ["jpg"], "predefined_list": "image"}),
    ("extension", "file", {"predefined_list": "audio"}),
    ("extension", "file", {"extensions": ["."]}),
    ("file_size", "file", {}),
    ("file_size", "file", {"max_value": 5}),
    ("file_size", "file", {"max_value": 5, "max_unit": "GB"}),
    ("file_size", "file", {"min_value": -1, "min_unit": "B"}),
    ("file_size", "file", {"min_value": "1", "min_unit": "B"}),
    ("file_size", "file", {"min_value": 2, "min_unit": "MB", "max_value": 1, "max_unit": "MB"}),
    ("image_dimensions", "file", {}),
    ("image_dimensions", "file", {"width_min_value": 0}),
    ("image_dimensions", "file", {"height_max_value": "100"}),
    ("image_dimensions", "file", {"width": 100}),
    ("image_dimensions", "file", {"width_min_value": 300, "width_max_value": 100}),
    ("image_aspect_ratio", "file", {}),
    ("image_aspect_ratio", "file", {"min_ar_numerator": 16}),
    ("image_aspect_ratio", "file", {"eq_ar_numerator": 1, "eq_ar_denominator": 0}),
    ("image_aspect_ratio", "file", {"eq_ar_numerator": "16", "eq_ar_denominator": 9}),
    ("image_aspect_ratio", "file", {"eq_ar_numerator": -16, "eq_ar_denominator": 9}),
    ("required_alt_title", "file", {"title": "yes"}),
    ("required_alt_title", "file", {"caption": True}),
    ("required_seo_fields", "seo", {"image": 1}),
    ("required_seo_fields", "seo", {"keywords": True}),
    ("title_length", "seo", {}),
    ("title_length", "seo", {"max": -1}),
    ("title_length", "seo", {"eq": 10}),
    ("title_length", "seo", {"min": 60, "max": 10}),
    ("description_length", "seo", {"min": 160, "max": 50}),
    ("description_length", "seo", {"min": "50"}),
    ("slug_format", "slug", {}),
    ("slug_format", "slug", {"predefined_pattern": "email"}),
    ("slug_format", "slug", {"custom_pattern": "[a-"}),
    ("slug_title_field", "slug", {}),
    ("slug_title_field", "slug", {"title_field_id": "{text_field}"}),
    ("slug_title_field", "slug", {"title_field_id": "{other_string_field}"}),
    ("slug_title_field", "slug", {"title_field_id": "{missing}"}),
    ("slug_title_field", "slug", {"title_field_id": 5}),
    ("item_item_type", "link", {}),
    ("item_item_type", "link", {"item_types": []}),
    ("item_item_type", "link", {"item_types": ["{block}"]}),
    ("item_item_type", "link", {"item_types": ["{model}", "{block}"]}),
    ("item_item_type", "link", {"item_types": ["{missing}"]}),
    ("item_item_type", "link", {"item_types": ["{model}", "{model}"]}),
    ("item_item_type", "link", {"item_types": "{model}"}),
    ("item_item_type", "link", {"item_types": [5]}),
    ("item_item_type", "link", {"item_types": None}),
    ("item_item_type", "link", {"item_types": ["{model}"], "on_reference_delete_strategy": "x"}),
    (
        "item_item_type",
        "link",
        {"item_types": ["{model}"], "on_reference_delete_strategy": "unpublish"},
    ),
    (
        "item_item_type",
        "link",
        {"item_types": ["{model}"], "on_publish_with_unpublished_references_strategy": "skip"},
    ),
    ("items_item_type", "links", {"item_types": []}),
    ("items_item_type", "links", {"item_types": ["{block}"]}),
    ("items_item_type", "links", {"item_types": ["{missing}"]}),
    ("structured_text_links", "structured_text", {"item_types": ["{block}"]}),
    ("structured_text_links", "structured_text", {"item_types": ["{missing}"]}),
    ("structured_text_links", "structured_text", {}),
    ("structured_text_links", "structured_text", {"item_types": None}),
    ("rich_text_blocks", "rich_text", {"item_types": ["{model}"]}),
    ("rich_text_blocks", "rich_text", {"item_types": ["{page}"]}),
    ("rich_text_blocks", "rich_text", {"item_types": ["{missing}"]}),
    ("rich_text_blocks", "rich_text", {"item_types": ["{block}", "{block}"]}),
    ("rich_text_blocks", "rich_text", {}),
    (
        "rich_text_blocks",
        "rich_text",
        {"item_types": ["{block}"], "on_reference_delete_strategy": "fail"},
    ),
    ("rich_text_blocks", "rich_text", {"item_types": None}),
    ("single_block_blocks", "single_block", {"item_types": ["{model}"]}),
    ("single_block_blocks", "single_block", {"item_types": ["{missing}"]}),
    ("structured_text_blocks", "structured_text", {"item_types": ["{model}"]}),
    ("structured_text_blocks", "structured_text", {"item_types": ["{missing}"]}),
    ("structured_text_inline_blocks", "structured_text", {"item_types": ["{model}"]}),
]


def _with_mandatory(field_type: str, name: str, params, ids: dict) -> dict:
    """The type's mandatory validators (valid), and ``name`` with ``params`` filled in."""
    return fill({**MANDATORY.get(field_type, {}), name: params}, ids)


def _case_id(case) -> str:
    values = case.values if hasattr(case, "values") else case
    return f"{values[0]}-{values[1]}"


@pytest.mark.parametrize(
    ("name", "field_type", "params", "echoed"),
    VALID_PARAMETERS,
    ids=[_case_id(c) for c in VALID_PARAMETERS],
)
def test_valid_validator_parameters(api, schema, name, field_type, params, echoed):
    sent = _with_mandatory(field_type, name, params, schema)
    response = post_field(api, schema, field_type, validators=sent)
    assert response.status_code == 201, response.body
    validators = response.body["data"]["attributes"]["validators"]
    expected = sent[name] if echoed is None else {**sent[name], **fill(echoed, schema)}
    assert validators[name] == expected
    assert set(validators) == set(sent)
    # Stored as answered.
    stored = api.get(f"/fields/{response.body['data']['id']}")
    assert stored.body["data"]["attributes"]["validators"] == validators
    assert field_count(api, schema["page"]) == 3


@pytest.mark.parametrize(
    ("name", "field_type", "params"),
    INVALID_PARAMETER_CASES,
    ids=[_case_id(c) for c in INVALID_PARAMETER_CASES],
)
def test_invalid_validator_parameters(api, schema, name, field_type, params):
    response = post_field(
        api, schema, field_type, validators=_with_mandatory(field_type, name, params, schema)
    )
    assert_refused(api, schema, response, [INVALID_PARAMETERS])
    assert details(response)[0]["validator"] == name
    assert isinstance(details(response)[0]["message"], str)


def test_mandatory_link_validators_echo_default_strategies(api, schema):
    response = post_field(
        api, schema, "structured_text", validators=fill(MANDATORY["structured_text"], schema)
    )
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["validators"] == {
        "structured_text_blocks": {"item_types": [schema["block"]]},
        "structured_text_links": {"item_types": [schema["model"]], **DEFAULT_STRATEGIES},
    }


def test_invalid_validators_on_update_change_nothing(api, schema):
    field = api.create_field(schema["page"], "code", "string", validators={"length": {"max": 5}})
    response = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "id": field["id"],
                "attributes": {"validators": {"length": {}}},
            }
        },
    )
    assert response.status_code == 422, response.body
    assert error_codes(response) == [INVALID_PARAMETERS]
    stored = api.get(f"/fields/{field['id']}")
    assert stored.body["data"]["attributes"]["validators"] == {"length": {"max": 5}}


# --- Which validators a type takes ------------------------------------------------

NOT_ALLOWED_CASES = [
    ("string", {"number_range": {"min": 1}}, "number_range"),
    ("boolean", {"required": {}}, "required"),
    ("integer", {"length": {"max": 3}}, "length"),
    ("text", {"unique": {}}, "unique"),
    ("slug", {"format": {"predefined_pattern": "email"}}, "format"),
    ("string", {"slug_format": {"predefined_pattern": "webpage_slug"}}, "slug_format"),
    ("gallery", {"required": {}}, "required"),
    ("file", {"size": {"max": 2}}, "size"),
    ("json", {"unique": {}}, "unique"),
    ("links", {"items_item_type": {"item_types": ["{model}"]}, "required": {}}, "required"),
    ("link", {"item_item_type": {"item_types": ["{model}"]}, "size": {"max": 1}}, "size"),
    (
        "rich_text",
        {"rich_text_blocks": {"item_types": []}, "single_block_blocks": {"item_types": []}},
        "single_block_blocks",
    ),
    ("string", {"item_item_type": {"item_types": ["{model}"]}}, "item_item_type"),
]


@pytest.mark.parametrize(("field_type", "validators", "refused"), NOT_ALLOWED_CASES)
def test_validator_not_allowed_for_type(api, schema, field_type, validators, refused):
    response = post_field(api, schema, field_type, validators=fill(validators, schema))
    assert_refused(
        api,
        schema,
        response,
        [("INVALID_FIELD", "validators", "VALIDATION_VALIDATOR_NOT_ALLOWED")],
    )
    assert details(response)[0]["validator"] == refused
    assert details(response)[0]["field_type"] == field_type


@pytest.mark.parametrize(
    ("field_type", "name"),
    [("string", "maximum"), ("string", "Required"), ("link", "items_item_type_x")],
)
def test_unknown_validator(api, schema, field_type, name):
    validators = {**fill(MANDATORY.get(field_type, {}), schema), name: {}}
    response = post_field(api, schema, field_type, validators=validators)
    assert_refused(
        api, schema, response, [("INVALID_FIELD", "validators", "VALIDATION_UNKNOWN_VALIDATOR")]
    )
    assert details(response)[0]["validator"] == name


MISSING_CASES = [
    ("link", {}, ["item_item_type"]),
    ("link", {"required": {}}, ["item_item_type"]),
    ("links", {"size": {"max": 3}}, ["items_item_type"]),
    ("rich_text", {}, ["rich_text_blocks"]),
    ("single_block", {"required": {}}, ["single_block_blocks"]),
    ("structured_text", {}, ["structured_text_blocks", "structured_text_links"]),
    (
        "structured_text",
        {"structured_text_blocks": {"item_types": []}},
        ["structured_text_links"],
    ),
]


@pytest.mark.parametrize(("field_type", "validators", "missing"), MISSING_CASES)
def test_missing_mandatory_validator(api, schema, field_type, validators, missing):
    response = post_field(api, schema, field_type, validators=validators)
    assert_refused(
        api,
        schema,
        response,
        [("INVALID_FIELD", "validators", "VALIDATION_MISSING_VALIDATOR")] * len(missing),
    )
    assert sorted(d["validator"] for d in details(response)) == missing


@pytest.mark.parametrize("field_type", sorted(MANDATORY))
def test_missing_validators_attribute_is_refused_for_types_with_mandatory_ones(
    api, schema, field_type
):
    response = post_field(api, schema, field_type)  # no validators at all
    assert response.status_code == 422, response.body
    assert {code for _, _, code in error_codes(response)} == {"VALIDATION_MISSING_VALIDATOR"}
    assert field_count(api, schema["page"]) == 2


def test_slug_title_field_accepts_only_a_string_field_of_the_same_model(api, schema):
    ok = post_field(
        api,
        schema,
        "slug",
        api_key="slug",
        validators={"slug_title_field": {"title_field_id": schema["string_field"]}},
    )
    assert ok.status_code == 201, ok.body
    # A slug field itself is not a string field.
    refused = post_field(
        api,
        schema,
        "slug",
        api_key="slug_two",
        validators={"slug_title_field": {"title_field_id": ok.body["data"]["id"]}},
    )
    assert refused.status_code == 422, refused.body
    assert error_codes(refused) == [INVALID_PARAMETERS]
    assert details(refused)[0]["parameter"] == "title_field_id"


def test_every_problem_reported_at_once(api, schema):
    response = post_field(
        api,
        schema,
        "string",
        api_key="Bad Key",
        validators={
            "length": {"min": 5, "max": 1},
            "enum": {"values": []},
            "number_range": {"min": 1},
            "no_such_validator": {},
        },
        default_value=5,
    )
    assert_refused(
        api,
        schema,
        response,
        [
            ("INVALID_FIELD", "api_key", "VALIDATION_FORMAT"),
            INVALID_PARAMETERS,
            INVALID_PARAMETERS,
            ("INVALID_FIELD", "validators", "VALIDATION_VALIDATOR_NOT_ALLOWED"),
            ("INVALID_FIELD", "validators", "VALIDATION_UNKNOWN_VALIDATOR"),
            ("INVALID_FIELD", "default_value", "INVALID_FORMAT"),
        ],
    )
    assert len(response.body["data"]) == 6
    named = sorted(d["validator"] for d in details(response) if "validator" in d)
    assert named == ["enum", "length", "no_such_validator", "number_range"]


def test_missing_and_invalid_validators_reported_together(api, schema):
    response = post_field(
        api,
        schema,
        "structured_text",
        validators={"structured_text_blocks": {"item_types": [schema["model"]]}, "size": {}},
    )
    assert_refused(
        api,
        schema,
        response,
        [
            INVALID_PARAMETERS,
            ("INVALID_FIELD", "validators", "VALIDATION_VALIDATOR_NOT_ALLOWED"),
            ("INVALID_FIELD", "validators", "VALIDATION_MISSING_VALIDATOR"),
        ],
    )


# --- Default values ------------------------------------------------------------------
# (field type, default sent, default answered)

VALID_DEFAULTS = [
    ("string", "Hello", "Hello"),
    ("string", "", ""),
    ("text", "Some text", "Some text"),
    ("slug", "a-slug", "a-slug"),
    ("boolean", True, True),
    ("boolean", False, False),
    ("integer", 7, 7),
    ("integer", 7.0, 7),
    ("float", 1.25, 1.25),
    ("date", "2024-02-29", "2024-02-29"),
    ("date_time", "2018-11-24T10:00:00Z", "2018-11-24T10:00:00.000+00:00"),
    ("date_time", "2018-11-24T10:00:00", "2018-11-24T10:00:00.000+00:00"),
    ("color", {"red": 1, "green": 2, "blue": 3}, {"red": 1, "green": 2, "blue": 3, "alpha": 255}),
    ("json", '{"a": [1, 2]}', '{"a": [1, 2]}'),
    ("lat_lon", {"latitude": 45.5, "longitude": 9.2}, {"latitude": 45.5, "longitude": 9.2}),
    ("string", None, None),
    ("integer", None, None),
]


@pytest.mark.parametrize(("field_type", "sent", "answered"), VALID_DEFAULTS)
def test_valid_default_value(api, schema, field_type, sent, answered):
    response = post_field(api, schema, field_type, default_value=sent)
    assert response.status_code == 201, response.body
    default = response.body["data"]["attributes"]["default_value"]
    assert default == answered
    assert type(default) is type(answered)


def test_field_created_without_default_has_null_default(api, schema):
    response = post_field(api, schema, "string")
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["default_value"] is None


INVALID_DEFAULTS = [
    ("string", 5),
    ("string", ["a"]),
    ("boolean", "true"),
    ("boolean", 0),
    ("integer", 1.5),
    ("integer", True),
    ("integer", "7"),
    ("float", "1.5"),
    ("float", False),
    ("date", "2024-02-30"),
    ("date", "24-1-1"),
    ("date_time", "2018-11-24"),
    ("color", {"red": 256, "green": 0, "blue": 0}),
    ("color", {"red": 0, "green": 0}),
    ("json", {"a": 1}),
    ("json", "{not json"),
    ("lat_lon", {"latitude": 91, "longitude": 0}),
    ("lat_lon", {"latitude": 0, "longitude": -181}),
]


@pytest.mark.parametrize(("field_type", "sent"), INVALID_DEFAULTS)
def test_invalid_default_value(api, schema, field_type, sent):
    response = post_field(api, schema, field_type, default_value=sent)
    assert_refused(api, schema, response, [("INVALID_FIELD", "default_value", "INVALID_FORMAT")])


NO_DEFAULT_TYPES = [
    ("link", "{model}"),
    ("links", ["{model}"]),
    ("file", {"upload_id": "{missing}"}),
    ("gallery", []),
    ("seo", {"title": "t"}),
    ("video", {"provider": "youtube"}),
    ("rich_text", []),
    ("single_block", "{missing}"),
    ("structured_text", {"schema": "dast", "document": {"type": "root", "children": []}}),
]


@pytest.mark.parametrize(("field_type", "sent"), NO_DEFAULT_TYPES)
def test_default_value_refused_for_types_without_one(api, schema, field_type, sent):
    response = post_field(
        api,
        schema,
        field_type,
        validators=fill(MANDATORY.get(field_type, {}), schema),
        default_value=fill(sent, schema),
    )
    assert_refused(
        api, schema, response, [("INVALID_FIELD", "default_value", "VALIDATION_NOT_ALLOWED")]
    )


@pytest.mark.parametrize(("field_type", "_sent"), NO_DEFAULT_TYPES)
def test_null_default_accepted_for_types_without_one(api, schema, field_type, _sent):
    response = post_field(
        api,
        schema,
        field_type,
        validators=fill(MANDATORY.get(field_type, {}), schema),
        default_value=None,
    )
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["default_value"] is None


# --- Localized defaults (site locales en, it) --------------------------------------


@pytest.mark.parametrize(
    ("field_type", "sent", "answered"),
    [
        ("string", {"en": "Hi", "it": "Ciao"}, {"en": "Hi", "it": "Ciao"}),
        ("string", {"en": "Hi"}, {"en": "Hi", "it": None}),
        ("string", {}, {"en": None, "it": None}),
        ("string", {"en": None, "it": None}, {"en": None, "it": None}),
        ("string", None, {"en": None, "it": None}),
        ("integer", {"en": 1.0, "it": 2}, {"en": 1, "it": 2}),
        (
            "date_time",
            {"it": "2018-11-24T12:00:00+02:00"},
            {"en": None, "it": "2018-11-24T10:00:00.000+00:00"},
        ),
        (
            "color",
            {"en": {"red": 0, "green": 0, "blue": 0}},
            {"en": {"red": 0, "green": 0, "blue": 0, "alpha": 255}, "it": None},
        ),
    ],
)
def test_localized_default_value(api, schema, two_locales, field_type, sent, answered):
    response = post_field(api, schema, field_type, localized=True, default_value=sent)
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["default_value"] == answered


def test_localized_field_without_default_gets_null_per_locale(api, schema, two_locales):
    response = post_field(api, schema, "string", localized=True)
    assert response.status_code == 201, response.body
    assert response.body["data"]["attributes"]["default_value"] == {"en": None, "it": None}


def test_localized_default_with_unknown_locale(api, schema, two_locales):
    response = post_field(
        api, schema, "string", localized=True, default_value={"en": "Hi", "fr": "Salut"}
    )
    assert_refused(api, schema, response, [("INVALID_FIELD", "default_value", "INVALID_LOCALES")])
    assert details(response)[0]["unknown_locales"] == ["fr"]
    assert details(response)[0]["required_locales"] == ["en", "it"]


def test_localized_default_not_keyed_by_locale(api, schema, two_locales):
    response = post_field(api, schema, "string", localized=True, default_value="Hi")
    assert_refused(api, schema, response, [("INVALID_FIELD", "default_value", "INVALID_LOCALES")])


def test_localized_default_invalid_in_each_locale_reported_per_locale(api, schema, two_locales):
    response = post_field(
        api, schema, "integer", localized=True, default_value={"en": 1.5, "it": "two"}
    )
    assert_refused(
        api,
        schema,
        response,
        [("INVALID_FIELD", "default_value", "INVALID_FORMAT")] * 2,
    )
    assert sorted(d["locale"] for d in details(response)) == ["en", "it"]


def test_non_localized_field_with_locale_keyed_default_is_refused(api, schema, two_locales):
    response = post_field(api, schema, "string", default_value={"en": "Hi", "it": "Ciao"})
    assert_refused(api, schema, response, [("INVALID_FIELD", "default_value", "INVALID_FORMAT")])


def test_localized_field_without_default_accepts_its_answer_back(api, schema, two_locales):
    created = post_field(
        api, schema, "link", localized=True, validators=fill(MANDATORY["link"], schema)
    )
    assert created.status_code == 201, created.body
    field = created.body["data"]
    response = api.put(
        f"/fields/{field['id']}",
        {
            "data": {
                "type": "field",
                "id": field["id"],
                "attributes": {"default_value": field["attributes"]["default_value"]},
            }
        },
    )
    assert response.status_code == 200, response.body
