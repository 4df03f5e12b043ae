"""The registry of field validators: name -> the class that owns its parameters.

Each validator checks its own parameters when a field is created or updated
(``clean_params``: returns them normalised, defaults filled in, or raises
:class:`ParamError`). Checking record values against them is record validation's job and
lands with it; the parameters they read are settled here.
"""

from collections.abc import Callable
from functools import cached_property
from typing import Any, ClassVar

import re2

from cms.api.patterns import MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, compiled, too_complex
from item_types import html_safety
from item_types.field_types.base import FieldValueError, is_number
from item_types.field_types.blocks import dast_text
from item_types.field_types.scalar import parse_date, parse_date_time
from item_types.models import ItemType


class ParamError(Exception):
    def __init__(self, message: str, parameter: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter


class ValueProblem(Exception):
    """A value breaks a validator: ``code`` is the validator's stable VALIDATION_<NAME>."""

    def __init__(self, code: str, /, **details):
        super().__init__(code)
        self.code = code
        self.details = details


class SchemaContext:
    """What parameter checks need from the database, each loaded when a check first asks
    for it, once per request."""

    def __init__(self, field=None, item_type=None):
        self.item_type = item_type
        self.field = field
        self._string_field_ids: set[str] | None = None

    @cached_property
    def item_types_by_id(self) -> dict:
        """Every model, for the validators that name models (links and blocks)."""
        return {it.id: it for it in ItemType.objects.all()}

    def string_field_ids(self) -> set[str]:
        if self._string_field_ids is None:
            fields = self.item_type.fields.filter(field_type="string") if self.item_type else []
            self._string_field_ids = {f.id for f in fields}
        return self._string_field_ids


def _require(condition: bool, message: str, parameter: str | None = None) -> None:
    if not condition:
        raise ParamError(message, parameter)


def _require_ordered(low, high, parameter: str) -> None:
    """When both bounds are given, the lower must not exceed the upper."""
    if low is not None and high is not None:
        _require(low <= high, "The minimum must not exceed the maximum.", parameter)


def _non_negative_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class Validator:
    name: ClassVar[str]
    #: parameter -> (check, message); parameters not listed are refused.
    parameters: ClassVar[dict[str, tuple[Callable[[Any], bool], str]]] = {}
    required_parameters: ClassVar[frozenset[str]] = frozenset()

    def clean_params(self, params: Any, context: SchemaContext) -> dict:
        _require(isinstance(params, dict), "Parameters must be an object.")
        unknown = set(params) - set(self.parameters)
        _require(
            not unknown,
            f"Unknown parameters: {', '.join(sorted(unknown))}.",
            sorted(unknown)[0] if unknown else None,
        )
        for name in sorted(self.required_parameters):
            _require(params.get(name) is not None, f"{name} is required.", name)
        for name, value in params.items():
            check, message = self.parameters[name]
            if value is not None:
                _require(check(value), message, name)
        return self.clean(dict(params), context)

    def clean(self, params: dict, context: SchemaContext) -> dict:
        """Cross-parameter checks and defaults; parameters are individually valid here."""
        return params

    #: Whether ``check`` also sees null values (only ``required`` does).
    checks_null: ClassVar[bool] = False

    @property
    def code(self) -> str:
        return f"VALIDATION_{self.name.upper()}"

    def problem(self, **details) -> ValueProblem:
        return ValueProblem(self.code, **details)

    def check(self, value: Any, params: dict) -> None:
        """Check one locale's parsed value; raise :class:`ValueProblem`.

        Validators that need the database (uploads, linked records, uniqueness) do their
        part in record validation, which fetches what they need in bulk.
        """

    def check_upload(self, file_value: dict, upload, params: dict, locale=None) -> None:
        """For file validators: check a file value against its upload's facts."""


class NoParams(Validator):
    pass


def is_blank(value) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, dict) and value.get("schema") == "dast":
        return not value.get("document", {}).get("children")
    return False


class RequiredValidator(NoParams):
    name = "required"
    checks_null = True

    def check(self, value, params):
        if is_blank(value):
            raise self.problem()


