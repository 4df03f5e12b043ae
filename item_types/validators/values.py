"""Validators of a record's own values: presence, lengths and counts, ranges, formats,
allowed values, HTML safety, SEO and slug settings."""

import re
from collections.abc import Callable
from typing import Any, ClassVar

import re2

from cms.api.patterns import MAX_PATTERN_LENGTH, MAX_PROGRAM_SIZE, compiled, too_complex
from item_types import html_safety
from item_types.field_types import dast
from item_types.field_types.base import FieldValueError, is_number
from item_types.field_types.scalar import parse_date, parse_date_time
from item_types.validators.base import (
    NoParams,
    Validator,
    booleans,
    non_negative_int,
    require,
    require_ordered,
)


def _bounds(check, what: str, names=("min", "max")) -> dict:
    """Bound parameters, each one checked by ``check`` and said to be ``what``."""
    return {name: (check, f"{name} must be {what}.") for name in names}


def is_blank(value) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    return dast.is_empty(value)


class RequiredValidator(NoParams):
    name = "required"
    checks_null = True
    refuses_null = True

    def check(self, value, params):
        if is_blank(value):
            raise self.problem()

    def json_schema(self, params, value):
        # Blank is refused: "" and [] (an empty structured text is not said).
        return {"string": {"minLength": 1}, "array": {"minItems": 1}}.get(value.get("type"), {})


class UniqueValidator(NoParams):
    name = "unique"


class _MinEqMax(Validator):
    parameters = _bounds(non_negative_int, "a whole number >= 0", ("min", "eq", "max"))

    def clean(self, params, context):
        present = {k for k, v in params.items() if v is not None}
        require(present & {"min", "eq", "max"}, "Give min, max or eq.")
        require(
            not ("eq" in present and present & {"min", "max"}), "eq excludes min and max.", "eq"
        )
        require_ordered(params.get("min"), params.get("max"), "min")
        return params


def _count_schema(params: dict, low: str, high: str) -> dict:
    """``{min, eq, max}`` as JSON Schema's ``low``/``high`` keywords."""
    eq = params.get("eq")
    bounds = (
        {low: eq, high: eq} if eq is not None else {low: params.get("min"), high: params.get("max")}
    )
    return {keyword: bound for keyword, bound in bounds.items() if bound is not None}


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
        text = value if isinstance(value, str) else dast.value_text(value)
        _check_count(self, len(text), params)

    def json_schema(self, params, value):
        # A structured text's length counts its text, which JSON Schema can't.
        if value.get("type") != "string":
            return {}
        return _count_schema(params, "minLength", "maxLength")


class SizeValidator(_MinEqMax):
    name = "size"
    parameters = {
        **_MinEqMax.parameters,
        "multiple_of": (
            lambda v: non_negative_int(v) and v > 0,
            "multiple_of must be a whole number > 0.",
        ),
    }

    def check(self, value, params):
        counted = {k: params.get(k) for k in ("min", "eq", "max")}
        _check_count(self, len(value), counted)
        multiple = params.get("multiple_of")
        if multiple and len(value) % multiple:
            raise self.problem(multiple_of=multiple, actual=len(value))

    def json_schema(self, params, value):
        return _count_schema(params, "minItems", "maxItems")  # multiple_of is not said

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
        require(low is not None or high is not None, "Give min, max or both.")
        parse = type(self).parse_bound
        require_ordered(
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
    parameters = _bounds(is_number, "a number")

    def json_schema(self, params, value):
        bounds = {"minimum": params.get("min"), "maximum": params.get("max")}
        return {keyword: bound for keyword, bound in bounds.items() if bound is not None}


class DateRangeValidator(_RangeValidator):
    name = "date_range"
    parse_bound = staticmethod(parse_date)
    parameters = _bounds(_parses(parse_date), 'a date "YYYY-MM-DD"')


class DateTimeRangeValidator(_RangeValidator):
    name = "date_time_range"
    parse_bound = staticmethod(parse_date_time)
    parameters = _bounds(_parses(parse_date_time), "an ISO 8601 date and time")


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
#: The predefined patterns as JSON Schema says them (ECMA-262: ``$`` is the text's end).
JSON_SCHEMA_PATTERNS = {
    "email": {"format": "email", "pattern": r"^[^@\s]+@[^@\s]+\.[^@\s]+$"},
    "url": {"format": "uri", "pattern": r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/$.?#].[^\s]*$"},
    "webpage_slug": {"pattern": r"^[a-z0-9_]+(?:-[a-z0-9_]+)*$"},
}


def ecma_pattern(pattern: str) -> str | None:
    r"""A custom RE2 pattern as a JSON Schema (ECMA-262) one, or None where the two read
    it differently (flags, ``\A``, ``\C``, ``\Q``): ``\z`` becomes ``$``."""
    pattern = pattern.replace(r"\z", "$")
    if "(?" in pattern.replace("(?:", "") or any(e in pattern for e in (r"\A", r"\C", r"\Q")):
        return None
    try:
        re.compile(pattern)
    except re.error:
        return None
    return pattern


class FormatValidator(Validator):
    name = "format"
    predefined = ("email", "url")
    #: Whether a mismatch names the pattern it missed (``slug_format``'s does not).
    names_pattern: ClassVar[bool] = True

    def check(self, value, params):
        """The predefined or custom pattern, run by RE2 (linear time). A custom pattern
        stored before RE2 ran them, that RE2 can't compile, matches nothing."""
        predefined = params.get("predefined_pattern")
        pattern = PREDEFINED_PATTERNS[predefined] if predefined else params["custom_pattern"]
        try:
            if compiled(pattern).search(value) is not None:
                return
        except re2.error:
            pass
        named = {"predefined_pattern": predefined} if predefined else {"custom_pattern": pattern}
        raise self.problem(**(named if self.names_pattern else {}))

    def json_schema(self, params, value):
        predefined = params.get("predefined_pattern")
        if predefined:
            return dict(JSON_SCHEMA_PATTERNS[predefined])
        pattern = ecma_pattern(params.get("custom_pattern") or "")
        return {"pattern": pattern} if pattern else {}

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
        require(len(given) == 1, "Give exactly one of custom_pattern and predefined_pattern.")
        return params


class SlugFormatValidator(FormatValidator):
    name = "slug_format"
    names_pattern = False
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

    def json_schema(self, params, value):
        return {"enum": list(params["values"])}


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


class RequiredSeoFieldsValidator(Validator):
    name = "required_seo_fields"
    parameters = booleans("title", "description", "image", "twitter_card")

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

    parameters = _bounds(non_negative_int, "a whole number >= 0")


class DescriptionLengthValidator(TitleLengthValidator):
    name = "description_length"
    seo_key = "description"


class SlugTitleFieldValidator(Validator):
    name = "slug_title_field"
    parameters = {
        "title_field_id": (lambda v: isinstance(v, str), "title_field_id must be a field id.")
    }
    required_parameters = frozenset({"title_field_id"})
    field_parameters = ("title_field_id",)

    def clean(self, params, context):
        require(
            params["title_field_id"] in context.title_field_ids,
            "title_field_id must be a string field of the same model.",
            "title_field_id",
        )
        return params
