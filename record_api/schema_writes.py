"""``_schema`` writes: DreamFactory's table and field descriptions (df-core's ``TableSchema``
and ``ColumnSchema``, as ``POST``/``PATCH`` take them) turned into models and fields, written
by the same services as the Content Management API's ``/item-types`` and ``/fields``
(item_types.services), so the same rules and refusals apply.

A field's DreamFactory ``type`` picks our field type (``TYPES``, the inverse of
record_api.schema's); ``required`` is the ``required`` validator, ``is_unique`` ``unique``,
``length`` (or ``max_length``) ``length``'s max, ``picklist`` ``enum``, ``ref_table`` a
link's target model; ``label``, ``description`` and ``default`` are the field's label, hint
and default value. A ``native.field_type`` (as ``GET`` answers it) names our type directly.
A field named ``id`` of type ``id`` is the primary key every table has: skipped.

Every call is one transaction: a refusal anywhere (a multi-table ``POST`` included) writes
nothing, and is answered as DreamFactory's error naming the table and field.
"""

from contextlib import contextmanager

from django.db import transaction

from cms.api.errors import ApiError, ApiErrors
from cms.api.parsing import ResourceDocument
from item_types import services
from item_types.field_types import FIELD_TYPES
from item_types.models import Field, ItemType
from record_api.errors import RecordApiError

#: DreamFactory type -> our field type. ``reference`` needs a ``ref_table``.
TYPES = {
    "string": "string",
    "text": "text",
    "integer": "integer",
    "bigint": "integer",
    "smallint": "integer",
    "float": "float",
    "double": "float",
    "decimal": "float",
    "money": "float",
    "boolean": "boolean",
    "date": "date",
    "datetime": "date_time",
    "timestamp": "date_time",
    "json": "json",
    "reference": "link",
}
#: DreamFactory's keys that set a validator, and the validator.
_RULES = {"required": "required", "is_unique": "unique"}


def _bad(message: str, **context) -> RecordApiError:
    return RecordApiError(400, message, context or None)


def _flag(value, name: str, where: dict) -> bool:
    if not isinstance(value, bool):
        raise _bad(f"'{name}' must be true or false.", **where)
    return value


def _name(spec, what: str, where: dict) -> str:
    if not isinstance(spec, dict):
        raise _bad(f"Each {what} is an object with a 'name'.", **where)
    name = spec.get("name")
    if not isinstance(name, str) or not name:
        raise _bad(f"Each {what} needs a 'name'.", **where)
    return name


def resources(body, wrapper: str = "resource") -> list:
    """A ``{"resource": [...]}`` wrapper, a bare array, or one object: the items."""
    if isinstance(body, dict) and wrapper in body:
        body = body[wrapper]
        if not isinstance(body, list):
            raise _bad(f'"{wrapper}" must be an array.')
        return body
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        return [body]
    raise _bad(f'Send an object, an array or {{"{wrapper}": [...]}}.')


def _field_type(spec: dict, where: dict) -> str:
    native = spec.get("native")
    if isinstance(native, dict) and native.get("field_type") in FIELD_TYPES:
        return native["field_type"]
    type_ = spec.get("type")
    if type_ not in TYPES:
        raise _bad(
            f"Invalid type {type_!r} for field '{where['field']}'.",
            **where,
            type=type_ if isinstance(type_, str | int | float | bool) else None,
            types=sorted(TYPES),
        )
    return TYPES[type_]


