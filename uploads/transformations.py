"""Image transformation parameters on upload URLs, imgix-style (``?w=300&fit=crop&fm=webp``).

:func:`parse` reads the query string into a :class:`Transformation`: every parameter we know
is checked (a bad value is a 400 ``INVALID_IMAGE_PARAMETER`` naming it, all bad ones at
once), the ones we don't know are ignored, as imgix ignores them. :meth:`Transformation.key`
is its normal form: two URLs asking for the same image have the same key, which names the
cached variant (uploads/variants.py). Pillow's side is uploads/imaging.py.
"""

import math
from dataclasses import dataclass

from PIL import ImageColor

from cms.api.errors import ApiError, ApiErrors

#: Every parameter read here; a query holding none of them serves the file as stored.
PARAMETERS = ("w", "h", "fit", "crop", "fp-x", "fp-y", "fm", "q", "auto", "dpr", "fill-color")
FITS = ("clip", "crop", "max", "min", "fill", "fillmax", "scale")
REFUSED_FITS = {"facearea": "needs face detection, which this server doesn't do"}
# faces and edges are accepted and crop at the centre (no face or edge detection here).
CROPS = ("top", "bottom", "left", "right", "center", "focalpoint", "entropy", "faces", "edges")
# jpg, pjpg (progressive), png, png8 (palette), png32 (with alpha), webp, avif, gif.
FORMATS = ("jpg", "pjpg", "png", "png8", "png32", "webp", "avif", "gif")
AUTOS = ("format", "compress", "enhance", "redeye")  # only format does something
MIME_TYPES = {
    "jpg": "image/jpeg",
    "pjpg": "image/jpeg",
    "png": "image/png",
    "png8": "image/png",
    "png32": "image/png",
    "webp": "image/webp",
    "avif": "image/avif",
    "gif": "image/gif",
}
DPR_RANGE = (1.0, 5.0)
QUALITY_RANGE = (1, 100)
#: Longest value read: anything longer is no number or keyword we take.
MAX_VALUE_LENGTH = 64
#: Bumped when the same key would render differently: old variants are then never served.
VERSION = "1"


@dataclass(frozen=True)
class Transformation:
    width: float | None = None  # pixels, or under 1 a fraction of the source's width
    height: float | None = None
    fit: str = "clip"
    crop: tuple[str, ...] = ()
    focal_point: tuple[float, float] = (0.5, 0.5)
    format: str | None = None  # fm; None: auto=format's pick, else the source's own
    quality: int | None = None
    auto_format: bool = False
    dpr: float = 1.0
    fill_color: tuple[int, int, int, int] | None = None

    @property
    def resizes(self) -> bool:
        return self.width is not None or self.height is not None

    def output_format(self, accept: str, supported: frozenset) -> str | None:
        """fm, else auto=format's pick from the Accept header (AVIF, then WebP), else None:
        the source's own format."""
        if self.format is not None:
            return self.format
        if self.auto_format:
            accepted = accepted_image_types(accept)
            for name in ("avif", "webp"):
                if name in supported and MIME_TYPES[name] in accepted:
                    return name
        return None

    def depends_on_accept(self) -> bool:
        return self.auto_format and self.format is None

    def key(self, output_format: str | None) -> str:
        """The normal form: only what changes the result, each number written one way."""
        parts = [f"v{VERSION}", f"fm={output_format or 'source'}"]
        if self.resizes:
            parts += [f"w={_num(self.width)}", f"h={_num(self.height)}", f"dpr={_num(self.dpr)}"]
            parts.append(f"fit={self.fit}")
            if self.fit in ("crop", "min"):
                parts.append(f"crop={','.join(sorted(set(self.crop))) or 'center'}")
                if "focalpoint" in self.crop:
                    parts.append(f"fp={_num(self.focal_point[0])},{_num(self.focal_point[1])}")
            if self.fit in ("fill", "fillmax") and self.fill_color is not None:
                parts.append("fill=" + ",".join(map(str, self.fill_color)))
        if self.quality is not None:
            parts.append(f"q={self.quality}")
        return "&".join(parts)


def _num(value: float | None) -> str:
    return "-" if value is None else format(value, ".6g")


def requested(query) -> bool:
    """Whether the query string asks for any transformation at all."""
    return any(name in query for name in PARAMETERS)


def accepted_image_types(accept: str) -> set[str]:
    """The media types an Accept header takes (those with ``q=0`` refused)."""
    types = set()
    for part in accept.split(",")[:64]:
        media_type, *params = (p.strip() for p in part.split(";"))
        if any(p.replace(" ", "") in ("q=0", "q=0.0", "q=0.00", "q=0.000") for p in params):
            continue
        types.add(media_type.lower())
    return types


