"""``GET /uploads``: every filter of SPEC-2 §7.2 and every order, over HTTP, on a library of
real files (images read by Pillow, documents by their names)."""

import io
from datetime import UTC, datetime
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from tests.conftest import create_upload, error_codes, png_bytes
from uploads.models import Upload, UploadCollection


def _image(size, color, fmt="PNG", mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, color).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture
def library(api, two_locales):
    """name -> upload id: images of each orientation and resolution, documents of each
    type, one in a collection, one used by a record."""
    made = {
        "sunset": create_upload(
            api,
            _image((300, 200), (230, 20, 20)),
            "Sunset.png",
            tags=["holiday", "sea"],
            author="Ann Lee",
            copyright="CC-BY",
            notes="first",
            default_field_metadata={
                "en": {"alt": "Orange sky", "title": "Evening"},
                "it": {"alt": "Cielo arancione", "title": "Sera"},
            },
        ),
        "tower": create_upload(
            api, _image((100, 150), (20, 40, 220), "JPEG"), "tower.jpg", tags=["sea"]
        ),
        "icon": create_upload(api, _image((64, 64), (0, 200, 0, 0), mode="RGBA"), "icon.png"),
        "banner": create_upload(api, _image((2000, 10), (250, 250, 250)), "banner.png"),
        "invoice": create_upload(api, b"%PDF-1.4 invoice", "invoice.pdf", author="Bob"),
        "clip": create_upload(api, b"\x00\x00\x00\x18ftypmp42", "clip.mp4"),
        "song": create_upload(api, b"ID3\x03\x00", "song.mp3"),
        "sheet": create_upload(api, b"a,b\n1,2\n", "data.csv"),
        "bundle": create_upload(api, b"PK\x03\x04zip", "bundle.zip"),
        "blob": create_upload(api, b"\x01\x02", "blob.bin"),
    }
    ids = {name: upload["id"] for name, upload in made.items()}
    folder = UploadCollection.objects.create(label="Folder")
    Upload.objects.filter(pk=ids["tower"]).update(
        upload_collection=folder, created_at=datetime(2020, 1, 1, 10, 0, 30, tzinfo=UTC)
    )
    model = api.create_item_type("post")
    api.create_field(model["id"], "cover", "file")
    body = {
        "data": {
            "type": "item",
            "attributes": {"cover": {"upload_id": ids["icon"]}},
            "relationships": {"item_type": {"data": {"type": "item_type", "id": model["id"]}}},
        }
    }
    assert api.post("/items", body).status_code == 201
    return {**ids, "folder": folder.id}


def names(api, library, query) -> list[str]:
    response = api.get("/uploads?page[limit]=100&" + quote(query, safe="[]=&,/"))
    assert response.status_code == 200, (query, response.body)
    by_id = {upload_id: name for name, upload_id in library.items()}
    return [by_id[upload["id"]] for upload in response.body["data"]]


F = "filter[fields]"
IMAGES = {"sunset", "tower", "icon", "banner"}
FILES = IMAGES | {"invoice", "clip", "song", "sheet", "bundle", "blob"}

