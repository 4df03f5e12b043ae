"""Metadata read from an upload's pixels and EXIF when its file arrives: ``colors``,
``blurhash``, ``thumbhash``, ``exif_info`` and ``smart_tags``.

Bounded in time whatever the file: the pixels are decoded once, at reduced scale where the
format allows (JPEG's draft mode), to a thumbnail of :data:`THUMBNAIL_SIDE` pixels; every
computation works on that thumbnail. An image of more than :data:`MAX_DECODED_PIXELS`
(after draft) is not decoded at all: it keeps its EXIF and tags, and no colours or hashes.
A file Pillow can't read gets its type tag only. Never raises: metadata is best effort,
and a file that breaks Pillow must not refuse the upload.
"""

import logging
import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime

import blurhash
from PIL import ExifTags, Image

from uploads import kinds, storage, thumbhash
from uploads.imaging import INPUTS

logger = logging.getLogger(__name__)

THUMBNAIL_SIDE = 64
#: Hashes are computed on a smaller copy: their cost grows with the pixel count.
HASH_SIDE = 32
#: About a second of decoding for the worst case (a 5000 by 5000 PNG of noise) on one core.
MAX_DECODED_PIXELS = 25_000_000
#: ``colors``: the palette the thumbnail is reduced to, the share of the visible pixels a
#: colour needs to be listed, and how many are listed at most.
PALETTE_SIZE = 8
MIN_COLOR_SHARE = 0.05
MAX_COLORS = 5
#: A pixel at least this opaque counts as visible (transparent backgrounds are no colour).
VISIBLE_ALPHA = 128
MAX_EXIF_TEXT = 100


@dataclass
class Metadata:
    smart_tags: list[str] = field(default_factory=list)
    colors: list[dict] = field(default_factory=list)
    blurhash: str | None = None
    thumbhash: str | None = None
    exif_info: dict = field(default_factory=dict)


def apply(upload, name: str | None = None) -> None:
    """Set an upload's metadata columns from its stored file (or the one stored at
    ``name``: a replacement's) and facts."""
    metadata = read(name or upload.storage_name, upload.mime_type, upload.is_image)
    upload.colors, upload.exif_info = metadata.colors, metadata.exif_info
    upload.blurhash, upload.thumbhash = metadata.blurhash, metadata.thumbhash
    upload.smart_tags = [
        *metadata.smart_tags,
        *_dimension_tags(upload.width, upload.height),
        *_colour_tags(metadata.colors),
    ]


def _dimension_tags(width, height) -> list[str]:
    tags = (kinds.orientation(width, height), kinds.resolution(width, height))
    return [tag for tag in tags if tag]


def _colour_tags(colors: list[dict]) -> list[str]:
    names = (kinds.color_name(c["red"], c["green"], c["blue"]) for c in colors)
    return list(dict.fromkeys(names))


def read(name: str, mime_type: str | None, is_image: bool) -> Metadata:
    # Only the formats we transform (INPUTS): never EPS, which Pillow renders with Ghostscript.
    metadata = Metadata(smart_tags=[kinds.upload_type(mime_type)])
    if not is_image:
        return metadata
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with storage.open_file(name) as handle, Image.open(handle, formats=INPUTS) as image:
                _read_image(image, metadata)
    except Exception:  # noqa: BLE001 - any Pillow failure leaves the metadata partial
        logger.warning("Could not read the metadata of %s", name, exc_info=True)
    return metadata