def _validators(spec: dict, field_type: str, before: dict, where: dict) -> dict:
    """The field's validators: ``before`` (the field's, on a change) with those the
    description sets or clears; those the field type can't take are dropped unless sent."""
    allowed = FIELD_TYPES[field_type].allowed_validators
    validators = {name: params for name, params in before.items() if name in allowed}
    for key in ("required", "is_unique"):
        if key in spec:
            if _flag(spec[key], key, where):
                validators[_RULES[key]] = {}
            else:
                validators.pop(_RULES[key], None)
    # allow_null is required's other side (we have no NOT NULL apart from ``required``):
    # false sets the validator, true clears it; a ``required`` sent too says it instead.
    if "allow_null" in spec and "required" not in spec:
        if _flag(spec["allow_null"], "allow_null", where):
            validators.pop("required", None)
        else:
            validators["required"] = {}
    size_key = "max_length" if "max_length" in spec else "length" if "length" in spec else None
    if size_key is not None:
        size = spec[size_key]
        if size is None:
            validators.pop("length", None)
        elif isinstance(size, int) and not isinstance(size, bool) and size > 0:
            validators["length"] = {**validators.get("length", {}), "max": size}
        else:
            raise _bad(f"'{size_key}' must be a whole number above 0 or null.", **where)
    if "picklist" in spec:
        values = spec["picklist"]
        if values is None:
            validators.pop("enum", None)
        elif isinstance(values, list) and all(isinstance(v, str) for v in values):
            validators["enum"] = {"values": values}
        else:
            raise _bad("'picklist' must be an array of strings or null.", **where)
    if field_type == "link" and ("ref_table" in spec or "item_item_type" not in validators):
        target = spec.get("ref_table")
        if not isinstance(target, str) or not target:
            raise _bad(f"A reference field needs a 'ref_table' ({where['field']}).", **where)
        model = ItemType.objects.filter(api_key=target, modular_block=False).first()
        if model is None:
            raise RecordApiError(404, f"Table '{target}' (ref_table) does not exist.", where)
        validators["item_item_type"] = {"item_types": [model.id]}
    return validators


def _field_attributes(spec: dict, field: Field | None, where: dict) -> dict:
    """Our field's attributes from a DreamFactory description (only what it says, on a change)."""
    attributes = {}
    if field is None or "type" in spec or "native" in spec:
        attributes["field_type"] = _field_type(spec, where)
    field_type = attributes.get("field_type", field.field_type if field else None)
    if field is None:
        attributes["api_key"] = where["field"]
        attributes["label"] = where["field"].replace("_", " ").capitalize()
    if "label" in spec:
        attributes["label"] = spec["label"]
    if "description" in spec:
        attributes["hint"] = spec["description"]
    if "default" in spec:
        attributes["default_value"] = spec["default"]
    rule_keys = {
        "required",
        "allow_null",
        "is_unique",
        "length",
        "max_length",
        "picklist",
        "ref_table",
    }
    if field is None or "field_type" in attributes or rule_keys & set(spec):
        before = field.validators if field is not None else {}
        attributes["validators"] = _validators(spec, field_type, before or {}, where)
    return attributes


@contextmanager
def _naming(**where):
    """A service's refusal as DreamFactory's error, naming the table (and field)."""
    try:
        yield
    except (ApiError, ApiErrors) as refusal:
        errors = refusal.errors if isinstance(refusal, ApiErrors) else [refusal]
        first = errors[0]
        said = first.details.get("message") or first.code.replace("_", " ").capitalize()
        named = " ".join(f"{kind} '{name}'" for kind, name in where.items())
        context = {**where, "error": [{"error": e.code, **e.details} for e in errors]}
        message = f"{named[0].upper()}{named[1:]}: {said}"
        raise RecordApiError(first.status, message, context) from refusal


def _is_primary_key(spec: dict) -> bool:
    return spec.get("name") == "id" and spec.get("type") == "id"


def create_field(item_type: ItemType, spec) -> Field:
    where = {"table": item_type.api_key}
    where["field"] = _name(spec, "field", where)
    attributes = _field_attributes(spec, None, where)
    document = ResourceDocument(type="field", attributes=attributes)
    with _naming(**where):
        return services.field_create(item_type=item_type, document=document)


