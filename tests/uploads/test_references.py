"""``GET /uploads/:id/references`` (and the records' own, which share its code): which
records use an upload, in which version, with their blocks when nested."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.ids import new_id
from tests.conftest import create_upload, error_codes, png_bytes
from tests.items.conftest import block, item_body, put


class Album:
    """album: cover (file), photos (gallery), slides (blocks of slide: picture, a file),
    related (links to albums), caption (string)."""

    def __init__(self, api):
        self.api = api
        self.slide = api.create_item_type("slide", modular_block=True)
        api.create_field(self.slide["id"], "picture", "file")
        self.model = api.create_item_type("album", draft_mode_active=True)
        api.create_field(self.model["id"], "caption", "string")
        api.create_field(self.model["id"], "cover", "file")
        api.create_field(self.model["id"], "photos", "gallery")
        api.create_field(
            self.model["id"],
            "slides",
            "rich_text",
            validators={"rich_text_blocks": {"item_types": [self.slide["id"]]}},
        )
        api.create_field(
            self.model["id"],
            "related",
            "links",
            validators={"items_item_type": {"item_types": [self.model["id"]]}},
        )

    def upload(self) -> str:
        return create_upload(self.api, png_bytes(color=(len(new_id()), 3, 4)))["id"]

    def create(self, **attributes) -> str:
        response = self.api.post("/items", item_body(self.model["id"], attributes))
        assert response.status_code == 201, response.body
        return response.body["data"]["id"]

    def slides(self, *uploads) -> list:
        return [block(self.slide["id"], picture={"upload_id": u}) for u in uploads]


@pytest.fixture
def album(api) -> Album:
    return Album(api)


def references(api, path, **query) -> list[str]:
    suffix = "&".join(f"{key}={value}" for key, value in query.items())
    response = api.get(f"{path}/references" + (f"?{suffix}" if suffix else ""))
    assert response.status_code == 200, response.body
    return sorted(record["id"] for record in response.body["data"])


def test_every_kind_of_use_is_listed(api, album):
    cover, photo, slide, unused = (album.upload() for _ in range(4))
    by_cover = album.create(cover={"upload_id": cover})
    by_gallery = album.create(photos=[{"upload_id": photo}, {"upload_id": cover}])
    by_block = album.create(slides=album.slides(slide))
    assert references(api, f"/uploads/{cover}") == sorted([by_cover, by_gallery])
    assert references(api, f"/uploads/{photo}") == [by_gallery]
    # A block's use is its record's: the record is listed, never the block.
    assert references(api, f"/uploads/{slide}") == [by_block]
    assert references(api, f"/uploads/{unused}") == []


def test_nested_answers_the_records_blocks_inline(api, album):
    slide = album.upload()
    record = album.create(caption="c", slides=album.slides(slide))
    flat = api.get(f"/uploads/{slide}/references").body["data"]
    nested = api.get(f"/uploads/{slide}/references?nested=true").body["data"]
    assert [r["id"] for r in flat] == [r["id"] for r in nested] == [record]
    (block_id,) = flat[0]["attributes"]["slides"]
    assert isinstance(block_id, str)
    (inline,) = nested[0]["attributes"]["slides"]
    assert inline["id"] == block_id
    assert inline["attributes"]["picture"]["upload_id"] == slide


def test_the_version_picks_which_references_count(api, album):
    old, new = album.upload(), album.upload()
    record = album.create(cover={"upload_id": old})
    assert api.put(f"/items/{record}/publish").status_code == 200
    assert put(api, record, {"cover": {"upload_id": new}}).status_code == 200
    # The published version still shows ``old``; the current one shows ``new``.
    table = {
        "current": ([], [record]),
        "published": ([record], []),
        "published-or-current": ([record], [record]),
    }
    for version, (using_old, using_new) in table.items():
        assert references(api, f"/uploads/{old}", version=version) == using_old, version
        assert references(api, f"/uploads/{new}", version=version) == using_new, version
    assert references(api, f"/uploads/{old}") == [record]  # no version: either
    # Published again: both versions agree, through the references' rows.
    assert api.put(f"/items/{record}/publish").status_code == 200
    assert references(api, f"/uploads/{old}", version="published") == []
    assert references(api, f"/uploads/{new}", version="published") == [record]


def test_an_id_in_text_is_no_reference(api, album):
    upload = album.upload()
    record = album.create(cover={"upload_id": upload})
    assert api.put(f"/items/{record}/publish").status_code == 200
    other = album.create(caption=upload)  # the id as text, published, then changed
    assert api.put(f"/items/{other}/publish").status_code == 200
    assert put(api, other, {"caption": "changed"}).status_code == 200
    assert references(api, f"/uploads/{upload}", version="published") == [record]


def test_record_references_take_the_version_too(api, album):
    target = album.create(caption="target")
    linker = album.create(related=[target])
    for record in (target, linker):
        assert api.put(f"/items/{record}/publish").status_code == 200
    assert put(api, linker, {"related": []}).status_code == 200
    assert references(api, f"/items/{target}", version="current") == []
    assert references(api, f"/items/{target}", version="published") == [linker]
    assert references(api, f"/items/{target}") == [linker]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("version=draft", ("INVALID_QUERY_PARAMETERS", "version")),
        ("order=1", ("INVALID_QUERY_PARAMETERS", None)),
    ],
)
def test_bad_queries_are_refused(api, album, query, expected):
    upload = album.upload()
    response = api.get(f"/uploads/{upload}/references?{query}")
    assert response.status_code == 422, response.body
    attributes = response.body["data"][0]["attributes"]
    assert attributes["code"] == expected[0]
    if expected[1]:
        assert attributes["details"]["parameter"] == expected[1]


def test_an_unknown_upload_is_a_404(api):
    response = api.get(f"/uploads/{new_id()}/references")
    assert response.status_code == 404
    assert error_codes(response)[0][0] == "NOT_FOUND"


def test_the_query_count_does_not_grow_with_the_records(api, album):
    def counted(upload) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(f"/uploads/{upload}/references?nested=true").status_code == 200
        return len(queries)

    def used_by(count: int) -> str:
        upload = album.upload()
        for _ in range(count):
            record = album.create(cover={"upload_id": upload}, slides=album.slides(upload))
            assert api.put(f"/items/{record}/publish").status_code == 200
            assert put(api, record, {"caption": "changed"}).status_code == 200
        return upload

    few, many = used_by(1), used_by(8)
    assert counted(few) == counted(many)