#: query -> the uploads it finds (a set: any order).
CASES = {
    f"{F}[type][eq]=image": IMAGES,
    f"{F}[type][eq]=pdfdocument": {"invoice"},
    f"{F}[type][eq]=video": {"clip"},
    f"{F}[type][eq]=audio": {"song"},
    f"{F}[type][eq]=spreadsheet": {"sheet"},
    f"{F}[type][eq]=archive": {"bundle"},
    f"{F}[type][eq]=other": {"blob"},
    f"{F}[type][eq]=richtext": set(),
    f"{F}[type][neq]=image": FILES - IMAGES,
    f"{F}[type][in][]=video&{F}[type][in][]=audio": {"clip", "song"},
    f"{F}[type][not_in]=image,pdfdocument,other": {"clip", "song", "sheet", "bundle"},
    f"{F}[type][notIn][]=image": FILES - IMAGES,
    "filter[type]=document": FILES - IMAGES - {"clip", "song"},
    f"{F}[in_use][eq]=true": {"icon"},
    f"{F}[in_use][eq]=false": FILES - {"icon"},
    f"{F}[orientation][eq]=landscape": {"sunset", "banner"},
    f"{F}[orientation][eq]=portrait": {"tower"},
    f"{F}[orientation][eq]=square": {"icon"},
    f"{F}[orientation][neq]=landscape": FILES - {"sunset", "banner"},
    f"{F}[resolution][eq]=icon": {"icon"},
    f"{F}[resolution][eq]=small": {"sunset", "tower"},
    f"{F}[resolution][eq]=large": {"banner"},
    f"{F}[resolution][in]=small,large": {"sunset", "tower", "banner"},
    f"{F}[resolution][not_in]=icon": FILES - {"icon"},
    f"{F}[tags][contains]=sea": {"sunset", "tower"},
    f"{F}[tags][any_in][]=holiday&{F}[tags][any_in][]=none": {"sunset"},
    f"{F}[tags][all_in][]=holiday&{F}[tags][all_in][]=sea": {"sunset"},
    f"{F}[tags][not_in][]=holiday": FILES - {"sunset"},
    f"{F}[tags][eq][]=sea": {"tower"},
    f"{F}[tags][eq][]=sea&{F}[tags][eq][]=holiday": {"sunset"},
    f"{F}[smart_tags][contains]=transparent": {"icon"},
    f"{F}[smart_tags][contains]=portrait": {"tower"},
    f"{F}[smart_tags][all_in]=image,landscape,large": {"banner"},
    f"{F}[smart_tags][any_in]=pdfdocument,archive": {"invoice", "bundle"},
    f"{F}[smart_tags][not_in]=image": FILES - IMAGES,
    f"{F}[smart_tags][eq]=other": {"blob"},
    f"{F}[colors][contains]=red": {"sunset"},
    f"{F}[colors][any_in]=blue,white": {"tower", "banner"},
    f"{F}[colors][all_in]=blue": {"tower"},
    f"{F}[colors][eq]=red": {"sunset"},
    f"{F}[colors][eq]=red,blue": set(),
    f"{F}[colors][not_in]=red,blue,white": FILES - {"sunset", "tower", "banner"},
    f"{F}[size][lt]=10": {"song", "sheet", "bundle", "blob"},
    f"{F}[width][gte]=300": {"sunset", "banner"},
    f"{F}[height][eq]=150": {"tower"},
    f"{F}[height][neq]=150": FILES - {"tower"},
    f"{F}[alt][eq]=Orange sky": {"sunset"},
    f"{F}[alt][matches][pattern]=orange": {"sunset"},
    f"{F}[alt][matches][pattern]=orange&{F}[alt][matches][case_sensitive]=true": set(),
    f"{F}[alt][matches][pattern]=cielo&locale=it": {"sunset"},
    f"{F}[title][in]=Sera,Notte&locale=it": {"sunset"},
    f"{F}[title][exists]=true": {"sunset"},
    f"{F}[title][not_matches][pattern]=even": FILES - {"sunset"},
    f"{F}[mime_type][eq]=image/jpeg": {"tower"},
    f"{F}[mime_type][matches][pattern]=^image/": IMAGES,
    f"{F}[mime_type][not_matches][pattern]=image": FILES - IMAGES,
    f"{F}[author][matches][pattern]=ann": {"sunset"},
    f"{F}[author][exists]=true": {"sunset", "invoice"},
    f"{F}[author][not_matches][pattern]=ann": FILES - {"sunset"},
    f"{F}[copyright][matches][pattern]=cc-by&{F}[copyright][matches][regexp]=false": {"sunset"},
    f"{F}[notes][exists]=false": FILES - {"sunset"},
    f"{F}[basename][matches][pattern]=^sun": {"sunset"},
    f"{F}[filename][matches][pattern]=.png": {"sunset", "icon", "banner"},
    f"{F}[filename][matches][pattern]=.n&{F}[filename][matches][regexp]=false": set(),
    f"{F}[filename][not_matches][pattern]=\\.(png|jpg)$": FILES - IMAGES,
    f"{F}[format][eq]=jpg": {"tower"},
    f"{F}[format][in]=pdf,zip": {"invoice", "bundle"},
    f"{F}[format][not_in]=png,jpg": FILES - IMAGES,
    f"{F}[upload_collection][eq]={{folder}}": {"tower"},
    f"{F}[upload_collection][in]={{folder}},nope": {"tower"},
    f"{F}[upload_collection][exists]=false": FILES - {"tower"},
    f"{F}[_created_at][lt]=2021-01-01T00:00:00Z": {"tower"},
    f"{F}[_created_at][eq]=2020-01-01T10:00:59Z": {"tower"},
    f"{F}[_created_at][neq]=2020-01-01T10:00:00Z": FILES - {"tower"},
    f"{F}[_updated_at][gt]=2021-01-01T00:00:00Z": FILES,
    f"{F}[created_at][gte]=2020-01-01T10:01:00Z": FILES - {"tower"},
    f"{F}[type][eq]=image&{F}[tags][contains]=sea&{F}[orientation][eq]=portrait": {"tower"},
}


