"""What an upload is, from its facts: its type, orientation, resolution and colour names.

Each is defined once here and read twice: in Python when an upload's smart tags are
derived (:mod:`uploads.metadata`), and as SQL conditions by ``GET /uploads`` filters
(:mod:`uploads.filters`), so a filter always agrees with the tags.
"""

import colorsys

# --- Type, from the MIME type ---------------------------------------------------------

#: Types DatoCMS's upload filter knows, decided by a MIME prefix or by exact MIME types.
TYPE_PREFIXES = {"image": "image/", "audio": "audio/", "video": "video/"}
TYPE_MIME_TYPES = {
    "pdfdocument": ("application/pdf",),
    "spreadsheet": (
        "application/vnd.ms-excel",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/vnd.apple.numbers",
        "text/csv",
        "text/tab-separated-values",
    ),
    "richtext": (
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.oasis.opendocument.text",
        "application/vnd.apple.pages",
        "application/rtf",
        "text/rtf",
        "text/plain",
        "text/markdown",
    ),
    "presentation": (
        "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.oasis.opendocument.presentation",
        "application/vnd.apple.keynote",
    ),
    "archive": (
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-tar",
        "application/x-bzip2",
        "application/x-xz",
        "application/x-7z-compressed",
        "application/vnd.rar",
        "application/x-rar-compressed",
    ),
}
#: Every type, ``other`` last: what none of the others is.
UPLOAD_TYPES = (*TYPE_PREFIXES, *TYPE_MIME_TYPES, "other")
#: Kept from before the DatoCMS types: anything not an image, audio or video.
LEGACY_TYPES = {"document": ("image", "audio", "video")}


def upload_type(mime_type: str | None) -> str:
    mime = (mime_type or "").lower()
    for kind, prefix in TYPE_PREFIXES.items():
        if mime.startswith(prefix):
            return kind
    for kind, mime_types in TYPE_MIME_TYPES.items():
        if mime in mime_types:
            return kind
    return "other"


# --- Orientation and resolution, from the dimensions --------------------------------------

ORIENTATIONS = ("landscape", "portrait", "square")
#: Resolution by the longest side, in pixels: up to each limit (included); ``large`` above.
RESOLUTION_LIMITS = {"icon": 128, "small": 640, "medium": 1920}
RESOLUTIONS = (*RESOLUTION_LIMITS, "large")


def orientation(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    if width == height:
        return "square"
    return "landscape" if width > height else "portrait"


def resolution(width: int | None, height: int | None) -> str | None:
    if not width or not height:
        return None
    longest = max(width, height)
    for name, limit in RESOLUTION_LIMITS.items():
        if longest <= limit:
            return name
    return "large"


# --- Colour names ---------------------------------------------------------------------

#: DatoCMS's colour buckets (the GraphQL ``ColorBucketType``).
COLOR_NAMES = (
    "black",
    "blue",
    "brown",
    "cyan",
    "green",
    "grey",
    "orange",
    "pink",
    "purple",
    "red",
    "white",
    "yellow",
)
#: Hue bands (degrees, upper bound excluded) of saturated colours.
HUES = ((15, "red"), (40, "orange"), (70, "yellow"), (165, "green"), (195, "cyan"))
HUES += ((255, "blue"), (320, "purple"), (345, "pink"), (360, "red"))


def color_name(red: int, green: int, blue: int) -> str:
    """The bucket of an sRGB colour: greys by lightness, then by hue (dark oranges are
    brown, light reds pink)."""
    hue, lightness, saturation = colorsys.rgb_to_hls(red / 255, green / 255, blue / 255)
    if lightness < 0.12:
        return "black"
    if lightness > 0.92 or (saturation < 0.15 and lightness > 0.8):
        return "white"
    if saturation < 0.15:
        return "black" if lightness < 0.2 else "grey"
    degrees = hue * 360
    name = next(name for limit, name in HUES if degrees < limit)
    if name in ("orange", "red") and lightness < 0.35 and 10 <= degrees < 40:
        return "brown"
    if name == "red" and lightness > 0.75:
        return "pink"
    return name