def _read_image(image: Image.Image, metadata: Metadata) -> None:
    metadata.exif_info = exif_info(image)
    if metadata.exif_info.get("make") or metadata.exif_info.get("model"):
        metadata.smart_tags.append("photo")
    if getattr(image, "n_frames", 1) > 1:
        metadata.smart_tags.append("animated")
    has_alpha = image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in image.info
    image.draft("RGB", (THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if image.width * image.height > MAX_DECODED_PIXELS:
        return
    thumbnail = image.convert("RGBA") if has_alpha else image.convert("RGB").convert("RGBA")
    thumbnail.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    if has_alpha and thumbnail.getchannel("A").getextrema()[0] < 255:
        metadata.smart_tags.append("transparent")
    metadata.colors = dominant_colors(thumbnail)
    small = thumbnail.copy()
    small.thumbnail((HASH_SIDE, HASH_SIDE))
    metadata.thumbhash = thumbhash.encode(small.width, small.height, small.tobytes())
    metadata.blurhash = _blurhash(small)


def dominant_colors(image: Image.Image) -> list[dict]:
    """The thumbnail's main colours, most common first: ``{red, green, blue, alpha}``."""
    palette_image = image.quantize(colors=PALETTE_SIZE, method=Image.Quantize.FASTOCTREE)
    palette = palette_image.getpalette("RGBA") or []
    counts = palette_image.getcolors(PALETTE_SIZE * 4) or []
    visible = []
    for count, index in counts:
        red, green, blue, alpha = palette[index * 4 : index * 4 + 4]
        if alpha >= VISIBLE_ALPHA:
            visible.append((count, {"red": red, "green": green, "blue": blue, "alpha": alpha}))
    total = sum(count for count, _ in visible)
    visible.sort(key=lambda pair: -pair[0])
    return [c for count, c in visible if count >= MIN_COLOR_SHARE * total][:MAX_COLORS]


def _blurhash(image: Image.Image) -> str:
    """4 by 3 components (3 by 4 upright), over a white background where transparent."""
    flat = Image.new("RGB", image.size, (255, 255, 255))
    flat.paste(image, mask=image.getchannel("A"))
    x, y = (3, 4) if image.height > image.width else (4, 3)
    rows = [
        [flat.getpixel((column, row)) for column in range(flat.width)] for row in range(flat.height)
    ]
    return blurhash.encode(rows, components_x=x, components_y=y)


# --- EXIF ------------------------------------------------------------------------------

#: exif_info key -> (IFD, EXIF tag). GPS is left out on purpose (see the README).
EXIF_TAGS = {
    "make": (None, ExifTags.Base.Make),
    "model": (None, ExifTags.Base.Model),
    "software": (None, ExifTags.Base.Software),
    "orientation": (None, ExifTags.Base.Orientation),
    "lens_model": (ExifTags.IFD.Exif, ExifTags.Base.LensModel),
    "exposure_time": (ExifTags.IFD.Exif, ExifTags.Base.ExposureTime),
    "f_number": (ExifTags.IFD.Exif, ExifTags.Base.FNumber),
    "iso": (ExifTags.IFD.Exif, ExifTags.Base.ISOSpeedRatings),
    "focal_length": (ExifTags.IFD.Exif, ExifTags.Base.FocalLength),
    "flash_mode": (ExifTags.IFD.Exif, ExifTags.Base.Flash),
    "taken_at": (ExifTags.IFD.Exif, ExifTags.Base.DateTimeOriginal),
}


def exif_info(image: Image.Image) -> dict:
    """A JSON-safe subset of the EXIF: printable text, finite numbers, ISO dates."""
    exif = image.getexif()
    if not exif:
        return {}
    ifds = {None: exif}
    result = {}
    for key, (ifd, tag) in EXIF_TAGS.items():
        if ifd not in ifds:
            ifds[ifd] = exif.get_ifd(ifd)
        value = _json_safe(ifds[ifd].get(tag))
        if key == "taken_at" and isinstance(value, str):
            value = _exif_date(value)
        if value is not None:
            result[key] = value
    return result


def _json_safe(value):
    if isinstance(value, tuple | list) and value:
        value = value[0]  # ISO may be a list of ratings
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        text = "".join(ch for ch in value if ch.isprintable()).strip()[:MAX_EXIF_TEXT]
        return text or None
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not math.isfinite(number):
        return None
    return int(number) if number.is_integer() else round(number, 6)


def _exif_date(text: str) -> str | None:
    """``2024:05:01 10:30:00`` (no time zone in EXIF) as ``2024-05-01T10:30:00``."""
    try:
        return datetime.strptime(text[:19], "%Y:%m:%d %H:%M:%S").isoformat()
    except ValueError:
        return None


# --- Uploads from before: manage.py backfill_upload_metadata --------------------------------

BACKFILL_BATCH = 100
METADATA_COLUMNS = ["smart_tags", "colors", "blurhash", "thumbhash", "exif_info"]


def backfill(*, everything: bool = False) -> int:
    """Read the metadata of the selected storage's uploads that have none (no smart tags:
    every upload gets at least its type), or of all of them; ``updated_at`` is kept."""
    from uploads.models import Upload

    uploads = Upload.objects.order_by("pk")
    if not everything:
        uploads = uploads.filter(smart_tags=[])
    count, batch = 0, []
    for upload in uploads.iterator(chunk_size=BACKFILL_BATCH):
        apply(upload)
        batch.append(upload)
        if len(batch) == BACKFILL_BATCH:
            count += Upload.objects.bulk_update(batch, METADATA_COLUMNS)
            batch = []
    return count + (Upload.objects.bulk_update(batch, METADATA_COLUMNS) if batch else 0)
