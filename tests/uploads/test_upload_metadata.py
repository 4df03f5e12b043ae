"""Metadata read from an upload's file, over HTTP: colours, blurhash, thumbhash, EXIF and
smart tags of real PNG, JPEG and GIF files, a document, and files that break Pillow."""

import base64
import io

import blurhash
import pytest
from django.core.management import call_command
from PIL import Image, ImageDraw, TiffImagePlugin

from tests.conftest import create_upload, put_bytes, request_upload
from uploads import metadata
from uploads.models import Upload

EXIF_IFD = 0x8769


def _photo(exif: Image.Exif | None = None, size=(120, 80)) -> bytes:
    """A JPEG: a red field with a white disc, and the EXIF given."""
    image = Image.new("RGB", size, (220, 20, 30))
    ImageDraw.Draw(image).ellipse((10, 10, 50, 50), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif if exif is not None else Image.Exif())
    return buffer.getvalue()


def _camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS R5"  # Model
    exif[0x0112] = 1  # Orientation
    details = exif.get_ifd(EXIF_IFD)
    details[0x829A] = TiffImagePlugin.IFDRational(1, 250)  # ExposureTime
    details[0x829D] = TiffImagePlugin.IFDRational(28, 10)  # FNumber
    details[0x8827] = 400  # ISOSpeedRatings
    details[0x920A] = TiffImagePlugin.IFDRational(50, 1)  # FocalLength
    details[0x9209] = 16  # Flash
    details[0x9003] = "2024:05:01 10:30:00"  # DateTimeOriginal
    details[0xA434] = "RF 50mm F1.8"  # LensModel
    return exif


def test_a_jpeg_photo_gets_its_exif_colours_hashes_and_tags(api):
    attributes = create_upload(api, _photo(_camera_exif()), "photo.jpg")["attributes"]
    assert attributes["exif_info"] == {
        "make": "Canon",
        "model": "Canon EOS R5",
        "orientation": 1,
        "lens_model": "RF 50mm F1.8",
        "exposure_time": 0.004,
        "f_number": 2.8,
        "iso": 400,
        "focal_length": 50,
        "flash_mode": 16,
        "taken_at": "2024-05-01T10:30:00",
    }
    assert attributes["smart_tags"] == ["image", "photo", "landscape", "icon", "red", "white"]
    red, white = attributes["colors"]
    assert red["red"] > 200 and red["green"] < 60 and red["alpha"] == 255
    assert min(white["red"], white["green"], white["blue"]) > 230
    # The placeholder decodes to the photo's main colour.
    pixels = blurhash.decode(attributes["blurhash"], 4, 3)
    assert pixels[2][3][0] > 150 and pixels[2][3][1] < 100
    assert blurhash.components(attributes["blurhash"]) == (4, 3)
    raw = base64.b64decode(attributes["thumbhash"])
    assert len(raw) >= 5 and raw[4] >> 7 == 1  # ThumbHash's header says landscape


