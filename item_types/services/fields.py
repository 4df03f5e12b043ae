"""Fields: their attributes (validators, default value, appearance) checked by their
field type, and their positions within the model."""

from copy import copy

from cms.api.errors import ApiError, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.field_types import FIELD_TYPES, FieldValueError
from item_types.locking import schema_write
from item_types.models import Field, ItemType, Site
from item_types.schema import (
    FIELD_ATTRIBUTES,
    ITEM_TYPE_FIELD_RELATIONSHIPS,
    RESERVED_FIELD_API_KEYS,
)
from item_types.services import positions
from item_types.services.common import (
    check_api_key,
    clean_schema_attributes,
    parse_per_locale,
    raise_if,
    save_unique,
    taken_id,
)
from item_types.signals import RULE_ATTRIBUTES, field_changed, record_rules_changed
from item_types.validators import VALIDATORS, SchemaContext, fields_named
from webhooks import announce as webhook_events


def _clean_validators(field_type_code: str, validators: dict, context: SchemaContext):
    """Validators allowed for the type, mandatory ones present, each one's parameters sound."""
    field_type = FIELD_TYPES[field_type_code]
    errors: list[ApiError] = []
    cleaned: dict = {}
    for name, params in validators.items():
        validator = VALIDATORS.get(name)
        if validator is None:
            errors.append(
                invalid_field("validators", "VALIDATION_UNKNOWN_VALIDATOR", validator=name)
            )
            continue
        if name not in field_type.allowed_validators:
            errors.append(
                invalid_field(
                    "validators",
                    "VALIDATION_VALIDATOR_NOT_ALLOWED",
                    validator=name,
                    field_type=field_type_code,
                    allowed=sorted(field_type.allowed_validators),
                )
            )
            continue
        try:
            cleaned[name] = validator.clean_params(params, context)
        except FieldValueError as error:
            errors.append(invalid_field("validators", error.code, validator=name, **error.details))
    for name in sorted(field_type.mandatory_validators - set(validators)):
        errors.append(
            invalid_field(
                "validators",
                "VALIDATION_MISSING_VALIDATOR",
                validator=name,
                field_type=field_type_code,
            )
        )
    return cleaned, errors


def _clean_default_value(field_type_code: str, localized: bool, value, locales: list[str]):
    """The default value, parsed by its field type; per locale when localized."""
    field_type = FIELD_TYPES[field_type_code]
    if not field_type.accepts_default_value:
        # Such a field answers null; a per-locale object of nulls (sent back) means the same.
        if value is None or (isinstance(value, dict) and all(v is None for v in value.values())):
            return None, []
        return None, [
            invalid_field(
                "default_value",
                "VALIDATION_NOT_ALLOWED",
                message=f"A {field_type_code} field has no default value.",
            )
        ]
    if value is None:
        return ({locale: None for locale in locales} if localized else None), []
    if not localized:
        try:
            return field_type.parse(value), []
        except FieldValueError as error:
            return None, [invalid_field("default_value", error.code, **error.details)]
    if not isinstance(value, dict):
        return None, [
            invalid_field(
                "default_value",
                "INVALID_LOCALES",
                message="A localized field's default is keyed by locale.",
                required_locales=locales,
            )
        ]
    return parse_per_locale(
        "default_value", value, locales, lambda raw: None if raw is None else field_type.parse(raw)
    )


def _clean_appearance(appearance: dict, field_type_code: str) -> tuple[dict, list[ApiError]]:
    default = FIELD_TYPES[field_type_code].default_appearance()
    editor = appearance.get("editor", default["editor"])
    parameters = appearance.get(
        "parameters", default["parameters"] if editor == default["editor"] else {}
    )
    addons = appearance.get("addons", [])
    errors = []
    if not isinstance(editor, str) or not editor:
        errors.append(invalid_field("appearance", "VALIDATION_FORMAT", key="editor"))
    if not isinstance(parameters, dict):
        errors.append(invalid_field("appearance", "VALIDATION_FORMAT", key="parameters"))
    if not isinstance(addons, list) or not all(isinstance(a, dict) for a in addons):
        errors.append(invalid_field("appearance", "VALIDATION_FORMAT", key="addons"))
    result = {"editor": editor, "parameters": parameters, "addons": addons}
    if appearance.get("field_extension") is not None:
        result["field_extension"] = appearance["field_extension"]
    return result, errors