class UniqueValidator(NoParams):
    name = "unique"


class _MinEqMax(Validator):
    parameters = {
        "min": (_non_negative_int, "min must be a whole number >= 0."),
        "eq": (_non_negative_int, "eq must be a whole number >= 0."),
        "max": (_non_negative_int, "max must be a whole number >= 0."),
    }

    def clean(self, params, context):
        present = {k for k, v in params.items() if v is not None}
        _require(present & {"min", "eq", "max"}, "Give min, max or eq.")
        _require(
            not ("eq" in present and present & {"min", "max"}), "eq excludes min and max.", "eq"
        )
        _require_ordered(params.get("min"), params.get("max"), "min")
        return params


def _check_count(validator: Validator, count: int, params: dict) -> None:
    low, eq, high = params.get("min"), params.get("eq"), params.get("max")
    if (
        (low is not None and count < low)
        or (high is not None and count > high)
        or (eq is not None and count != eq)
    ):
        raise validator.problem(**{k: v for k, v in params.items() if v is not None}, actual=count)


class LengthValidator(_MinEqMax):
    name = "length"

    def check(self, value, params):
        text = value if isinstance(value, str) else dast_text(value.get("document", {}))
        _check_count(self, len(text), params)


class SizeValidator(_MinEqMax):
    name = "size"
    parameters = {
        **_MinEqMax.parameters,
        "multiple_of": (
            lambda v: _non_negative_int(v) and v > 0,
            "multiple_of must be a whole number > 0.",
        ),
    }

    def check(self, value, params):
        counted = {k: params.get(k) for k in ("min", "eq", "max")}
        _check_count(self, len(value), counted)
        multiple = params.get("multiple_of")
        if multiple and len(value) % multiple:
            raise self.problem(multiple_of=multiple, actual=len(value))

    def clean(self, params, context):
        if params.get("multiple_of") is not None and not any(
            params.get(k) is not None for k in ("min", "eq", "max")
        ):
            return params
        return super().clean(params, context)


def _parses(parse) -> Callable[[Any], bool]:
    def check(value) -> bool:
        try:
            parse(value)
        except FieldValueError:
            return False
        return True

    return check


def _same(value):
    return value


class _RangeValidator(Validator):
    """``{min?, max?}``: at least one bound, in order once parsed."""

    parse_bound: ClassVar[Callable[[Any], Any]] = staticmethod(_same)

    def clean(self, params, context):
        low, high = params.get("min"), params.get("max")
        _require(low is not None or high is not None, "Give min, max or both.")
        parse = type(self).parse_bound
        _require_ordered(
            None if low is None else parse(low), None if high is None else parse(high), "min"
        )
        return params

    def check(self, value, params):
        parse = type(self).parse_bound
        parsed = parse(value)
        low, high = params.get("min"), params.get("max")
        if (low is not None and parsed < parse(low)) or (high is not None and parsed > parse(high)):
            raise self.problem(min=low, max=high)


class NumberRangeValidator(_RangeValidator):
    name = "number_range"
    parameters = {
        "min": (is_number, "min must be a number."),
        "max": (is_number, "max must be a number."),
    }


class DateRangeValidator(_RangeValidator):
    name = "date_range"
    parse_bound = staticmethod(parse_date)
    parameters = {
        "min": (_parses(parse_date), 'min must be a date "YYYY-MM-DD".'),
        "max": (_parses(parse_date), 'max must be a date "YYYY-MM-DD".'),
    }


class DateTimeRangeValidator(_RangeValidator):
    name = "date_time_range"
    parse_bound = staticmethod(parse_date_time)
    parameters = {
        "min": (_parses(parse_date_time), "min must be an ISO 8601 date and time."),
        "max": (_parses(parse_date_time), "max must be an ISO 8601 date and time."),
    }


def _is_regex(value) -> bool:
    """RE2 runs it in a short time per byte: custom patterns run on every write, so never
    a backtracking one."""
    if not isinstance(value, str) or value == "" or len(value) > MAX_PATTERN_LENGTH:
        return False
    return too_complex(value) is None


