"""Checking the attributes of a schema resource (site, item type, field) in one pass.

Each resource declares its writable attributes once as a dict of :class:`Attribute`.
Every problem is collected, so a client learns about all of them from one answer.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cms.api.errors import ApiError, invalid_field


def is_string(value: Any) -> bool:
    return isinstance(value, str)


def is_boolean(value: Any) -> bool:
    return isinstance(value, bool)


def is_object(value: Any) -> bool:
    return isinstance(value, dict)


def is_anything(value: Any) -> bool:
    return True


@dataclass(frozen=True)
class Attribute:
    check: Callable[[Any], bool] = is_string
    expected: str = "a string"
    required: bool = False  # on create
    nullable: bool = False
    choices: tuple | None = None
    max_length: int | None = None
    read_only: bool = False  # sent back by clients from an earlier answer: ignored

    def json_schema(self) -> dict:
        """What the API documentation (``cms.openapi``) says a client may send."""
        if self.read_only:
            return {"readOnly": True}
        if self.choices is not None:
            return {"enum": [*self.choices, *([None] if self.nullable else [])]}
        schema = dict(_CHECK_SCHEMAS.get(self.check, {"description": f"{self.expected}."}))
        if self.max_length and schema.get("type") == "string":
            schema["maxLength"] = self.max_length
        if self.nullable and "type" in schema:
            schema["type"] = [schema["type"], "null"]
        return schema


_CHECK_SCHEMAS = {
    is_string: {"type": "string"},
    is_boolean: {"type": "boolean"},
    is_object: {"type": "object"},
    is_anything: {},
}

BOOLEAN = Attribute(check=is_boolean, expected="true or false")


def choice(*values, nullable: bool = False) -> Attribute:
    return Attribute(check=is_anything, choices=values, nullable=nullable)


def clean_attributes(
    attributes: dict, spec: dict[str, Attribute], *, creating: bool
) -> tuple[dict, list[ApiError]]:
    """Return the attributes ``spec`` knows, checked, and every problem found."""
    cleaned: dict = {}
    errors: list[ApiError] = []
    for name, value in attributes.items():
        attribute = spec.get(name)
        if attribute is None:
            errors.append(
                ApiError(
                    "INVALID_ATTRIBUTES",
                    422,
                    field=name,
                    code="VALIDATION_UNKNOWN_ATTRIBUTE",
                    message=f"Unknown attribute {name!r}.",
                )
            )
            continue
        if attribute.read_only:
            continue
        if value is None:
            if attribute.nullable:
                cleaned[name] = None
            else:
                errors.append(
                    invalid_field(name, "VALIDATION_REQUIRED", message=f"{name} can't be null.")
                )
            continue
        if attribute.choices is not None:
            if value not in attribute.choices:
                errors.append(
                    invalid_field(name, "VALIDATION_INCLUSION", allowed=list(attribute.choices))
                )
                continue
        elif not attribute.check(value):
            errors.append(
                invalid_field(
                    name, "VALIDATION_FORMAT", message=f"{name} must be {attribute.expected}."
                )
            )
            continue
        if isinstance(value, str) and attribute.max_length and len(value) > attribute.max_length:
            errors.append(invalid_field(name, "VALIDATION_LENGTH", max=attribute.max_length))
            continue
        if isinstance(value, str) and attribute.required and not value.strip():
            errors.append(
                invalid_field(name, "VALIDATION_REQUIRED", message=f"{name} can't be blank.")
            )
            continue
        cleaned[name] = value
    if creating:
        for name, attribute in spec.items():
            if attribute.required and name not in attributes:
                errors.append(
                    invalid_field(name, "VALIDATION_REQUIRED", message=f"{name} is required.")
                )
    return cleaned, errors
