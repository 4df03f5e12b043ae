"""The walk over a record's values: every field, every locale, blocks at any depth. Each
field type parses its value and hands references and blocks back here (its ``collect``);
what needs the database is left in :attr:`RecordValidation.pending` for the bulk pass."""

from copy import copy

from cms.api.errors import ApiError, ApiErrors
from cms.ids import is_valid_id, new_id
from item_types.field_types import FieldValueError
from item_types.html_safety import sanitized_value
from item_types.models import Field, ItemType
from items.content_model import ContentModel
from items.validation.blocks import MAX_BLOCK_DEPTH, NewBlock, kept_block_model, new_block_model
from items.validation.bulk_pass import PendingChecks, value_hash
from items.validation.locales import record_locales
from items.validation.locations import Location, error_at
from items.validation.plans import FieldPlan, model_plan


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
        self.pending = PendingChecks()
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
        plan = model_plan(self.model, item_type)
        if not attributes.keys() <= plan.api_keys:
            self._refuse_unknown_attributes(attributes, self.model.fields[item_type.id], Location)
        site_locales = self.model.locales
        any_object = plan.any_localized
        if not any_object:
            for value in attributes.values():
                if isinstance(value, dict):
                    any_object = True
                    break
        if any_object:
            fields = self.model.fields[item_type.id]
            locales, locale_errors = record_locales(site_locales, item_type, attributes, fields)
        else:  # what record_locales answers when no value is an object
            locales = list(site_locales) if item_type.all_locales_required else [site_locales[0]]
            locale_errors = ()
        # Fields whose locales are wrong are reported once, not again value by value.
        misplaced = ()
        if locale_errors:
            self.errors += locale_errors
            misplaced = {error.details["field"] for error in locale_errors}
        self._holder_id = record_id
        data = {}
        for field_plan in plan.fields:
            api_key, field_ = field_plan.api_key, field_plan.field
            if api_key in misplaced:
                continue
            if field_plan.localized:
                given = attributes.get(api_key)
                given = given if api_key in attributes else self._default(field_, locales)
                data[field_.id] = {
                    locale: self._value(field_plan, given.get(locale), locale) for locale in locales
                }
            else:
                raw = attributes.get(api_key, field_plan.default_value)
                data[field_.id] = self._value(field_plan, raw)
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

    # --- one value --------------------------------------------------------------------

    def _value(self, plan: FieldPlan, raw, locale=None, location: Location | None = None):
        """Parse, collect references and blocks, and run the value validators. Where the
        value sits is ``location``, or its top-level field's in ``locale``: made only when
        an error or a unique claim names it (most values are neither)."""
        field_type = plan.field_type
        if raw is None:
            value = copy(field_type.empty_value)
        else:
            errors_before = len(self.errors)
            try:
                value = field_type.parse(raw)
                if plan.sanitized:
                    value = sanitized_value(plan.field.validators, value)
                if not plan.plain:
                    where = location or Location(plan.api_key, locale)
                    value = self._collected(plan, value, where)
            except FieldValueError as error:
                where = location or Location(plan.api_key, locale)
                self._fail_at(where, error.code, **error.details)
                return None
            if len(self.errors) > errors_before:  # refused inside: its rules don't apply
                return field_type.to_storage(value)
        for check, checks_null, params in plan.checks:
            if value is None and not checks_null:
                continue
            try:
                check(value, params)
            except FieldValueError as problem:
                where = location or Location(plan.api_key, locale)
                self._fail_at(where, problem.code, **problem.details)
        if plan.unique and value is not None:
            where = location or Location(plan.api_key, locale)
            claim = (plan.field, where.locale or "", value_hash(value), where)
            self.pending.unique.append(claim)
        if plan.has_text and value is not None:
            self.texts.append(field_type.search_text(value))
        return value if plan.stored_as_is else field_type.to_storage(value)

    def _collected(self, plan: FieldPlan, value, location: Location):
        """The type's ``collect``: references and blocks call back here (``upload``,
        ``record``, ``block``, ``fail``), which must know the field and where it sits."""
        saved = (self.field, self._location)
        self.field, self._location = plan.field, location
        try:
            return plan.field_type.collect(value, self)
        finally:
            self.field, self._location = saved

    def _fail_at(self, location: Location, code: str, **details) -> None:
        self.errors.append(error_at(location, code, **details))

    # --- what field types call (``collect``) -------------------------------------------

    def _here(self, index=None, key=None) -> Location:
        return self._location.below(*(step for step in (index, key) if step is not None))

    def fail(self, code: str, **details) -> None:
        key = details.pop("key", None)
        self._fail_at(self._here(key=key), code, **details)

    def upload(self, upload_id: str, file_value: dict | None, *, index=None, key=None) -> None:
        self.pending.uploads.append((upload_id, file_value, self.field, self._here(index, key)))
        self.references.append((self._holder_id, self.field, "upload", upload_id))

    def record(self, item_id: str, validator: str, *, index=None, key=None) -> None:
        location = self._here(index, key)
        if not is_valid_id(item_id):
            self._fail_at(location, "INVALID_FORMAT", message="Expected a record id.")
            return
        self.pending.links.append((item_id, validator, self.field, location))
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
        try:
            if existing is not None:
                block_type = kept_block_model(self.model, self.field, existing, raw, validator_name)
            else:
                block_type = new_block_model(self.model, self.field, raw, validator_name)
        except FieldValueError as problem:
            self._fail_at(location, problem.code, **problem.details)
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
                self.pending.block_ids.append((block_id, location))
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

    def _block_values(self, block_type: ItemType, attributes: dict, location: Location) -> dict:
        plan = model_plan(self.model, block_type)
        if not attributes.keys() <= plan.api_keys:
            fields = self.model.fields[block_type.id]
            self._refuse_unknown_attributes(attributes, fields, location.below)
        data = {}
        for field_plan in plan.fields:
            raw = attributes.get(field_plan.api_key, field_plan.default_value)
            where = location.below(field_plan.api_key)
            data[field_plan.field.id] = self._value(field_plan, raw, location=where)
        return data

    # --- what the writes read -----------------------------------------------------------

    def unique_values(self) -> list[tuple[Field, str, str]]:
        return [(field_, locale, digest) for field_, locale, digest, _ in self.pending.unique]

    def search_text(self) -> str:
        return "\n".join(filter(None, self.texts)).lower()

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise ApiErrors(self.errors)