def _refuse(parameter: str, code: str, message: str, **details) -> ApiError:
    return ApiError(
        "INVALID_IMAGE_PARAMETER", 400, parameter=parameter, code=code, message=message, **details
    )


def _number(raw: str, parameter: str) -> float:
    try:
        value = float(raw)
    except ValueError:
        raise _refuse(parameter, "VALIDATION_FORMAT", f"{parameter} takes a number.") from None
    if not math.isfinite(value):
        raise _refuse(parameter, "VALIDATION_FORMAT", f"{parameter} takes a finite number.")
    return value


def _dimension(raw: str, parameter: str) -> float:
    value = _number(raw, parameter)
    if value <= 0:
        raise _refuse(
            parameter,
            "VALIDATION_NUMBER_RANGE",
            f"{parameter} is over 0: pixels, or under 1 a fraction of the source's size.",
        )
    return value if value < 1 else float(round(value))


def _ranged(raw: str, parameter: str, low: float, high: float, integer=False) -> float:
    value = _number(raw, parameter)
    if integer and value != int(value):
        raise _refuse(parameter, "VALIDATION_FORMAT", f"{parameter} takes a whole number.")
    if not low <= value <= high:
        raise _refuse(
            parameter,
            "VALIDATION_NUMBER_RANGE",
            f"{parameter} is from {_num(low)} to {_num(high)}.",
            min=low,
            max=high,
        )
    return value


def _choice(raw: str, parameter: str, allowed, refused=None) -> str:
    value = raw.strip().lower()
    if value in (refused or {}):
        message = f"{parameter}={value} is not supported: it {refused[value]}."
    elif value not in allowed:
        message = f"{parameter} is one of {', '.join(allowed)}."
    else:
        return value
    raise _refuse(parameter, "VALIDATION_INCLUSION", message, allowed=list(allowed))


def _choices(raw: str, parameter: str, allowed) -> tuple[str, ...]:
    return tuple(_choice(part, parameter, allowed) for part in raw.split(",") if part.strip())


def _color(raw: str, parameter: str) -> tuple[int, int, int, int]:
    """imgix's colours: hex RGB, ARGB, RRGGBB or AARRGGBB (``#`` optional), or a CSS name."""
    value = raw.strip().lstrip("#")
    if len(value) in (3, 4, 6, 8) and all(c in "0123456789abcdefABCDEF" for c in value):
        if len(value) in (3, 4):
            value = "".join(c * 2 for c in value)
        if len(value) == 6:
            value = "ff" + value
        alpha, red, green, blue = (int(value[i : i + 2], 16) for i in range(0, 8, 2))
        return (red, green, blue, alpha)
    if value.isalpha():
        try:
            red, green, blue = ImageColor.getrgb(value)[:3]
            return (red, green, blue, 255)
        except ValueError:
            pass
    raise _refuse(parameter, "VALIDATION_FORMAT", f"{parameter} takes a hex colour or a name.")


def parse(query, supported_formats: frozenset) -> Transformation:
    """The transformation a query string asks for; 400 naming each bad parameter."""
    values, errors = {}, []
    readers = {
        "w": lambda raw: _dimension(raw, "w"),
        "h": lambda raw: _dimension(raw, "h"),
        "fit": lambda raw: _choice(raw, "fit", FITS, REFUSED_FITS),
        "crop": lambda raw: _choices(raw, "crop", CROPS),
        "fp-x": lambda raw: _ranged(raw, "fp-x", 0, 1),
        "fp-y": lambda raw: _ranged(raw, "fp-y", 0, 1),
        "fm": lambda raw: _choice(raw, "fm", [f for f in FORMATS if f in supported_formats]),
        "q": lambda raw: int(_ranged(raw, "q", *QUALITY_RANGE, integer=True)),
        "auto": lambda raw: _choices(raw, "auto", AUTOS),
        "dpr": lambda raw: _ranged(raw, "dpr", *DPR_RANGE),
        "fill-color": lambda raw: _color(raw, "fill-color"),
    }
    for name, read in readers.items():
        raw = query.get(name)  # the last one when repeated
        if raw is None:
            continue
        if len(raw) > MAX_VALUE_LENGTH:
            errors.append(_refuse(name, "VALIDATION_LENGTH", f"{name} is a short value."))
            continue
        try:
            values[name] = read(raw)
        except ApiError as error:
            errors.append(error)
    if errors:
        raise ApiErrors(errors)
    return Transformation(
        width=values.get("w"),
        height=values.get("h"),
        fit=values.get("fit", "clip"),
        crop=values.get("crop", ()),
        focal_point=(values.get("fp-x", 0.5), values.get("fp-y", 0.5)),
        format=values.get("fm"),
        quality=values.get("q"),
        auto_format="format" in values.get("auto", ()),
        dpr=values.get("dpr", 1.0),
        fill_color=values.get("fill-color"),
    )
