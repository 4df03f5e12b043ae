"""Record values over HTTP: tables of valid and invalid values per field type and validator.

Every case creates one field, ``subject``, on the ``page`` model and sends one record through
``POST /items`` and ``POST /items/validate`` (the ``endpoint`` fixture). Valid values answer the
canonical value (and ``GET /items/:id`` answers the same); invalid ones answer 422 with
``("INVALID_FIELD", "subject", <code>)`` and nothing is written.

Values may reference things made per test (uploads, records, models): they are written with
:class:`Ref` markers and filled in by :meth:`Content.fill`, which makes each on first use.
A block created from the payload is expected as :class:`Created`: its id in the answer, the block
itself (model and attributes) in ``included``.
"""

import pytest

from cms.ids import is_valid_id, new_id
from items.models import Item
from tests.conftest import create_upload, error_codes, jpeg_bytes, png_bytes

pytestmark = pytest.mark.django_db

FORMAT = "INVALID_FORMAT"
UPLOAD_NOT_FOUND = "VALIDATION_UPLOAD_NOT_FOUND"
RECORD_NOT_FOUND = "VALIDATION_LINKED_RECORD_NOT_FOUND"
BLOCK_NOT_FOUND = "VALIDATION_BLOCK_NOT_FOUND"


class Ref:
    """Something made per test, by name: a model id, a record id, an upload id."""

    def __init__(self, name: str):
        self.name = name

    def __repr__(self):
        return f"Ref({self.name})"


class Created:
    """Expected in an answer: the id of a block created from the payload."""

    def __init__(self, model: Ref, **attributes):
        self.model, self.attributes = model, attributes

    def __repr__(self):
        return f"Created({self.model.name}, {self.attributes})"


# Models.
PAGE_MODEL, AUTHOR_MODEL, CATEGORY_MODEL = Ref("page"), Ref("author"), Ref("category")
SECTION, QUOTE = Ref("section"), Ref("quote")  # block models
# Records, blocks and uploads, made on first use.
AUTHOR, AUTHOR_2, CATEGORY = Ref("author_record"), Ref("author_record_2"), Ref("category_record")
BLOCK_ID = Ref("block_id")  # the id of a block inside a category record
PNG = Ref("png")  # 3x2 image/png, a few hundred bytes
JPEG = Ref("jpeg")  # 8x4 image/jpeg
PDF = Ref("pdf")  # a small document
BIG_PDF = Ref("big_pdf")  # a 3 KB document
PNG_WITH_ALT = Ref("png_with_alt")  # default_field_metadata.en = {alt, title}
MISSING = Ref("missing")  # a well-formed id nothing has

OMIT = object()  # the attribute is not sent at all


def section(heading="Hi") -> dict:
    """A new block of the allowed block model (its ``heading`` is required)."""
    return {
        "type": "item",
        "attributes": {"heading": heading},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": SECTION}}},
    }


def quote(text="Q") -> dict:
    """A new block of a block model no field allows."""
    return {
        "type": "item",
        "attributes": {"text": text},
        "relationships": {"item_type": {"data": {"type": "item_type", "id": QUOTE}}},
    }


def dast(*children) -> dict:
    return {"schema": "dast", "document": {"type": "root", "children": list(children)}}


def span(value="text", *marks) -> dict:
    node = {"type": "span", "value": value}
    if marks:
        node["marks"] = list(marks)
    return node


def paragraph(*children) -> dict:
    return {"type": "paragraph", "children": list(children) or [span()]}


def heading(level, *children) -> dict:
    return {"type": "heading", "level": level, "children": list(children) or [span()]}


def item_link(item) -> dict:
    return {"type": "itemLink", "item": item, "children": [span("see")]}


def inline_item(item) -> dict:
    return {"type": "inlineItem", "item": item}


def block_node(item) -> dict:
    return {"type": "block", "item": item}


def inline_block(item) -> dict:
    return {"type": "inlineBlock", "item": item}


def file(upload, **metadata) -> dict:
    return {"upload_id": upload, **metadata}


def file_answer(upload) -> dict:
    return {"upload_id": upload, "alt": None, "title": None, "custom_data": {}, "focal_point": None}


