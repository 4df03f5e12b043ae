"""Record validation: the one entry point every way of writing records goes through.

:class:`RecordValidation` checks a whole payload (every field, every locale, blocks at any
depth), collects every problem, and hands back the values to store. It works in two
passes so that the number of queries never grows with the payload:

1. a walk over the values: each field type parses its value and hands references
   (uploads, linked records) and blocks to this class (the field types' ``collect``);
   validators that need only the value run here;
2. one query per kind for the whole payload: uploads, linked records and taken ids, and
   unique values; the checks that need them run on the results.
"""

import hashlib
import json
from copy import copy
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.ids import is_valid_id, new_id
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.field_types.scalar import parse_date_time
from item_types.html_safety import sanitized_value
from item_types.models import Field, ItemType
from item_types.validators import VALIDATORS
from items.content_model import ContentModel
from items.models import Item, UniqueValue
from uploads.models import Upload

MAX_BLOCK_DEPTH = 16
# What file validators read of an upload.
UPLOAD_FACTS = (
    "id",
    "filename",
    "format",
    "mime_type",
    "size",
    "width",
    "height",
    "is_image",
    "default_field_metadata",
)


class Location(NamedTuple):
    """Where a value sits: the payload's top-level field, its locale, and the path down
    through blocks (indexes and inner field api_keys) when it is inside one. (A named
    tuple: one is made per value, and a big batch has a million values.)"""

    field: str
    locale: str | None = None
    path: tuple = ()

    def below(self, *steps) -> "Location":
        return Location(self.field, self.locale, self.path + tuple(s for s in steps if s != ""))

    def details(self) -> dict:
        details: dict = {"field": self.field}
        if self.locale is not None:
            details["locale"] = self.locale
        if self.path:
            details["path"] = [self.field, *([self.locale] if self.locale else []), *self.path]
        return details


@dataclass
class NewBlock:
    """A block to write: new, or an existing one kept or updated (``existing``)."""

    id: str
    item_type: ItemType
    data: dict
    parent_id: str
    parent_field: Field
    depth: int
    existing: bool = False


