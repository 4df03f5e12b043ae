"""Image variants: each transformation of each upload file computed once, kept in the
storage, and served from there.

A variant's name is ``_variants/<upload path>/<digest>``, the digest hashing the file's
version stamp (size and modification time: a file replaced in place gets new variants) and
the transformation's normal form (uploads/transformations.py), so it needs no database:
``/media/`` URLs are shared by every environment. Two first requests at once may both
compute it; each writes it whole (uploads/storage.py ``save_atomically``), so neither reader
ever sees part of one.
"""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation

from cms.api.errors import ApiError
from uploads import imaging, storage
from uploads.transformations import Transformation

SNIFF_BYTES = 16
#: Kept (empty) in a file's variants folder once its bytes turned out not to be an image
#: we transform, so later requests serve the original without decoding it again.
NOT_AN_IMAGE = ".not-an-image"


@dataclass
class Variant:
    name: str
    etag: str
    content_type: str
    data: bytes | None = None  # just computed
    handle: object = None  # read from storage


def limits() -> imaging.Limits:
    return imaging.Limits(
        max_side=settings.CMS_IMAGE_TRANSFORM_MAX_SIDE,
        max_pixels=settings.CMS_IMAGE_TRANSFORM_MAX_PIXELS,
        max_input_pixels=settings.CMS_IMAGE_TRANSFORM_MAX_INPUT_PIXELS,
    )


def variant_name(path: str, stamp: str, key: str) -> str:
    digest = hashlib.sha256(f"{stamp}\n{key}".encode()).hexdigest()[:32]
    return f"{storage.variants_folder(path)}/{digest}"


def find_or_make(path: str, t: Transformation, accept: str) -> Variant | None:
    """The variant of the file at ``path`` that ``t`` asks for, from storage or computed
        now; None when the file is to be served as stored (no change asked for, no such file,
        not an image, or a variant itself). 422 ``IMAGE_TOO_LARGE`` for a source over the limit,
    ``TOO_MANY_VARIANTS`` for a new variant of a file that has its fill of them.
    """
    name = path.lstrip("/")
    output = t.output_format(accept, imaging.supported_formats())
    if name.startswith(storage.VARIANTS_DIR + "/") or (
        not t.resizes and output is None and t.quality is None
    ):
        return None
    try:
        stamp = storage.version_stamp(name)
    except (OSError, SuspiciousFileOperation):
        return None  # the original's own 404 (a name outside the storage is none either)
    target = variant_name(path, stamp, t.key(output))
    etag = target.rsplit("/", 1)[1]
    try:
        handle = storage.open_file(target)
    except (FileNotFoundError, NotADirectoryError):
        pass
    else:
        head = handle.read(SNIFF_BYTES)
        handle.seek(0)
        return Variant(target, etag, imaging.sniff(head), handle=handle)
    marker = variant_name(path, stamp, "") + NOT_AN_IMAGE
    if storage.exists(marker):
        return None  # decoded once already: not an image
    _refuse_past_the_cap(path)
    try:
        with storage.open_file(name) as source:
            data, format_name = imaging.render(source, t, output, limits())
    except imaging.NotAnImage:
        storage.save_atomically(marker, b"")
        return None
    except imaging.ImageTooLarge as error:
        raise ApiError(
            "IMAGE_TOO_LARGE",
            422,
            pixels=error.pixels,
            max_pixels=error.max_pixels,
            message="The image has too many pixels to transform; its original is served "
            "without parameters.",
        ) from None
    storage.save_atomically(target, data)
    return Variant(target, etag, imaging.sniff(data[:SNIFF_BYTES]), data=data)


def _refuse_past_the_cap(path: str) -> None:
    """422 ``TOO_MANY_VARIANTS`` once the file has ``CMS_IMAGE_TRANSFORM_MAX_VARIANTS``
    variants kept: anyone may ask for new parameters, and each new set would be computed
    and kept for good. Those kept still serve."""
    limit = settings.CMS_IMAGE_TRANSFORM_MAX_VARIANTS
    kept = [f for f in storage.variant_files(path) if not f.endswith(NOT_AN_IMAGE)]
    if len(kept) >= limit:
        raise ApiError(
            "TOO_MANY_VARIANTS",
            422,
            max_variants=limit,
            message="This file has as many transformed variants as allowed; ask for one "
            "already made, or for the original without parameters.",
        )
