"""Checking the attributes of a resource (site, item type, field, webhook, ...) in one pass.

Each resource declares its writable attributes once as a dict of :class:`Attribute`.
Every problem is collected, so a client learns about all of them from one answer.

Two error styles, both on the wire already: DatoCMS's schema resources answer an unknown
attribute with ``INVALID_ATTRIBUTES`` and say what is wrong in a message; SPEC-2's
resources (webhooks, build triggers: ``strict=True``) answer every problem as an
``INVALID_FIELD`` whose ``details.code`` is the rule, sorted by attribute name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, NoReturn

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
    # Answered, never written. Sent back by clients from an earlier answer: ignored
    # (strict: refused, VALIDATION_READ_ONLY).
    read_only: bool = False
    immutable: bool = False  # strict: written on create only; an update sending it is refused
    # Strict: the attribute's rule, given ``(name, value)`` (None too): returns what to write
    # or raises an ApiError (see :func:`fail`).
    clean: Callable[[str, Any], Any] | None = None

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


def fail(name: str, code: str = "VALIDATION_FORMAT", **details) -> NoReturn:
    """Refuse attribute ``name`` (from an :attr:`Attribute.clean` rule)."""
    raise invalid_field(name, code, **details)


def clean_name(name: str, value: Any) -> str:
    """A resource's name: a non-blank string of at most 255 characters."""
    if not isinstance(value, str) or not value.strip():
        fail(name, "VALIDATION_REQUIRED")
    if len(value) > 255:
        fail(name, "VALIDATION_LENGTH", max=255)
    return value


def clean_flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        fail(name, message="true or false.")
    return value


def clean_attributes(
    attributes: dict, spec: dict[str, Attribute], *, creating: bool, strict: bool = False
) -> tuple[dict, list[ApiError]]:
    """Return the attributes ``spec`` knows, checked, and every problem found."""
    if strict:
        return _clean_strictly(attributes, spec, creating=creating)
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


def _clean_strictly(
    attributes: dict, spec: dict[str, Attribute], *, creating: bool
) -> tuple[dict, list[ApiError]]:
    """SPEC-2's style: unknown, read-only, then missing or immutable attributes, then each
    attribute's own rule, every problem an INVALID_FIELD naming its rule."""
    names = sorted(attributes)
    errors = [invalid_field(n, "VALIDATION_UNKNOWN_ATTRIBUTE") for n in names if n not in spec]
    errors += [invalid_field(n, "VALIDATION_READ_ONLY") for n in names if _refused(spec, n)]
    for name, attribute in spec.items():
        if creating and attribute.required and name not in attributes:
            errors.append(invalid_field(name, "VALIDATION_REQUIRED"))
        if not creating and attribute.immutable and name in attributes:
            errors.append(invalid_field(name, "VALIDATION_IMMUTABLE"))
    cleaned: dict = {}
    for name in names:
        attribute = spec.get(name)
        if attribute is None or attribute.read_only or (attribute.immutable and not creating):
            continue
        try:
            cleaned[name] = attribute.clean(name, attributes[name])
        except ApiError as error:
            errors.append(error)
    return cleaned, errors


def _refused(spec: dict[str, Attribute], name: str) -> bool:
    return name in spec and spec[name].read_only
