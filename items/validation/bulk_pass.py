"""The second pass of record validation: what the walk over the values left to check
against the database, checked for one record or a whole batch with one query per kind
(uploads, linked records and taken ids, unique values), whatever their number; on
PostgreSQL, one query for all kinds."""

import hashlib
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import connection

from cms.api.errors import ApiError
from item_types.field_types import FieldValueError
from item_types.models import Field
from item_types.validators import VALIDATORS
from items.models import Item, UniqueValue
from items.validation.locations import Location, error_at
from uploads.models import FILE_FACTS, Upload

if TYPE_CHECKING:
    from items.validation.record import RecordValidation

# What file validators read of an upload.
UPLOAD_FACTS = ("id", *FILE_FACTS, "default_field_metadata")


@dataclass
class PendingChecks:
    """What the walk over one record's values leaves for the bulk pass."""

    #: (upload id, the file value or None, field, where): each upload must exist and
    #: pass the field's file validators.
    uploads: list[tuple[str, dict | None, Field, Location]] = field(default_factory=list)
    #: (record id, link validator, field, where): each must be a record of a model the
    #: validator allows.
    links: list[tuple[str, str, Field, Location]] = field(default_factory=list)
    #: (field, locale or "", value hash, where): values of unique fields.
    unique: list[tuple[Field, str, str, Location]] = field(default_factory=list)
    #: (block id, where): ids the client chose for new blocks, which must be free.
    block_ids: list[tuple[str, Location]] = field(default_factory=list)


