"""Facts about a stored file, read from its bytes, never taken from the client."""

import hashlib
import mimetypes
import warnings
from dataclasses import dataclass
from pathlib import PurePosixPath

from PIL import Image, UnidentifiedImageError

from uploads import storage
from uploads.imaging import INPUTS

# Formats DatoCMS answers by their usual extension rather than Pillow's name.
PILLOW_FORMATS = {"JPEG": "jpg", "TIFF": "tiff", "WEBP": "webp", "PNG": "png", "GIF": "gif"}


@dataclass
class FileFacts:
    size: int
    md5: str
    format: str | None
    mime_type: str
    is_image: bool
    width: int | None = None
    height: int | None = None


def _image_facts(name: str) -> tuple[str, int, int] | None:
    """(Pillow format, width, height) when the file is an image in one of the formats we
    transform (``imaging.INPUTS``: never EPS, which Pillow reads by running Ghostscript),
    else None.

    ``verify`` walks the whole file (checksums, structure) without decoding pixels, so a
    corrupt or truncated image is a plain file, not an image and never a 500.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with storage.open_file(name) as handle, Image.open(handle, formats=INPUTS) as image:
                facts = (image.format, image.width, image.height)
                image.verify()
        return facts
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
    ):
        return None


def analyse(name: str, filename: str) -> FileFacts:
    md5 = hashlib.md5(usedforsecurity=False)
    size = 0
    with storage.open_file(name) as handle:
        for chunk in iter(lambda: handle.read(storage.CHUNK_SIZE), b""):
            md5.update(chunk)
            size += len(chunk)
    extension = PurePosixPath(filename).suffix.lstrip(".").lower() or None
    guessed_mime = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    image = _image_facts(name)
    if image is None:
        return FileFacts(
            size=size, md5=md5.hexdigest(), format=extension, mime_type=guessed_mime, is_image=False
        )
    pillow_format, width, height = image
    return FileFacts(
        size=size,
        md5=md5.hexdigest(),
        format=PILLOW_FORMATS.get(pillow_format, (pillow_format or "").lower()) or extension,
        mime_type=Image.MIME.get(pillow_format, guessed_mime),
        is_image=True,
        width=width,
        height=height,
    )
