"""Where upload bytes live. The only module that knows which storage is configured.

The default is a folder (``MEDIA_ROOT``), written through signed PUTs to this server;
with S3-compatible storage configured (django-storages), clients PUT straight to a
presigned S3 URL instead.
"""

import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core import signing
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from cms.api.errors import ApiError
from environments import selection, shared_files

SIGNING_SALT = "uploads.put"
STORAGE_SEPARATOR = "@"  # in neither ids nor storage names
CHUNK_SIZE = 256 * 1024
#: Where image variants (uploads/variants.py) are kept: a folder per upload path. Upload
#: paths start with an id (A-Z, a-f first), never with "_".
VARIANTS_DIR = "_variants"


def _s3_client():
    """boto3's client when the default storage is S3, else None."""
    connection = getattr(default_storage, "connection", None)
    if connection is None or not hasattr(default_storage, "bucket_name"):
        return None
    return connection.meta.client


def put_url(request, upload_request, max_age: int) -> str:
    """A URL the client PUTs the bytes to, with no Authorization header: it signs itself."""
    client = _s3_client()
    if client is not None:
        return client.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": default_storage.bucket_name,
                "Key": default_storage._normalize_name(upload_request.path.lstrip("/")),
            },
            ExpiresIn=max_age,
            HttpMethod="PUT",
        )
    # The PUT carries no X-Environment: the URL names the storage the request is in.
    storage = selection.current()
    bound = f"{upload_request.id}{STORAGE_SEPARATOR}{storage}" if storage else upload_request.id
    token = signing.TimestampSigner(salt=SIGNING_SALT).sign(bound)
    return request.build_absolute_uri(reverse("upload-content", args=[token]))


def unsign_put_token(token: str, max_age: int) -> tuple[str, str]:
    """The upload request id a signed PUT URL is bound to, and the storage it is in; 403
    if forged or expired."""
    try:
        bound = signing.TimestampSigner(salt=SIGNING_SALT).unsign(token, max_age=max_age)
        request_id, _, storage = bound.partition(STORAGE_SEPARATOR)
        return request_id, storage
    except signing.SignatureExpired as error:
        raise ApiError("UPLOAD_URL_EXPIRED", 403) from error
    except signing.BadSignature as error:
        raise ApiError("INVALID_UPLOAD_SIGNATURE", 403) from error


class _LimitedStream(File):
    """A request body read in chunks, refused once it passes ``max_bytes``."""

    def __init__(self, stream, max_bytes: int):
        super().__init__(stream)
        self.max_bytes = max_bytes
        self.received = 0

    def chunks(self, chunk_size=None):
        while True:
            chunk = self.file.read(chunk_size or CHUNK_SIZE)
            if not chunk:
                return
            self.received += len(chunk)
            if self.received > self.max_bytes:
                raise ApiError("UPLOAD_TOO_LARGE", 413, max_bytes=self.max_bytes)
            yield chunk

    def multiple_chunks(self, chunk_size=None):
        return True


def save_stream(name: str, stream, max_bytes: int) -> int:
    """Stream a request body into storage at ``name``; return its size.

    Nothing is held whole in memory. A body over ``max_bytes``, or one cut off by the
    client, leaves nothing behind.
    """
    content = _LimitedStream(stream, max_bytes)
    try:
        saved = default_storage.save(name, content)
    except BaseException:
        default_storage.delete(name)
        raise
    if saved != name:  # names are unique by construction; anything else is a bug
        default_storage.delete(saved)
        raise ApiError("UPLOAD_PATH_CONFLICT", 409, path=name)
    return content.received


def save_file(name: str, uploaded) -> str:
    """Store an already received file (a multipart upload spooled to disk)."""
    return default_storage.save(name, uploaded)


def exists(name: str) -> bool:
    return default_storage.exists(name)


def size(name: str) -> int:
    return default_storage.size(name)


def open_file(name: str):
    return default_storage.open(name, "rb")


def overwrite(name: str, source: str) -> None:
    """Put the bytes stored at ``source`` at ``name`` instead of its own (``name``'s URL
    stays), streamed. In a folder the new bytes are written beside the old and renamed over
    them: a copy that fails loses nothing, and no reader sees part of either. S3 (whose
    storage never overwrites) deletes then saves: readers may miss it for the instant
    between, and a failed save leaves no file."""
    try:
        final = Path(default_storage.path(name))
    except NotImplementedError:
        final = None
    if final is not None:
        with open_file(source) as handle:
            _write_beside(final, lambda out: shutil.copyfileobj(handle, out, CHUNK_SIZE))
        return
    with open_file(source) as handle:
        default_storage.delete(name)
        saved = default_storage.save(name, File(handle))
    if saved != name:  # only a concurrent write to the same name could cause this
        default_storage.delete(saved)
        raise ApiError("UPLOAD_PATH_CONFLICT", 409, path=name)


def delete(name: str) -> None:
    default_storage.delete(name)


def url(name: str) -> str:
    """Where the file can be downloaded: absolute for S3, a path on this site otherwise."""
    return default_storage.url(name)


def public_url(request, name: str) -> str:
    """Where the file can be downloaded: absolute, whatever the storage."""
    address = url(name)
    return address if "://" in address else request.build_absolute_uri(address)


def delete_unless_shared(paths: list[str]) -> None:
    """Delete the files of these upload paths that no environment's uploads use (a fork
    shares its source's files), with their image variants."""
    for path in shared_files.unused(paths):
        delete(path.lstrip("/"))
        delete_variants(path)


def variants_folder(path: str) -> str:
    return f"{VARIANTS_DIR}/{path.strip('/')}"


def variant_files(path: str) -> list[str]:
    """The names of the files kept in the variants folder of the upload path ``path``."""
    try:
        _, files = default_storage.listdir(variants_folder(path))
    except (FileNotFoundError, NotADirectoryError):
        return []
    return files


def delete_variants(path: str) -> None:
    folder = variants_folder(path)
    for name in variant_files(path):
        default_storage.delete(f"{folder}/{name}")


def version_stamp(name: str) -> str:
    """What changes when the file at ``name`` does (its size and modification time): one
    ``stat`` on a folder. FileNotFoundError when there is no such file."""
    try:
        local = default_storage.path(name)
    except NotImplementedError:  # S3: a HEAD request
        if not default_storage.exists(name):
            raise FileNotFoundError(name) from None
        return f"{default_storage.size(name)}-{default_storage.get_modified_time(name)}"
    found = os.stat(local)
    if not os.path.isfile(local):
        raise FileNotFoundError(name)
    return f"{found.st_size}-{found.st_mtime_ns}"


def save_atomically(name: str, data: bytes) -> None:
    """Write ``data`` at ``name`` (replacing what is there) so that no reader ever sees it
    half-written: a folder writes a temporary file and renames it over, S3 puts it whole."""
    try:
        final = Path(default_storage.path(name))
    except NotImplementedError:
        saved = default_storage.save(name, ContentFile(data))
        if saved != name:  # another request stored it first: keep one copy
            default_storage.delete(saved)
        return
    _write_beside(final, lambda out: out.write(data))


def _write_beside(final: Path, write) -> None:
    """``write(out)`` into a temporary file beside ``final``, then renamed over it."""
    final.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=final.parent, prefix=".partial-")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.chmod(temporary, settings.FILE_UPLOAD_PERMISSIONS or 0o644)
        os.replace(temporary, final)
    except BaseException:
        os.unlink(temporary)
        raise
