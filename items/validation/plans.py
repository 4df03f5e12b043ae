"""What validating a model's values needs to know of each field, worked out once per
content model (a schema version) rather than once per value: a batch of 1,000 records of
six fields would otherwise look up the same field type, validators and parameters 6,000
times."""

from dataclasses import dataclass

from item_types.field_types import FIELD_TYPES
from item_types.field_types.base import FieldType
from item_types.models import Field, ItemType
from item_types.validators import VALIDATORS
from item_types.validators.base import Validator


@dataclass(frozen=True, slots=True)
class FieldPlan:
    field: Field
    api_key: str
    localized: bool
    default_value: object
    field_type: FieldType
    #: The type holds no references or blocks (its ``collect`` is the base one): its
    #: values need no callbacks, so none of the walk's state is set for them.
    plain: bool
    #: ``sanitized_html`` says ``sanitize_before_validation``.
    sanitized: bool
    #: (check, checks null, params) of the validators whose ``check`` does something,
    #: in the field's order.
    checks: tuple
    unique: bool
    #: The type's ``search_text`` gives words (others give "" and are skipped).
    has_text: bool
    #: ``to_storage`` is the identity.
    stored_as_is: bool


@dataclass(frozen=True, slots=True)
class ModelPlan:
    fields: tuple[FieldPlan, ...]
    api_keys: frozenset[str]
    #: Some field is localized, or may be refused for a value keyed like locales: the
    #: localization rules have to be read (see ``record_locales``).
    any_localized: bool


def model_plan(model, item_type: ItemType) -> ModelPlan:
    """The plan of ``item_type``'s fields in ``model``, made on first use."""
    plans = model.validation_plans
    plan = plans.get(item_type.id)
    if plan is None:
        fields = model.fields[item_type.id]
        plan = plans[item_type.id] = ModelPlan(
            fields=tuple(_field_plan(f) for f in fields),
            api_keys=frozenset(f.api_key for f in fields),
            any_localized=any(f.localized for f in fields),
        )
    return plan


def _field_plan(field_: Field) -> FieldPlan:
    field_type = FIELD_TYPES[field_.field_type]
    kind = type(field_type)
    validators = field_.validators or {}
    checks = []
    for name, params in validators.items():
        validator = VALIDATORS.get(name)
        # A validator without a check of its own (unique, the database's) changes nothing.
        if validator is None or type(validator).check is Validator.check:
            continue
        checks.append((validator.check, validator.checks_null, params))
    sanitize = validators.get("sanitized_html") or {}
    return FieldPlan(
        field=field_,
        api_key=field_.api_key,
        localized=field_.localized,
        default_value=field_.default_value,
        field_type=field_type,
        plain=kind.collect is FieldType.collect,
        sanitized=bool(sanitize.get("sanitize_before_validation")),
        checks=tuple(checks),
        unique="unique" in validators,
        has_text=kind.search_text is not FieldType.search_text,
        stored_as_is=kind.to_storage is FieldType.to_storage,
    )
