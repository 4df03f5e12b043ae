"""Pillow's side of image transformations: where to cut and how large (:func:`plan`), and
the decode, resize and encode (:func:`render`).

Bounded: a source over ``max_input_pixels`` is refused from its header, before any pixel is
decoded; JPEGs are decoded at the smallest scale the output needs (``draft``); the output is
scaled down to fit ``max_side`` and ``max_pixels``. Only the formats in :data:`INPUTS` are
opened (never EPS, which would run Ghostscript); anything else, or a file Pillow can't
decode, is :class:`NotAnImage` and is served as stored.
"""

import functools
import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

from uploads.transformations import Transformation

INPUTS = ("JPEG", "PNG", "GIF", "WEBP", "AVIF", "TIFF", "BMP")
# The format a source keeps when no fm (or auto=format) says otherwise; others become PNG.
OWN_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif", "AVIF": "avif"}
PILLOW_WRITERS = {"jpg": "JPEG", "pjpg": "JPEG", "png": "PNG", "png8": "PNG", "png32": "PNG"}
PILLOW_WRITERS |= {"webp": "WEBP", "avif": "AVIF", "gif": "GIF"}
DEFAULT_QUALITY = 75
ROTATED = (5, 6, 7, 8)  # EXIF orientations that swap width and height
EXIF_ORIENTATION = 0x0112
ENTROPY_SAMPLE = 128  # entropy crops are chosen on a thumbnail this large
ENTROPY_STEPS = 9
MAX_TARGET = 1_000_000.0
# Past this many output pixels, encoders trade some size for speed (AVIF, WebP and PNG at
# their slowest settings take tens of seconds for 25 Mpx).
FAST_ENCODE_PIXELS = 4_000_000


class NotAnImage(Exception):
    """The file is not an image we transform: it is served as stored."""


class ImageTooLarge(Exception):
    def __init__(self, pixels: int, max_pixels: int):
        super().__init__(pixels)
        self.pixels, self.max_pixels = pixels, max_pixels


@dataclass(frozen=True)
class Limits:
    max_side: int
    max_pixels: int
    max_input_pixels: int


@functools.cache
def supported_formats() -> frozenset:
    """The fm values this Pillow can write (AVIF and WebP depend on how it was built)."""
    Image.init()
    return frozenset(name for name, pillow in PILLOW_WRITERS.items() if pillow in Image.SAVE)


def sniff(head: bytes) -> str:
    """The media type of a variant, from its first bytes (a variant kept in the source's
    own format has no extension to say it)."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head.startswith(b"GIF8"):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp" and head[8:12] in (b"avif", b"avis"):
        return "image/avif"
    return "application/octet-stream"


@dataclass(frozen=True)
class Plan:
    """Cut ``box`` (fractions of the upright source: left, top, right, bottom), resize it to
    ``size``, and place it at ``offset`` on a ``canvas`` (larger than ``size`` for fill)."""

    box: tuple[float, float, float, float]
    size: tuple[int, int]
    canvas: tuple[int, int]
    offset: tuple[int, int] = (0, 0)


def _target(t: Transformation, width: int, height: int) -> tuple[float | None, float | None]:
    def scaled(value, whole):
        if value is None:
            return None
        # Anything past MAX_TARGET is capped to the limits anyway; this keeps it finite.
        return min((value * whole if value < 1 else value) * t.dpr, MAX_TARGET)

    return scaled(t.width, width), scaled(t.height, height)


def plan(t: Transformation, width: int, height: int, limits: Limits, crop_at=None) -> Plan:
    """Where to cut and how large, for an upright source of ``width`` x ``height``.
    ``crop_at(box_width, box_height)`` answers the cut's left and top for an entropy crop."""
    tw, th = _target(t, width, height)
    full = (0.0, 0.0, 1.0, 1.0)
    grows = t.fit not in ("max", "min", "fillmax")
    if tw is None and th is None:
        size = (width, height)
        return _capped(Plan(full, size, size), limits)
    if tw is None or th is None:  # one side given: the other keeps the aspect ratio
        scale = tw / width if tw is not None else th / height
        scale = scale if grows else min(scale, 1.0)
        size = (width * scale, height * scale)
        return _capped(Plan(full, size, size), limits)
    if t.fit == "scale":
        return _capped(Plan(full, (tw, th), (tw, th)), limits)
    if t.fit in ("clip", "max", "fill", "fillmax"):
        scale = min(tw / width, th / height)
        scale = scale if grows else min(scale, 1.0)
        size = (width * scale, height * scale)
        if t.fit in ("clip", "max"):
            return _capped(Plan(full, size, size), limits)
        offset = ((tw - size[0]) / 2, (th - size[1]) / 2)
        return _capped(Plan(full, size, (tw, th), offset), limits)
    if t.fit == "min":  # crop to the aspect ratio asked for, never past the source's size
        shrink = min(1.0, width / tw, height / th)
        tw, th = tw * shrink, th * shrink
    scale = max(tw / width, th / height)
    box_w, box_h = tw / scale, th / scale  # in source pixels
    left, top = _crop_origin(t, width, height, box_w, box_h, crop_at)
    box = (left / width, top / height, (left + box_w) / width, (top + box_h) / height)
    return _capped(Plan(box, (tw, th), (tw, th)), limits)