def test_each_filter_finds_what_it_names(api, library):
    failures = {}
    for template, expected in CASES.items():
        query = template.replace("{folder}", library["folder"])
        found = set(names(api, library, query))
        if found != expected:
            failures[query] = {"found": sorted(found), "expected": sorted(expected)}
    assert not failures, failures


def test_id_md5_and_path_filters(api, library):
    tower = api.get(f"/uploads/{library['tower']}").body["data"]["attributes"]
    assert names(api, library, f"{F}[id][eq]={library['tower']}") == ["tower"]
    assert names(api, library, f"{F}[md5][in]={tower['md5']},x") == ["tower"]
    upper = tower["path"].upper()
    assert names(api, library, f"{F}[path][eq]={upper}") == ["tower"]
    assert names(api, library, f"{F}[path][in][]={upper}&{F}[path][in][]=/x") == ["tower"]
    assert "tower" not in names(api, library, f"{F}[path][neq]={upper}")
    assert len(names(api, library, f"{F}[path][not_in]={upper}")) == len(FILES) - 1


#: order_by on the images -> their order (no dimensions sort last ascending, first
#: descending: the other uploads are left out by the type filter).
IMAGE_ORDERS = {
    "width_ASC": ["icon", "tower", "sunset", "banner"],
    "height_DESC": ["sunset", "tower", "icon", "banner"],
    "resolution_DESC": ["banner", "sunset", "tower", "icon"],
    "resolution_ASC,size_DESC": ["icon", "tower", "sunset", "banner"],
    "filename_ASC": ["sunset", "banner", "icon", "tower"],
    "basename_DESC": ["tower", "icon", "banner", "sunset"],
    "_created_at_ASC": ["tower", "sunset", "icon", "banner"],
    "mime_type_DESC,_created_at_DESC": ["banner", "icon", "sunset", "tower"],
}


@pytest.mark.parametrize(("order_by", "expected"), IMAGE_ORDERS.items())
def test_order_by(api, library, order_by, expected):
    assert names(api, library, f"{F}[type][eq]=image&order_by={order_by}") == expected


@pytest.mark.parametrize("field", ["size", "format", "_updated_at"])
def test_order_by_sorts_every_upload(api, library, field):
    for direction in ("ASC", "DESC"):
        response = api.get(f"/uploads?page[limit]=100&order_by={field}_{direction}")
        assert response.status_code == 200, response.body
        key = field.lstrip("_")
        values = [u["attributes"][key] for u in response.body["data"]]
        assert len(values) == len(FILES)
        assert values == sorted(values, reverse=direction == "DESC"), values


def test_nulls_sort_last_ascending_and_first_descending(api, library):
    ascending = names(api, library, "order_by=width_ASC")
    descending = names(api, library, "order_by=width_DESC")
    assert ascending[:4] == ["icon", "tower", "sunset", "banner"]
    assert set(ascending[4:]) == FILES - IMAGES
    assert set(descending[:6]) == FILES - IMAGES
    assert descending[6:] == ["banner", "sunset", "tower", "icon"]