PREDEFINED_PATTERNS = {
    # \z, not $: the end of the text, never before a final newline.
    "email": r"^[^@\s]+@[^@\s]+\.[^@\s]+\z",
    "url": r"(?i)^https?://[^\s/$.?#].[^\s]*\z",
    "webpage_slug": r"^[a-z0-9_]+(?:-[a-z0-9_]+)*\z",
}


def _matches_format(params, value) -> bool:
    """``value`` matches the predefined or custom pattern, run by RE2 (linear time). A
    custom pattern stored before RE2 ran them, that RE2 can't compile, matches nothing."""
    predefined = params.get("predefined_pattern")
    pattern = PREDEFINED_PATTERNS[predefined] if predefined else params["custom_pattern"]
    try:
        return compiled(pattern).search(value) is not None
    except re2.error:
        return False


class FormatValidator(Validator):
    name = "format"
    predefined = ("email", "url")

    def check(self, value, params):
        predefined = params.get("predefined_pattern")
        if not _matches_format(params, value):
            raise self.problem(
                **(
                    {"predefined_pattern": predefined}
                    if predefined
                    else {"custom_pattern": params["custom_pattern"]}
                )
            )

    parameters = {
        "custom_pattern": (
            _is_regex,
            "custom_pattern must be a regular expression in RE2 syntax (no back-references "
            f"or look-arounds), at most {MAX_PATTERN_LENGTH} characters and "
            f"{MAX_PROGRAM_SIZE} RE2 instructions.",
        ),
        "predefined_pattern": (
            lambda v: v in FormatValidator.predefined,
            "predefined_pattern must be email or url.",
        ),
        "description": (lambda v: isinstance(v, str), "description must be a string."),
    }

    def clean(self, params, context):
        given = [k for k in ("custom_pattern", "predefined_pattern") if params.get(k) is not None]
        _require(len(given) == 1, "Give exactly one of custom_pattern and predefined_pattern.")
        return params


class SlugFormatValidator(FormatValidator):
    name = "slug_format"

    def check(self, value, params):
        if not _matches_format(params, value):
            raise self.problem()

    predefined = ("webpage_slug",)
    parameters = {
        "custom_pattern": FormatValidator.parameters["custom_pattern"],
        "predefined_pattern": (
            lambda v: v in SlugFormatValidator.predefined,
            "predefined_pattern must be webpage_slug.",
        ),
    }


class EnumValidator(Validator):
    name = "enum"
    parameters = {
        "values": (
            lambda v: (
                isinstance(v, list) and len(v) > 0 and all(isinstance(item, str) for item in v)
            ),
            "values must be a non-empty list of strings.",
        ),
    }
    required_parameters = frozenset({"values"})

    def check(self, value, params):
        if value not in params["values"]:
            raise self.problem(values=params["values"])


class SanitizedHtmlValidator(Validator):
    """Refuses markup that sanitising would change in a way that matters (script, event
    handlers, ``javascript:``/``data:`` URLs...: see :mod:`item_types.html_safety`). With
    ``sanitize_before_validation`` record validation has already cleaned the value."""

    name = "sanitized_html"

    def check(self, value, params):
        reason = html_safety.unparsable(value)
        if reason:
            raise self.problem(message=reason)
        if not params.get("sanitize_before_validation") and not html_safety.is_safe(value):
            raise self.problem(
                message="Unsafe HTML (a tag, attribute, URL scheme or CSS property outside "
                "the allow-list); set sanitize_before_validation to have it removed."
            )

    parameters = {
        "sanitize_before_validation": (
            lambda v: isinstance(v, bool),
            "sanitize_before_validation must be a boolean.",
        ),
    }


EXTENSION_LISTS = ("image", "transformable_image", "video", "document")


