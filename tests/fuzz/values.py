"""Hostile values: strings, numbers, dates and regexes that have broken servers before, JSON
values of any type, and request bodies (valid payloads changed in a few places, raw text
that is not quite JSON, record API batches)."""

import hashlib
import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from hypothesis import strategies as st

from cms.ids import new_id
from tests.conftest import png_bytes
from tests.fuzz.world import World

UNKNOWN_ID = new_id()

# --- Hostile scalars -------------------------------------------------------------------

SURROGATE = "\udfff"
# 4,000 bytes that don't compress: over PostgreSQL's btree entry limit (2,704) even so.
LONG_TEXT = "".join(hashlib.sha256(str(i).encode()).hexdigest() for i in range(125))
NASTY_STRINGS = [
    "",
    " ",
    "\x00",
    "a\x00b",
    SURROGATE,
    f"a{SURROGATE}b",
    "\ud800",
    "x" * 3000,
    "é" * 1500,
    "ü\u202e\ufeff",
    "../../etc/passwd",
    "' OR 1=1 --",
    "%00",
    "%",
    "\\",
    "null",
    "<script>alert(1)</script>",
    '<a href="jav&#x61;script:alert(1)">x</a>',
]
NASTY_NUMBERS = [
    0,
    -1,
    2**31,
    2**63,
    -(2**63) - 1,
    10**30,
    int("9" * 40),
    1e308,
    -0.0,
    0.1,
    1e-320,
]
NASTY_TEXT_NUMBERS = [
    "-1",
    "0",
    "1" + "0" * 30,
    "9" * 40,
    "nan",
    "NaN",
    "inf",
    "-inf",
    "Infinity",
    "1e309",
    "1e-400",
    "0x10",
    "1_000",
    "١٢",
    "+5",
    " 7 ",
]
NASTY_DATES = [
    "9999-12-31T23:59:59-23:59",
    "0001-01-01T00:00:00+23:00",
    "0000-00-00",
    "2024-02-30",
    "10000-01-01",
    "-0001-01-01",
    "2024-01-01T24:00:00Z",
    "9999-12-31",
    "0001-01-01",
]
NASTY_REGEXES = ["(", "[", "^(.+)+#$", "(a|a)*$", "\\", "*", "(?P<x", "a{99999}", "\\p{L}", ".*"]


def text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NASTY_STRINGS),
        st.text(max_size=20),
        st.text(alphabet=st.characters(codec=None), max_size=10),
    )


def scalar_text() -> st.SearchStrategy[str]:
    """A query-string value."""
    return st.one_of(
        text(),
        st.sampled_from(NASTY_TEXT_NUMBERS + NASTY_DATES + NASTY_REGEXES),
        st.integers().map(str),
    )


def hostile_values() -> st.SearchStrategy:
    """A field's value: one of the known troublemakers, localized or not, or any JSON."""
    nasty = st.sampled_from(
        [*NASTY_STRINGS, *NASTY_DATES, *NASTY_REGEXES, *NASTY_NUMBERS, float("nan"), float("inf")]
    )
    return st.one_of(
        nasty,
        st.fixed_dictionaries({"en": nasty, "it": nasty}),
        st.dictionaries(text(), nasty, max_size=2),
        st.lists(nasty, max_size=2),
        json_values(),
    )


def block_confusions(block_model_id: str) -> list:
    """Blocks that are almost blocks: the right shape with a wrong type somewhere inside."""
    item_type = {"data": {"type": "item_type", "id": block_model_id}}
    block = {"type": "item", "attributes": {"text": "a"}, "relationships": {"item_type": item_type}}
    return [
        [1],
        [None],
        [{}],
        [{"type": "item"}],
        [{**block, "relationships": [1]}],
        [{**block, "relationships": {"item_type": {"data": {"type": "item_type", "id": ["x"]}}}}],
        [{**block, "relationships": {"item_type": {"data": [1]}}}],
        [{**block, "relationships": {"item_type": 1}}],
        [{**block, "attributes": [1]}],
        [{**block, "attributes": {"text": {"a": 1}}}],
        [{**block, "id": {"a": 1}}],
        [{**block, "id": UNKNOWN_ID}],
        [{**block, "type": ["item"]}],
        [block, block, [block]],
        block,
    ]