FILE_FULL = {
    "upload_id": PNG,
    "alt": "A red dot",
    "title": "Dot",
    "custom_data": {"source": "camera"},
    "focal_point": {"x": 0.5, "y": 0.25},
}
SEO_EMPTY = {
    "title": None,
    "description": None,
    "image": None,
    "twitter_card": None,
    "no_index": None,
}
SEO_FULL = {
    "title": "Title",
    "description": "About",
    "image": PNG,
    "twitter_card": "summary_large_image",
    "no_index": True,
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
VIDEO_NO_TITLE = {k: v for k, v in VIDEO.items() if k != "title"}
VIDEO_NO_URL = {k: v for k, v in VIDEO.items() if k != "url"}

EVERY_NODE = dast(
    heading(1, span("Title")),
    heading(6, span("Small")),
    paragraph(
        span("plain"),
        span("all marks", "strong", "code", "emphasis", "underline", "strikethrough", "highlight"),
        {
            "type": "link",
            "url": "https://example.com",
            "meta": [{"id": "target", "value": "_blank"}],
            "children": [span("a link", "strong")],
        },
        item_link(AUTHOR),
        inline_item(AUTHOR_2),
    ),
    {
        "type": "list",
        "style": "bulleted",
        "children": [
            {"type": "listItem", "children": [paragraph(span("one"))]},
            {
                "type": "listItem",
                "children": [
                    paragraph(span("two")),
                    {
                        "type": "list",
                        "style": "numbered",
                        "children": [{"type": "listItem", "children": [paragraph()]}],
                    },
                ],
            },
        ],
    },
    {"type": "blockquote", "attribution": "Someone", "children": [paragraph(span("wise"))]},
    {"type": "code", "code": "print('hi')", "language": "python"},
    {"type": "thematicBreak"},
)

# field type -> [(raw value, answered value)]
VALID = {
    "string": [("Hello", "Hello"), ("", ""), ("ünï ✓ 漢字", "ünï ✓ 漢字"), (None, None)],
    "text": [("# Title\n\nA *paragraph*.", "# Title\n\nA *paragraph*."), (None, None)],
    "slug": [("my-first-post", "my-first-post"), (None, None)],
    "boolean": [(True, True), (False, False), (None, None)],
    "integer": [(0, 0), (-42, -42), (2**63 - 1, 2**63 - 1), (7.0, 7), (None, None)],
    "float": [
        (1.5, 1.5),
        (-0.001, -0.001),
        (3, 3),
        (1.25e-5, 1.25e-5),
        (123456.789, 123456.789),
        (None, None),
    ],
    "date": [("2018-11-24", "2018-11-24"), ("2024-02-29", "2024-02-29"), (None, None)],
    "date_time": [
        ("2018-11-24T10:00:00Z", "2018-11-24T10:00:00.000+00:00"),
        ("2018-11-24T10:00:00.123456Z", "2018-11-24T10:00:00.123+00:00"),
        ("2018-11-24T10:00:00+00:00", "2018-11-24T10:00:00.000+00:00"),
        ("2018-11-24T12:00:00+02:00", "2018-11-24T10:00:00.000+00:00"),  # kept in UTC
        ("2018-11-24T05:30:00-04:30", "2018-11-24T10:00:00.000+00:00"),
        ("2018-11-24T10:00:00", "2018-11-24T10:00:00.000+00:00"),  # no offset: UTC
        ("2018-11-24T10:00", "2018-11-24T10:00:00.000+00:00"),
        (None, None),
    ],
    "color": [
        ({"red": 255, "green": 0, "blue": 10}, {"red": 255, "green": 0, "blue": 10, "alpha": 255}),
        (
            {"red": 0, "green": 0, "blue": 0, "alpha": 0},
            {"red": 0, "green": 0, "blue": 0, "alpha": 0},
        ),
        (None, None),
    ],
    "json": [
        ('{"a": [1, 2, null]}', '{"a": [1, 2, null]}'),
        ("[]", "[]"),
        ('"text"', '"text"'),
        ("42", "42"),
        (None, None),
    ],
    "lat_lon": [
        ({"latitude": 45.07, "longitude": 7.69}, {"latitude": 45.07, "longitude": 7.69}),
        ({"latitude": -90, "longitude": 180}, {"latitude": -90, "longitude": 180}),
        (None, None),
    ],
    "seo": [
        ({"title": "Only a title"}, {**SEO_EMPTY, "title": "Only a title"}),
        (SEO_FULL, SEO_FULL),
        ({}, SEO_EMPTY),
        (None, None),
    ],
    "video": [(VIDEO, VIDEO), (VIDEO_NO_TITLE, {**VIDEO, "title": None}), (None, None)],
    "file": [(file(PNG), file_answer(PNG)), (FILE_FULL, FILE_FULL), (None, None)],
    "gallery": [
        ([file(PNG), file(JPEG, alt="x")], [file_answer(PNG), {**file_answer(JPEG), "alt": "x"}]),
        ([FILE_FULL], [FILE_FULL]),
        ([], []),
        (None, []),  # list fields answer an empty list for null
    ],
    "link": [(AUTHOR, AUTHOR), (None, None)],
    "links": [([AUTHOR, AUTHOR_2], [AUTHOR, AUTHOR_2]), ([], []), (None, [])],
    "rich_text": [
        (
            [section("One"), section("Two")],
            [Created(SECTION, heading="One"), Created(SECTION, heading="Two")],
        ),
        ([], []),
        (None, []),
    ],
    "single_block": [(section("Only"), Created(SECTION, heading="Only")), (None, None)],
    "structured_text": [
        (dast(paragraph(span("Hello"))), dast(paragraph(span("Hello")))),
        (EVERY_NODE, EVERY_NODE),
        (dast(heading(3, item_link(AUTHOR))), dast(heading(3, item_link(AUTHOR)))),
        (
            dast(paragraph(), block_node(section("Inside")), paragraph()),
            dast(paragraph(), block_node(Created(SECTION, heading="Inside")), paragraph()),
        ),
        (dast(), dast()),
        (None, None),
    ],
}
# field type -> [(raw value, details.code)]; the first case of each is a plain format error.
INVALID = {
    "string": [
        (42, FORMAT),
        (True, FORMAT),
        (["a"], FORMAT),
        ({"title": "x"}, FORMAT),
        ({"en": "x"}, "INVALID_LOCALES"),  # the field is not localized
    ],
    "text": [(1, FORMAT), (["a"], FORMAT)],
    "slug": [(3, FORMAT), (False, FORMAT)],
    "boolean": [("true", FORMAT), (0, FORMAT), (1, FORMAT), ([], FORMAT)],
    "integer": [
        (1.5, FORMAT),
        ("1", FORMAT),
        (True, FORMAT),
        (2**63, FORMAT),
        (-(2**63) - 1, FORMAT),
    ],
    "float": [("1.5", FORMAT), (False, FORMAT), (2**1100, FORMAT), ([1.0], FORMAT)],
    "date": [
        ("2018-13-01", FORMAT),
        ("2018-02-30", FORMAT),
        ("24/11/2018", FORMAT),
        ("2018-11-24T10:00:00Z", FORMAT),
        (20181124, FORMAT),
    ],
    "date_time": [
        ("2018-11-24", FORMAT),
        ("yesterday at noon", FORMAT),
        ("2018-11-24T25:00:00Z", FORMAT),
        (1543053600, FORMAT),
    ],
    "color": [
        ({"red": 256, "green": 0, "blue": 0}, FORMAT),
        ({"red": -1, "green": 0, "blue": 0}, FORMAT),
        ({"red": 0, "green": 0}, FORMAT),
        ({"red": 0, "green": 0, "blue": 0, "hue": 1}, FORMAT),
        ({"red": 0.5, "green": 0, "blue": 0}, FORMAT),
        ({"red": True, "green": 0, "blue": 0}, FORMAT),
        ("#ff0000", FORMAT),
    ],
    "json": [("{not json}", FORMAT), ({"a": 1}, FORMAT), ("NaN", FORMAT), (42, FORMAT)],
    "lat_lon": [
        ({"latitude": 91, "longitude": 0}, FORMAT),
        ({"latitude": 0, "longitude": 181}, FORMAT),
        ({"latitude": 0}, FORMAT),
        ({"latitude": "45", "longitude": "7"}, FORMAT),
        ({"lat": 1, "lng": 2}, FORMAT),
    ],
    "seo": [
        ({"twitter_card": "large"}, FORMAT),
        ({"title": 1}, FORMAT),
        ({"image": 5}, FORMAT),
        ({"no_index": "yes"}, FORMAT),
        ({"keywords": "x"}, FORMAT),
        ("title", FORMAT),
        ({"image": MISSING}, UPLOAD_NOT_FOUND),
    ],
    "video": [
        ({**VIDEO, "provider": "dailymotion"}, FORMAT),
        (VIDEO_NO_URL, FORMAT),
        ({**VIDEO, "width": -1}, FORMAT),
        ({**VIDEO, "height": "360"}, FORMAT),
        ("https://youtu.be/dQw4w9WgXcQ", FORMAT),
    ],
    "file": [
        (PNG, FORMAT),  # the upload id alone, not a file object
        ({}, FORMAT),
        (file(PNG, focal_point={"x": 2, "y": 0}), FORMAT),
        (file(PNG, alt=1), FORMAT),
        (file(PNG, custom_data={"k": 1}), FORMAT),
        (file(PNG, size=1), FORMAT),
        (file(MISSING), UPLOAD_NOT_FOUND),
        (file("not-an-upload"), UPLOAD_NOT_FOUND),
    ],
    "gallery": [
        (file(PNG), FORMAT),
        ([PNG], FORMAT),
        ([file(PNG), file(MISSING)], UPLOAD_NOT_FOUND),
    ],
    "link": [
        ("not-an-id", FORMAT),
        (42, FORMAT),
        ([AUTHOR], FORMAT),
        (MISSING, RECORD_NOT_FOUND),
        (BLOCK_ID, RECORD_NOT_FOUND),  # links point at records, never at blocks
        (CATEGORY, "VALIDATION_ITEM_ITEM_TYPE"),
    ],
    "links": [
        (AUTHOR, FORMAT),
        (["not-an-id"], FORMAT),
        ([AUTHOR, AUTHOR], FORMAT),
        ([MISSING], RECORD_NOT_FOUND),
        ([AUTHOR, CATEGORY], "VALIDATION_ITEMS_ITEM_TYPE"),
    ],
    "rich_text": [
        ("text", FORMAT),
        ([42], FORMAT),
        ([{"type": "upload"}], FORMAT),
        ([section(), quote()], "VALIDATION_RICH_TEXT_BLOCKS"),
        (
            [{**section(), "relationships": {"item_type": {"data": {"id": AUTHOR_MODEL}}}}],
            "VALIDATION_RICH_TEXT_BLOCKS",  # a record model is not a block model
        ),
        ([MISSING], BLOCK_NOT_FOUND),  # a new record has no blocks to keep
        ([section(heading=None)], "VALIDATION_REQUIRED"),  # the block's own field
        ([section(heading=5)], FORMAT),
    ],
    "single_block": [
        (42, FORMAT),
        ([section()], FORMAT),
        (quote(), "VALIDATION_SINGLE_BLOCK_BLOCKS"),
        (section(heading=None), "VALIDATION_REQUIRED"),
    ],
    "structured_text": [
        ("<p>html</p>", FORMAT),
        ({"schema": "html", "document": dast()["document"]}, FORMAT),
        ({"document": dast()["document"]}, FORMAT),
        ({**dast(), "extra": 1}, FORMAT),
        ({"schema": "dast", "document": {"type": "paragraph", "children": []}}, FORMAT),
        (dast({"type": "video", "url": "https://x.io"}), FORMAT),  # unknown node
        (dast(heading(7)), FORMAT),
        (dast(heading(0)), FORMAT),
        (dast(paragraph({"type": "span"})), FORMAT),  # span without value
        (dast(paragraph({"type": "span", "value": 5})), FORMAT),
        (dast({"type": "listItem", "children": [paragraph()]}), FORMAT),  # not under a list
        (dast({"type": "list", "style": "dotted", "children": []}), FORMAT),
        (dast(span("bare")), FORMAT),  # inline node directly under root
        (dast({"type": "paragraph", "children": []}), FORMAT),
        (dast(paragraph({"type": "link", "children": [span()]})), FORMAT),  # link without url
        (dast({"type": "thematicBreak", "children": []}), FORMAT),
        (dast({"type": "blockquote", "children": [heading(1)]}), FORMAT),
        (dast({"type": "code"}), FORMAT),
        (dast(paragraph(span("x", "bold"))), "VALIDATION_STRUCTURED_TEXT_MARK"),
        (dast(block_node(quote())), "VALIDATION_STRUCTURED_TEXT_BLOCKS"),
        (dast(block_node(MISSING)), BLOCK_NOT_FOUND),
        (dast(block_node(section(heading=None))), "VALIDATION_REQUIRED"),
        (dast(paragraph(inline_block(section()))), "VALIDATION_STRUCTURED_TEXT_INLINE_BLOCKS"),
        (dast(paragraph(item_link(CATEGORY))), "VALIDATION_STRUCTURED_TEXT_LINKS"),
        (dast(paragraph(inline_item(CATEGORY))), "VALIDATION_STRUCTURED_TEXT_LINKS"),
        (dast(paragraph(inline_item(MISSING))), RECORD_NOT_FOUND),
        (dast(paragraph(item_link("not-an-id"))), FORMAT),
    ],
}

# Mandatory validators, valid, so a case can test the value or one other validator.
MANDATORY = {
    "link": {"item_item_type": {"item_types": [AUTHOR_MODEL]}},
    "links": {"items_item_type": {"item_types": [AUTHOR_MODEL]}},
    "rich_text": {"rich_text_blocks": {"item_types": [SECTION]}},
    "single_block": {"single_block_blocks": {"item_types": [SECTION]}},
    "structured_text": {
        "structured_text_blocks": {"item_types": [SECTION]},
        "structured_text_links": {"item_types": [AUTHOR_MODEL]},
    },
}


class Content:
    """The schema every case runs against, and the things values reference, made on demand."""

    def __init__(self, api):
        self.api = api
        self.made: dict[str, str] = {"missing": new_id()}
        for api_key in ("author", "category", "page"):
            self.made[api_key] = api.create_item_type(api_key)["id"]
        for api_key in ("section", "quote"):
            self.made[api_key] = api.create_item_type(api_key, modular_block=True)["id"]
        api.create_field(self.made["section"], "heading", "string", validators={"required": {}})
        api.create_field(self.made["quote"], "text", "string")
        api.create_field(
            self.made["category"],
            "sections",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.made["section"]]}},
        )

    def __getitem__(self, ref: Ref) -> str:
        if ref.name not in self.made:
            self.made[ref.name] = getattr(self, f"_make_{ref.name}")()
        return self.made[ref.name]

    def fill(self, value):
        """Replace every :class:`Ref`, at any depth, with what it names."""
        if isinstance(value, Ref):
            return self[value]
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        return value

    # --- what values reference ---------------------------------------------------------

    def _record(self, model: Ref, attributes=None) -> dict:
        response = self.post("/items", attributes or {}, model=model)
        assert response.status_code == 201, response.body
        return response.body

    def _make_author_record(self):
        return self._record(AUTHOR_MODEL)["data"]["id"]

    _make_author_record_2 = _make_author_record

    def _make_category_record(self):
        return self._record(CATEGORY_MODEL)["data"]["id"]

    def _make_block_id(self):
        body = self._record(CATEGORY_MODEL, {"sections": self.fill([section()])})
        return body["data"]["attributes"]["sections"][0]

    def _upload(self, content: bytes, filename: str, **attributes) -> str:
        return create_upload(self.api, content, filename, **attributes)["id"]

    def _make_png(self):
        return self._upload(png_bytes(3, 2), "dot.png")

    def _make_jpeg(self):
        return self._upload(jpeg_bytes(8, 4), "photo.jpg")

    def _make_pdf(self):
        return self._upload(b"%PDF-1.4 small", "small.pdf")

    def _make_big_pdf(self):
        return self._upload(b"%PDF-1.4 " + b"x" * 3000, "big.pdf")

    def _make_png_with_alt(self):
        metadata = {"en": {"alt": "A red dot", "title": "Dot"}}
        return self._upload(png_bytes(3, 2), "alt.png", default_field_metadata=metadata)

    # --- the field under test and the record ------------------------------------------

    def subject(self, field_type: str, validators=None, **attributes) -> dict:
        """The field under test: ``subject`` on ``page``, with the mandatory validators."""
        validators = {**MANDATORY.get(field_type, {}), **(validators or {})}
        return self.api.create_field(
            self.made["page"], "subject", field_type, validators=self.fill(validators), **attributes
        )

    def post(self, endpoint: str, attributes: dict, model: Ref = PAGE_MODEL):
        return self.send(endpoint, attributes, model)[0]

    def send(self, endpoint: str, attributes: dict, model: Ref = PAGE_MODEL):
        """The answer, and how many items there were once every reference was made."""
        body = {
            "data": {
                "type": "item",
                "attributes": attributes,
                "relationships": {"item_type": {"data": {"type": "item_type", "id": model}}},
            }
        }
        body = self.fill(body)
        before = Item.objects.count()
        return self.api.post(endpoint, body), before


