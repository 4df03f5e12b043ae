"""DatoCMS's official client on ``GET /uploads`` (upload_filters.mjs): uploads.list with each
filter of SPEC-2 §7.2 and order_by, on files this side writes (a PNG, a JPEG with EXIF
written by Pillow, a PDF, a CSV), and the metadata read from them."""

from __future__ import annotations

import pytest
from PIL import Image

from tests.compat.test_official_client import _create_admin_token, node_client, run_ok

__all__ = ["node_client"]  # a fixture


def _files(directory) -> None:
    directory.mkdir()
    Image.new("RGB", (300, 200), (230, 20, 20)).save(directory / "sunset.png", format="PNG")
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    tower = Image.new("RGB", (100, 150), (20, 40, 220))
    tower.save(directory / "tower.jpg", format="JPEG", exif=exif)
    (directory / "invoice.pdf").write_bytes(b"%PDF-1.4 invoice")
    (directory / "data.csv").write_text("a,b\n1,2\n")


@pytest.mark.compat
@pytest.mark.django_db(transaction=True)
def test_official_client_upload_filters(live_server, node_client, tmp_path):
    from uploads.models import Upload

    _files(tmp_path / "files")
    token = _create_admin_token("compat-upload-filters")
    run_ok(
        node_client,
        "upload_filters.mjs",
        live_server.url,
        token,
        CMS_UPLOAD_DIR=str(tmp_path / "files"),
    )
    assert Upload.objects.count() == 4
    assert set(Upload.objects.values_list("format", flat=True)) == {"png", "jpg", "pdf", "csv"}