def value_hash(value) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class RecordValidation:
    """Validates one record payload; the field types call back into it (``collect``)."""

    def __init__(
        self, model: ContentModel, existing_blocks: dict | None = None, block_attributes=None
    ):
        """``existing_blocks`` (id -> Item) are the record's blocks on an update, and
        ``block_attributes(block)`` renders one as API attributes (values not sent)."""
        self.model = model
        self.existing_blocks = existing_blocks or {}
        self.block_attributes = block_attributes
        self._seen_blocks: set[str] = set()
        self.errors: list[ApiError] = []
        self.blocks: list[NewBlock] = []
        self._uploads: list[tuple[str, dict | None, Field, Location]] = []
        self._links: list[tuple[str, str, Field, Location]] = []
        self._unique: list[tuple[Field, str, str, Location]] = []
        self._client_ids: list[tuple[str, Location | None]] = []
        #: Words of every text value, blocks included: the record's search text.
        self.texts: list[str] = []
        #: (holder id, field, "item" or "upload", target id): the rows of items.Reference.
        self.references: list[tuple[str, Field, str, str]] = []
        # What is being validated right now (blocks nest, so these are saved and restored).
        self.field: Field | None = None
        self._location: Location | None = None
        self._holder_id: str | None = None
        self._depth = 0

    # --- the payload ------------------------------------------------------------------

    def validate_record(self, item_type: ItemType, attributes: dict, *, record_id: str) -> dict:
        """The record's top-level values: localization rules, then every field."""
        fields = self.model.fields[item_type.id]
        self._refuse_unknown_attributes(attributes, fields, Location)
        errors_before = len(self.errors)
        locales = self._record_locales(item_type, attributes, fields)
        # Fields whose locales are wrong are reported once, not again value by value.
        misplaced = {error.details["field"] for error in self.errors[errors_before:]}
        self._holder_id = record_id
        data = {}
        for field_ in fields:
            if field_.api_key in misplaced:
                continue
            if field_.localized:
                given = attributes.get(field_.api_key)
                given = given if field_.api_key in attributes else self._default(field_, locales)
                data[field_.id] = {
                    locale: self._value(field_, given.get(locale), Location(field_.api_key, locale))
                    for locale in locales
                }
            else:
                raw = attributes.get(field_.api_key, field_.default_value)
                data[field_.id] = self._value(field_, raw, Location(field_.api_key))
        return data

    def _refuse_unknown_attributes(self, attributes, fields, where) -> None:
        """``where(name)`` is the location of an attribute called ``name``."""
        known = {f.api_key for f in fields}
        for name in attributes:
            if name not in known:
                details = where(name).details()
                self.errors.append(
                    ApiError(
                        "INVALID_ATTRIBUTES",
                        422,
                        **details,
                        code="VALIDATION_UNKNOWN_FIELD",
                        message=f"The model has no field {name!r}.",
                    )
                )

    @staticmethod
    def _default(field_: Field, locales: list[str]) -> dict:
        defaults = field_.default_value if isinstance(field_.default_value, dict) else {}
        return {locale: defaults.get(locale) for locale in locales}

    def _record_locales(self, item_type: ItemType, attributes: dict, fields) -> list[str]:
        """The locales the record has: those its localized values name, all the same."""
        site = self.model.locales
        site_set = set(site)
        named: dict[str, set] = {}
        for field_ in fields:
            if field_.api_key not in attributes:
                continue
            value = attributes[field_.api_key]
            location = Location(field_.api_key)
            if not field_.localized:
                if (
                    isinstance(value, dict)
                    and value
                    and not FIELD_TYPES[field_.field_type].free_form_object
                    and value.keys() <= site_set
                ):
                    self._fail_at(
                        location,
                        "INVALID_LOCALES",
                        required_locales=None,
                        message="This field is not localized: send the value itself.",
                    )
                continue
            if not isinstance(value, dict):
                self._fail_at(
                    location,
                    "INVALID_LOCALES",
                    required_locales=site,
                    message="A localized field takes an object keyed by locale.",
                )
                continue
            unknown = sorted(value.keys() - site_set)
            if unknown:
                self._fail_at(
                    location, "INVALID_LOCALES", unknown_locales=unknown, required_locales=site
                )
                continue
            if item_type.all_locales_required and value.keys() != site_set:
                self._fail_at(
                    location,
                    "INVALID_LOCALES",
                    required_locales=site,
                    missing_locales=[loc for loc in site if loc not in value],
                )
                continue
            if value:  # {} names no locale: the record's locales come from elsewhere
                named[field_.api_key] = set(value)
        if named:
            reference_key, reference = next(iter(named.items()))
            for api_key, locales in named.items():
                if locales != reference:
                    self._fail_at(
                        Location(api_key),
                        "INVALID_LOCALES",
                        required_locales=[loc for loc in site if loc in reference],
                        given_locales=[loc for loc in site if loc in locales],
                        message=f"Every localized field must name the same locales "
                        f"as {reference_key}.",
                    )
            return [loc for loc in site if loc in reference]
        return list(site) if item_type.all_locales_required else [site[0]]

    # --- one value --------------------------------------------------------------------

    def _value(self, field_: Field, raw, location: Location):
        """Parse, collect references and blocks, and run the value validators."""
        field_type = FIELD_TYPES[field_.field_type]
        saved = (self.field, self._location)
        self.field, self._location = field_, location
        errors_before = len(self.errors)
        try:
            if raw is None:
                value = copy(field_type.empty_value)
            else:
                try:
                    parsed = sanitized_value(field_.validators, field_type.parse(raw))
                    value = field_type.collect(parsed, self)
                except FieldValueError as error:
                    self._fail_at(location, error.code, **error.details)
                    return None
            if len(self.errors) == errors_before:
                self._run_validators(field_, value, location)
                if value is not None:
                    self.texts.append(field_type.search_text(value))
            return field_type.to_storage(value)
        finally:
            self.field, self._location = saved

    def _run_validators(self, field_: Field, value, location: Location) -> None:
        if not field_.validators:
            return
        for name, params in field_.validators.items():
            validator = VALIDATORS.get(name)
            if validator is None or (value is None and not validator.checks_null):
                continue
            try:
                validator.check(value, params)
            except FieldValueError as problem:
                self._fail_at(location, problem.code, **problem.details)
        if "unique" in field_.validators and value is not None:
            self._unique.append((field_, location.locale or "", value_hash(value), location))

    def _fail_at(self, location: Location, code: str, **details) -> None:
        self.errors.append(invalid_field(**{**location.details(), "code": code, **details}))

    # --- what field types call (``collect``) -------------------------------------------

    def _here(self, index=None, key=None) -> Location:
        return self._location.below(*(step for step in (index, key) if step is not None))

    def fail(self, code: str, **details) -> None:
        key = details.pop("key", None)
        self._fail_at(self._here(key=key), code, **details)

    def upload(self, upload_id: str, file_value: dict | None, *, index=None, key=None) -> None:
        self._uploads.append((upload_id, file_value, self.field, self._here(index, key)))
        self.references.append((self._holder_id, self.field, "upload", upload_id))

    def record(self, item_id: str, validator: str, *, index=None, key=None) -> None:
        location = self._here(index, key)
        if not is_valid_id(item_id):
            self._fail_at(location, "INVALID_FORMAT", message="Expected a record id.")
            return
        self._links.append((item_id, validator, self.field, location))
        self.references.append((self._holder_id, self.field, "item", item_id))

    def block(self, raw, validator_name: str, *, index=None, key=None) -> str | None:
        """Validate a block as a record of its block model; answer its id.

        A string keeps an existing block of this record; ``{id, attributes}`` updates one
        (the attributes given replace those values); an object naming its model in
        ``relationships.item_type`` (with or without a chosen id) creates one.
        """
        location = self._here(index, key)
        block_id = raw if isinstance(raw, str) else raw.get("id")
        existing = self.existing_blocks.get(block_id) if block_id else None
        if block_id is not None and not is_valid_id(block_id):
            self._fail_at(location, "INVALID_ENTITY_ID", id=block_id)
            return None
        if existing is None and (isinstance(raw, str) or "relationships" not in raw):
            self._fail_at(
                location,
                "VALIDATION_BLOCK_NOT_FOUND",
                block=block_id,
                message="No block of this record has this id; a new block names "
                "its model in relationships.item_type.",
            )
            return None
        if existing is not None and block_id in self._seen_blocks:
            self._fail_at(
                location,
                "VALIDATION_BLOCK_NOT_FOUND",
                block=block_id,
                message="The same block can't be used twice.",
            )
            return None
        block_type = (
            self._existing_block_type(existing, raw, validator_name, location)
            if (existing is not None)
            else self._block_type(raw, validator_name, location)
        )
        if block_type is None:
            return None
        if self._depth >= MAX_BLOCK_DEPTH:
            self._fail_at(location, "VALIDATION_BLOCK_DEPTH", max_depth=MAX_BLOCK_DEPTH)
            return None
        attributes = {} if isinstance(raw, str) else raw.get("attributes") or {}
        if not isinstance(attributes, dict):
            self._fail_at(location, "INVALID_FORMAT", message="attributes must be an object.")
            return None
        if existing is not None:
            self._seen_blocks.add(block_id)
            # Values not sent keep what the block holds (its own blocks by id).
            attributes = {**self.block_attributes(existing), **attributes}
        else:
            block_id = block_id or new_id()
            if raw.get("id") is not None:
                self._client_ids.append((block_id, location))
        holder, parent_field = self._holder_id, self.field
        self._holder_id, self._depth = block_id, self._depth + 1
        try:
            data = self._block_values(block_type, attributes, location)
        finally:
            self._holder_id, self._depth = holder, self._depth - 1
        self.blocks.append(
            NewBlock(
                block_id,
                block_type,
                data,
                holder,
                parent_field,
                self._depth + 1,
                existing=existing is not None,
            )
        )
        return block_id

    def _existing_block_type(self, existing, raw, validator_name: str, location: Location):
        """A kept or updated block stays of its model, which the field must still allow."""
        if not isinstance(raw, str) and "relationships" in raw:
            named = self._block_type(raw, validator_name, location)
            if named is None:
                return None
            if named.id != existing.item_type_id:
                self._fail_at(
                    location,
                    "VALIDATION_BLOCK_TYPE_CHANGED",
                    block=existing.id,
                    message="A block keeps its model; create a new block instead.",
                )
                return None
        validator = VALIDATORS[validator_name]
        params = (self.field.validators or {}).get(validator_name) or {"item_types": []}
        if not validator.allows(existing.item_type_id, params):
            self._fail_at(
                location,
                validator.code,
                item_type=existing.item_type_id,
                allowed=params["item_types"],
            )
            return None
        return self.model.item_types[existing.item_type_id]

    def _block_type(self, raw: dict, validator_name: str, location: Location):
        relationship = (raw.get("relationships") or {}).get("item_type")
        data = relationship.get("data") if isinstance(relationship, dict) else None
        item_type_id = data.get("id") if isinstance(data, dict) else None
        validator = VALIDATORS[validator_name]
        params = (self.field.validators or {}).get(validator_name) or {"item_types": []}
        block_type = self.model.item_types.get(item_type_id) if item_type_id else None
        if (
            block_type is None
            or not block_type.modular_block
            or not validator.allows(item_type_id, params)
        ):
            self._fail_at(
                location,
                validator.code,
                item_type=item_type_id,
                allowed=params["item_types"],
                message="This block model is not allowed here.",
            )
            return None
        return block_type

    def _block_values(self, block_type: ItemType, attributes: dict, location: Location) -> dict:
        fields = self.model.fields[block_type.id]
        self._refuse_unknown_attributes(attributes, fields, location.below)
        data = {}
        for field_ in fields:
            raw = attributes.get(field_.api_key, field_.default_value)
            data[field_.id] = self._value(field_, raw, location.below(field_.api_key))
        return data

    # --- the bulk pass ----------------------------------------------------------------

    @classmethod
    def check_against_database(cls, records: list[tuple["RecordValidation", str, bool]]) -> None:
        """The bulk pass, for one record or a whole batch: ``(validation, record id, id
        chosen by the client)`` each. One query per kind for them all, whatever their
        number; problems land on the record they belong to, in batch order."""
        validations = [validation for validation, _, _ in records]
        upload_ids = {u for v in validations for u, *_ in v._uploads}
        uploads = Upload.objects.only(*UPLOAD_FACTS).in_bulk(upload_ids) if upload_ids else {}
        chosen = {record_id for _, record_id, client in records if client}
        wanted = (
            {i for v in validations for i, *_ in v._links}
            | chosen
            | {block_id for v in validations for block_id, _ in v._client_ids}
        )
        found = {}
        for chunk in _chunks(wanted):
            found.update(Item.objects.filter(pk__in=chunk).values_list("id", "item_type_id"))
        claims = {(f.id, loc, digest) for v in validations for f, loc, digest, _ in v._unique}
        taken: dict[tuple, set] = {}  # (field, locale, hash) -> the records holding it
        for chunk in _chunks({digest for _, _, digest in claims}):
            # A flat IN on the hashes (an OR per claim would grow the query with the batch).
            for row in UniqueValue.objects.filter(value_hash__in=chunk).values_list(
                "field_id", "locale", "value_hash", "item_id"
            ):
                if row[:3] in claims:
                    taken.setdefault(row[:3], set()).add(row[3])
        seen_ids: set = set()
        claimed: set = set()
        for validation, record_id, client in records:
            validation._apply_uploads(uploads)
            validation._apply_links(found)
            validation._apply_ids(record_id if client else None, found, seen_ids)
            validation._apply_unique(record_id, taken, claimed)

    def _apply_uploads(self, uploads: dict) -> None:
        for upload_id, file_value, field_, location in self._uploads:
            upload = uploads.get(upload_id)
            if upload is None:
                self._fail_at(location, "VALIDATION_UPLOAD_NOT_FOUND", upload_id=upload_id)
                continue
            for name, params in (field_.validators or {}).items():
                validator = VALIDATORS.get(name)
                if validator is None:
                    continue
                try:
                    validator.check_upload(file_value or {}, upload, params, location.locale)
                except FieldValueError as problem:
                    self._fail_at(location, problem.code, upload_id=upload_id, **problem.details)

    def _apply_links(self, found: dict) -> None:
        for item_id, validator_name, field_, location in self._links:
            item_type_id = found.get(item_id)
            # Links point at records, never at blocks.
            if item_type_id is None or self.model.item_types[item_type_id].modular_block:
                self._fail_at(location, "VALIDATION_LINKED_RECORD_NOT_FOUND", item=item_id)
                continue
            validator = VALIDATORS[validator_name]
            params = (field_.validators or {}).get(validator_name) or {"item_types": []}
            if not validator.allows(item_type_id, params):
                self._fail_at(
                    location,
                    validator.code,
                    item=item_id,
                    item_type=item_type_id,
                    allowed=params["item_types"],
                )

    def _apply_ids(self, record_id: str | None, found: dict, seen: set) -> None:
        """A chosen id (the record's, its blocks') must be free, and used once in the batch."""
        if record_id is not None:
            if record_id in found or record_id in seen:
                self.errors.append(
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
        for block_id, location in self._client_ids:
            if block_id in seen or block_id in found:
                self._fail_at(
                    location,
                    "INVALID_ENTITY_ID",
                    id=block_id,
                    message="The block id is taken or used twice.",
                )
            seen.add(block_id)

    def _apply_unique(self, record_id: str, taken: dict, claimed: set) -> None:
        for field_, locale, digest, location in self._unique:
            key = (field_.id, locale, digest)
            owners = taken.get(key, set())
            # In the database for another record, or claimed earlier in the batch.
            if owners - {record_id} or key in claimed:
                self._fail_at(location, "VALIDATION_UNIQUENESS")
            claimed.add(key)

    def unique_values(self) -> list[tuple[Field, str, str]]:
        return [(field_, locale, digest) for field_, locale, digest, _ in self._unique]

    def search_text(self) -> str:
        return "\n".join(text for text in self.texts if text).lower()

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ApiErrors(self.errors)


def _chunks(values, size: int = 5000):
    """Sets of ids in slices a query's parameter limit can take (SQLite's is lowest)."""
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def parse_meta_time(meta: dict, name: str, errors: list[ApiError]) -> datetime | None:
    """``meta.created_at`` / ``meta.first_published_at``, which imports may set."""
    raw = meta.get(name)
    if raw is None:
        return None
    try:
        return parse_date_time(raw)
    except FieldValueError:
        errors.append(
            invalid_field(
                f"meta.{name}", "INVALID_FORMAT", message="Expected an ISO 8601 date and time."
            )
        )
        return None