class ExtensionValidator(Validator):
    name = "extension"
    parameters = {
        "extensions": (
            lambda v: isinstance(v, list) and all(isinstance(e, str) and e.lstrip(".") for e in v),
            "extensions must be a list of file extensions.",
        ),
        "predefined_list": (
            lambda v: v in EXTENSION_LISTS,
            f"predefined_list must be one of {', '.join(EXTENSION_LISTS)}.",
        ),
    }

    def clean(self, params, context):
        given = [k for k in ("extensions", "predefined_list") if params.get(k) not in (None, [])]
        _require(len(given) == 1, "Give exactly one of extensions and predefined_list.")
        if params.get("extensions"):
            params["extensions"] = [e.lower().lstrip(".") for e in params["extensions"]]
        return params

    def check_upload(self, file_value, upload, params, locale=None):
        extension = (upload.format or "").lower()
        filename_extension = (
            upload.filename.rsplit(".", 1)[-1].lower() if "." in (upload.filename) else ""
        )
        if params.get("extensions"):
            allowed = set(params["extensions"])
            if extension not in allowed and filename_extension not in allowed:
                raise self.problem(extensions=params["extensions"], actual=filename_extension)
            return
        kind = params["predefined_list"]
        if kind in ("image", "transformable_image"):
            ok = upload.is_image
        elif kind == "video":
            ok = (upload.mime_type or "").startswith("video/")
        else:  # document
            ok = not upload.is_image and not (upload.mime_type or "").startswith(
                ("video/", "audio/")
            )
        if not ok:
            raise self.problem(predefined_list=kind)


FILE_SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 * 1024}


class FileSizeValidator(Validator):
    name = "file_size"

    def check_upload(self, file_value, upload, params, locale=None):
        low = params.get("min_value")
        high = params.get("max_value")
        if (low is not None and upload.size < low * FILE_SIZE_UNITS[params["min_unit"]]) or (
            high is not None and upload.size > high * FILE_SIZE_UNITS[params["max_unit"]]
        ):
            raise self.problem(**params, actual=upload.size)

    parameters = {
        "min_value": (lambda v: is_number(v) and v >= 0, "min_value must be a number >= 0."),
        "max_value": (lambda v: is_number(v) and v >= 0, "max_value must be a number >= 0."),
        "min_unit": (lambda v: v in FILE_SIZE_UNITS, "min_unit must be B, KB or MB."),
        "max_unit": (lambda v: v in FILE_SIZE_UNITS, "max_unit must be B, KB or MB."),
    }

    def clean(self, params, context):
        bounds = [b for b in ("min", "max") if params.get(f"{b}_value") is not None]
        _require(bounds, "Give min_value, max_value or both.")
        for bound in bounds:
            _require(
                params.get(f"{bound}_unit") is not None,
                f"{bound}_unit is required with {bound}_value.",
                f"{bound}_unit",
            )
        if len(bounds) == 2:
            _require_ordered(
                params["min_value"] * FILE_SIZE_UNITS[params["min_unit"]],
                params["max_value"] * FILE_SIZE_UNITS[params["max_unit"]],
                "min_value",
            )
        return params


def _positive_int(value) -> bool:
    return _non_negative_int(value) and value > 0


class ImageDimensionsValidator(Validator):
    name = "image_dimensions"

    def check_upload(self, file_value, upload, params, locale=None):
        if not upload.is_image:
            raise self.problem(message="Not an image.", **params)
        for side, actual in (("width", upload.width), ("height", upload.height)):
            low, high = params.get(f"{side}_min_value"), params.get(f"{side}_max_value")
            if (low is not None and actual < low) or (high is not None and actual > high):
                raise self.problem(**params, width=upload.width, height=upload.height)

    parameters = {
        name: (_positive_int, f"{name} must be a whole number > 0.")
        for name in ("width_min_value", "width_max_value", "height_min_value", "height_max_value")
    }

    def clean(self, params, context):
        _require(any(v is not None for v in params.values()), "Give at least one bound.")
        for side in ("width", "height"):
            _require_ordered(
                params.get(f"{side}_min_value"),
                params.get(f"{side}_max_value"),
                f"{side}_min_value",
            )
        return params


