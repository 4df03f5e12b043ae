"""What every field validator shares: the :class:`Validator` base, its errors and the
checks its parameters are made of.

A validator checks its own parameters when a field is created or updated
(``clean_params``: returns them normalised, defaults filled in, or raises
:class:`FieldValueError` with ``VALIDATION_INVALID_PARAMETERS``), and a record's values
against them (``check``, ``check_upload``: raise :class:`FieldValueError` with the
validator's code); record validation (``items.validation``) runs those.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

from item_types.field_types import FieldValueError
from item_types.models import ItemType
from item_types.schema import ITEM_TYPE_FIELD_RELATIONSHIPS


class SchemaContext:
    """What parameter checks need from the database, each loaded when a check first asks
    for it, once per request."""

    def __init__(self, field=None, item_type=None):
        self.item_type = item_type
        self.field = field

    @cached_property
    def item_types_by_id(self) -> dict:
        """Every model, for the validators that name models (links and blocks)."""
        return {it.id: it for it in ItemType.objects.all()}

    @cached_property
    def title_field_ids(self) -> set[str]:
        """The model's fields that could be its ``title_field`` (by their type's
        ``model_roles``): what a slug is made from."""
        if self.item_type is None:
            return set()
        types = ITEM_TYPE_FIELD_RELATIONSHIPS["title_field"]
        return set(self.item_type.fields.filter(field_type__in=types).values_list("id", flat=True))


def require(condition: bool, message: str, parameter: str | None = None) -> None:
    """A rule of a validator's parameters (``parameter`` names the one that breaks it)."""
    if not condition:
        raise FieldValueError("VALIDATION_INVALID_PARAMETERS", parameter=parameter, message=message)


def require_ordered(low, high, parameter: str) -> None:
    """When both bounds are given, the lower must not exceed the upper."""
    if low is not None and high is not None:
        require(low <= high, "The minimum must not exceed the maximum.", parameter)


def non_negative_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def positive_int(value) -> bool:
    return non_negative_int(value) and value > 0


def booleans(*keys: str) -> dict:
    return {key: (lambda v: isinstance(v, bool), f"{key} must be a boolean.") for key in keys}


class Validator:
    name: ClassVar[str]
    #: parameter -> (check, message); parameters not listed are refused.
    parameters: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {}
    required_parameters: ClassVar[frozenset[str]] = frozenset()
    #: Parameters naming another field of the model (which can't be deleted while named).
    field_parameters: ClassVar[tuple[str, ...]] = ()

    def clean_params(self, params: Any, context: SchemaContext) -> dict:
        require(isinstance(params, dict), "Parameters must be an object.")
        unknown = set(params) - set(self.parameters)
        require(
            not unknown,
            f"Unknown parameters: {', '.join(sorted(unknown))}.",
            sorted(unknown)[0] if unknown else None,
        )
        for name in sorted(self.required_parameters):
            require(params.get(name) is not None, f"{name} is required.", name)
        for name, value in params.items():
            check, message = self.parameters[name]
            if value is not None:
                require(check(value), message, name)
        return self.clean(dict(params), context)

    def clean(self, params: dict, context: SchemaContext) -> dict:
        """Cross-parameter checks and defaults; parameters are individually valid here."""
        return params

    #: Whether ``check`` also sees null values (only ``required`` does).
    checks_null: ClassVar[bool] = False

    @property
    def code(self) -> str:
        return f"VALIDATION_{self.name.upper()}"

    def problem(self, **details) -> FieldValueError:
        """The value breaks this validator: its stable VALIDATION_<NAME>, and why."""
        return FieldValueError(self.code, **details)

    def check(self, value: Any, params: dict) -> None:
        """Check one locale's parsed value; raise :class:`FieldValueError` (``problem``).

        Validators that need the database (uploads, linked records, uniqueness) do their
        part in record validation, which fetches what they need in bulk.
        """

    def check_upload(self, file_value: dict, upload, params: dict, locale=None) -> None:
        """For file validators: check a file value against its upload's facts."""

    #: Whether a field with it refuses null (its JSON Schema is not nullable).
    refuses_null: ClassVar[bool] = False

    def json_schema(self, params: dict, value: dict) -> dict:
        """The JSON Schema keywords this validator adds to ``value``, the schema of one
        locale's value (``FieldType.json_schema``); {} when JSON Schema can't say it (a
        link's target model, an upload's size, uniqueness)."""
        return {}


class NoParams(Validator):
    pass