def typed_values(field_type: str, block_model_id: str) -> st.SearchStrategy:
    """Troublemakers for one field type (what its parsing and storage must survive)."""
    numbers = [*NASTY_NUMBERS, float("nan"), float("inf"), *NASTY_TEXT_NUMBERS]
    by_type = {
        "string": [*NASTY_STRINGS, LONG_TEXT],
        "text": NASTY_STRINGS,
        "slug": NASTY_STRINGS,
        "integer": numbers,
        "float": numbers,
        "date": NASTY_DATES,
        "date_time": NASTY_DATES,
        "rich_text": block_confusions(block_model_id),
        "single_block": block_confusions(block_model_id),
        "structured_text": [
            {"schema": "dast", "document": {"type": "root", "children": [{"type": "block"}]}},
            {"schema": "dast", "document": {"type": "root", "children": [[1]]}},
            {"schema": "dast", "document": {"type": "root", "children": "x"}},
            {"schema": "dast", "document": []},
        ],
        "link": [UNKNOWN_ID, "x", "\x00", [1], {"id": 1}],
        "links": [[UNKNOWN_ID], ["x", "x"], [None], [[1]], "x"],
    }
    choices = by_type.get(field_type)
    return st.sampled_from(choices) if choices else json_values()


FIELD_TYPE_CODES = [
    *("string", "text", "slug", "boolean", "integer", "float", "date", "date_time", "color"),
    *("json", "lat_lon", "seo", "video", "file", "gallery", "link", "links", "rich_text"),
    *("single_block", "structured_text", "nope", ""),
]
# Schema attributes whose changes convert or drop stored values: types, localization,
# locales, validators and defaults.
SCHEMA_VALUES = {
    "field_type": FIELD_TYPE_CODES,
    "localized": [True, False, "yes", None],
    "locales": [["en"], ["it", "en"], ["en", "it", "de"], [], ["en", "en"], ["xx_YY"], "en"],
    "validators": [
        {},
        {"required": {}},
        {"unique": {}},
        {"length": {"min": 5, "max": 1}},
        {"length": {"max": 10**30}},
        {"format": {"custom_pattern": "("}},
        {"format": {"custom_pattern": "^(a+)+$"}},
        {"enum": {"values": [1, None]}},
        {"number_range": {"min": float("nan")}},
        {"date_range": {"min": "9999-12-31T23:59:59-23:59"}},
        {"items_item_type": {"item_types": [UNKNOWN_ID]}},
        {"slug_title_field": {"title_field_id": ["x"]}},
        {"rich_text_blocks": {"item_types": "x"}},
        {"size": {"multiple_of": 0}},
        [1],
    ],
    "default_value": [None, "", {"en": "a"}, {"xx": "a"}, [1], 10**30, "\x00"],
    # Menus.
    "position": [0, -1, 1, 2, 10**30, 1.5, "1", True, None],
    "kind": ["item_type", "modular_block", "folder", None],
    "external_url": ["https://example.com", "javascript:alert(1)", "http://", "", None],
}


def json_values(max_leaves: int = 6) -> st.SearchStrategy:
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.sampled_from(NASTY_NUMBERS),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        text(),
        st.sampled_from(NASTY_DATES + NASTY_REGEXES),
        st.sampled_from([UNKNOWN_ID]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(text(), inner, max_size=3)
        ),
        max_leaves=max_leaves,
    )


# --- Bodies ----------------------------------------------------------------------------


