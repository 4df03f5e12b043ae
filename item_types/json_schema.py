"""A model's records as JSON Schema (draft 2020-12), generated from the content model.

Each field type says the schema of one locale's value (``FieldType.json_schema``) and each
validator what it adds (``Validator.json_schema``); here they are put together per field
(localization as an object keyed by locale, null unless ``required``) and per model.
Block models a field may hold become ``$defs`` (``block_<api_key>``), so blocks nested at
any depth are described, and a model that contains itself is a ``$ref`` loop, not an
endless schema.
"""

from item_types.field_types import FIELD_TYPES
from item_types.field_types.base import ID_SCHEMA, nullable
from item_types.validators import VALIDATORS

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def record_schema(model, item_type) -> dict:
    """The schema of a record's field values, keyed by api_key (``data.attributes`` on
    the Content Management API; a record of the record API, which adds its ``id``).
    ``model`` is the request's ``items.content_model.ContentModel``."""
    defs: dict[str, dict] = {}
    attributes = _attributes(model, item_type, defs)
    return {
        "$schema": DIALECT,
        "title": item_type.name,
        "description": f"A record of the model {item_type.api_key!r} (id {item_type.id}).",
        **attributes,
        "$defs": defs,
    }


def _attributes(model, item_type, defs: dict) -> dict:
    properties = {"id": {**ID_SCHEMA, "description": "The record's id (record API)."}}
    for field in model.fields[item_type.id]:
        properties[field.api_key] = _field(model, item_type, field, defs)
    return {"type": "object", "properties": properties, "additionalProperties": False}


def _field(model, item_type, field, defs: dict) -> dict:
    field_type = FIELD_TYPES[field.field_type]
    validators = {name: params or {} for name, params in (field.validators or {}).items()}
    allowed_blocks = validators.get(field_type.block_validator or "", {}).get("item_types")
    value = field_type.json_schema(_block(model, allowed_blocks or [], defs))
    for name, params in sorted(validators.items()):  # stored order differs by database
        validator = VALIDATORS.get(name)
        if validator is not None:
            value = _with(value, validator.json_schema(params, value))
    if not any(getattr(VALIDATORS.get(name), "refuses_null", False) for name in validators):
        value = nullable(value)
    annotations = {"title": field.label, "x-field-type": field.field_type}
    if field.hint:
        annotations["description"] = field.hint
    if not field.localized:
        return {**annotations, **value}
    return {
        **annotations,
        "type": "object",
        "description": "One value per locale.",
        "properties": {locale: value for locale in model.locales},
        "additionalProperties": False,
        **({"required": list(model.locales)} if item_type.all_locales_required else {}),
    }


def _with(value: dict, keywords: dict) -> dict:
    """``value`` narrowed by a validator's keywords: merged when they don't overlap,
    else both must hold (``allOf``)."""
    if not keywords:
        return value
    if set(keywords) & set(value):
        return {"allOf": [value, keywords]}
    return {**value, **keywords}


def _block(model, block_model_ids: list[str], defs: dict) -> dict:
    """One block of the given block models: an existing block's id, or a block resource
    whose attributes are its model's (``block_<api_key>`` in ``$defs``)."""
    refs = []
    for block_model_id in block_model_ids:
        block_model = model.item_types.get(block_model_id)
        if block_model is None:
            continue
        name = f"block_{block_model.api_key}"
        if name not in defs:
            defs[name] = {}  # taken before its fields are read: a model may hold itself
            defs[name] = _block_resource(model, block_model, defs)
        refs.append({"$ref": f"#/$defs/{name}"})
    return {"anyOf": [ID_SCHEMA, *refs]}


def _block_resource(model, block_model, defs: dict) -> dict:
    item_type = {
        "type": "object",
        "properties": {"type": {"const": "item_type"}, "id": {"const": block_model.id}},
        "required": ["id"],
    }
    return {
        "title": block_model.name,
        "type": "object",
        "properties": {
            "type": {"const": "item"},
            "id": {"type": "string"},
            "attributes": _attributes(model, block_model, defs),
            "relationships": {
                "type": "object",
                "properties": {"item_type": {"type": "object", "properties": {"data": item_type}}},
            },
            "meta": {"type": "object"},
        },
        "required": ["type"],
    }
