"""Replacing an upload's file: ``PUT /uploads/:id?replace_strategy=…`` with the ``path`` of
a new upload request (SPEC-2 §7.1). The file's facts (size, md5, dimensions, format…) are
read again from the new bytes, never taken from the client.

- ``create_new_url`` (the default, as DatoCMS's): the upload takes the new path, so its
  URL changes; the old file is deleted once no environment's uploads use it (a fork
  shares its source's files).
- ``keep_url``: the path and URL stay, the bytes behind them are replaced. Refused while
  another environment's upload uses the same file, which would change under it.
"""

from pathlib import PurePosixPath

from django.db import transaction

from cms.api.errors import ApiError, invalid_field
from cms.api.query import refuse_unknown
from environments import copying, selection
from environments.models import Environment
from uploads import services, storage
from uploads.models import Upload

CREATE_NEW_URL, KEEP_URL = "create_new_url", "keep_url"
STRATEGIES = (CREATE_NEW_URL, KEEP_URL)


def replace_strategy(params: dict) -> str:
    """The ``replace_strategy`` of a ``PUT /uploads/:id`` query; 422 naming it when it is
    none of the two (or when the query has anything else)."""
    refuse_unknown(params, {"replace_strategy"})
    strategy = params.get("replace_strategy") or CREATE_NEW_URL
    if strategy not in STRATEGIES:
        raise ApiError(
            "INVALID_QUERY_PARAMETERS",
            422,
            parameter="replace_strategy",
            value=strategy,
            allowed=list(STRATEGIES),
        )
    return strategy


def replace_file(upload: Upload, path: str, *, basename: str | None, strategy: str) -> Upload:
    """Give ``upload`` the file uploaded to ``path`` (an upload request's), by
    ``strategy``. Everything is checked before anything changes. The helpers of
    ``services`` are those a create uses (it imports this module: looked up when called)."""
    upload_request = services._issued_request(path)
    if Upload.objects.filter(path=path).exists():
        raise invalid_field(
            "path", "VALIDATION_UNIQUENESS", message="An upload already uses this file."
        )
    if strategy == KEEP_URL:
        _refuse_shared(upload)
        filename = upload.filename  # the URL's name stays, so does the file's
    else:
        filename = upload_request.filename
    if basename:
        filename = services.safe_filename(basename + PurePosixPath(filename).suffix)
    if strategy == CREATE_NEW_URL:
        old_path, upload.path = upload.path, path
        services._apply_facts(upload, filename)
        services._save(upload)
        transaction.on_commit(lambda: storage.delete_unless_shared([old_path]))
        return upload
    services._apply_facts(upload, filename, source=path)  # read before the old bytes go
    with transaction.atomic():
        services._save(upload)
        # In the transaction: if the copy fails, the row keeps the old facts.
        storage.overwrite(upload.storage_name, path.lstrip("/"))
    transaction.on_commit(lambda: storage.delete_unless_shared([path]))
    # The old bytes' variants: unreachable now (their names hash the old version stamp).
    transaction.on_commit(lambda: storage.delete_variants(upload.path))
    return upload


def _refuse_shared(upload: Upload) -> None:
    """422 when another environment's upload uses this file (or a fork being made may)."""
    here = selection.current()
    others = dict(Environment.objects.exclude(storage=here).values_list("storage", "status"))
    if not others:
        return
    creating = [s for s, status in others.items() if status == Environment.Status.CREATING]
    sharing = creating or copying.storages_using_upload_path(upload.path, list(others))
    if sharing:
        raise ApiError(
            "INVALID_QUERY_PARAMETERS",
            422,
            parameter="replace_strategy",
            value=KEEP_URL,
            code="FILE_SHARED_WITH_ANOTHER_ENVIRONMENT",
            environments=sorted(
                Environment.objects.filter(storage__in=sharing).values_list("name", flat=True)
            ),
            message="Another environment's upload uses this file: replace it with create_new_url.",
        )
