"""Image transformations on upload URLs (``/media/<path>?w=…``) over HTTP: each parameter's
effect (read back with Pillow), the variant cache in storage, limits and refusals."""

import io
import json
import random
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from PIL import Image

from tests.conftest import create_upload, race
from uploads import imaging

ACCEPT_MODERN = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"


def halves(width=400, height=200, left=(220, 0, 0), right=(0, 0, 220)) -> bytes:
    """A PNG whose left half is red and right half blue: where a crop cut is visible."""
    image = Image.new("RGB", (width, height), left)
    image.paste(Image.new("RGB", (width - width // 2, height), right), (width // 2, 0))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def noisy(width=200, height=100, seed=1) -> bytes:
    rng = random.Random(seed)
    image = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def body(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


def picture(response) -> Image.Image:
    assert response.status_code == 200, body(response)[:300]
    image = Image.open(io.BytesIO(body(response)))
    image.load()
    return image


def media_path(api, content: bytes, filename="pic.png") -> str:
    return urlsplit(create_upload(api, content, filename)["attributes"]["url"]).path


def fetch(api, path, query="", **headers):
    return api.client.get(f"{path}?{query}" if query else path, headers=headers)


def variant_files(media_root) -> list:
    folder = media_root / "_variants"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def api_error(response) -> dict:
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(response.content)["data"][0]["attributes"]


@pytest.mark.parametrize(
    ("query", "size", "pillow_format"),
    [
        ("w=100", (100, 50), "PNG"),
        ("h=50", (100, 50), "PNG"),
        ("w=100&h=100", (100, 50), "PNG"),  # clip: fits inside
        ("w=100&h=100&fit=clip", (100, 50), "PNG"),
        ("w=100&h=100&fit=crop", (100, 100), "PNG"),
        ("w=100&h=100&fit=scale", (100, 100), "PNG"),
        ("w=100&h=100&fit=fill", (100, 100), "PNG"),
        ("w=800&h=800&fit=fillmax", (800, 800), "PNG"),
        ("w=800", (800, 400), "PNG"),  # clip grows
        ("w=800&fit=max", (400, 200), "PNG"),  # max never grows
        ("w=800&h=800&fit=min", (200, 200), "PNG"),  # the ratio asked, within the source
        ("w=100&dpr=2", (200, 100), "PNG"),
        ("w=100&dpr=2.5", (250, 125), "PNG"),
        ("w=0.5", (200, 100), "PNG"),  # under 1: a fraction of the source
        ("fm=webp", (400, 200), "WEBP"),
        ("fm=jpg", (400, 200), "JPEG"),
        ("fm=pjpg&w=40", (40, 20), "JPEG"),
        ("fm=avif&w=40", (40, 20), "AVIF"),
        ("fm=gif&w=40", (40, 20), "GIF"),
        ("fm=png8&w=40", (40, 20), "PNG"),
        ("fm=PNG32&w=40", (40, 20), "PNG"),
        ("q=50", (400, 200), "PNG"),
        ("w=100&unknown=1&blur=20", (100, 50), "PNG"),  # unknown parameters are ignored
    ],
)
def test_each_parameter_shapes_the_image(api, query, size, pillow_format):
    path = media_path(api, halves())
    response = fetch(api, path, query)
    image = picture(response)
    assert (image.size, image.format) == (size, pillow_format)
    assert response["Content-Type"] == Image.MIME[pillow_format]
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "sandbox" in response["Content-Security-Policy"]


def test_palette_and_alpha_formats(api):
    path = media_path(api, halves())
    assert picture(fetch(api, path, "fm=png8&w=40")).mode == "P"
    assert picture(fetch(api, path, "fm=png32&w=40")).mode == "RGBA"
    filled = picture(fetch(api, path, "w=100&h=100&fit=fill&fill-color=0f0&fm=png"))
    assert filled.convert("RGB").getpixel((50, 2)) == (0, 255, 0)  # the pad, in fill-color
    assert filled.convert("RGB").getpixel((2, 50)) == (220, 0, 0)


def centre(image) -> tuple:
    return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


@pytest.mark.parametrize(
    ("crop", "colour"),
    [
        ("left", (220, 0, 0)),
        ("right", (0, 0, 220)),
        ("focalpoint&fp-x=0.1&fp-y=0.5", (220, 0, 0)),
        ("focalpoint&fp-x=0.9&fp-y=0.5", (0, 0, 220)),
        ("top,left", (220, 0, 0)),
    ],
)
def test_crop_chooses_the_cut(api, crop, colour):
    path = media_path(api, halves())
    image = picture(fetch(api, path, f"w=50&h=50&fit=crop&crop={crop}"))
    assert image.size == (50, 50)
    assert centre(image) == colour


def test_entropy_crop_keeps_the_detailed_part(api):
    source = Image.new("RGB", (400, 100), (128, 128, 128))
    source.paste(Image.open(io.BytesIO(noisy(100, 100))), (300, 0))  # detail on the right
    buffer = io.BytesIO()
    source.save(buffer, format="PNG")
    path = media_path(api, buffer.getvalue())
    entropic = picture(fetch(api, path, "w=100&h=100&fit=crop&crop=entropy"))
    plain = picture(fetch(api, path, "w=100&h=100&fit=crop&crop=left"))
    assert entropic.entropy() > plain.entropy() + 3


def test_quality_changes_lossy_output(api):
    path = media_path(api, noisy())
    low = body(fetch(api, path, "fm=jpg&q=10"))
    high = body(fetch(api, path, "fm=jpg&q=95"))
    assert len(low) < len(high) / 2


def test_exif_orientation_is_applied(api):
    image = Image.new("RGB", (40, 20), (0, 90, 200))
    exif = image.getexif()
    exif[0x0112] = 6  # rotated: shown 20 wide, 40 high
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    path = media_path(api, buffer.getvalue(), "turned.jpg")
    assert picture(fetch(api, path, "w=10")).size == (10, 20)


def varies_on_accept(response) -> bool:
    return "accept" in [v.strip().lower() for v in response.get("Vary", "").split(",")]


def test_auto_format_follows_accept_and_varies_on_it(api):
    path = media_path(api, halves())
    avif = fetch(api, path, "auto=format&w=40", Accept=ACCEPT_MODERN)
    assert picture(avif).format == "AVIF" and varies_on_accept(avif)
    webp = fetch(api, path, "auto=format&w=40", Accept="image/webp,*/*")
    assert picture(webp).format == "WEBP" and varies_on_accept(webp)
    refused = fetch(api, path, "auto=format&w=40", Accept="image/avif;q=0,image/webp")
    assert picture(refused).format == "WEBP"
    old = fetch(api, path, "auto=format&w=40", Accept="*/*")
    assert picture(old).format == "PNG" and varies_on_accept(old)
    # Nothing else asked and no better format taken: the file as stored.
    plain = fetch(api, path, "auto=format", Accept="image/png")
    assert body(plain) == halves() and varies_on_accept(plain)
    fixed = fetch(api, path, "auto=format&fm=jpg&w=40", Accept=ACCEPT_MODERN)
    assert picture(fixed).format == "JPEG" and not varies_on_accept(fixed)


def test_a_variant_is_computed_once_and_served_from_storage(
    api, upload_storage, monkeypatch, django_assert_num_queries
):
    path = media_path(api, halves())
    first = fetch(api, path, "w=120&fm=webp")
    [stored] = variant_files(upload_storage)
    assert stored.read_bytes() == body(first)
    assert str(stored.relative_to(upload_storage)).startswith(
        "_variants" + path.removeprefix("/media") + "/"
    )
    mtime = stored.stat().st_mtime_ns

    def no_rendering(*args, **kwargs):
        raise AssertionError("rendered again")

    monkeypatch.setattr(imaging, "render", no_rendering)
    with django_assert_num_queries(0):  # /media/ never reads the database
        second = fetch(api, path, "fm=webp&w=120.0&foo=1")  # the same variant, spelt otherwise
    assert body(second) == body(first)
    assert second["Content-Type"] == "image/webp"
    assert second["ETag"] == first["ETag"]
    assert stored.stat().st_mtime_ns == mtime and variant_files(upload_storage) == [stored]
    not_modified = fetch(api, path, "w=120&fm=webp", **{"If-None-Match": first["ETag"]})
    assert not_modified.status_code == 304 and not_modified["ETag"] == first["ETag"]


def test_a_variant_in_the_sources_own_format_keeps_its_type_from_storage(api, upload_storage):
    path = media_path(api, halves())
    first = fetch(api, path, "w=30")
    second = fetch(api, path, "w=30")
    assert second.streaming and second["Content-Type"] == "image/png" == first["Content-Type"]


def test_rival_first_requests_never_see_a_partial_variant(api, upload_storage):
    path = media_path(api, noisy(600, 400))
    answers = race(4, lambda index: body(api.client.get(f"{path}?w=500&fm=png")))
    assert len(set(answers)) == 1
    assert Image.open(io.BytesIO(answers[0])).size == (500, 333)
    assert [p.name for p in variant_files(upload_storage) if p.name.startswith(".")] == []
    assert len(variant_files(upload_storage)) == 1


def test_deleting_the_upload_deletes_its_variants(
    api, upload_storage, django_capture_on_commit_callbacks
):
    upload = create_upload(api, halves())
    path = urlsplit(upload["attributes"]["url"]).path
    fetch(api, path, "w=10")
    fetch(api, path, "w=20")
    assert len(variant_files(upload_storage)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/uploads/{upload['id']}").status_code == 200
    assert variant_files(upload_storage) == []


@pytest.mark.parametrize(
    ("query", "parameter", "code"),
    [
        ("w=abc", "w", "VALIDATION_FORMAT"),
        ("w=0", "w", "VALIDATION_NUMBER_RANGE"),
        ("w=-5", "w", "VALIDATION_NUMBER_RANGE"),
        ("w=inf", "w", "VALIDATION_FORMAT"),
        ("h=nan", "h", "VALIDATION_FORMAT"),
        ("w=" + "9" * 100, "w", "VALIDATION_LENGTH"),
        ("fit=facearea&w=10", "fit", "VALIDATION_INCLUSION"),
        ("fit=stretch", "fit", "VALIDATION_INCLUSION"),
        ("crop=middle", "crop", "VALIDATION_INCLUSION"),
        ("fp-x=2", "fp-x", "VALIDATION_NUMBER_RANGE"),
        ("fp-y=abc", "fp-y", "VALIDATION_FORMAT"),
        ("fm=tiff", "fm", "VALIDATION_INCLUSION"),
        ("fm=json", "fm", "VALIDATION_INCLUSION"),
        ("q=0", "q", "VALIDATION_NUMBER_RANGE"),
        ("q=101", "q", "VALIDATION_NUMBER_RANGE"),
        ("q=50.5", "q", "VALIDATION_FORMAT"),
        ("dpr=0.5", "dpr", "VALIDATION_NUMBER_RANGE"),
        ("dpr=6", "dpr", "VALIDATION_NUMBER_RANGE"),
        ("auto=magic", "auto", "VALIDATION_INCLUSION"),
        ("fill-color=zzzzzzzzz", "fill-color", "VALIDATION_FORMAT"),
    ],
)
def test_bad_parameters_are_refused_and_write_nothing(api, upload_storage, query, parameter, code):
    path = media_path(api, halves())
    response = fetch(api, path, query)
    assert response.status_code == 400
    error = api_error(response)
    assert error["code"] == "INVALID_IMAGE_PARAMETER"
    assert (error["details"]["parameter"], error["details"]["code"]) == (parameter, code)
    assert variant_files(upload_storage) == []


def test_every_bad_parameter_is_named_at_once(api):
    path = media_path(api, halves())
    response = fetch(api, path, "w=x&q=0&fit=nope")
    assert response.status_code == 400
    named = [e["attributes"]["details"]["parameter"] for e in json.loads(response.content)["data"]]
    assert named == ["w", "fit", "q"]


def test_output_is_capped(api, settings):
    settings.CMS_IMAGE_TRANSFORM_MAX_SIDE = 300
    path = media_path(api, halves())
    assert picture(fetch(api, path, "w=1000")).size == (300, 150)
    assert picture(fetch(api, path, "w=100&h=100&fit=crop&dpr=5")).size == (300, 300)
    settings.CMS_IMAGE_TRANSFORM_MAX_SIDE = 5000
    settings.CMS_IMAGE_TRANSFORM_MAX_PIXELS = 10_000
    image = picture(fetch(api, path, "w=400"))
    assert image.width * image.height <= 10_000 and image.size == (141, 70)


def test_a_source_over_the_input_limit_is_refused(api, settings, upload_storage):
    settings.CMS_IMAGE_TRANSFORM_MAX_INPUT_PIXELS = 400 * 200 - 1
    path = media_path(api, halves())
    response = fetch(api, path, "w=10")
    assert response.status_code == 422
    error = api_error(response)
    assert error["code"] == "IMAGE_TOO_LARGE"
    assert error["details"]["pixels"] == 80_000 and error["details"]["max_pixels"] == 79_999
    assert variant_files(upload_storage) == []
    assert body(fetch(api, path)) == halves()  # the original is still served


def test_a_non_image_is_served_as_stored(api, upload_storage):
    content = b"%PDF-1.4 not really\n" * 20
    path = media_path(api, content, "doc.pdf")
    response = fetch(api, path, "w=100&fm=webp")
    assert response.status_code == 200 and body(response) == content
    assert [p.name.endswith(".not-an-image") for p in variant_files(upload_storage)] == [True]
    assert fetch(api, path, "w=zero").status_code == 400  # bad values are still refused
    corrupt = media_path(api, halves()[:200], "cut.png")  # a header, then nothing
    response = fetch(api, corrupt, "w=100")
    assert response.status_code == 200 and body(response) == halves()[:200]


def test_a_file_found_not_an_image_is_not_decoded_again(api, upload_storage, monkeypatch):
    corrupt = media_path(api, halves()[:200], "cut.png")  # a PNG header, then nothing
    assert body(fetch(api, corrupt, "w=100")) == halves()[:200]
    renders = []
    monkeypatch.setattr(imaging, "render", lambda *a: renders.append(a))
    for query in ("w=100", "w=50&fm=webp"):
        response = fetch(api, corrupt, query)
        assert response.status_code == 200 and body(response) == halves()[:200]
    assert renders == []  # the marker answered: served as stored, not decoded


def test_a_file_gets_at_most_the_variants_allowed(api, settings, upload_storage):
    settings.CMS_IMAGE_TRANSFORM_MAX_VARIANTS = 2
    path = media_path(api, halves())
    assert picture(fetch(api, path, "w=10")).size == (10, 5)
    assert picture(fetch(api, path, "w=20")).size == (20, 10)
    response = fetch(api, path, "w=30")
    assert response.status_code == 422
    error = api_error(response)
    assert error["code"] == "TOO_MANY_VARIANTS" and error["details"]["max_variants"] == 2
    assert len(variant_files(upload_storage)) == 2  # nothing written
    assert picture(fetch(api, path, "w=10")).size == (10, 5)  # those kept still serve
    other = media_path(api, halves(), "other.png")  # the cap is per file
    assert picture(fetch(api, other, "w=30")).size == (30, 15)


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/media/AAAAAAAAAAAAAAAAAAAAAA/none.png", 404, "NOT_FOUND"),
        ("/media/" + "x" * 300, 404, "NOT_FOUND"),
        # Outside the storage: Django's SuspiciousFileOperation, as for the file untransformed.
        ("/media/../secret_key", 400, "BAD_REQUEST"),
        ("/media/%2e%2e/secret_key", 400, "BAD_REQUEST"),
        ("/media/a/..%2f..%2fsecret_key", 400, "BAD_REQUEST"),
    ],
)
def test_no_file_answers_as_the_original_does(api, path, status, code, upload_storage):
    for query in ("", "w=10"):
        response = fetch(api, path, query)
        assert (response.status_code, api_error(response)["code"]) == (status, code), query
    assert variant_files(upload_storage) == []


def test_variants_are_not_transformed_again(api, upload_storage):
    path = media_path(api, halves())
    fetch(api, path, "w=50")
    [stored] = variant_files(upload_storage)
    again = fetch(api, "/media/" + str(stored.relative_to(upload_storage)), "w=10")
    assert Image.open(io.BytesIO(body(again))).size == (50, 25)


VALUES = {
    "w": ["1e308", "100", "0.5", "1", "5000", "99999999", "0", "-1", "x", "1e308", "", "0.0001"],
    "h": ["50", "0.25", "1", "123456789", "abc", ""],
    "fit": ["clip", "crop", "max", "min", "fill", "fillmax", "scale", "facearea", "x", ""],
    "crop": ["focalpoint", "entropy", "top,left", "faces,edges", "bottom,right", "center", "x,"],
    "fp-x": ["0", "1", "0.5", "2", "-1", "z"],
    "fp-y": ["0", "1", "0.33", "nan"],
    "fm": ["jpg", "pjpg", "png", "png8", "png32", "webp", "avif", "gif", "mp4", ""],
    "q": ["1", "100", "50", "0", "101", "7.5"],
    "auto": ["format", "compress,format", "enhance", "nope", ""],
    "dpr": ["1", "5", "2.5", "0.9", "5.1", "x"],
    "fill-color": ["fff", "80ff0000", "red", "notacolour", "#12345"],
}


@pytest.mark.parametrize("fit", ["crop", "fill", "min"])
def test_every_single_value_answers_200_or_400(api, settings, fit):
    settings.CMS_IMAGE_TRANSFORM_MAX_SIDE = 300
    path = media_path(api, halves(60, 30))
    for name, values in VALUES.items():
        for value in values:
            query = f"w=30&h=20&fit={fit}&crop=focalpoint&{name}={value}"
            response = fetch(api, path, query, Accept=ACCEPT_MODERN)
            assert response.status_code in (200, 400), (query, body(response)[:300])


@hsettings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=st.dictionaries(st.sampled_from(sorted(VALUES)), st.integers(0, 20), max_size=6))
def test_no_parameter_combination_is_a_server_error(api, settings, query):
    settings.CMS_IMAGE_TRANSFORM_MAX_SIDE = 300  # keeps each example quick
    # One upload for every example of this test (its storage folder is the test's own).
    key = str(settings.MEDIA_ROOT)
    if key not in _fuzz_paths:
        _fuzz_paths[key] = media_path(api, halves(60, 30))
    pairs = "&".join(f"{k}={VALUES[k][i % len(VALUES[k])]}" for k, i in query.items())
    response = fetch(api, _fuzz_paths[key], pairs, Accept=ACCEPT_MODERN)
    assert response.status_code in (200, 400), body(response)[:300]
    if response.status_code == 200:
        image = picture(response)
        assert max(image.size) <= 300 or image.size == (60, 30)
    else:
        assert api_error(response)["code"] == "INVALID_IMAGE_PARAMETER"


_fuzz_paths: dict[str, str] = {}