def _clean_field(document: ResourceDocument, item_type: ItemType, field: Field | None):
    """Check a field's attributes as they will be saved; return (values, errors)."""
    creating = field is None
    cleaned, errors = clean_schema_attributes(
        document, FIELD_ATTRIBUTES, creating=creating, old_spelling=("appeareance", "appearance")
    )
    errors += check_api_key(
        cleaned,
        reserved=RESERVED_FIELD_API_KEYS,
        others=item_type.fields.exclude(pk=None if creating else field.pk),
        record_type="Field",
    )
    field_type_code = cleaned.get("field_type", field.field_type if field else None)
    if field_type_code not in FIELD_TYPES:
        return cleaned, errors  # the unknown type is already reported
    type_changed = not creating and field_type_code != field.field_type
    localized = cleaned.get("localized", field.localized if field else False)
    if localized and item_type.modular_block:
        errors.append(
            invalid_field(
                "localized",
                "VALIDATION_NOT_LOCALIZABLE",
                message="Fields of a block model can't be localized; "
                "localize the field that holds the blocks.",
            )
        )
    if (
        cleaned.get("content_link_enabled") is False
        and not FIELD_TYPES[field_type_code].content_link
    ):
        errors.append(invalid_field("content_link_enabled", "VALIDATION_NOT_ALLOWED"))

    if "validators" in cleaned or creating or type_changed:
        context = SchemaContext(field=field, item_type=item_type)
        validators = cleaned.get("validators", field.validators if field else {})
        cleaned["validators"], validator_errors = _clean_validators(
            field_type_code, validators, context
        )
        errors += validator_errors

    if "default_value" in cleaned or creating or type_changed or "localized" in cleaned:
        locales = Site.load().locales
        raw = cleaned.get("default_value", field.default_value if field else None)
        if not creating and "localized" in cleaned and "default_value" not in cleaned:
            raw = _convert_default_localization(raw, field.localized, localized, locales)
        cleaned["default_value"], default_errors = _clean_default_value(
            field_type_code, localized, raw, locales
        )
        errors += default_errors

    if "appearance" in cleaned or creating or type_changed:
        appearance = cleaned.get("appearance", {} if creating or type_changed else field.appearance)
        cleaned["appearance"], appearance_errors = _clean_appearance(appearance, field_type_code)
        errors += appearance_errors
    return cleaned, errors


def _convert_default_localization(value, was_localized: bool, localized: bool, locales):
    """Turning localization on keeps the default for the main locale; off keeps that one."""
    if was_localized == localized or value is None:
        return value
    if localized:
        return {locales[0]: value}
    return value.get(locales[0]) if isinstance(value, dict) else None


_UNCHANGED = object()


def _clean_fieldset(document: ResourceDocument, item_type: ItemType):
    """The fieldset ``relationships.fieldset`` puts the field in: ``_UNCHANGED`` when the
    relationship is not sent, None for the top level, else a fieldset of this model."""
    if "fieldset" not in document.relationships:
        return _UNCHANGED, []
    relationship = document.relationships["fieldset"]
    if not isinstance(relationship, dict) or "data" not in relationship:
        return _UNCHANGED, [
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="fieldset",
                code="VALIDATION_FORMAT",
                message='fieldset must be {"data": null} or {"data": {"type": "fieldset", "id"}}.',
            )
        ]
    try:
        fieldset_id = document.relationship_id("fieldset", "fieldset")
    except ApiError as error:
        return _UNCHANGED, [error]
    if fieldset_id is not None and not item_type.fieldsets.filter(pk=fieldset_id).exists():
        return _UNCHANGED, [
            ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field="fieldset",
                code="VALIDATION_NOT_IN_THIS_MODEL",
                id=fieldset_id,
                message="No fieldset of this model has this id.",
            )
        ]
    return fieldset_id, []