class ImageAspectRatioValidator(Validator):
    name = "image_aspect_ratio"

    def check_upload(self, file_value, upload, params, locale=None):
        if not upload.is_image or not upload.height:
            raise self.problem(message="Not an image.", **params)
        ratio = upload.width / upload.height

        def bound(name):
            numerator = params.get(f"{name}_ar_numerator")
            return None if numerator is None else numerator / params[f"{name}_ar_denominator"]

        low, eq, high = bound("min"), bound("eq"), bound("max")
        if (
            (low is not None and ratio < low - 1e-9)
            or (high is not None and ratio > high + 1e-9)
            or (eq is not None and abs(ratio - eq) > 1e-3)
        ):
            raise self.problem(**params, actual=round(ratio, 4))

    parameters = {
        f"{bound}_ar_{part}": (
            lambda v: is_number(v) and v > 0,
            f"{bound}_ar_{part} must be a number > 0.",
        )
        for bound in ("min", "eq", "max")
        for part in ("numerator", "denominator")
    }

    def clean(self, params, context):
        bounds = [
            b
            for b in ("min", "eq", "max")
            if params.get(f"{b}_ar_numerator") is not None
            or params.get(f"{b}_ar_denominator") is not None
        ]
        _require(bounds, "Give min, eq or max as numerator and denominator.")
        ratios = {}
        for bound in bounds:
            numerator = params.get(f"{bound}_ar_numerator")
            denominator = params.get(f"{bound}_ar_denominator")
            _require(
                numerator is not None and denominator is not None,
                f"{bound} needs both a numerator and a denominator.",
                f"{bound}_ar_denominator",
            )
            ratios[bound] = numerator / denominator
        _require(
            not ("eq" in ratios and {"min", "max"} & set(ratios)), "eq excludes min and max.", "eq"
        )
        _require_ordered(ratios.get("min"), ratios.get("max"), "min_ar_numerator")
        return params


def _booleans(*keys: str) -> dict:
    return {key: (lambda v: isinstance(v, bool), f"{key} must be a boolean.") for key in keys}


class RequiredAltTitleValidator(Validator):
    name = "required_alt_title"
    parameters = _booleans("title", "alt")

    def check_upload(self, file_value, upload, params, locale=None):
        """The value's alt/title, or else the upload's default in the value's locale (the
        main locale for a field that isn't localized)."""
        metadata = upload.default_field_metadata or {}
        defaults = metadata.get(locale) if locale else next(iter(metadata.values()), None)
        defaults = defaults or {}
        missing = [
            key
            for key in ("alt", "title")
            if params.get(key) and not (file_value.get(key) or defaults.get(key))
        ]
        if missing:
            raise self.problem(missing=missing)


class RequiredSeoFieldsValidator(Validator):
    name = "required_seo_fields"
    parameters = _booleans("title", "description", "image", "twitter_card")

    def check(self, value, params):
        missing = [key for key, needed in params.items() if needed and not value.get(key)]
        if missing:
            raise self.problem(missing=missing)


class TitleLengthValidator(_RangeValidator):
    name = "title_length"
    seo_key: ClassVar[str] = "title"

    def check(self, value, params):
        text = value.get(self.seo_key) or ""
        low, high = params.get("min"), params.get("max")
        if (low is not None and len(text) < low) or (high is not None and len(text) > high):
            raise self.problem(min=low, max=high, actual=len(text))

    parameters = {
        "min": (_non_negative_int, "min must be a whole number >= 0."),
        "max": (_non_negative_int, "max must be a whole number >= 0."),
    }


class DescriptionLengthValidator(TitleLengthValidator):
    name = "description_length"
    seo_key = "description"


class SlugTitleFieldValidator(Validator):
    name = "slug_title_field"
    parameters = {
        "title_field_id": (lambda v: isinstance(v, str), "title_field_id must be a field id.")
    }
    required_parameters = frozenset({"title_field_id"})

    def clean(self, params, context):
        _require(
            params["title_field_id"] in context.string_field_ids(),
            "title_field_id must be a string field of the same model.",
            "title_field_id",
        )
        return params