def test_a_png_with_transparency(api):
    image = Image.new("RGBA", (40, 60), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle((0, 0, 39, 29), fill=(20, 40, 220, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    attributes = create_upload(api, buffer.getvalue(), "logo.png")["attributes"]
    assert attributes["smart_tags"] == ["image", "transparent", "portrait", "icon", "blue"]
    # The transparent half is no colour.
    assert [(c["red"], c["green"], c["blue"], c["alpha"]) for c in attributes["colors"]] == [
        (20, 40, 220, 255)
    ]
    assert attributes["exif_info"] == {}
    assert base64.b64decode(attributes["thumbhash"])[2] >> 7 == 1  # has alpha


def test_an_animated_gif(api):
    colours = ((250, 0, 0), (0, 250, 0), (0, 0, 250))
    frames = [Image.new("RGB", (30, 30), colour) for colour in colours]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    attributes = create_upload(api, buffer.getvalue(), "spin.gif")["attributes"]
    assert attributes["smart_tags"][:2] == ["image", "animated"]
    assert "square" in attributes["smart_tags"]


@pytest.mark.parametrize(
    ("content", "filename", "tags"),
    [
        (b"%PDF-1.4 x", "report.pdf", ["pdfdocument"]),
        (b"PK\x03\x04", "slides.pptx", ["presentation"]),
        (b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 10, "broken.png", ["image"]),
    ],
)
def test_files_pillow_cannot_read_get_their_type_only(api, content, filename, tags):
    attributes = create_upload(api, content, filename)["attributes"]
    assert attributes["smart_tags"] == tags
    assert attributes["colors"] == [] and attributes["exif_info"] == {}
    assert attributes["blurhash"] is None and attributes["thumbhash"] is None


def test_hostile_exif_is_cleaned_not_refused(api):
    exif = Image.Exif()
    exif[0x010F] = "Can\x00on\x07" + "x" * 300
    details = exif.get_ifd(EXIF_IFD)
    details[0x829A] = TiffImagePlugin.IFDRational(1, 0)  # a division by zero: NaN
    details[0x9003] = "not a date"
    attributes = create_upload(api, _photo(exif), "odd.jpg")["attributes"]
    assert attributes["exif_info"] == {"make": "Canon" + "x" * 95}


def test_a_failure_reading_pixels_keeps_the_upload(api, monkeypatch):
    def explode(image, found):
        raise RuntimeError("a Pillow bug")

    monkeypatch.setattr(metadata, "_read_image", explode)
    response = create_upload(api, _photo(), "photo.jpg")
    assert response["attributes"]["smart_tags"] == ["image", "landscape", "icon"]
    assert Upload.objects.filter(pk=response["id"]).exists()


def test_a_huge_image_keeps_its_exif_and_skips_the_pixels(api, monkeypatch):
    monkeypatch.setattr(metadata, "MAX_DECODED_PIXELS", 100)
    attributes = create_upload(api, _photo(_camera_exif()), "big.jpg")["attributes"]
    assert attributes["exif_info"]["make"] == "Canon"
    assert attributes["colors"] == [] and attributes["blurhash"] is None


def test_replacing_the_file_reads_its_metadata_again(api):
    upload = create_upload(api, _photo(_camera_exif()), "photo.jpg")
    replacement = request_upload(api, "blue.png")
    buffer = io.BytesIO()
    Image.new("RGB", (10, 30), (20, 40, 220)).save(buffer, format="PNG")
    put_bytes(api, replacement["attributes"]["url"], buffer.getvalue())
    body = {"data": {"type": "upload", "attributes": {"path": replacement["id"]}}}
    attributes = api.put(f"/uploads/{upload['id']}", body).body["data"]["attributes"]
    assert attributes["smart_tags"] == ["image", "portrait", "icon", "blue"]
    assert attributes["exif_info"] == {}


def test_backfill_reads_uploads_without_metadata(api):
    photo = create_upload(api, _photo(_camera_exif()), "photo.jpg")
    document = create_upload(api, b"%PDF-1.4", "a.pdf")
    Upload.objects.update(smart_tags=[], colors=[], blurhash=None, exif_info={})
    before = Upload.objects.get(pk=photo["id"]).updated_at
    out = io.StringIO()
    call_command("backfill_upload_metadata", stdout=out)
    assert "read the metadata of 2 upload(s)" in out.getvalue()
    assert api.get(f"/uploads/{photo['id']}").body["data"] == photo
    assert api.get(f"/uploads/{document['id']}").body["data"] == document
    assert Upload.objects.get(pk=photo["id"]).updated_at == before
    call_command("backfill_upload_metadata", stdout=out)
    assert "read the metadata of 0 upload(s)" in out.getvalue()
    call_command("backfill_upload_metadata", "--all", stdout=out)
    assert out.getvalue().endswith("read the metadata of 2 upload(s).\n")


EPS = (
    b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 10 10\n%%EndComments\n"
    b"newpath 0 0 moveto 10 10 lineto stroke\nshowpage\n%%EOF\n"
)


def test_an_eps_file_never_runs_ghostscript_and_is_no_image(api, monkeypatch):
    """Pillow reads EPS by running Ghostscript on it: an upload never gets that far."""
    from PIL import EpsImagePlugin

    calls = []

    def spy(*args, **kwargs):
        calls.append(args)
        raise OSError("Ghostscript was called")

    monkeypatch.setattr(EpsImagePlugin, "Ghostscript", spy)
    with Image.open(io.BytesIO(EPS)) as image:  # the file is one Pillow would render
        assert image.format == "EPS"
    attributes = create_upload(api, EPS, "drawing.eps")["attributes"]
    assert calls == []
    assert attributes["is_image"] is False
    assert attributes["width"] is None and attributes["colors"] == []
    assert "image" not in attributes["smart_tags"]
