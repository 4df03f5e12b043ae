"""Field types whose value is one scalar or a small fixed object."""

import json
import math
import re
from datetime import UTC, date, datetime

from item_types.field_types.base import FieldType, expect, expect_object, is_number

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class _TextValue(FieldType):
    """Types whose value is a string; what the string may hold is up to validators."""

    filter_kind = "text"
    sortable = True
    matchable = True

    def parse(self, value):
        expect(isinstance(value, str), "Expected a string.")
        return value

    def json_schema(self, block):
        return {"type": "string"}

    def search_text(self, value):
        return value


class StringType(_TextValue):
    code = "string"
    allowed_validators = frozenset({"required", "unique", "length", "format", "enum"})
    default_editor = "single_line"
    default_editor_parameters = {"heading": False}
    index = "text_prefix"
    content_link = True
    model_roles = frozenset({"title_field", "presentation_title_field", "excerpt_field"})
    automatic_model_role = "title_field"


class TextType(_TextValue):
    code = "text"
    allowed_validators = frozenset({"required", "length", "format", "sanitized_html"})
    default_editor = "markdown"
    # Not indexed: long texts are read whole rather than filtered through an index.
    content_link = True
    model_roles = frozenset({"presentation_title_field", "excerpt_field"})
    default_editor_parameters = {
        "toolbar": [
            "heading",
            "bold",
            "italic",
            "strikethrough",
            "code",
            "unordered_list",
            "ordered_list",
            "quote",
            "link",
            "image",
            "fullscreen",
        ],
    }


class SlugType(_TextValue):
    code = "slug"
    allowed_validators = frozenset(
        {"required", "unique", "length", "slug_format", "slug_title_field"}
    )
    default_editor = "slug"
    matchable = False  # eq, neq, in, not_in (SPEC-2 §4.3)
    default_editor_parameters = {"url_prefix": None}
    index = "text_prefix"
    model_roles = frozenset({"presentation_title_field"})


class BooleanType(FieldType):
    code = "boolean"
    allowed_validators = frozenset()
    default_editor = "boolean"
    filter_kind = "boolean"
    sortable = True
    index = "json"

    def parse(self, value):
        expect(isinstance(value, bool), "Expected true or false.")
        return value

    def json_schema(self, block):
        return {"type": "boolean"}


class _NumberValue(FieldType):
    """Types whose value is a number."""

    allowed_validators = frozenset({"required", "number_range"})
    filter_kind = "number"
    sortable = True
    index = "json"