def _crop_origin(t, width, height, box_w, box_h, crop_at) -> tuple[float, float]:
    spare_x, spare_y = max(width - box_w, 0.0), max(height - box_h, 0.0)
    if "entropy" in t.crop and crop_at is not None:
        return crop_at(box_w, box_h)
    if "focalpoint" in t.crop:
        fx, fy = t.focal_point
        left = min(max(fx * width - box_w / 2, 0.0), spare_x)
        top = min(max(fy * height - box_h / 2, 0.0), spare_y)
        return left, top
    left = 0.0 if "left" in t.crop else spare_x if "right" in t.crop else spare_x / 2
    top = 0.0 if "top" in t.crop else spare_y if "bottom" in t.crop else spare_y / 2
    return left, top


def _capped(p: Plan, limits: Limits) -> Plan:
    """Scale the output down to the limits (never the cut), and to whole pixels."""
    cw, ch = p.canvas
    factor = min(1.0, limits.max_side / max(cw, ch), math.sqrt(limits.max_pixels / (cw * ch)))

    # Rounded down when scaled to the limits, so that the result stays within them.
    to_int = round if factor == 1.0 else math.floor

    def whole(pair):
        return (max(1, to_int(pair[0] * factor)), max(1, to_int(pair[1] * factor)))

    canvas = (min(whole(p.canvas)[0], limits.max_side), min(whole(p.canvas)[1], limits.max_side))
    size = (min(whole(p.size)[0], canvas[0]), min(whole(p.size)[1], canvas[1]))
    offset = (round(p.offset[0] * factor), round(p.offset[1] * factor))
    return Plan(p.box, size, canvas, offset)


# --- Decoding and encoding ---------------------------------------------------------------


def open_image(handle, limits: Limits) -> Image.Image:
    """The source, opened (header only); refuses a non-image and one over the input limit."""
    try:
        image = Image.open(handle, formats=INPUTS)
    except Image.DecompressionBombError as error:
        raise ImageTooLarge(0, limits.max_input_pixels) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError) as error:
        raise NotAnImage(str(error)) from error
    pixels = image.width * image.height
    if pixels > limits.max_input_pixels:
        image.close()
        raise ImageTooLarge(pixels, limits.max_input_pixels)
    return image


def _upright_size(image: Image.Image) -> tuple[int, int]:
    try:
        orientation = image.getexif().get(EXIF_ORIENTATION)
    except Exception:  # a broken EXIF block is no reason to refuse the image
        orientation = None
    return (image.height, image.width) if orientation in ROTATED else image.size


def _normal_mode(image: Image.Image) -> Image.Image:
    """RGB, RGBA or L, whatever the source's mode (palette, CMYK, 16-bit...)."""
    if image.mode in ("RGB", "RGBA", "L"):
        return image
    if image.mode.startswith("I;16") or image.mode == "I":
        return image.convert("I").point(lambda v: v / 256).convert("L")
    if image.mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if "A" in image.getbands() or image.mode in ("RGBa", "La", "PA"):
        return image.convert("RGBA")
    return image.convert("RGB")