@pytest.fixture
def content(api) -> Content:
    return Content(api)


@pytest.fixture(params=["/items", "/items/validate"])
def endpoint(request) -> str:
    return request.param


def matches(expected, actual, created: list) -> bool:
    """Deep equality, types included (no True for 1); a :class:`Created` matches a block id,
    and is collected with it in ``created``."""
    if isinstance(expected, Created):
        created.append((expected, actual))
        return is_valid_id(actual)
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(matches(value, actual[key], created) for key, value in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(matches(e, a, created) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


def assert_accepted(content: Content, endpoint: str, response, before: int, expected=OMIT):
    """201 (or 200 from validate), the value answered as ``expected``, new blocks in
    ``included``; written (and read back the same) only by ``POST /items``."""
    if endpoint == "/items":
        assert response.status_code == 201, response.body
    else:
        assert response.status_code == 200, response.body
    data = response.body["data"]
    created: list = []
    if expected is not OMIT:
        answered = data["attributes"]["subject"]
        expected = content.fill(expected)
        assert matches(expected, answered, created), f"answered {answered!r}"
    included = {r["id"]: r for r in response.body["included"] if r["type"] == "item"}
    if expected is not OMIT:
        assert set(included) == {block_id for _, block_id in created}
        for marker, block_id in created:
            block = included[block_id]
            assert block["relationships"]["item_type"]["data"]["id"] == content[marker.model]
            assert block["attributes"] == marker.attributes
    if endpoint == "/items":
        assert Item.objects.count() == before + 1 + len(included)
        stored = content.api.get(f"/items/{data['id']}")
        assert stored.body["data"]["attributes"] == data["attributes"]
    else:
        assert Item.objects.count() == before


def assert_refused(response, before: int, *expected_codes, field="subject"):
    """422 with one INVALID_FIELD per expected code, and nothing written."""
    assert response.status_code == 422, response.body
    assert error_codes(response) == [("INVALID_FIELD", field, code) for code in expected_codes]
    assert Item.objects.count() == before


def _cases(table: dict) -> list:
    return [
        pytest.param(field_type, *case, id=f"{field_type}-{index}")
        for field_type, cases in table.items()
        for index, case in enumerate(cases)
    ]


# --- 1. field types -------------------------------------------------------------------


def test_every_field_type_has_tables():
    from item_types.field_types import FIELD_TYPES

    assert set(VALID) == set(FIELD_TYPES) == set(INVALID)
    assert all(VALID[t][-1][0] is None for t in VALID)  # any value may be null


@pytest.mark.parametrize(("field_type", "raw", "expected"), _cases(VALID))
def test_valid_value(content, endpoint, field_type, raw, expected):
    content.subject(field_type)
    response, before = content.send(endpoint, {"subject": raw})
    assert_accepted(content, endpoint, response, before, expected)


@pytest.mark.parametrize(("field_type", "raw", "code"), _cases(INVALID))
def test_invalid_value(content, endpoint, field_type, raw, code):
    content.subject(field_type)
    response, before = content.send(endpoint, {"subject": raw})
    assert_refused(response, before, code)
    assert "locale" not in response.body["data"][0]["attributes"]["details"]


@pytest.mark.parametrize("field_type", list(VALID))
def test_an_omitted_field_is_null(content, endpoint, field_type):
    content.subject(field_type)
    response, before = content.send(endpoint, {})
    assert_accepted(content, endpoint, response, before, VALID[field_type][-1][1])


# Structured text: what the field's appearance switches off.
APPEARANCE_CASES = [
    # (appearance parameters, document, None if accepted else details.code)
    ({"marks": ["strong"]}, dast(paragraph(span("x", "strong"))), None),
    ({"marks": ["strong"]}, dast(paragraph(span("x", "emphasis"))), "MARK"),
    ({"marks": []}, dast(paragraph(span("x", "code"))), "MARK"),
    ({"nodes": ["link"]}, dast(paragraph(), heading(2)), "NODE"),
    ({"nodes": ["link"]}, dast({"type": "thematicBreak"}), "NODE"),
    ({"nodes": ["link"]}, dast({"type": "code", "code": "x"}), "NODE"),
    (
        {"nodes": ["heading"]},
        dast(paragraph({"type": "link", "url": "u", "children": [span()]})),
        "NODE",
    ),
    ({"nodes": ["heading"]}, dast(heading(2), paragraph()), None),
    ({"nodes": []}, dast(paragraph(item_link(AUTHOR)), block_node(section())), None),
    ({"heading_levels": [1, 2]}, dast(heading(2)), None),
    ({"heading_levels": [1, 2]}, dast(heading(3)), "NODE"),
]


@pytest.mark.parametrize(("parameters", "document", "code"), APPEARANCE_CASES)
def test_structured_text_follows_the_appearance(content, endpoint, parameters, document, code):
    appearance = {"editor": "structured_text", "parameters": parameters, "addons": []}
    content.subject("structured_text", appearance=appearance)
    response, before = content.send(endpoint, {"subject": document})
    if code is None:
        assert_accepted(content, endpoint, response, before)
        assert response.body["data"]["attributes"]["subject"]["document"]["children"]
    else:
        assert_refused(response, before, f"VALIDATION_STRUCTURED_TEXT_{code}")


# --- 2. validators --------------------------------------------------------------------

VALIDATOR_CASES = [
    # (validator, field type, parameters, a passing value, a failing value)
    ("required", "string", {}, "x", None),
    ("required", "string", {}, "x", ""),
    ("required", "string", {}, "x", OMIT),
    ("required", "text", {}, "x", ""),
    ("required", "slug", {}, "a", None),
    ("required", "integer", {}, 0, None),
    ("required", "float", {}, 0.0, None),
    ("required", "date", {}, "2020-01-01", None),
    ("required", "date_time", {}, "2020-01-01T00:00:00Z", None),
    ("required", "color", {}, {"red": 0, "green": 0, "blue": 0}, None),
    ("required", "json", {}, "{}", None),
    ("required", "lat_lon", {}, {"latitude": 0, "longitude": 0}, None),
    ("required", "video", {}, VIDEO, None),
    ("required", "file", {}, file(PNG), None),
    ("required", "link", {}, AUTHOR, None),
    ("required", "single_block", {}, section(), None),
    ("required", "structured_text", {}, dast(paragraph()), dast()),
    ("required", "structured_text", {}, dast(paragraph()), OMIT),
    ("length", "string", {"min": 2, "max": 4}, "abcd", "a"),
    ("length", "string", {"min": 2, "max": 4}, "ab", "abcde"),
    ("length", "string", {"eq": 3}, "abc", "ab"),
    ("length", "string", {"max": 3}, "äöü", "äöüx"),
    ("length", "text", {"max": 5}, "12345", "123456"),
    ("length", "slug", {"min": 3}, "abc", "ab"),
    ("length", "structured_text", {"max": 5}, dast(paragraph(span("ab"), span("cde"))),
     dast(paragraph(span("abc")), paragraph(span("def")))),
    ("size", "links", {"min": 1}, [AUTHOR], []),
    ("size", "links", {"max": 1}, [AUTHOR], [AUTHOR, AUTHOR_2]),
    ("size", "links", {"multiple_of": 2}, [AUTHOR, AUTHOR_2], [AUTHOR]),
    ("size", "gallery", {"eq": 1}, [file(PNG)], []),
    ("size", "rich_text", {"min": 1, "max": 2}, [section()], []),
    ("size", "rich_text", {"max": 1}, [section()], [section(), section()]),
    ("number_range", "integer", {"min": 1, "max": 10}, 10, 11),
    ("number_range", "integer", {"min": 1, "max": 10}, 1, 0),
    ("number_range", "float", {"min": 0.5}, 0.5, 0.49),
    ("number_range", "float", {"max": -1}, -1.5, -0.5),
    ("date_range", "date", {"min": "2020-01-01"}, "2020-01-01", "2019-12-31"),
    ("date_range", "date", {"max": "2020-12-31"}, "2020-12-31", "2021-01-01"),
    ("date_time_range", "date_time", {"min": "2020-01-01T00:00:00Z"}, "2020-01-01T00:00:00Z",
     "2019-12-31T23:59:59Z"),
    ("date_time_range", "date_time", {"max": "2020-01-01T00:00:00Z"}, "2020-01-01T01:00:00+02:00",
     "2020-01-01T00:00:01Z"),
    ("format", "string", {"predefined_pattern": "email"}, "ann@example.com", "ann@example"),
    ("format", "string", {"predefined_pattern": "email"}, "a.b@c.co", "not an email"),
    ("format", "string", {"predefined_pattern": "url"}, "https://example.com/a?b=1", "example.com"),
    ("format", "string", {"predefined_pattern": "url"}, "http://x.io", "ftp://x.io"),
    ("format", "string", {"custom_pattern": "^[A-Z]{3}$"}, "ABC", "abc"),
    ("format", "text", {"custom_pattern": r"^\d+$"}, "123", "12a"),
    ("enum", "string", {"values": ["draft", "live"]}, "live", "archived"),
    ("enum", "string", {"values": ["draft", "live"]}, "draft", "Draft"),
    ("sanitized_html", "text", {}, "<p>Hi <a href='/x'>there</a></p>", "<script>alert(1)</script>"),
    ("sanitized_html", "text", {}, "<img src='x.png'>", "<img src=x onerror='alert(1)'>"),
    ("extension", "file", {"extensions": ["png"]}, file(PNG), file(JPEG)),
    ("extension", "file", {"predefined_list": "image"}, file(JPEG), file(PDF)),
    ("extension", "file", {"predefined_list": "document"}, file(PDF), file(PNG)),
    ("extension", "gallery", {"extensions": ["jpg"]}, [file(JPEG)], [file(JPEG), file(PNG)]),
    ("file_size", "file", {"max_value": 1, "max_unit": "KB"}, file(PNG), file(BIG_PDF)),
    ("file_size", "file", {"min_value": 1, "min_unit": "KB"}, file(BIG_PDF), file(PNG)),
    ("file_size", "gallery", {"max_value": 2, "max_unit": "KB"}, [file(PNG)], [file(BIG_PDF)]),
    ("file_size", "seo", {"max_value": 1, "max_unit": "KB"}, {"image": PNG}, {"image": BIG_PDF}),
    ("image_dimensions", "file", {"width_max_value": 4}, file(PNG), file(JPEG)),
    ("image_dimensions", "file", {"height_min_value": 3}, file(JPEG), file(PNG)),
    ("image_dimensions", "file", {"width_min_value": 1}, file(PNG), file(PDF)),
    ("image_dimensions", "gallery", {"width_max_value": 4}, [file(PNG)], [file(PNG), file(JPEG)]),
    ("image_dimensions", "seo", {"width_max_value": 4}, {"image": PNG}, {"image": JPEG}),
    ("image_aspect_ratio", "file", {"eq_ar_numerator": 3, "eq_ar_denominator": 2}, file(PNG),
     file(JPEG)),
    ("image_aspect_ratio", "file", {"min_ar_numerator": 2, "min_ar_denominator": 1}, file(JPEG),
     file(PNG)),
    ("image_aspect_ratio", "gallery", {"max_ar_numerator": 3, "max_ar_denominator": 2},
     [file(PNG)], [file(JPEG)]),
    ("image_aspect_ratio", "seo", {"eq_ar_numerator": 2, "eq_ar_denominator": 1}, {"image": JPEG},
     {"image": PNG}),
    ("required_alt_title", "file", {"alt": True}, file(PNG, alt="A dot"), file(PNG)),
    ("required_alt_title", "file", {"alt": True}, file(PNG, alt="A dot"), file(PNG, alt="")),
    ("required_alt_title", "file", {"title": True}, file(PNG, title="T"), file(PNG, alt="A")),
    ("required_alt_title", "file", {"alt": True, "title": True}, file(PNG_WITH_ALT), file(PNG)),
    ("required_alt_title", "gallery", {"alt": True}, [file(PNG_WITH_ALT)],
     [file(PNG_WITH_ALT), file(PNG)]),
    ("required_seo_fields", "seo", {"title": True, "description": True},
     {"title": "T", "description": "D"}, {"title": "T"}),
    ("required_seo_fields", "seo", {"image": True}, {"image": PNG}, {"title": "T"}),
    ("required_seo_fields", "seo", {"twitter_card": True}, {"twitter_card": "summary"}, {}),
    ("title_length", "seo", {"max": 5}, {"title": "abcde"}, {"title": "abcdef"}),
    ("title_length", "seo", {"min": 3}, {"title": "abc"}, {"title": "ab"}),
    ("description_length", "seo", {"max": 10}, {"description": "short"}, {"description": "x" * 11}),
    ("description_length", "seo", {"min": 2}, {"description": "ok"}, {"description": "x"}),
    ("slug_format", "slug", {"predefined_pattern": "webpage_slug"}, "my-page-2", "My Page"),
    ("slug_format", "slug", {"predefined_pattern": "webpage_slug"}, "a_b", "-leading"),
    ("slug_format", "slug", {"custom_pattern": r"^p-\d+$"}, "p-12", "q-12"),
    ("item_item_type", "link", {"item_types": [AUTHOR_MODEL]}, AUTHOR, CATEGORY),
    ("item_item_type", "link", {"item_types": [CATEGORY_MODEL]}, CATEGORY, AUTHOR),
    ("items_item_type", "links", {"item_types": [AUTHOR_MODEL]}, [AUTHOR, AUTHOR_2],
     [AUTHOR, CATEGORY]),
    ("rich_text_blocks", "rich_text", {"item_types": [SECTION]}, [section()],
     [section(), quote()]),
    ("rich_text_blocks", "rich_text", {"item_types": [SECTION, QUOTE]}, [section(), quote()],
     [{**quote(), "relationships": {"item_type": {"data": {"id": MISSING}}}}]),
    ("single_block_blocks", "single_block", {"item_types": [SECTION]}, section(), quote()),
    ("structured_text_blocks", "structured_text", {"item_types": [SECTION]},
     dast(block_node(section())), dast(block_node(quote()))),
    ("structured_text_blocks", "structured_text", {"item_types": []}, dast(paragraph()),
     dast(block_node(section()))),
    ("structured_text_inline_blocks", "structured_text", {"item_types": [SECTION]},
     dast(paragraph(inline_block(section()))), dast(paragraph(inline_block(quote())))),
    ("structured_text_links", "structured_text", {"item_types": [AUTHOR_MODEL]},
     dast(paragraph(item_link(AUTHOR), inline_item(AUTHOR_2))),
     dast(paragraph(item_link(CATEGORY)))),
    ("structured_text_links", "structured_text", {"item_types": [CATEGORY_MODEL]},
     dast(paragraph(inline_item(CATEGORY))), dast(paragraph(inline_item(AUTHOR)))),
]  # fmt: skip


def _validator_cases() -> list:
    counts: dict[str, int] = {}
    params = []
    for case in VALIDATOR_CASES:
        index = counts[case[0]] = counts.get(case[0], -1) + 1
        params.append(pytest.param(*case, id=f"{case[0]}-{case[1]}-{index}"))
    return params


def _attributes(value) -> dict:
    return {} if value is OMIT else {"subject": value}


@pytest.mark.parametrize(("name", "field_type", "params", "good", "bad"), _validator_cases())
def test_validator_passes(content, endpoint, name, field_type, params, good, bad):
    content.subject(field_type, {name: params})
    response, before = content.send(endpoint, _attributes(good))
    assert_accepted(content, endpoint, response, before)


# Edge cases a validator must refuse: "$" would match before a final newline, and an
# event handler may follow "/" rather than a space.
EDGE_CASES = [
    ("slug_format", "slug", {"predefined_pattern": "webpage_slug"}, "my-page\n"),
    ("format", "string", {"predefined_pattern": "email"}, "ann@example.com\n"),
    ("format", "string", {"predefined_pattern": "url"}, "https://example.com\n"),
    ("sanitized_html", "text", {}, "<svg/onload=alert(1)>"),
]


def _failing_cases() -> list:
    edges = [
        pytest.param(
            name,
            field_type,
            params,
            None,
            bad,
            id=f"{name}-{field_type}-edge{index}",
        )
        for index, (name, field_type, params, bad) in enumerate(EDGE_CASES)
    ]
    return _validator_cases() + edges


@pytest.mark.parametrize(("name", "field_type", "params", "good", "bad"), _failing_cases())
def test_validator_fails(content, endpoint, name, field_type, params, good, bad):
    content.subject(field_type, {name: params})
    response, before = content.send(endpoint, _attributes(bad))
    assert_refused(response, before, f"VALIDATION_{name.upper()}")


# A format error names the pattern the value missed; a slug_format error names none.
PATTERN_DETAILS = [
    # (validator, field type, params, a refused value, what details add to the code)
    ("format", "string", {"predefined_pattern": "email"}, "ann@example",
     {"predefined_pattern": "email"}),
    ("format", "string", {"custom_pattern": "^a$"}, "b", {"custom_pattern": "^a$"}),
    ("slug_format", "slug", {"predefined_pattern": "webpage_slug"}, "-x", {}),
    ("slug_format", "slug", {"custom_pattern": "^p-[0-9]+$"}, "q-1", {}),
]  # fmt: skip


@pytest.mark.parametrize(("name", "field_type", "params", "bad", "named"), PATTERN_DETAILS)
def test_pattern_errors_name_the_pattern(content, name, field_type, params, bad, named):
    content.subject(field_type, {name: params})
    response, before = content.send("/items", {"subject": bad})
    assert_refused(response, before, f"VALIDATION_{name.upper()}")
    details = response.body["data"][0]["attributes"]["details"]
    assert {k: v for k, v in details.items() if k not in ("field", "code")} == named


def test_every_validator_has_cases():
    from item_types.validators import VALIDATORS

    tested = {case[0] for case in VALIDATOR_CASES} | {"unique"}
    # slug_title_field only names a field: it puts no rule on a value.
    assert tested == set(VALIDATORS) - {"slug_title_field"}


# unique: a second record with the same value.
UNIQUE_CASES = [
    # (field type, a value, another value)
    ("string", "Same", "Other"),
    ("slug", "same-slug", "other-slug"),
    ("link", AUTHOR, AUTHOR_2),
]


@pytest.mark.parametrize(("field_type", "value", "other"), UNIQUE_CASES)
def test_unique(content, field_type, value, other):
    content.subject(field_type, {"unique": {}})
    first = content.post("/items", {"subject": value})
    assert first.status_code == 201, first.body
    for endpoint in ("/items", "/items/validate"):
        response, before = content.send(endpoint, {"subject": value})
        assert_refused(response, before, "VALIDATION_UNIQUENESS")
    response, before = content.send("/items", {"subject": other})
    assert_accepted(content, "/items", response, before, other)


def test_unique_ignores_null(content):
    content.subject("string", {"unique": {}})
    for _ in range(2):
        assert content.post("/items", {"subject": None}).status_code == 201
        assert content.post("/items", {}).status_code == 201


def test_unique_is_per_locale(content, two_locales):
    content.subject("string", {"unique": {}}, localized=True)
    assert content.post("/items", {"subject": {"en": "Cat", "it": "Gatto"}}).status_code == 201
    # The same values, each in the other locale: fine.
    swapped = content.post("/items", {"subject": {"en": "Gatto", "it": "Cat"}})
    assert swapped.status_code == 201, swapped.body
    # The same value in the same locale as the first record: refused, for that locale only.
    for endpoint in ("/items", "/items/validate"):
        response, before = content.send(endpoint, {"subject": {"en": "Cat", "it": "Micio"}})
        assert_refused(response, before, "VALIDATION_UNIQUENESS")
        assert response.body["data"][0]["attributes"]["details"]["locale"] == "en"


# --- localized values -----------------------------------------------------------------


def _first_non_null(cases):
    return next(case for case in cases if case[0] is not None)


@pytest.mark.parametrize("field_type", list(VALID))
def test_localized_value(content, endpoint, two_locales, field_type):
    raw, expected = _first_non_null(VALID[field_type])
    empty = VALID[field_type][-1][1]
    content.subject(field_type, localized=True)
    response, before = content.send(endpoint, {"subject": {"en": raw, "it": None}})
    assert_accepted(content, endpoint, response, before, {"en": expected, "it": empty})


@pytest.mark.parametrize("field_type", list(INVALID))
def test_localized_invalid_value_names_its_locale(content, endpoint, two_locales, field_type):
    raw, _ = _first_non_null(VALID[field_type])
    bad, code = INVALID[field_type][0]
    content.subject(field_type, localized=True)
    response, before = content.send(endpoint, {"subject": {"en": raw, "it": bad}})
    assert_refused(response, before, code)
    assert response.body["data"][0]["attributes"]["details"]["locale"] == "it"


# --- error details: where inside a value ----------------------------------------------

PATH_CASES = [
    # (field type, value, [(details.code, details.path)])
    ("gallery", [file(PNG), file(MISSING)], [(UPLOAD_NOT_FOUND, ["subject", 1])]),
    ("gallery", [file(MISSING), file(MISSING)],
     [(UPLOAD_NOT_FOUND, ["subject", 0]), (UPLOAD_NOT_FOUND, ["subject", 1])]),
    ("links", [AUTHOR, MISSING, CATEGORY],
     [(RECORD_NOT_FOUND, ["subject", 1]), ("VALIDATION_ITEMS_ITEM_TYPE", ["subject", 2])]),
    ("rich_text", [section(), section(None)], [("VALIDATION_REQUIRED", ["subject", 1, "heading"])]),
    ("rich_text", [section(), quote()], [("VALIDATION_RICH_TEXT_BLOCKS", ["subject", 1])]),
    ("single_block", section(None), [("VALIDATION_REQUIRED", ["subject", "heading"])]),
    ("seo", {"image": MISSING}, [(UPLOAD_NOT_FOUND, ["subject", "image"])]),
]  # fmt: skip


@pytest.mark.parametrize(("field_type", "value", "expected"), PATH_CASES)
def test_errors_say_where_inside_the_value(content, endpoint, field_type, value, expected):
    content.subject(field_type)
    response, before = content.send(endpoint, {"subject": value})
    assert_refused(response, before, *(code for code, _ in expected))
    details = [error["attributes"]["details"] for error in response.body["data"]]
    assert [(d["code"], d.get("path")) for d in details] == expected


def test_error_path_in_a_localized_block(content, two_locales):
    content.subject("rich_text", localized=True)
    attributes = {"subject": {"en": [section()], "it": [section(None)]}}
    response, before = content.send("/items", attributes)
    assert_refused(response, before, "VALIDATION_REQUIRED")
    details = response.body["data"][0]["attributes"]["details"]
    assert (details["locale"], details["path"]) == ("it", ["subject", "it", 0, "heading"])


# --- 3. every error at once -------------------------------------------------------------

MANY_FIELDS = [
    # (api_key, field type, validators, a valid value, an invalid value, details.code)
    ("title", "string", {"required": {}}, "Hello", None, "VALIDATION_REQUIRED"),
    ("code", "string", {"format": {"custom_pattern": "^[A-Z]+$"}}, "ABC", "abc",
     "VALIDATION_FORMAT"),
    ("count", "integer", {}, 3, "3", FORMAT),
    ("rating", "float", {"number_range": {"max": 5}}, 4.5, 5.5, "VALIDATION_NUMBER_RANGE"),
    ("day", "date", {}, "2018-02-28", "2018-02-30", FORMAT),
    ("tint", "color", {}, {"red": 1, "green": 2, "blue": 3}, {"red": 300, "green": 2, "blue": 3},
     FORMAT),
    ("writer", "link", {"item_item_type": {"item_types": [AUTHOR_MODEL]}}, AUTHOR, MISSING,
     RECORD_NOT_FOUND),
    ("cover", "file", {}, file(PNG), file(MISSING), UPLOAD_NOT_FOUND),
    ("thumb", "file", {"image_dimensions": {"width_max_value": 4}}, file(PNG), file(JPEG),
     "VALIDATION_IMAGE_DIMENSIONS"),
    ("parts", "rich_text", {"rich_text_blocks": {"item_types": [SECTION]}}, [section()], [quote()],
     "VALIDATION_RICH_TEXT_BLOCKS"),
]  # fmt: skip


@pytest.fixture
def many_fields(content):
    for api_key, field_type, validators, *_ in MANY_FIELDS:
        content.api.create_field(
            content[PAGE_MODEL], api_key, field_type, validators=content.fill(validators)
        )


def test_many_fields_all_valid(content, endpoint, many_fields):
    attributes = {api_key: good for api_key, _, _, good, _, _ in MANY_FIELDS}
    response, before = content.send(endpoint, attributes)
    assert_accepted(content, endpoint, response, before)
    answered = response.body["data"]["attributes"]
    assert {key: answered[key] for key in attributes} == {
        **content.fill(attributes),
        "cover": file_answer(content[PNG]),
        "thumb": file_answer(content[PNG]),
        "tint": {"red": 1, "green": 2, "blue": 3, "alpha": 255},
        "parts": answered["parts"],  # the new block's id
    }


def test_every_bad_field_is_reported_at_once(content, endpoint, many_fields):
    attributes = {api_key: bad for api_key, _, _, _, bad, _ in MANY_FIELDS}
    response, before = content.send(endpoint, attributes)
    assert response.status_code == 422
    assert sorted(error_codes(response)) == sorted(
        ("INVALID_FIELD", api_key, code) for api_key, *_, code in MANY_FIELDS
    )
    assert Item.objects.count() == before


@pytest.mark.parametrize("bad_field", [row[0] for row in MANY_FIELDS])
def test_one_bad_field_among_good_ones(content, endpoint, many_fields, bad_field):
    attributes = {
        api_key: bad if api_key == bad_field else good
        for api_key, _, _, good, bad, _ in MANY_FIELDS
    }
    code = next(row[-1] for row in MANY_FIELDS if row[0] == bad_field)
    response, before = content.send(endpoint, attributes)
    assert_refused(response, before, code, field=bad_field)


def test_every_locale_is_reported(content, endpoint, two_locales):
    content.subject("string", {"required": {}}, localized=True)
    content.api.create_field(content[PAGE_MODEL], "count", "integer", localized=True)
    attributes = {"subject": {"en": None, "it": ""}, "count": {"en": "1", "it": 2.5}}
    response, before = content.send(endpoint, attributes)
    assert response.status_code == 422
    found = sorted(
        (e["attributes"]["details"]["field"], e["attributes"]["details"]["locale"])
        for e in response.body["data"]
    )
    assert found == [("count", "en"), ("count", "it"), ("subject", "en"), ("subject", "it")]
    assert Item.objects.count() == before


def test_unknown_attributes_are_refused_at_any_depth(content, endpoint):
    content.subject("single_block")
    block = {**section(), "attributes": {"heading": "x", "nope": 1}}
    response, before = content.send(endpoint, {"subject": block, "other": 1})
    assert response.status_code == 422
    assert sorted(error_codes(response)) == [
        ("INVALID_ATTRIBUTES", "other", "VALIDATION_UNKNOWN_FIELD"),
        ("INVALID_ATTRIBUTES", "subject", "VALIDATION_UNKNOWN_FIELD"),
    ]
    assert Item.objects.count() == before


@pytest.mark.parametrize(
    ("alt_in", "value_locales", "refused_in"),
    [
        ("en", ["en"], []),
        ("it", ["en"], ["en"]),
        ("it", ["it"], []),
        ("en", ["en", "it"], ["it"]),
    ],
)
def test_required_alt_title_reads_the_default_alt_of_the_value_locale(
    content, two_locales, alt_in, value_locales, refused_in
):
    content.subject("file", {"required_alt_title": {"alt": True}}, localized=True)
    metadata = {alt_in: {"alt": "A red dot"}}
    upload = create_upload(content.api, png_bytes(), "dot.png", default_field_metadata=metadata)
    value = {locale: file(upload["id"]) for locale in value_locales}
    response, before = content.send("/items", {"subject": value})
    if not refused_in:
        assert_accepted(content, "/items", response, before)
    else:
        assert_refused(response, before, *["VALIDATION_REQUIRED_ALT_TITLE"] * len(refused_in))
        details = [e["attributes"]["details"] for e in response.body["data"]]
        assert [d["locale"] for d in details] == refused_in


def _duplicate_block_ids(content, record_id):
    block_id = new_id()
    return {"subject": [{**section("a"), "id": block_id}, {**section("b"), "id": block_id}]}


def _record_id_reused_by_its_block(content, record_id):
    return {"subject": [{**section(), "id": record_id}]}


def _unique_value_twice_in_one_payload(content, record_id):
    content.api.create_field(content[SECTION], "code", "string", validators={"unique": {}})
    return {
        "subject": [
            {**section(), "attributes": {"heading": "a", "code": "X"}},
            {**section(), "attributes": {"heading": "b", "code": "X"}},
        ]
    }


@pytest.mark.parametrize(
    "payload",
    [_duplicate_block_ids, _record_id_reused_by_its_block, _unique_value_twice_in_one_payload],
)
def test_validate_and_create_agree_on_clashes_inside_one_payload(content, payload):
    content.subject("rich_text")
    record_id = new_id()
    attributes = payload(content, record_id)
    answers = []
    for endpoint in ("/items/validate", "/items"):
        body = content.fill(
            {
                "data": {
                    "type": "item",
                    "id": record_id,
                    "attributes": attributes,
                    "relationships": {
                        "item_type": {"data": {"type": "item_type", "id": PAGE_MODEL}}
                    },
                }
            }
        )
        before = Item.objects.count()
        response = content.api.post(endpoint, body)
        assert Item.objects.count() == before
        answers.append(
            (response.status_code, error_codes(response) if response.status_code == 422 else [])
        )
    assert answers[0] == answers[1]
    assert answers[0][0] == 422
    assert all(field == "subject" for _, field, _ in answers[0][1])