@schema_write
def field_create(*, item_type: ItemType, document: ResourceDocument) -> Field:
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    cleaned, errors = _clean_field(document, item_type, None)
    fieldset_id, fieldset_errors = _clean_fieldset(document, item_type)
    errors += fieldset_errors + taken_id(Field, document.id)
    raise_if(errors)
    fieldset_id = None if fieldset_id is _UNCHANGED else fieldset_id
    field = Field(item_type=item_type, fieldset_id=fieldset_id, **cleaned)
    field.position = positions.put_in(field, item_type.pk, fieldset_id, cleaned.get("position"))
    if document.id:
        field.id = document.id
    save_unique(field, "api_key", "Field")
    _fill_automatic_model_role(item_type, field)
    if field.validators:  # a new required field, say: saved records may break it
        record_rules_changed.send(sender=Field, item_type_id=item_type.id)
    webhook_events.item_type("update", item_type)  # a field change is its model's
    return field


def _fill_automatic_model_role(item_type: ItemType, field: Field) -> None:
    """A new field fills its type's ``automatic_model_role`` while the model has none."""
    role = FIELD_TYPES[field.field_type].automatic_model_role
    if role is not None and getattr(item_type, f"{role}_id") is None:
        setattr(item_type, role, field)
        item_type.save(update_fields=[role, "updated_at"])


@schema_write
def field_update(*, field: Field, document: ResourceDocument) -> Field:
    item_type = ItemType.objects.select_for_update().get(pk=field.item_type_id)
    field = Field.objects.get(pk=field.pk)
    cleaned, errors = _clean_field(document, item_type, field)
    fieldset_id, fieldset_errors = _clean_fieldset(document, item_type)
    errors += fieldset_errors
    if "field_type" in cleaned and cleaned["field_type"] != field.field_type:
        errors += _field_type_change_errors(field, item_type)
    raise_if(errors)
    before = copy(field)
    if fieldset_id is not _UNCHANGED and fieldset_id != field.fieldset_id:
        # Into another ordering: at the position sent, else at its end.
        old = (field.fieldset_id, field.position)
        new = (fieldset_id, cleaned.pop("position", None))
        field.position = positions.move(field, item_type.pk, old, new)
        field.fieldset_id = fieldset_id
    elif "position" in cleaned:
        old = (field.fieldset_id, field.position)
        new = (field.fieldset_id, cleaned.pop("position"))
        field.position = positions.move(field, item_type.pk, old, new)
    for name, value in cleaned.items():
        setattr(field, name, value)
    if (before.field_type, before.localized) != (field.field_type, field.localized):
        field_changed.send(sender=Field, before=before, after=field)
    save_unique(field, "api_key", "Field")
    if any(getattr(before, name) != getattr(field, name) for name in RULE_ATTRIBUTES):
        record_rules_changed.send(sender=Field, item_type_id=item_type.id)
    webhook_events.item_type("update", item_type)
    return field


def _field_type_change_errors(field: Field, item_type: ItemType) -> list[ApiError]:
    """A field other settings depend on keeps its type while they do."""
    uses = [
        name
        for name in ITEM_TYPE_FIELD_RELATIONSHIPS
        if getattr(item_type, f"{name}_id") == field.pk
    ]
    if uses:
        return [
            invalid_field(
                "field_type",
                "VALIDATION_IN_USE",
                used_as=uses,
                message="The model uses this field; unset that first.",
            )
        ]
    return []


@schema_write
def field_destroy(*, field: Field) -> None:
    """Delete a field, closing the gap in positions; refused while a slug depends on it."""
    dependants = [
        other for other in field.item_type.fields.all() if field.pk in fields_named(other)
    ]
    if dependants:
        raise ApiError(
            "DELETE_RESTRICTION",
            422,
            message="A slug field is generated from this field.",
            referenced_by=[{"field": f.id, "api_key": f.api_key} for f in dependants],
        )
    had_rules = field.validators
    positions.take_out(field, field.item_type_id, field.fieldset_id, field.position)
    field.delete()
    if had_rules:  # records it made invalid may be valid without it
        record_rules_changed.send(sender=Field, item_type_id=field.item_type_id)
    webhook_events.item_type("update", field.item_type)
