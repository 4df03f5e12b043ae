"""Uploads: issuing signed upload URLs, receiving bytes, creating and editing uploads.

Every way in (the official client's three-step flow, a one-step multipart POST, the
admin) ends in ``_create_upload``, which reads the facts from the stored bytes.
"""

from datetime import timedelta
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.db import IntegrityError, transaction
from django.utils.text import get_valid_filename
from django.utils.timezone import now

from cms.api.attributes import Attribute, clean_attributes, is_anything, is_object
from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from environments import access
from item_types.field_types.assets import parse_file_metadata
from item_types.models import Site
from item_types.services.common import parse_per_locale
from uploads import collections, destroying, metadata, replacing, storage, tags
from uploads.analysis import analyse
from uploads.models import Upload, UploadRequest
from webhooks import announce as webhook_events

MAX_FILENAME_LENGTH = 120


def max_upload_bytes() -> int:
    return settings.CMS_MAX_UPLOAD_BYTES


def upload_url_max_age() -> int:
    return settings.CMS_UPLOAD_URL_MAX_AGE


def safe_filename(raw) -> str:
    """A file name with no directories, control characters or shell-hostile characters.

    ``../../etc/passwd`` becomes ``passwd``; ``héllo wörld.PNG`` becomes ``héllo_wörld.PNG``.
    """
    name = str(raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable()).strip().lstrip(".")
    try:
        name = get_valid_filename(name)
    except SuspiciousFileOperation:
        name = ""
    if not name:
        return "file"
    stem, suffix = PurePosixPath(name).stem, PurePosixPath(name).suffix[:16]
    return stem[: MAX_FILENAME_LENGTH - len(suffix)] + suffix


# --- Step 1 and 2: an upload request, then the bytes -----------------------------------


def upload_request_create(*, request, document: ResourceDocument) -> tuple[UploadRequest, str]:
    filename = document.attributes.get("filename")
    if not isinstance(filename, str) or not filename.strip():
        raise invalid_field("filename", "VALIDATION_REQUIRED", message="Give the file's name.")
    unknown = sorted(set(document.attributes) - {"filename"})
    if unknown:
        raise ApiError(
            "INVALID_ATTRIBUTES", 422, field=unknown[0], code="VALIDATION_UNKNOWN_ATTRIBUTE"
        )
    safe = safe_filename(filename)
    # The path is the upload request's public id (as DatoCMS's): unique, unguessable.
    upload_request = UploadRequest.objects.create(
        path=f"/{new_id()}/{safe}",
        filename=safe,
        expires_at=now() + timedelta(seconds=upload_url_max_age()),
    )
    return upload_request, storage.put_url(request, upload_request, upload_url_max_age())


def receive_content(*, token: str, stream, content_length: int | None) -> UploadRequest:
    """Take the bytes of a signed PUT. The URL works once, before it expires.

    ``content_length`` is None for a chunked body, whose size is known once it is read.
    A refused PUT (empty, too large, cut off) leaves no file and the URL still usable.
    """
    request_id, in_storage = storage.unsign_put_token(token, upload_url_max_age())
    access.enter_storage(in_storage)
    if content_length is not None and content_length > max_upload_bytes():
        raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=max_upload_bytes())
    if content_length == 0:
        raise _empty_upload()
    # Claimed atomically, so two PUTs racing on one URL can't both write.
    claimed = UploadRequest.objects.filter(
        pk=request_id, used_at=None, expires_at__gt=now()
    ).update(used_at=now())
    if not claimed:
        raise ApiError("UPLOAD_URL_ALREADY_USED", 403)
    upload_request = UploadRequest.objects.get(pk=request_id)
    name = upload_request.path.lstrip("/")
    try:
        received = storage.save_stream(name, stream, max_upload_bytes())
        if received == 0:
            storage.delete(name)
            raise _empty_upload()
    except BaseException:
        # Nothing was stored: give the URL back for a retry.
        UploadRequest.objects.filter(pk=request_id).update(used_at=None)
        raise
    return upload_request


