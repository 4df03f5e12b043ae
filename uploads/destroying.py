"""Deleting uploads: ``DELETE /uploads/:id`` (one, answered at once) and
``POST /uploads/bulk/destroy`` (up to 200, a job). An upload still used by a record is
never deleted, even by a delete racing a record write that starts using it:

- the check (``REFERENCE_FINDERS``) says which uploads are in use, and by which records,
  to report them;
- the uploads' rows are locked (``FOR UPDATE``, in one order) before that check: a
  record committing a reference to one of them from then on waits for the delete (the
  foreign key's check locks the upload's row), then finds it gone and answers a 422; and
  every reference committed before the lock is seen by the check. So the delete never
  conflicts with a record's commit, however many records race it;
- the delete itself is one statement that deletes only the uploads no row points at
  (``NOT EXISTS`` over every table with a foreign key to uploads): a guard, and the only
  one on SQLite, where writers queue and there is nothing to lock;
- a delete PostgreSQL fails to break a deadlock (a record write that locks several of
  these uploads in another order) is run again. So would be one the foreign key refused
  at its commit, which the lock leaves no path to: kept as the last word. Nothing is
  deleted through Django's cascade, which would delete the rows pointing at the upload
  instead.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import DatabaseError, IntegrityError, connection, transaction

from cms.api.errors import ApiError
from cms.api.parsing import parse_resource
from cms.api.transient import is_transient
from cms.ids import MAX_ID_LENGTH
from uploads import storage
from uploads.models import Upload
from webhooks import announce as webhook_events

#: At most this many uploads a bulk call (as DatoCMS).
MAX_BULK = 200
#: Attempts of a delete PostgreSQL failed to break a deadlock (see the docstring).
ATTEMPTS = 3

# Functions answering, for a list of upload ids, the records using each upload in use
# ({upload id: [{"type": "item", "id": ...}]}): records register theirs in their app's
# ready(). Bulk, so that a check costs the same queries for one upload or 200.
REFERENCE_FINDERS: list[Callable[[list[str]], dict[str, list[dict]]]] = []


@dataclass
class Outcome:
    deleted: list[Upload] = field(default_factory=list)
    #: one per upload not deleted: {"type": "upload", "id", "code", ...details}
    failures: list[dict] = field(default_factory=list)


def references_of(upload_ids: list[str]) -> dict[str, list[dict]]:
    using: dict[str, list[dict]] = {}
    for finder in REFERENCE_FINDERS:
        for upload_id, references in finder(upload_ids).items():
            using.setdefault(upload_id, []).extend(references)
    return {upload_id: references for upload_id, references in using.items() if references}


def bulk_request_ids(body) -> list[str]:
    """The upload ids of a ``upload_bulk_destroy_operation`` body (each once, in order);
    422 naming ``uploads`` when it lists none, more than 200 or something else."""
    document = parse_resource(body, "upload_bulk_destroy_operation")
    relationship = document.relationships.get("uploads")
    listed = relationship.get("data") if isinstance(relationship, dict) else None
    if not isinstance(listed, list) or not listed:
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="uploads",
            code="VALIDATION_REQUIRED",
            message="List the uploads to delete in relationships.uploads.data.",
        )
    if len(listed) > MAX_BULK:
        raise ApiError(
            "INVALID_RELATIONSHIP",
            422,
            field="uploads",
            code="VALIDATION_SIZE",
            max=MAX_BULK,
            count=len(listed),
        )
    ids: dict[str, None] = {}
    for index, entry in enumerate(listed):
        if not (
            isinstance(entry, dict)
            and entry.get("type") == "upload"
            and isinstance(entry.get("id"), str)
            and 0 < len(entry["id"]) <= MAX_ID_LENGTH
        ):
            raise ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="uploads",
                code="VALIDATION_FORMAT",
                index=index,
                message='Each entry is {"type": "upload", "id": "..."}.',
            )
        ids.setdefault(entry["id"], None)
    return list(ids)


def destroy_unused(upload_ids: list[str]) -> Outcome:
    """Delete those of ``upload_ids`` that no record uses, in one transaction and a
    constant number of queries; their files go once committed, unless another
    environment's uploads still use them."""
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                return _destroy(upload_ids)
        except DatabaseError as error:
            # A deadlock broken (or, past the lock, a refused commit: see the docstring).
            if not (isinstance(error, IntegrityError) or is_transient(error)):
                raise
            if attempt == ATTEMPTS - 1:
                raise ApiError(
                    "WRITE_CONFLICT",
                    409,
                    transient=True,
                    message="Records kept starting to use these uploads: try again.",
                ) from None
    raise AssertionError("unreachable")


def _destroy(upload_ids: list[str]) -> Outcome:
    # Locked before the check, and in one order (see the module's docstring).
    locked = Upload.objects.select_for_update().filter(pk__in=upload_ids).order_by("pk")
    uploads = {upload.pk: upload for upload in locked}
    in_use = references_of(list(uploads))
    outcome = Outcome()
    for upload_id in upload_ids:
        if upload_id not in uploads:
            outcome.failures.append(_failure(upload_id, "NOT_FOUND"))
        elif upload_id in in_use:
            outcome.failures.append(
                _failure(upload_id, "UPLOAD_IN_USE", references=in_use[upload_id])
            )
    free = [
        upload_id for upload_id in upload_ids if upload_id in uploads and upload_id not in in_use
    ]
    deleted = _delete_unreferenced(free)
    for upload_id in free:
        if upload_id in deleted:
            outcome.deleted.append(uploads[upload_id])
        else:  # a reference committed after the check: the guard's case
            outcome.failures.append(_failure(upload_id, "UPLOAD_IN_USE", references=[]))
    # In the delete's transaction: a delete run again after a conflict announces once.
    webhook_events.uploads("delete", outcome.deleted)
    paths = [upload.path for upload in outcome.deleted]
    if paths:
        transaction.on_commit(lambda: storage.delete_unless_shared(paths))
    return outcome


def _failure(upload_id: str, code: str, **details) -> dict:
    """Shaped as every bulk job's failures (items.services.bulk, uploads.bulk)."""
    return {
        "upload": upload_id,
        "code": code,
        "errors": [{"code": code, "details": {"upload": upload_id, **details}}],
    }


def _delete_unreferenced(upload_ids: list[str]) -> set[str]:
    """Delete, in one statement, those uploads no row of another table points at; answer
    the ids deleted."""
    if not upload_ids:
        return set()
    quote = connection.ops.quote_name
    table = quote(Upload._meta.db_table)
    key = quote(Upload._meta.pk.column)
    guards = [
        f"NOT EXISTS (SELECT 1 FROM {quote(rel.related_model._meta.db_table)} "
        f"WHERE {quote(rel.field.column)} = {table}.{key})"
        for rel in Upload._meta.related_objects
    ]
    marks = ", ".join(["%s"] * len(upload_ids))
    sql = f"DELETE FROM {table} WHERE {key} IN ({marks})"
    sql += "".join(f" AND {guard}" for guard in guards) + f" RETURNING {key}"
    with connection.cursor() as cursor:
        cursor.execute(sql, list(upload_ids))
        return {row[0] for row in cursor.fetchall()}
