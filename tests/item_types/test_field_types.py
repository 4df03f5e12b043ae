"""Every field type's ``parse``: tables of valid and invalid raw values, one line a case.

``VALID_INPUTS[type]`` maps a raw value to its canonical output (or is a list of
``(raw, expected)`` pairs when the raw values are not hashable); ``INVALID_INPUTS[type]``
lists raw values refused with ``INVALID_FORMAT`` (or ``(raw, code)`` pairs for another code).
No database is needed.
"""

import base64
import uuid

import pytest

from cms.ids import new_id
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.validators import VALIDATORS

RECORD_A = new_id()
RECORD_B = new_id()
UPLOAD = new_id()


def _id_from_bytes(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


# A 22-character id whose UUID is not RFC 4122 (variant bits 0b0xx).
NON_RFC_4122_ID = _id_from_bytes(bytes([0x12] + [0] * 7 + [0x00] + [0] * 7))
# Decodes to the same bytes as RECORD_A, but its last character sets padding bits, so it
# is not the canonical encoding (a canonical last character is one of "AQgw").
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
NON_CANONICAL_ID = RECORD_A[:-1] + _ALPHABET[_ALPHABET.index(RECORD_A[-1]) + 1]

FILE_FULL = {
    "upload_id": UPLOAD,
    "alt": "A cat",
    "title": "Cat",
    "custom_data": {"k": "v"},
    "focal_point": {"x": 0.5, "y": 0.25},
}
FILE_MINIMAL_ANSWER = {
    "upload_id": UPLOAD,
    "alt": None,
    "title": None,
    "custom_data": {},
    "focal_point": None,
}
VIDEO = {
    "provider": "youtube",
    "provider_uid": "dQw4w9WgXcQ",
    "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    "width": 480,
    "height": 360,
    "thumbnail_url": "https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
    "title": "A video",
}
SEO_EMPTY_ANSWER = {
    "title": None,
    "description": None,
    "image": None,
    "twitter_card": None,
    "no_index": None,
}
DAST_EMPTY = {"schema": "dast", "document": {"type": "root", "children": []}}
DAST_PARAGRAPH = {
    "schema": "dast",
    "document": {
        "type": "root",
        "children": [{"type": "paragraph", "children": [{"type": "span", "value": "Hi"}]}],
    },
}
NEW_BLOCK = {
    "type": "item",
    "attributes": {"title": "x"},
    "relationships": {"item_type": {"data": {"id": RECORD_A, "type": "item_type"}}},
}


def _video(**changes):
    return {**VIDEO, **changes}


def _without(mapping: dict, key: str) -> dict:
    return {k: v for k, v in mapping.items() if k != key}


def _file(**changes):
    return {"upload_id": UPLOAD, **changes}


VALID_INPUTS: dict[str, dict | list] = {
    "string": {"": "", "Hello": "Hello", "  spaced  ": "  spaced  ", "ünïcode ✓": "ünïcode ✓"},
    "text": {"": "", "line one\nline two": "line one\nline two", "<p>html</p>": "<p>html</p>"},
    "slug": {"my-slug": "my-slug", "": ""},
    "boolean": {True: True, False: False},
    "integer": [
        (0, 0),
        (-5, -5),
        (42, 42),
        (1.0, 1),
        (-3.0, -3),
        (2**63 - 1, 2**63 - 1),
        (-(2**63), -(2**63)),
    ],
    "float": [(0, 0), (1.5, 1.5), (-2.25, -2.25), (3, 3), (1e300, 1e300)],
    "date": {
        "2024-01-01": "2024-01-01",
        "2024-02-29": "2024-02-29",
        "1999-12-31": "1999-12-31",
    },
    "date_time": {
        "2018-11-24T10:00:00Z": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T10:00:00z": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T10:00:00+00:00": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T10:00:00.000+00:00": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T10:00:00.123456Z": "2018-11-24T10:00:00.123+00:00",
        "2018-11-24T10:00:00.5Z": "2018-11-24T10:00:00.500+00:00",
        # Naive: taken as UTC.
        "2018-11-24T10:00:00": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T10:00": "2018-11-24T10:00:00.000+00:00",
        # An explicit offset is converted: values are kept in UTC, so they sort as text.
        "2018-11-24T12:00:00+02:00": "2018-11-24T10:00:00.000+00:00",
        "2018-11-24T05:30:00-04:30": "2018-11-24T10:00:00.000+00:00",
    },
    "color": [
        (
            {"red": 1, "green": 2, "blue": 3, "alpha": 4},
            {"red": 1, "green": 2, "blue": 3, "alpha": 4},
        ),
        ({"red": 0, "green": 0, "blue": 0}, {"red": 0, "green": 0, "blue": 0, "alpha": 255}),
        (
            {"red": 255, "green": 255, "blue": 255, "alpha": 0},
            {"red": 255, "green": 255, "blue": 255, "alpha": 0},
        ),
    ],
    "json": {
        '{"a": 1}': '{"a": 1}',
        "[1, 2, 3]": "[1, 2, 3]",
        "1": "1",
        '"text"': '"text"',
        "null": "null",
        "true": "true",
        " { } ": " { } ",
    },
    "lat_lon": [
        ({"latitude": 45.46, "longitude": 9.19}, {"latitude": 45.46, "longitude": 9.19}),
        ({"latitude": -90, "longitude": -180}, {"latitude": -90, "longitude": -180}),
        ({"latitude": 90, "longitude": 180}, {"latitude": 90, "longitude": 180}),
        ({"latitude": 0, "longitude": 0}, {"latitude": 0, "longitude": 0}),
    ],
    "seo": [
        ({}, SEO_EMPTY_ANSWER),
        (
            {
                "title": "T",
                "description": "D",
                "image": UPLOAD,
                "twitter_card": "summary",
                "no_index": True,
            },
            {
                "title": "T",
                "description": "D",
                "image": UPLOAD,
                "twitter_card": "summary",
                "no_index": True,
            },
        ),
        (
            {"title": "T", "twitter_card": "summary_large_image"},
            {**SEO_EMPTY_ANSWER, "title": "T", "twitter_card": "summary_large_image"},
        ),
        (SEO_EMPTY_ANSWER, SEO_EMPTY_ANSWER),
    ],
    "video": [
        (VIDEO, VIDEO),
        (_video(provider="vimeo"), _video(provider="vimeo")),
        (_video(provider="facebook"), _video(provider="facebook")),
        (_without(VIDEO, "title"), _video(title=None)),
        (_video(width=0, height=0), _video(width=0, height=0)),
    ],
    "file": [
        (_file(), FILE_MINIMAL_ANSWER),
        (FILE_FULL, FILE_FULL),
        (_file(alt=None, title=None, custom_data=None, focal_point=None), FILE_MINIMAL_ANSWER),
        (
            _file(focal_point={"x": 0, "y": 1}),
            {**FILE_MINIMAL_ANSWER, "focal_point": {"x": 0, "y": 1}},
        ),
        (_file(alt="", title=""), {**FILE_MINIMAL_ANSWER, "alt": "", "title": ""}),
        # An answer sent back unchanged is accepted as it is.
        (FILE_MINIMAL_ANSWER, FILE_MINIMAL_ANSWER),
    ],
    "gallery": [
        ([], []),
        ([_file()], [FILE_MINIMAL_ANSWER]),
        ([_file(), FILE_FULL], [FILE_MINIMAL_ANSWER, FILE_FULL]),
    ],
    # A client's id need not have the top bit cleared (DatoCMS's docs use this one).
    "link": {RECORD_A: RECORD_A, "hWl-mnkWRYmMCSTq4z_piQ": "hWl-mnkWRYmMCSTq4z_piQ"},
    "links": [([], []), ([RECORD_A], [RECORD_A]), ([RECORD_A, RECORD_B], [RECORD_A, RECORD_B])],
    "rich_text": [
        ([], []),
        ([RECORD_A], [RECORD_A]),
        ([NEW_BLOCK], [NEW_BLOCK]),
        ([RECORD_A, {"type": "item", "id": RECORD_B, "attributes": {}}],) * 2,
    ],
    "single_block": [
        (RECORD_A, RECORD_A),
        (NEW_BLOCK, NEW_BLOCK),
        ({"type": "item", "id": RECORD_B, "attributes": {"t": 1}},) * 2,
    ],
    "structured_text": [(DAST_EMPTY, DAST_EMPTY), (DAST_PARAGRAPH, DAST_PARAGRAPH)],
}

NOT_A_STRING = [1, 1.5, True, [], {}, ["a"]]
NOT_A_NUMBER = ["1", True, False, [], {}, [1]]

INVALID_INPUTS: dict[str, list] = {
    "string": NOT_A_STRING,
    "text": NOT_A_STRING,
    "slug": NOT_A_STRING,
    "boolean": [0, 1, "true", "false", "", [], {}],
    "integer": [
        *NOT_A_NUMBER,
        1.5,
        -0.1,
        float("nan"),
        float("inf"),
        float("-inf"),
        2**63,
        -(2**63) - 1,
        1e20,
        10**400,
    ],
    "float": [
        *NOT_A_NUMBER,
        "1.5",
        float("nan"),
        float("inf"),
        float("-inf"),
        10**400,
    ],
    "date": [
        "2024-02-30",
        "2023-02-29",
        "2024-13-01",
        "2024-00-10",
        "24-1-1",
        "2024-1-1",
        "20240101",
        "2024/01/01",
        "01-01-2024",
        "2024-01-01T00:00:00",
        "2024-01-01\n",
        "٢٠٢٤-٠١-٠١",
        "",
        "today",
        20240101,
        True,
        [],
        {},
    ],
    "date_time": [
        "2018-11-24",
        "2018-11-24T25:00:00Z",
        "2018-02-30T10:00:00Z",
        "2018-11-24T10:00:00+25:00",
        "2018-11-24T10:00:00Zjunk",
        "2018-11-24T10:00:00\n",
        "24-11-24T10:00:00",
        "yesterday at noon",
        "",
        1543053600,
        True,
        [],
        {},
    ],
    "color": [
        {"red": 256, "green": 0, "blue": 0},
        {"red": -1, "green": 0, "blue": 0},
        {"red": 0, "green": 0, "blue": 0, "alpha": 256},
        {"red": 0, "green": 0, "blue": 0, "alpha": -1},
        {"red": 0, "green": 0},
        {"green": 0, "blue": 0},
        {"red": 0, "green": 0, "blue": 0, "alpha": None},
        {"red": 0.5, "green": 0, "blue": 0},
        {"red": "0", "green": 0, "blue": 0},
        {"red": True, "green": 0, "blue": 0},
        {"red": 0, "green": 0, "blue": 0, "hex": "#000"},
        "#ff0000",
        [255, 0, 0],
        0,
    ],
    "json": [
        {"a": 1},
        [1, 2],
        1,
        True,
        "",
        "{a: 1}",
        "{'a': 1}",
        '{"a": 1',
        "undefined",
        "[1, 2,]",
        "NaN",
        "Infinity",
        pytest.param("[" * 100_000 + "]" * 100_000, id="deeply-nested"),
    ],
    "lat_lon": [
        {"latitude": 90.0001, "longitude": 0},
        {"latitude": -91, "longitude": 0},
        {"latitude": 0, "longitude": 180.5},
        {"latitude": 0, "longitude": -181},
        {"latitude": 0},
        {"longitude": 0},
        {},
        {"latitude": None, "longitude": 0},
        {"latitude": "45", "longitude": "9"},
        {"latitude": True, "longitude": False},
        {"latitude": float("nan"), "longitude": 0},
        {"latitude": 0, "longitude": float("inf")},
        {"latitude": 0, "longitude": 0, "altitude": 3},
        {"lat": 0, "lng": 0},
        [45, 9],
        "45,9",
    ],
    "seo": [
        "title",
        [],
        {"title": 1},
        {"description": ["d"]},
        {"image": 5},
        {"twitter_card": "player"},
        {"twitter_card": ""},
        {"no_index": "yes"},
        {"no_index": 1},
        {"keywords": "a, b"},
    ],
    "video": [
        _video(provider="dailymotion"),
        _without(VIDEO, "provider"),
        _without(VIDEO, "provider_uid"),
        _without(VIDEO, "url"),
        _without(VIDEO, "thumbnail_url"),
        _without(VIDEO, "width"),
        _video(provider_uid=""),
        _video(url=5),
        _video(width=-1),
        _video(width=1.5),
        _video(height="360"),
        _video(height=True),
        _video(title=5),
        "https://youtu.be/x",
        [],
    ],
    "file": [
        UPLOAD,
        [_file()],
        {},
        {"upload_id": ""},
        {"upload_id": 5},
        {"upload_id": None},
        _file(alt=5),
        _file(title=["t"]),
        _file(custom_data="x"),
        _file(custom_data=[]),
        _file(custom_data={"k": 1}),
        _file(focal_point={"x": 1.1, "y": 0.5}),
        _file(focal_point={"x": 0.5, "y": -0.1}),
        _file(focal_point={"x": 0.5}),
        _file(focal_point={"x": 0.5, "y": 0.5, "z": 0}),
        _file(focal_point={"x": "0.5", "y": 0.5}),
        _file(focal_point={"x": True, "y": 0}),
        _file(focal_point={"x": float("nan"), "y": 0.5}),
        _file(focal_point=[0.5, 0.5]),
        _file(caption="c"),
    ],
    "gallery": [
        _file(),
        UPLOAD,
        [UPLOAD],
        [_file(), {}],
        [_file(focal_point={"x": 2, "y": 0})],
        [None],
    ],
    "link": [
        "abc",
        RECORD_A[:-1],
        RECORD_A + "A",
        "*" + RECORD_A[1:],
        "+" + RECORD_A[1:],
        RECORD_A[:-1] + "=",
        RECORD_A + "\n",
        str(uuid.uuid4()),
        NON_RFC_4122_ID,
        NON_CANONICAL_ID,
        "",
        12345,
        [RECORD_A],
        {"id": RECORD_A},
        True,
    ],
    "links": [
        RECORD_A,
        [RECORD_A, RECORD_A],
        [RECORD_A, RECORD_B, RECORD_A],
        ["abc"],
        [RECORD_A, None],
        [RECORD_A, 5],
        [[RECORD_A]],
        {"0": RECORD_A},
    ],
    "rich_text": [
        RECORD_A,
        NEW_BLOCK,
        [5],
        [None],
        [[RECORD_A]],
        [{"type": "block", "attributes": {}}],
        [{"attributes": {}}],
        [RECORD_A, {"type": "item_type"}],
    ],
    "single_block": [
        [RECORD_A],
        [NEW_BLOCK],
        5,
        True,
        {"type": "block"},
        {"attributes": {}},
    ],
    "structured_text": [
        "plain text",
        [],
        {},
        {"document": DAST_EMPTY["document"]},
        {**DAST_EMPTY, "schema": "html"},
        {"schema": "dast"},
        {"schema": "dast", "document": None},
        {"schema": "dast", "document": {"type": "paragraph", "children": []}},
        {"schema": "dast", "document": {"type": "root"}},
        {"schema": "dast", "document": {"type": "root", "children": {}}},
        {"schema": "dast", "document": {"type": "root", "children": "x"}},
        DAST_EMPTY["document"],
    ],
}


def _pairs(table) -> list:
    return list(table.items()) if isinstance(table, dict) else list(table)


def _valid_cases():
    for code, table in VALID_INPUTS.items():
        for index, (raw, expected) in enumerate(_pairs(table)):
            yield pytest.param(code, raw, expected, id=f"{code}-{index}")


def _invalid_cases():
    for code, table in INVALID_INPUTS.items():
        for index, case in enumerate(table):
            marks, values = (), case
            if hasattr(case, "values") and hasattr(case, "marks"):  # a pytest.param
                marks, values = case.marks, case.values[0]
            if isinstance(values, tuple):
                raw, error_code = values
            else:
                raw, error_code = values, "INVALID_FORMAT"
            case_id = getattr(case, "id", None) or f"{code}-{index}"
            yield pytest.param(code, raw, error_code, id=case_id, marks=marks)


def test_every_field_type_has_tables():
    assert set(VALID_INPUTS) == set(FIELD_TYPES)
    assert set(INVALID_INPUTS) == set(FIELD_TYPES)
    assert all(_pairs(VALID_INPUTS[code]) for code in FIELD_TYPES)
    assert all(INVALID_INPUTS[code] for code in FIELD_TYPES)


@pytest.mark.parametrize(("field_type", "raw", "expected"), list(_valid_cases()))
def test_valid_input(field_type, raw, expected):
    parsed = FIELD_TYPES[field_type].parse(raw)
    assert parsed == expected
    # Same type too: 1 == 1.0 == True in Python, so equality alone hides int/float/bool.
    assert type(parsed) is type(expected)


@pytest.mark.parametrize(("field_type", "raw", "code"), list(_invalid_cases()))
def test_invalid_input(field_type, raw, code):
    with pytest.raises(FieldValueError) as excinfo:
        FIELD_TYPES[field_type].parse(raw)
    assert excinfo.value.code == code
    assert isinstance(excinfo.value.details.get("message"), str)


@pytest.mark.parametrize(
    ("field_type", "raw", "key"),
    [
        ("color", {"red": 0, "green": 300, "blue": 0}, "green"),
        ("color", {"red": 0, "green": 0, "blue": 0, "alpha": 999}, "alpha"),
        ("lat_lon", {"latitude": 100, "longitude": 0}, "latitude"),
        ("lat_lon", {"latitude": 0, "longitude": 200}, "longitude"),
        ("file", _file(focal_point={"x": 2, "y": 0}), "focal_point"),
        ("file", {"alt": "a"}, "upload_id"),
        ("video", _video(provider="x"), "provider"),
        ("seo", {"twitter_card": "player"}, "twitter_card"),
        ("structured_text", {"schema": "dast", "document": {}}, "document"),
    ],
)
def test_invalid_input_names_the_key(field_type, raw, key):
    with pytest.raises(FieldValueError) as excinfo:
        FIELD_TYPES[field_type].parse(raw)
    assert excinfo.value.details.get("key") == key


def test_parse_does_not_change_its_input():
    raw = _file(alt="a")
    snapshot = dict(raw)
    FIELD_TYPES["file"].parse(raw)
    assert raw == snapshot
    color = {"red": 1, "green": 2, "blue": 3}
    FIELD_TYPES["color"].parse(color)
    assert color == {"red": 1, "green": 2, "blue": 3}


def test_ids_used_here_are_well_formed():
    # The link cases rely on these: new ids are accepted, the crafted ones only differ
    # in the one property under test.
    assert FIELD_TYPES["link"].parse(RECORD_A) == RECORD_A
    assert len(NON_RFC_4122_ID) == len(NON_CANONICAL_ID) == 22
    assert NON_CANONICAL_ID != RECORD_A
    assert base64.urlsafe_b64decode(NON_CANONICAL_ID + "==") == base64.urlsafe_b64decode(
        RECORD_A + "=="
    )
    assert uuid.UUID(bytes=base64.urlsafe_b64decode(NON_RFC_4122_ID + "==")).variant != (
        uuid.RFC_4122
    )


# --- Validators each type accepts (DatoCMS's field types) -------------------------------

DATOCMS_ALLOWED_VALIDATORS = {
    "string": {"required", "unique", "length", "format", "enum"},
    "text": {"required", "length", "format", "sanitized_html"},
    "slug": {"required", "unique", "length", "slug_format", "slug_title_field"},
    "boolean": set(),
    "integer": {"required", "number_range"},
    "float": {"required", "number_range"},
    "date": {"required", "date_range"},
    "date_time": {"required", "date_time_range"},
    "color": {"required"},
    "json": {"required"},
    "lat_lon": {"required"},
    "seo": {
        "required_seo_fields",
        "title_length",
        "description_length",
        "file_size",
        "image_dimensions",
        "image_aspect_ratio",
    },
    "video": {"required"},
    "file": {
        "required",
        "file_size",
        "image_dimensions",
        "image_aspect_ratio",
        "extension",
        "required_alt_title",
    },
    "gallery": {
        "size",
        "file_size",
        "image_dimensions",
        "image_aspect_ratio",
        "extension",
        "required_alt_title",
    },
    "link": {"item_item_type", "required", "unique"},
    "links": {"items_item_type", "size"},
    "rich_text": {"rich_text_blocks", "size"},
    "single_block": {"single_block_blocks", "required"},
    "structured_text": {
        "structured_text_blocks",
        "structured_text_links",
        "required",
        "length",
        "structured_text_inline_blocks",
    },
}

DATOCMS_MANDATORY_VALIDATORS = {
    "link": {"item_item_type"},
    "links": {"items_item_type"},
    "rich_text": {"rich_text_blocks"},
    "single_block": {"single_block_blocks"},
    "structured_text": {"structured_text_blocks", "structured_text_links"},
}


@pytest.mark.parametrize("field_type", sorted(DATOCMS_ALLOWED_VALIDATORS))
def test_allowed_validators_match_datocms(field_type):
    assert set(FIELD_TYPES[field_type].allowed_validators) == DATOCMS_ALLOWED_VALIDATORS[field_type]


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
def test_mandatory_validators_match_datocms(field_type):
    expected = DATOCMS_MANDATORY_VALIDATORS.get(field_type, set())
    assert set(FIELD_TYPES[field_type].mandatory_validators) == expected


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
def test_validators_of_a_type_are_registered_and_mandatory_ones_allowed(field_type):
    field_type_obj = FIELD_TYPES[field_type]
    assert field_type_obj.allowed_validators <= set(VALIDATORS)
    assert field_type_obj.mandatory_validators <= field_type_obj.allowed_validators


def test_the_datocms_table_names_every_field_type():
    assert set(DATOCMS_ALLOWED_VALIDATORS) == set(FIELD_TYPES)
    assert all(FIELD_TYPES[code].code == code for code in FIELD_TYPES)


@pytest.mark.parametrize("field_type", sorted(FIELD_TYPES))
def test_default_appearance_shape(field_type):
    appearance = FIELD_TYPES[field_type].default_appearance()
    assert isinstance(appearance["editor"], str) and appearance["editor"]
    assert isinstance(appearance["parameters"], dict)
    assert appearance["addons"] == []
    # A fresh copy each time: editing one field's appearance must not leak into others.
    appearance["parameters"]["leak"] = True
    assert "leak" not in FIELD_TYPES[field_type].default_appearance()["parameters"]


def test_structured_text_default_appearance_lists_every_node_and_mark():
    parameters = FIELD_TYPES["structured_text"].default_appearance()["parameters"]
    assert parameters["nodes"] == ["blockquote", "code", "heading", "link", "list", "thematicBreak"]
    assert parameters["marks"] == [
        "strong",
        "code",
        "emphasis",
        "underline",
        "strikethrough",
        "highlight",
    ]
    assert parameters["heading_levels"] == [1, 2, 3, 4, 5, 6]


def test_link_validators_are_the_ones_with_reference_strategies():
    from item_types.validators import LINK_VALIDATORS, REFERENCE_STRATEGIES

    assert LINK_VALIDATORS == ("item_item_type", "items_item_type", "structured_text_links")
    with_strategies = {
        name
        for name, validator in VALIDATORS.items()
        if set(REFERENCE_STRATEGIES) <= set(validator.parameters)
    }
    assert with_strategies == set(LINK_VALIDATORS)