def _id_list(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class _ItemTypesValidator(Validator):
    """Validators naming item types: each must exist and be of the right kind."""

    needs_block_models: ClassVar[bool]
    allow_empty: ClassVar[bool] = True
    parameters = {"item_types": (_id_list, "item_types must be a list of model ids.")}
    required_parameters = frozenset({"item_types"})

    def allows(self, item_type_id: str, params: dict) -> bool:
        return item_type_id in params["item_types"]

    def clean(self, params, context):
        ids = params["item_types"]
        _require(self.allow_empty or ids, "Name at least one model.", "item_types")
        _require(len(set(ids)) == len(ids), "A model is listed twice.", "item_types")
        kind = "block models" if self.needs_block_models else "models (not block models)"
        for item_type_id in ids:
            item_type = context.item_types_by_id.get(item_type_id)
            _require(item_type is not None, f"No model has id {item_type_id}.", "item_types")
            _require(
                item_type.modular_block == self.needs_block_models,
                f"{item_type.api_key} is not allowed here: expected {kind}.",
                "item_types",
            )
        return params


class _BlocksValidator(_ItemTypesValidator):
    needs_block_models = True


class RichTextBlocksValidator(_BlocksValidator):
    name = "rich_text_blocks"


class SingleBlockBlocksValidator(_BlocksValidator):
    name = "single_block_blocks"


class StructuredTextBlocksValidator(_BlocksValidator):
    name = "structured_text_blocks"


class StructuredTextInlineBlocksValidator(_BlocksValidator):
    name = "structured_text_inline_blocks"


REFERENCE_STRATEGIES = {
    "on_publish_with_unpublished_references_strategy": ("fail", "publish_references"),
    "on_reference_unpublish_strategy": ("fail", "unpublish", "delete_references"),
    "on_reference_delete_strategy": ("fail", "delete_references"),
}
# DatoCMS's defaults, filled in and echoed back when a field is saved.
DEFAULT_STRATEGIES = {
    "on_publish_with_unpublished_references_strategy": "fail",
    "on_reference_unpublish_strategy": "fail",
    "on_reference_delete_strategy": "delete_references",
}


class _LinksValidator(_ItemTypesValidator):
    needs_block_models = False
    parameters = {
        **_ItemTypesValidator.parameters,
        **{
            name: (
                lambda v, choices=choices: v in choices,
                f"{name} must be one of {', '.join(choices)}.",
            )
            for name, choices in REFERENCE_STRATEGIES.items()
        },
    }

    def clean(self, params, context):
        params = super().clean(params, context)
        for name, default in DEFAULT_STRATEGIES.items():
            if params.get(name) is None:
                params[name] = default
        return params


class ItemItemTypeValidator(_LinksValidator):
    name = "item_item_type"
    allow_empty = False


class ItemsItemTypeValidator(_LinksValidator):
    name = "items_item_type"
    allow_empty = False


class StructuredTextLinksValidator(_LinksValidator):
    name = "structured_text_links"


VALIDATORS: dict[str, Validator] = {
    validator.name: validator()
    for validator in (
        RequiredValidator,
        UniqueValidator,
        LengthValidator,
        SizeValidator,
        NumberRangeValidator,
        DateRangeValidator,
        DateTimeRangeValidator,
        FormatValidator,
        EnumValidator,
        SanitizedHtmlValidator,
        ExtensionValidator,
        FileSizeValidator,
        ImageDimensionsValidator,
        ImageAspectRatioValidator,
        RequiredAltTitleValidator,
        RequiredSeoFieldsValidator,
        TitleLengthValidator,
        DescriptionLengthValidator,
        SlugFormatValidator,
        SlugTitleFieldValidator,
        ItemItemTypeValidator,
        ItemsItemTypeValidator,
        StructuredTextLinksValidator,
        RichTextBlocksValidator,
        SingleBlockBlocksValidator,
        StructuredTextBlocksValidator,
        StructuredTextInlineBlocksValidator,
    )
}