def _paths(value, prefix=()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            found += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            found += _paths(child, (*prefix, index))
    return found


def _replace(value, path: tuple, new, drop: bool = False):
    if not path:
        return new
    head, rest = path[0], path[1:]
    copy = dict(value) if isinstance(value, dict) else list(value)
    if drop and not rest:
        del copy[head]
    elif not rest:
        copy[head] = new
    else:
        copy[head] = _replace(copy[head], rest, new, drop)
    return copy


def deep(depth: int) -> str:
    return '{"data":' + "[" * depth + "]" * depth + "}"


RAW_BODIES = [
    b"",
    b"{",
    b"null",
    b"[]",
    b'"data"',
    b"NaN",
    b'{"data": NaN}',
    b'{"data": {"type": "item", "attributes": {"title": Infinity}}}',
    b'{"data": {"type": "item", "attributes": {"count": 1e999}}}',
    b'{"data": {"type": "item", "attributes": {"count": ' + b"1" * 5000 + b"}}}",
    b"\xff\xfe{}",
    b"\xef\xbb\xbf{}",
    b'{"data": "\\udfff"}',
    b'{"a": 1, "a": 2}',
    deep(50).encode(),
    deep(10_000).encode(),
    b"[" * 100_000,
]


@st.composite
def json_bodies(draw, payload, world: World) -> bytes:
    """A valid payload, or one changed in one to three places (mostly its field values, with
    troublemakers for each field's type, else anywhere deep inside), or a raw text that is
    not quite JSON."""
    mutation = draw(st.sampled_from(["value", "value", "replace", "drop", "add", "raw"]))
    if mutation == "raw":
        return draw(st.sampled_from(RAW_BODIES))
    value = payload
    for _ in range(draw(st.integers(1, 3))):
        every = _paths(value)
        values = [path for path in every if len(path) == 1 or path[-2:-1] == ("attributes",)]
        if mutation == "value" and values:  # a field's value: what gets validated and stored
            where = draw(st.sampled_from(values))
            field_type = world.field_types.get(where[-1], "")
            typed = typed_values(field_type, world.block_model_id)
            if where[-1] in SCHEMA_VALUES:
                typed = st.sampled_from(SCHEMA_VALUES[where[-1]])
            troublemaker = draw(st.one_of(typed, hostile_values()))
            if where[-1] == "body" and draw(st.booleans()):  # localized
                troublemaker = {"en": troublemaker, "it": "ok"}
            value = _replace(value, where, troublemaker)
            continue
        deep_ones = [path for path in every if len(path) >= 3]
        where = draw(st.sampled_from(deep_ones if deep_ones and draw(st.integers(0, 4)) else every))
        if mutation == "drop" and where:
            value = _replace(value, where, None, drop=True)
        elif mutation == "add" and isinstance(_get(value, where), dict):
            name = draw(st.one_of(st.sampled_from(list(SCHEMA_VALUES)), text()))
            new = st.sampled_from(SCHEMA_VALUES[name]) if name in SCHEMA_VALUES else json_values()
            value = _replace(value, (*where, name), draw(new))
        else:
            value = _replace(value, where, draw(json_values()))
    encoded = json.dumps(value, ensure_ascii=draw(st.booleans()), allow_nan=True)
    return encoded.encode("utf-8", "surrogatepass")


def _get(value, path):
    for part in path:
        value = value[part]
    return value


@st.composite
def rest_bodies(draw, world: World) -> bytes:
    one = world.payloads["rest_one"]
    changed = st.builds(lambda k, v: {**one, k: v}, st.sampled_from([*one, "x"]), hostile_values())
    records = draw(
        st.lists(st.one_of(st.just(one), st.just({}), changed, json_values(4)), max_size=4)
    )
    shape = draw(st.sampled_from(["one", "list", "record", "mutated batch", "confused"]))
    if shape == "one":
        return draw(json_bodies(one, world))
    if shape == "list":
        value = records
    elif shape == "record":
        value = {"record": records, "fields": draw(st.sampled_from(["*", "title", "nope", 5]))}
    elif shape == "confused":
        value = {"record": draw(json_values(3))}
    else:
        return draw(json_bodies(world.payloads["rest_batch"], world))
    return json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")


@st.composite
def upload_bodies(draw) -> tuple[bytes, str]:
    """A multipart upload (``POST /uploads``), its file and metadata as hostile as the rest."""
    fields = draw(
        st.dictionaries(
            st.sampled_from(["author", "notes", "tags", "default_field_metadata", "basename"]),
            text().map(lambda value: value.encode("utf-8", "surrogatepass").decode("latin-1")),
            max_size=3,
        )
    )
    if draw(st.integers(0, 9)) == 0:  # more parts than Django parses
        fields["tags"] = ["t"] * 1001
    if draw(st.booleans()):
        name = draw(text()).encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        fields["file"] = SimpleUploadedFile(name or "f.png", png_bytes())
    return encode_multipart(BOUNDARY, fields), MULTIPART_CONTENT