def _decode(image: Image.Image, t: Transformation, limits: Limits) -> tuple[Image.Image, Plan]:
    width, height = _upright_size(image)
    rough = plan(t, width, height, limits)
    if image.format == "JPEG":  # decode at 1/2, 1/4 or 1/8 scale when the output allows
        box_w = (rough.box[2] - rough.box[0]) or 1.0
        box_h = (rough.box[3] - rough.box[1]) or 1.0
        need = (math.ceil(rough.size[0] / box_w), math.ceil(rough.size[1] / box_h))
        if _upright_size(image) != image.size:
            need = need[::-1]
        image.draft("RGB", need)
    try:
        image.load()
        upright = _normal_mode(ImageOps.exif_transpose(image))
    except Image.DecompressionBombError as error:
        raise ImageTooLarge(width * height, limits.max_input_pixels) from error
    except Exception as error:  # a file Pillow can't decode is served as stored, never a 500
        raise NotAnImage(str(error)) from error
    if "entropy" in t.crop:
        return upright, plan(t, width, height, limits, crop_at=_entropy_finder(upright, width))
    return upright, rough


def _entropy_finder(image: Image.Image, source_width: int):
    """For an entropy crop: the cut, among a few along each axis, with the most detail.
    Sizes are in source pixels (the decoded image may be a JPEG draft, smaller)."""
    sample = image.copy()
    sample.thumbnail((ENTROPY_SAMPLE, ENTROPY_SAMPLE))
    ratio = sample.width / source_width
    source_height = image.height * source_width / image.width

    def crop_at(box_w: float, box_h: float) -> tuple[float, float]:
        spare_x, spare_y = source_width - box_w, source_height - box_h
        candidates = {
            (spare_x * i / (ENTROPY_STEPS - 1), spare_y * j / (ENTROPY_STEPS - 1))
            for i in range(ENTROPY_STEPS if spare_x > 0 else 1)
            for j in range(ENTROPY_STEPS if spare_y > 0 else 1)
        }

        def detail(origin):
            x, y = origin
            box = (x, y, x + box_w, y + box_h)
            return sample.crop(tuple(round(v * ratio) for v in box)).entropy()

        return max(sorted(candidates), key=detail)

    return crop_at


def _flatten(image: Image.Image, color=(255, 255, 255)) -> Image.Image:
    if image.mode != "RGBA":
        return image
    background = Image.new("RGB", image.size, color[:3])
    background.paste(image, mask=image.getchannel("A"))
    return background


def render(handle, t: Transformation, output_format: str | None, limits: Limits):
    """The variant's bytes and its format name (jpg, png, webp...)."""
    with open_image(handle, limits) as image:
        source_format = image.format
        upright, p = _decode(image, t, limits)
    w, h = upright.size
    box = (p.box[0] * w, p.box[1] * h, p.box[2] * w, p.box[3] * h)
    result = upright
    if p.size != (w, h) or box != (0, 0, w, h):
        result = upright.resize(p.size, Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if p.canvas != p.size:
        color = t.fill_color or (255, 255, 255, 0)
        mode = "RGBA" if result.mode == "RGBA" or color[3] < 255 else "RGB"
        canvas = Image.new(mode, p.canvas, color if mode == "RGBA" else color[:3])
        canvas.paste(result.convert(mode), p.offset)
        result = canvas
    name = output_format or OWN_FORMATS.get(source_format, "png")
    return _encode(result, name, t.quality, upright.info.get("icc_profile")), name


def _encode(image: Image.Image, name: str, quality: int | None, icc) -> bytes:
    options = {"icc_profile": icc} if icc else {}
    q = quality or DEFAULT_QUALITY
    large = image.width * image.height > FAST_ENCODE_PIXELS
    if name in ("jpg", "pjpg"):
        image = _flatten(image)
        options |= {"quality": q, "progressive": name == "pjpg"}
    elif name == "webp":
        options |= {"quality": q, "method": 2 if large else 4}
    elif name == "avif":
        options |= {"quality": q, "speed": 9 if large else 7}
    elif name == "png32":
        image = image.convert("RGBA")
    elif name in ("png8", "gif") and image.mode != "L":
        image = image.quantize(256, method=Image.Quantize.FASTOCTREE)
    if name.startswith("png"):
        options["compress_level"] = 2 if large else 6
    buffer = io.BytesIO()
    image.save(buffer, format=PILLOW_WRITERS[name], **options)
    return buffer.getvalue()