class IntegerType(_NumberValue):
    code = "integer"
    default_editor = "integer"

    def parse(self, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        expect(isinstance(value, int) and not isinstance(value, bool), "Expected an integer.")
        # PostgreSQL's bigint range: larger numbers could not be filtered or sorted.
        expect(-(2**63) <= value < 2**63, "The integer is out of range.")
        return value

    def json_schema(self, block):
        return {"type": "integer", "minimum": -(2**63), "maximum": 2**63 - 1}


class FloatType(_NumberValue):
    code = "float"
    default_editor = "float"

    def parse(self, value):
        expect(is_number(value), "Expected a number.")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer too large for a double
            finite = False
        expect(finite, "Expected a finite number a double can hold.")
        return value

    def json_schema(self, block):
        return {"type": "number"}


def parse_date(value) -> date:
    expect(isinstance(value, str) and DATE_PATTERN.match(value), 'Expected "YYYY-MM-DD".')
    try:
        return date.fromisoformat(value)
    except ValueError:
        expect(False, "Not a calendar date.")


def parse_date_time(value) -> datetime:
    """An ISO 8601 date and time; one without an offset is taken as UTC."""
    expect(isinstance(value, str) and len(value) >= 16, "Expected an ISO 8601 date and time.")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        expect(False, "Expected an ISO 8601 date and time.")
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    try:
        # Values are kept and compared in UTC: 9999-12-31T23:59:59-23:59 has no UTC time.
        parsed.astimezone(UTC)
    except OverflowError:
        expect(False, "The date and time is out of range (years 1 to 9999, in UTC).")
    return parsed


def format_date_time(value: datetime) -> str:
    """``2018-11-24T10:00:00.000+00:00``: milliseconds and an explicit offset, as DatoCMS."""
    return value.isoformat(timespec="milliseconds")


class _TimeValue(FieldType):
    """Dates and date-times: kept as text that sorts in time order."""

    sortable = True
    index = "text_prefix"


class DateType(_TimeValue):
    code = "date"
    allowed_validators = frozenset({"required", "date_range"})
    default_editor = "date_picker"
    filter_kind = "date"

    def parse(self, value):
        return parse_date(value).isoformat()

    def json_schema(self, block):
        return {"type": "string", "format": "date", "pattern": DATE_PATTERN.pattern}


class DateTimeType(_TimeValue):
    code = "date_time"
    allowed_validators = frozenset({"required", "date_time_range"})
    default_editor = "date_time_picker"
    filter_kind = "date_time"

    def parse(self, value):
        # Kept in UTC, so stored values compare and sort correctly as text.
        return format_date_time(parse_date_time(value).astimezone(UTC))

    def json_schema(self, block):
        # Answered as RFC 3339 in UTC; a write may also leave the offset out (UTC).
        return {"type": "string", "format": "date-time", "minLength": 16}


class ColorType(FieldType):
    code = "color"
    allowed_validators = frozenset({"required"})
    default_editor = "color_picker"
    channels = ("red", "green", "blue", "alpha")

    def parse(self, value):
        expect_object(value, self.channels, "Expected {red, green, blue, alpha}.")
        color = {}
        for channel in self.channels:
            component = value.get(channel, 255 if channel == "alpha" else None)
            expect(
                isinstance(component, int)
                and not isinstance(component, bool)
                and 0 <= component <= 255,
                f"{channel} must be an integer from 0 to 255.",
                key=channel,
            )
            color[channel] = component
        return color

    def json_schema(self, block):
        channel = {"type": "integer", "minimum": 0, "maximum": 255}
        return {
            "type": "object",
            "properties": {name: channel for name in self.channels},
            "required": ["red", "green", "blue"],  # alpha defaults to 255
            "additionalProperties": False,
        }


class JsonType(FieldType):
    code = "json"
    allowed_validators = frozenset({"required"})
    default_editor = "json"
    free_form_object = True

    def parse(self, value):
        expect(isinstance(value, str), "Expected a string holding JSON.")
        try:
            json.loads(value, parse_constant=_reject_non_json_constant)
        except (ValueError, RecursionError):
            expect(False, "The string is not valid JSON.")
        return value

    def json_schema(self, block):
        return {"type": "string", "contentMediaType": "application/json"}


def _reject_non_json_constant(name: str):
    # Python's json accepts NaN and Infinity; JSON does not.
    raise ValueError(f"{name} is not JSON")


class LatLonType(FieldType):
    code = "lat_lon"
    allowed_validators = frozenset({"required"})
    default_editor = "map"
    filter_kind = "lat_lon"
    index = "lat_lon"

    def parse(self, value):
        expect(isinstance(value, dict), "Expected {latitude, longitude}.")
        expect(set(value) <= {"latitude", "longitude"}, "Only latitude and longitude.")
        latitude, longitude = value.get("latitude"), value.get("longitude")
        expect(
            is_number(latitude) and -90 <= latitude <= 90,
            "latitude must be a number from -90 to 90.",
            key="latitude",
        )
        expect(
            is_number(longitude) and -180 <= longitude <= 180,
            "longitude must be a number from -180 to 180.",
            key="longitude",
        )
        return {"latitude": latitude, "longitude": longitude}

    def json_schema(self, block):
        return {
            "type": "object",
            "properties": {
                "latitude": {"type": "number", "minimum": -90, "maximum": 90},
                "longitude": {"type": "number", "minimum": -180, "maximum": 180},
            },
            "required": ["latitude", "longitude"],
            "additionalProperties": False,
        }
