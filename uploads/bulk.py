"""Bulk edits of uploads (SPEC-2 §7.1): ``POST /uploads/bulk/tag`` and
``/uploads/bulk/set-upload-collection``, each a job.

The request checks the whole body (its type, the tags, the collection, 1 to ``MAX_UPLOADS``
upload ids) and refuses a bad one with a 422 naming what is wrong, queuing nothing. The job
(uploads/tasks.py) then edits every upload it finds in one transaction and a constant number
of queries whatever their count; an id naming no upload is a failure of its own, reported
in the result, and the others go ahead. The result is DatoCMS's ``{"data": [], "meta":
{"successful", "failed"}}``, with ``meta.failures`` (each failed id and why, as the records'
bulk jobs report theirs) for whoever reads it raw: the official client drops ``meta``.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.api.parsing import parse_resource
from cms.ids import MAX_ID_LENGTH
from menus.cleaning import KEEP, not_found, to_one
from uploads import collections, tags
from uploads.models import Upload, UploadCollection
from webhooks import announce as webhook_events
from webhooks.events import listening

MAX_UPLOADS = 200  # per call, as DatoCMS


@dataclass(frozen=True)
class Operation:
    type: str  # the body's resource type
    job_kind: str


TAG = Operation("upload_bulk_tag_operation", "uploads.bulk_tag")
SET_COLLECTION = Operation(
    "upload_bulk_set_upload_collection_operation", "uploads.bulk_set_upload_collection"
)


def _upload_ids(document, errors: list[ApiError]) -> list[str]:
    """The ``uploads`` relationship's ids, in order, once each: 1 to MAX_UPLOADS of them."""
    rel = document.relationships.get("uploads")
    data = rel.get("data") if isinstance(rel, dict) else None
    if not isinstance(data, list) or not all(
        isinstance(e, dict) and e.get("type") == "upload" and isinstance(e.get("id"), str)
        for e in data
    ):
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="uploads",
                code="VALIDATION_FORMAT" if rel is not None else "VALIDATION_REQUIRED",
                expected='{"data": [{"type": "upload", "id": ...}, ...]}',
            )
        )
        return []
    for index, entry in enumerate(data):
        if len(entry["id"]) > MAX_ID_LENGTH:
            errors.append(
                ApiError(
                    "INVALID_RELATIONSHIP",
                    422,
                    field="uploads",
                    code="VALIDATION_FORMAT",
                    index=index,
                    max_length=MAX_ID_LENGTH,
                )
            )
            return []
    ids = list(dict.fromkeys(entry["id"] for entry in data))  # a repeat counts once
    if not ids:
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="uploads",
                code="VALIDATION_REQUIRED",
                message="Name at least one upload.",
            )
        )
    elif len(ids) > MAX_UPLOADS:
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="uploads",
                code="VALIDATION_LENGTH",
                max=MAX_UPLOADS,
                count=len(ids),
                message=f"At most {MAX_UPLOADS} uploads a call.",
            )
        )
    return ids


def _unknown_attributes(document, allowed: set[str], errors: list[ApiError]) -> None:
    for name in sorted(set(document.attributes) - allowed):
        errors.append(
            ApiError("INVALID_ATTRIBUTES", 422, field=name, code="VALIDATION_UNKNOWN_ATTRIBUTE")
        )


def check_tag(body) -> dict:
    """The job's arguments for a bulk tag, or 422 with every problem of the body."""
    document = parse_resource(body, TAG.type)
    errors: list[ApiError] = []
    _unknown_attributes(document, {"tags"}, errors)
    if "tags" not in document.attributes:
        errors.append(invalid_field("tags", "VALIDATION_REQUIRED", message="Give the tags to add."))
        given = []
    else:
        given, tag_errors = tags.clean_tags(document.attributes["tags"])
        errors += tag_errors
        if not given and not tag_errors:
            errors.append(invalid_field("tags", "VALIDATION_REQUIRED", message="Give a tag."))
    ids = _upload_ids(document, errors)
    if errors:
        raise ApiErrors(errors)
    return {"tags": given, "uploads": ids}


def check_set_collection(body) -> dict:
    """The job's arguments for a bulk move (``upload_collection`` null: out of any), or 422."""
    document = parse_resource(body, SET_COLLECTION.type)
    errors: list[ApiError] = []
    _unknown_attributes(document, set(), errors)
    collection_id = to_one(document, "upload_collection", collections.TYPE, errors)
    if collection_id is KEEP and "upload_collection" not in document.relationships:
        errors.append(
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="upload_collection",
                code="VALIDATION_REQUIRED",
                message="Name the collection, or null for none.",
            )
        )
    elif (
        isinstance(collection_id, str)
        and not UploadCollection.objects.filter(pk=collection_id).exists()
    ):
        errors.append(not_found("upload_collection", collection_id))
    ids = _upload_ids(document, errors)
    if errors:
        raise ApiErrors(errors)
    return {"upload_collection": collection_id, "uploads": ids}


# --- The jobs' work ------------------------------------------------------------------------


def _outcome(asked: list[str], done: set[str]) -> dict:
    """The job's payload; ``meta.failures`` shaped as the records' bulk jobs shape theirs
    (items.services.bulk.BulkOutcome), keyed ``upload``."""
    failures = [
        {
            "upload": id_,
            "code": "NOT_FOUND",
            "errors": [{"code": "NOT_FOUND", "details": {"upload": id_}}],
        }
        for id_ in asked
        if id_ not in done
    ]
    return {
        "data": [],
        "meta": {"successful": len(done), "failed": len(failures), "failures": failures},
    }


@transaction.atomic
def bulk_tag(*, tags_to_add: list[str], upload_ids: list[str]) -> dict:
    """Add the tags to each upload found (after its own, no repeats): a few queries in all."""
    uploads = list(Upload.objects.select_for_update().filter(pk__in=upload_ids))
    changed = []
    for upload in uploads:
        merged = list(dict.fromkeys([*upload.tags, *tags_to_add]))
        if merged != upload.tags:
            upload.tags = merged
            upload.refresh_search_text()
            changed.append(upload)
    if changed:
        moment = now()
        Upload.objects.bulk_update(changed, ["tags", "search_text"])
        Upload.objects.filter(pk__in=[u.pk for u in changed]).update(updated_at=moment)
        for upload in changed:
            upload.updated_at = moment
        webhook_events.uploads("update", changed)
    if uploads:  # given to some upload: now known to the tag list
        tags.record(tags_to_add)
    return _outcome(upload_ids, {upload.pk for upload in uploads})


@transaction.atomic
def bulk_set_collection(*, collection_id: str | None, upload_ids: list[str]) -> dict:
    """Put each upload found into the collection (None: into none), in one UPDATE."""
    collections.hold(collection_id)  # else 422 for the whole job: the collection is gone
    locked = Upload.objects.select_for_update().filter(pk__in=upload_ids)
    if listening("upload"):  # whole rows only for the payloads
        moved = list(locked.order_by("pk"))
    else:
        moved = [Upload(pk=pk) for pk in locked.values_list("pk", flat=True)]
    moment = now()
    found = {upload.pk for upload in moved}
    Upload.objects.filter(pk__in=found).update(
        upload_collection_id=collection_id, updated_at=moment
    )
    for upload in moved:
        upload.upload_collection_id, upload.updated_at = collection_id, moment
    webhook_events.uploads("update", moved)
    return _outcome(upload_ids, found)
