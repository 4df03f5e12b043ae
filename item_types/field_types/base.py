"""The interface every field type implements.

A field type owns, in one place: how one locale's raw JSON value is parsed and checked
(``parse``), how it is stored and rendered, which validators it accepts (and which it
requires), its default appearance, and whether it can have a default value. Record
validation (``items``) and field creation (``item_types.services``) both go through it.
"""

from typing import Any, ClassVar

from cms.ids import ID_PATTERN

#: How a type's values filter and compare (``FieldType.filter_kind``). Both filter
#: compilers (``GET /items`` and the record API) read it; each maps it to its operators.
FILTER_KINDS = frozenset(
    {"text", "number", "date", "date_time", "boolean", "link", "upload"}
    | {"structured_text", "lat_lon"}
)
#: Kinds whose values compare as text: dates and date-times are stored in a form that
#: sorts as text.
TEXT_KINDS = frozenset({"text", "date", "date_time"})
#: How PostgreSQL indexes a type's values for filters (``FieldType.index``): the JSON value
#: (numbers and booleans compare as JSON), the first characters of its text, or a point's
#: latitude and longitude (``near``'s bounding box).
INDEX_KINDS = frozenset({"json", "text_prefix", "lat_lon"})


class FieldValueError(Exception):
    """A value breaks a rule: a raw value its field type or a validator refuses, or a
    validator's parameters. ``code`` is stable (the answer's ``details.code``); details
    say why; whoever catches it says where the value sits."""

    def __init__(self, code: str = "INVALID_FORMAT", /, **details):
        super().__init__(code)
        self.code = code
        self.details = details


class FieldType:
    code: ClassVar[str]
    #: Validators this type accepts, and those a field of it must have (its
    #: ``link_validator`` and ``block_validator`` are added to both: see below).
    allowed_validators: ClassVar[frozenset[str]] = frozenset()
    mandatory_validators: ClassVar[frozenset[str]] = frozenset()
    #: The editor used when a field is created without an appearance.
    default_editor: ClassVar[str]
    default_editor_parameters: ClassVar[dict] = {}
    #: Types whose value is a reference or a block have no default value.
    accepts_default_value: ClassVar[bool] = True
    #: What an unset value is stored and answered as: lists are empty rather than null.
    empty_value: ClassVar[Any] = None

    # Query roles: what filters, ordering, indexes and the schema read.
    #: One of ``FILTER_KINDS``; None: a filter can only ask whether there is a value.
    filter_kind: ClassVar[str | None] = None
    #: Link and upload kinds: whether a value is a list, filtered as a set (``eq`` is the
    #: exact set, ``any_in``, ``all_in``) rather than as one reference.
    filters_as_set: ClassVar[bool] = False
    #: Text kinds: whether ``GET /items`` offers matches, not_matches, is_blank, is_present.
    matchable: ClassVar[bool] = False
    #: Whether record lists can be ordered by its value.
    sortable: ClassVar[bool] = False
    #: One of ``INDEX_KINDS`` (for non-localized fields), None for no index.
    index: ClassVar[str | None] = None
    #: Whether a value may be an object with any keys (one keyed like locales is no mistake).
    free_form_object: ClassVar[bool] = False
    #: Whether ``content_link_enabled`` may be turned off for a field of it.
    content_link: ClassVar[bool] = False
    #: The model relationships (``title_field``...) a field of it may fill.
    model_roles: ClassVar[frozenset[str]] = frozenset()
    #: The one of ``model_roles`` a new field of it fills while the model has none there
    #: (as DatoCMS: the first string field titles the records, the first file previews them).
    automatic_model_role: ClassVar[str | None] = None
    #: For types that link records: the validator that says which models a link may point
    #: at, and whose parameters hold the strategies publishing and deleting follow.
    link_validator: ClassVar[str | None] = None
    #: For types that hold blocks: the validator that says which block models a block may
    #: be of.
    block_validator: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        # A field that links records or holds blocks must say of which models: the
        # validator naming them is mandatory (and so allowed), declared once as its role.
        naming = frozenset(name for name in (cls.link_validator, cls.block_validator) if name)
        cls.mandatory_validators = cls.mandatory_validators | naming
        cls.allowed_validators = cls.allowed_validators | cls.mandatory_validators

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
    def compared_as_text(self) -> bool:
        """Whether filters read the value as SQL text (not JSON, whose string comparisons
        differ between databases)."""
        return self.filter_kind in TEXT_KINDS

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

    def json_schema(self, block: dict) -> dict:
        """The JSON Schema of one locale's non-null value: what a write takes (and a read
        answers). ``block`` is the schema of one block the field may hold (made from its
        block validator by ``item_types.json_schema``), for the types that hold blocks.
        What JSON Schema can't say (a link's target model, an upload's existence) is
        left to record validation."""
        return {}

    def default_appearance(self) -> dict:
        return {
            "editor": self.default_editor,
            "parameters": dict(self.default_editor_parameters),
            "addons": [],
        }


#: A record or block id as JSON Schema says it (the UUID variant check is left out).
ID_SCHEMA = {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}


def nullable(schema: dict) -> dict:
    """``schema`` or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def expect(condition: bool, message: str, code: str = "INVALID_FORMAT", **details) -> None:
    if not condition:
        raise FieldValueError(code, message=message, **details)


def expect_object(value: Any, keys, message: str) -> None:
    """``value`` is an object with no keys but ``keys``; ``message`` says what it holds."""
    expect(isinstance(value, dict), message)
    unknown = set(value) - set(keys)
    expect(not unknown, f"Unknown keys: {', '.join(sorted(unknown))}.")


def expect_strings_or_null(value: dict, keys) -> None:
    for key in keys:
        expect(
            value.get(key) is None or isinstance(value[key], str),
            f"{key} must be a string or null.",
            key=key,
        )


def is_number(value: Any) -> bool:
    # JSON booleans are ints in Python; a number field must not take them.
    return isinstance(value, int | float) and not isinstance(value, bool)