BAD = [
    (f"{F}[type][eq]=hologram", "type"),
    (f"{F}[type][gt]=image", "type"),
    (f"{F}[orientation][eq]=diagonal", "orientation"),
    (f"{F}[resolution][in]=huge", "resolution"),
    (f"{F}[in_use][eq]=maybe", "in_use"),
    (f"{F}[in_use][neq]=true", "in_use"),
    (f"{F}[colors][contains]=mauve", "colors"),
    (f"{F}[colors][contains][]=red", "colors"),
    (f"{F}[tags][matches]=a", "tags"),
    (f"{F}[tags][any_in][x]=a", "tags"),
    (f"{F}[smart_tags][contains]=", "smart_tags"),
    (f"{F}[size][gt]=big", "size"),
    (f"{F}[width][matches][pattern]=1", "width"),
    (f"{F}[alt][matches][pattern]=(", "alt"),
    (f"{F}[alt][matches][pattern]=a&{F}[alt][matches][regexp]=perhaps", "alt"),
    (f"{F}[basename][matches][flavour]=a", "basename"),
    (f"{F}[_created_at][gt]=yesterday", "_created_at"),
    (f"{F}[upload_collection][gt]=x", "upload_collection"),
    (f"{F}[path][eq][]=a", "path"),
    (f"{F}[colour][eq]=red", "colour"),
]


@pytest.mark.parametrize(("query", "field"), BAD)
def test_bad_filters_are_refused_naming_the_field(api, library, query, field):
    before = Upload.objects.count()
    response = api.get("/uploads?" + query)
    assert response.status_code == 422, response.body
    error = response.body["data"][0]["attributes"]
    assert error["code"] == "INVALID_FILTER_FIELDS_PARAM"
    assert error["details"]["field"] == field
    assert Upload.objects.count() == before


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("locale=xx", "INVALID_QUERY_PARAMETERS"),
        ("order_by=colors_ASC", "INVALID_ORDERING"),
        ("order_by=resolution_SIDEWAYS", "INVALID_ORDERING"),
    ],
)
def test_bad_locale_and_order_are_refused(api, library, query, code):
    response = api.get(f"/uploads?{F}[alt][exists]=true&" + query)
    assert response.status_code == 422, response.body
    assert error_codes(response)[0][0] == code


def test_a_filtered_list_costs_the_same_queries_however_many_uploads(api, library):
    query = (
        f"/uploads?{F}[in_use][eq]=false&{F}[colors][any_in]=red,white&{F}[alt][exists]=false"
        f"&{F}[tags][not_in]=x&{F}[type][neq]=other&order_by=resolution_DESC,size_ASC"
    )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(query).status_code == 200
        return len(captured)

    before = queries()
    for n in range(5):
        create_upload(api, png_bytes(color=(n, 0, 0)), f"more{n}.png", tags=["x", str(n)])
    assert queries() == before


def test_no_hostile_value_in_any_upload_filter_gets_a_5xx(api, library):
    """Every upload template of the fuzzer with every hostile value: a 200 or a 4xx
    api_error, never a 5xx (the fuzzer draws only some of these)."""
    from tests.fuzz.strategies import CRAFTED
    from tests.fuzz.values import NASTY_DATES, NASTY_REGEXES, NASTY_STRINGS, NASTY_TEXT_NUMBERS

    values = [*NASTY_STRINGS, *NASTY_TEXT_NUMBERS, *NASTY_DATES, *NASTY_REGEXES, "red", "en"]
    unexpected = {}
    for template in CRAFTED["/uploads"]:
        for value in values:
            query = template.format(value=quote(value, safe="", errors="surrogatepass"))
            response = api.get("/uploads?" + query)
            ok = response.status_code == 200 or (
                400 <= response.status_code < 500
                and response.body["data"][0]["type"] == "api_error"
            )
            if not ok:
                unexpected[query] = response.status_code
    assert not unexpected, unexpected
