"""The interface every field type implements.

A field type owns, in one place: how one locale's raw JSON value is parsed and checked
(``parse``), how it is stored and rendered, which validators it accepts (and which it
requires), its default appearance, and whether it can have a default value. Record
validation (``items``) and field creation (``item_types.services``) both go through it.
"""

from typing import Any, ClassVar


class FieldValueError(Exception):
    """A raw value does not fit its field type. ``code`` is stable; details say why."""

    def __init__(self, code: str = "INVALID_FORMAT", /, **details):
        super().__init__(code)
        self.code = code
        self.details = details


class FieldType:
    code: ClassVar[str]
    #: Validators this type accepts, and those a field of it must have.
    allowed_validators: ClassVar[frozenset[str]] = frozenset()
    mandatory_validators: ClassVar[frozenset[str]] = frozenset()
    #: The editor used when a field is created without an appearance.
    default_editor: ClassVar[str]
    default_editor_parameters: ClassVar[dict] = {}
    #: Types whose value is a reference or a block have no default value.
    accepts_default_value: ClassVar[bool] = True
    #: What an unset value is stored and answered as: lists are empty rather than null.
    empty_value: ClassVar[Any] = None

    def parse(self, value: Any) -> Any:
        """Check one locale's non-null raw value; return it in canonical form.

        Raises :class:`FieldValueError`. ``None`` never reaches here: every type allows
        null, and the ``required`` validator decides whether null is acceptable.
        """
        raise NotImplementedError

    def collect(self, value: Any, visitor) -> Any:
        """Hand the references and blocks inside a parsed value to record validation.

        ``visitor`` (``items.validation``) checks them in bulk, one query per kind for a
        whole payload: ``visitor.upload(id, file_value)``, ``visitor.record(id, validator)``,
        ``visitor.block(raw, validator)`` (answers the new block's id), ``visitor.fail``;
        ``visitor.field`` is the field whose value this is.
        Returns the value to store (blocks replaced by their ids).
        """
        return value

    @property
    def holds_references(self) -> bool:
        """Whether values point at uploads, records or blocks (the type collects them)."""
        return type(self).collect is not FieldType.collect

    def map_blocks(self, value: Any, replace) -> Any:
        """The value with each block id it holds replaced by ``replace(id)``."""
        return value

    def without_link(self, value: Any, record_id: str) -> Any:
        """The value with its links to ``record_id`` removed (the record is going away)."""
        return value

    def search_text(self, value: Any) -> str:
        """The words of a value that full-text search (``filter[query]``) should find."""
        return ""

    def to_storage(self, value: Any) -> Any:
        """The JSON kept in the database for a parsed value."""
        return value

    def to_representation(self, stored: Any) -> Any:
        """The JSON answered for a stored value."""
        return stored

    def default_appearance(self) -> dict:
        return {
            "editor": self.default_editor,
            "parameters": dict(self.default_editor_parameters),
            "addons": [],
        }


def expect(condition: bool, message: str, code: str = "INVALID_FORMAT", **details) -> None:
    if not condition:
        raise FieldValueError(code, message=message, **details)


def is_number(value: Any) -> bool:
    # JSON booleans are ints in Python; a number field must not take them.
    return isinstance(value, int | float) and not isinstance(value, bool)