def value_hash(value) -> str:
    """What a unique value is claimed by (``UniqueValue.value_hash``)."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def check_against_database(
    records: list[tuple["RecordValidation", str, bool]], known: dict | None = None
) -> None:
    """The bulk pass, for one record or a whole batch: ``(validation, record id, id chosen
    by the client)`` each. One query per kind for them all, whatever their number;
    problems land on the record they belong to, in batch order. ``known``: records the
    same write creates before these (id -> model id), which links may name."""
    all_pending = [validation.pending for validation, _, _ in records]
    upload_ids = {u for p in all_pending for u, *_ in p.uploads}
    chosen = {record_id for _, record_id, client in records if client}
    wanted = (
        {i for p in all_pending for i, *_ in p.links}
        | chosen
        | {block_id for p in all_pending for block_id, _ in p.block_ids}
    )
    claims = {(f.id, loc, digest) for p in all_pending for f, loc, digest, _ in p.unique}
    uploads, found, holders = _read(upload_ids, wanted - set(known or ()), claims)
    linkable = {**found, **(known or {})}
    taken: dict[tuple, set] = {}  # (field, locale, hash) -> the records holding it
    for row in holders:
        if row[:3] in claims:
            taken.setdefault(row[:3], set()).add(row[3])
    seen_ids: set = set()
    claimed: set = set()
    for validation, record_id, client in records:
        pending = validation.pending
        validation.errors += _upload_errors(pending, uploads)
        validation.errors += _link_errors(pending, linkable, validation.model.item_types)
        validation.errors += _id_errors(pending, record_id if client else None, found, seen_ids)
        validation.errors += _unique_errors(pending, record_id, taken, claimed)


def _upload_errors(pending: PendingChecks, uploads: dict) -> list[ApiError]:
    errors = []
    for upload_id, file_value, field_, location in pending.uploads:
        upload = uploads.get(upload_id)
        if upload is None:
            errors.append(error_at(location, "VALIDATION_UPLOAD_NOT_FOUND", upload_id=upload_id))
            continue
        for name, params in (field_.validators or {}).items():
            validator = VALIDATORS.get(name)
            if validator is None:
                continue
            try:
                validator.check_upload(file_value or {}, upload, params, location.locale)
            except FieldValueError as problem:
                errors.append(
                    error_at(location, problem.code, upload_id=upload_id, **problem.details)
                )
    return errors


def _link_errors(pending: PendingChecks, found: dict, item_types: dict) -> list[ApiError]:
    errors = []
    for item_id, validator_name, field_, location in pending.links:
        item_type_id = found.get(item_id)
        # Links point at records, never at blocks.
        if item_type_id is None or item_types[item_type_id].modular_block:
            errors.append(error_at(location, "VALIDATION_LINKED_RECORD_NOT_FOUND", item=item_id))
            continue
        validator = VALIDATORS[validator_name]
        params = validator.params_of(field_)
        if not validator.allows(item_type_id, params):
            errors.append(
                error_at(
                    location,
                    validator.code,
                    item=item_id,
                    item_type=item_type_id,
                    allowed=params["item_types"],
                )
            )
    return errors


def _id_errors(
    pending: PendingChecks, record_id: str | None, found: dict, seen: set
) -> list[ApiError]:
    """A chosen id (the record's, its blocks') must be free, and used once in the batch."""
    errors = []
    if record_id is not None:
        if record_id in found or record_id in seen:
            errors.append(
                ApiError(
                    "INVALID_ENTITY_ID",
                    422,
                    field="id",
                    id=record_id,
                    code="VALIDATION_UNIQUENESS",
                    message="The id is taken.",
                )
            )
        seen.add(record_id)
    for block_id, location in pending.block_ids:
        if block_id in seen or block_id in found:
            errors.append(
                error_at(
                    location,
                    "INVALID_ENTITY_ID",
                    id=block_id,
                    message="The block id is taken or used twice.",
                )
            )
        seen.add(block_id)
    return errors


def _unique_errors(
    pending: PendingChecks, record_id: str, taken: dict, claimed: set
) -> list[ApiError]:
    errors = []
    for field_, locale, digest, location in pending.unique:
        key = (field_.id, locale, digest)
        owners = taken.get(key, set())
        # In the database for another record, or claimed earlier in the batch. A value
        # another record holds is claimed by no one in the batch (so the record holding
        # it, updated in the same batch, keeps it).
        if owners - {record_id}:
            errors.append(error_at(location, "VALIDATION_UNIQUENESS"))
            continue
        if key in claimed:
            errors.append(error_at(location, "VALIDATION_UNIQUENESS"))
        claimed.add(key)
    return errors


def _uploads(ids):
    return Upload.objects.only(*UPLOAD_FACTS).filter(pk__in=ids)


def _records(ids):
    return Item.objects.filter(pk__in=ids).values_list("id", "item_type_id")


def _holders(hashes):
    # A flat IN on the hashes (an OR per claim would grow the query with the batch).
    return UniqueValue.objects.filter(value_hash__in=hashes).values_list(
        "field_id", "locale", "value_hash", "item_id"
    )


def _read(upload_ids: set, record_ids: set, claims: set) -> tuple[dict, dict, list]:
    """The uploads (by id), the records' models (by id) and the holders ``(field, locale,
    hash, record)`` of the unique values claimed ``(field, locale, hash)``: one query per
    kind, or one for all on PostgreSQL (a round trip instead of three, for a create with a
    file, a link and a unique field), when each kind fits one query."""
    asked = [ids for ids in (upload_ids, record_ids, claims) if ids]
    if connection.vendor == "postgresql" and asked and max(map(len, asked)) <= CHUNK:
        return _read_at_once(upload_ids, record_ids, claims)
    hashes = {digest for _, _, digest in claims}
    uploads = {upload.pk: upload for chunk in _chunks(upload_ids) for upload in _uploads(chunk)}
    found = dict(row for chunk in _chunks(record_ids) for row in _records(chunk))
    holders = [row for chunk in _chunks(hashes) for row in _holders(chunk)]
    return uploads, found, holders


def _read_at_once(upload_ids: set, record_ids: set, claims: set) -> tuple[dict, dict, list]:
    """:func:`_read` in one statement (the same SQL whatever the number of values): each
    kind's rows as a JSON array. Unique values are looked up by all three columns of
    their unique index (by the hash alone, the whole index would be read)."""
    global _STATEMENT
    if _STATEMENT is None:
        _STATEMENT = "SELECT " + ", ".join(
            _rows_of(model, columns, keys)
            for model, columns, keys in (
                (Upload, UPLOAD_FACTS, ("id",)),
                (Item, ("id", "item_type_id"), ("id",)),
                (UniqueValue, ("field_id", "locale", "value_hash", "item_id"), CLAIM),
            )
        )
    claimed = list(claims)
    params = [list(upload_ids), list(record_ids), *([c[i] for c in claimed] for i in range(3))]
    with connection.cursor() as cursor:
        cursor.execute(_STATEMENT, params)
        upload_rows, record_rows, holder_rows = map(json.loads, cursor.fetchone())
    # Columns in the model's order, as from_db wants them (json_agg keeps their order).
    uploads = {
        row["id"]: Upload.from_db(connection.alias, list(row), list(row.values()))
        for row in upload_rows
    }
    found = {row["id"]: row["item_type_id"] for row in record_rows}
    holders = [
        (row["field_id"], row["locale"], row["value_hash"], row["item_id"]) for row in holder_rows
    ]
    return uploads, found, holders


_STATEMENT = None
CLAIM = ("field", "locale", "value_hash")


def _rows_of(model, attnames, keys: tuple) -> str:
    """A JSON array of ``model``'s rows (``attnames``, in the model's order: see from_db)
    whose ``keys`` are in lists, one a key (one array parameter each, zipped)."""
    quote, meta = connection.ops.quote_name, model._meta
    columns = ", ".join(
        f"{quote(f.column)} AS {quote(f.attname)}"
        for f in meta.concrete_fields
        if f.attname in attnames
    )
    key_columns = ", ".join(quote(meta.get_field(key).column) for key in keys)
    arrays = ", ".join(["%s::text[]"] * len(keys))
    rows = (
        f"SELECT {columns} FROM {quote(meta.db_table)} "
        f"WHERE ({key_columns}) IN (SELECT * FROM unnest({arrays}))"
    )
    return f"(SELECT coalesce(json_agg(r), '[]')::text FROM ({rows}) AS r)"


CHUNK = 5000


def _chunks(values, size: int = CHUNK):
    """Sets of ids in slices a query's parameter limit can take (SQLite's is lowest)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]