def _empty_upload() -> ApiError:
    return ApiError("UPLOAD_EMPTY", 422, message="The PUT carried no bytes; send the file.")


# --- Step 3: the upload ------------------------------------------------------------------


UPLOAD_ATTRIBUTES: dict[str, Attribute] = {
    "path": Attribute(max_length=300),
    "basename": Attribute(max_length=200),
    "author": Attribute(nullable=True),
    "copyright": Attribute(nullable=True),
    "notes": Attribute(nullable=True),
    "tags": Attribute(check=is_anything),  # uploads.tags.clean_tags names each bad tag
    "default_field_metadata": Attribute(check=is_object, expected="an object keyed by locale"),
    # Facts read from the file: answered, and ignored when a client sends them back.
    **{
        name: Attribute(read_only=True)
        for name in (
            "size",
            "width",
            "height",
            "filename",
            "url",
            "format",
            "mime_type",
            "md5",
            "is_image",
            "created_at",
            "updated_at",
            "duration",
            "frame_rate",
            "blurhash",
            "thumbhash",
            "mux_playback_id",
            "mux_mp4_highest_res",
            "smart_tags",
            "exif_info",
            "colors",
        )
    },
}


def empty_metadata() -> dict:
    return {"alt": None, "title": None, "custom_data": {}, "focal_point": None}


def _clean_metadata(value: dict, locales: list[str]) -> tuple[dict | None, list[ApiError]]:
    """Per-locale alt, title, custom data and focal point; every site locale present."""
    return parse_per_locale(
        "default_field_metadata", value, locales, lambda raw: parse_file_metadata(raw or {})
    )


def _clean_upload_attributes(document: ResourceDocument, *, creating: bool):
    cleaned, errors = clean_attributes(document.attributes, UPLOAD_ATTRIBUTES, creating=False)
    if "tags" in cleaned:
        cleaned["tags"], tag_errors = tags.clean_tags(cleaned["tags"])
        errors += tag_errors
    cleaned |= collections.clean_upload_collection_of(document, errors)
    locales = Site.load().locales
    if "default_field_metadata" in cleaned:
        cleaned["default_field_metadata"], metadata_errors = _clean_metadata(
            cleaned["default_field_metadata"], locales
        )
        errors += metadata_errors
    elif creating:
        cleaned["default_field_metadata"] = {locale: empty_metadata() for locale in locales}
    return cleaned, errors


def check_upload_attributes(attributes: dict) -> None:
    """Raise the errors creating an upload with these attributes would meet (no file stored)."""
    document = ResourceDocument(type="upload", attributes=attributes)
    _, errors = _clean_upload_attributes(document, creating=True)
    if errors:
        raise ApiErrors(errors)


def _issued_request(path) -> UploadRequest:
    """The upload request a path came from, once its bytes are in storage; 422 otherwise."""
    if not isinstance(path, str) or not path:
        raise invalid_field(
            "path", "VALIDATION_REQUIRED", message="Give the id answered by POST /upload-requests."
        )
    upload_request = UploadRequest.objects.filter(path=path).first()
    if upload_request is None or not storage.exists(path.lstrip("/")):
        raise invalid_field(
            "path", "VALIDATION_NOT_UPLOADED", message="No file was uploaded to this path."
        )
    return upload_request


def _apply_facts(upload: Upload, filename: str, source: str | None = None) -> None:
    """Read size, checksum, image facts and metadata from the stored bytes (never from the
    client): the upload's, or those at ``source`` (a replacement's, before they take its
    place)."""
    name = source.lstrip("/") if source else upload.storage_name
    if storage.size(name) > max_upload_bytes():  # a direct-to-S3 PUT is not size-limited
        storage.delete(name)
        raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=max_upload_bytes())
    facts = analyse(name, filename)
    upload.filename = filename
    upload.basename = PurePosixPath(filename).stem
    upload.size, upload.md5 = facts.size, facts.md5
    upload.format, upload.mime_type = facts.format, facts.mime_type
    upload.is_image, upload.width, upload.height = facts.is_image, facts.width, facts.height
    metadata.apply(upload, name)