def update_field(field: Field, spec) -> Field:
    where = {"table": field.item_type.api_key, "field": field.api_key}
    if not isinstance(spec, dict):
        raise _bad("Send the field's description, an object.", **where)
    attributes = _field_attributes(spec, field, where)
    if "name" in spec and spec["name"] != field.api_key:
        attributes["api_key"] = _name(spec, "field", where)  # a rename
    document = ResourceDocument(type="field", attributes=attributes)
    with _naming(**where):
        return services.field_update(field=field, document=document)


def delete_field(field: Field) -> None:
    with _naming(table=field.item_type.api_key, field=field.api_key):
        services.field_destroy(field=field)


def _fields(spec: dict, where: dict) -> list:
    fields = spec.get("field", [])
    if not isinstance(fields, list):
        raise _bad("'field' must be an array of field descriptions.", **where)
    return [f for f in fields if not (isinstance(f, dict) and _is_primary_key(f))]


def create_tables(specs: list) -> list[ItemType]:
    """``POST _schema``: every table, then every field (a ``ref_table`` may name a table
    of the same call); all or nothing."""
    with transaction.atomic():
        made = []
        for spec in specs:
            name = _name(spec, "table", {})
            label = spec.get("label") or name.replace("_", " ").capitalize()
            attributes = {"api_key": name, "name": label}
            if "description" in spec:
                attributes["hint"] = spec["description"]
            document = ResourceDocument(type="item_type", attributes=attributes)
            with _naming(table=name):
                made.append((services.item_type_create(document=document), spec))
        for item_type, spec in made:
            for field in _fields(spec, {"table": item_type.api_key}):
                create_field(item_type, field)
        return [item_type for item_type, _ in made]


def update_tables(specs: list, find) -> list[ItemType]:
    """``PATCH``/``PUT _schema``: each table named (``find(name)``, DreamFactory's 404
    for one that doesn't exist) changed as ``update_table`` does; all or nothing."""
    with transaction.atomic():
        return [update_table(find(_name(spec, "table", {})), spec) for spec in specs]


def update_table(item_type: ItemType, spec) -> ItemType:
    """``PATCH``/``PUT _schema/<table>``: its label, and its fields (those it has are
    changed, others created; fields not listed are kept); all or nothing."""
    where = {"table": item_type.api_key}
    if not isinstance(spec, dict):
        raise _bad("Send the table's description, an object.", **where)
    with transaction.atomic():
        attributes = {}
        if spec.get("label") is not None:
            attributes["name"] = spec["label"]
        if "description" in spec:
            attributes["hint"] = spec["description"]
        if attributes:
            document = ResourceDocument(type="item_type", attributes=attributes)
            with _naming(**where):
                item_type = services.item_type_update(item_type=item_type, document=document)
        upsert_fields(item_type, _fields(spec, where))
        return item_type


def upsert_fields(item_type: ItemType, specs: list, *, create_only: bool = False) -> list[str]:
    """Each field changed if the table has it, else created; answered by name, in order."""
    names = []
    with transaction.atomic():
        for spec in specs:
            name = _name(spec, "field", {"table": item_type.api_key})
            existing = Field.objects.filter(item_type=item_type, api_key=name).first()
            if existing is not None and not create_only:
                update_field(existing, spec)
            else:  # a duplicate name is the service's refusal (VALIDATION_UNIQUENESS)
                create_field(item_type, spec)
            names.append(name)
    return names


def delete_table(item_type: ItemType, options) -> None:
    with _naming(table=item_type.api_key):
        services.item_type_destroy(item_type=item_type, options=options)


def delete_tables(specs: list, find, options) -> list[str]:
    """``DELETE _schema`` with the tables named in the body: each dropped in the order
    named (``find(name)``, DreamFactory's 404 for one that doesn't exist); all or nothing."""
    names = [_name(spec, "table", {}) for spec in specs]
    if not names:
        raise _bad('Name the tables to delete: {"resource": [{"name": ...}]}.')
    with transaction.atomic():
        for name in names:
            delete_table(find(name), options)
    return names