def _save(upload: Upload) -> Upload:
    upload.refresh_search_text()
    try:
        with transaction.atomic():
            collections.hold(upload.upload_collection_id)
            event = "create" if upload._state.adding else "update"
            upload.save()
            tags.record(upload.tags)
            webhook_events.upload(event, upload)
    except IntegrityError as error:
        raise invalid_field(
            "path", "VALIDATION_UNIQUENESS", message="An upload already uses this file."
        ) from error
    return upload


def upload_create(*, document: ResourceDocument, creator_id: str | None) -> Upload:
    """``POST /uploads`` with the path of an upload request whose bytes have arrived."""
    cleaned, errors = _clean_upload_attributes(document, creating=True)
    if errors:
        raise ApiErrors(errors)
    path = cleaned.pop("path", None)
    upload_request = _issued_request(path)
    if Upload.objects.filter(path=path).exists():
        raise invalid_field(
            "path", "VALIDATION_UNIQUENESS", message="An upload already uses this file."
        )
    basename = cleaned.pop("basename", None)
    upload = Upload(path=path, creator_id=creator_id, **cleaned)
    filename = upload_request.filename
    if basename:
        filename = safe_filename(basename + PurePosixPath(filename).suffix)
    _apply_facts(upload, filename)
    return _save(upload)


def upload_create_from_file(*, uploaded, attributes: dict, creator_id: str | None) -> Upload:
    """One step: a multipart file (already spooled to disk, never held in memory)."""
    document = ResourceDocument(type="upload", attributes=attributes)
    cleaned, errors = _clean_upload_attributes(document, creating=True)
    cleaned.pop("path", None)
    if errors:
        raise ApiErrors(errors)
    if uploaded.size > max_upload_bytes():
        raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=max_upload_bytes())
    filename = safe_filename(cleaned.pop("basename", None) or uploaded.name)
    path = f"/{new_id()}/{filename}"
    storage.save_file(path.lstrip("/"), uploaded)
    upload = Upload(path=path, creator_id=creator_id, **cleaned)
    try:
        _apply_facts(upload, filename)
        return _save(upload)
    except (ApiError, ApiErrors):
        storage.delete(path.lstrip("/"))
        raise


def upload_update(
    *, upload: Upload, document: ResourceDocument, replace_strategy: str = "create_new_url"
) -> Upload:
    """Metadata edits; ``path`` swaps in a newly uploaded file (uploads/replacing.py),
    ``basename`` renames."""
    cleaned, errors = _clean_upload_attributes(document, creating=False)
    if errors:
        raise ApiErrors(errors)
    with transaction.atomic():
        # The row read again, locked: a bulk tag or collection move committed since the
        # view read it stays (save writes every column).
        fresh = Upload.objects.select_for_update().filter(pk=upload.pk).first()
        if fresh is None:
            raise ApiError("NOT_FOUND", 404, upload=upload.pk)
        return _update(fresh, cleaned, replace_strategy)


def _update(upload: Upload, cleaned: dict, replace_strategy: str) -> Upload:
    new_path = cleaned.pop("path", upload.path)
    basename = cleaned.pop("basename", None)
    for name, value in cleaned.items():
        setattr(upload, name, value)
    if new_path != upload.path:
        return replacing.replace_file(
            upload, new_path, basename=basename, strategy=replace_strategy
        )
    if basename:
        upload.filename = safe_filename(basename + PurePosixPath(upload.filename).suffix)
        upload.basename = PurePosixPath(upload.filename).stem
    return _save(upload)


def upload_destroy(*, upload: Upload) -> None:
    """Refused while records use it (uploads/destroying.py, shared with the bulk delete)."""
    failures = destroying.destroy_unused([upload.pk]).failures
    if failures and failures[0]["code"] == "UPLOAD_IN_USE":
        raise ApiError(
            "DELETE_RESTRICTION",
            422,
            references=failures[0]["errors"][0]["details"]["references"],
            message="Records still use this upload.",
        )
    if failures:
        raise ApiError("NOT_FOUND", 404, upload=upload.pk)
    # The delete event went with the delete's own transaction (uploads/destroying.py).
