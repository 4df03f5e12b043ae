"""Each field type's widget in the admin's record editor, in one registry keyed by the
field type's code (``item_types.field_types.FIELD_TYPES``).

A widget says which JS widget edits the value (``name``, in items/static/items/editor/)
and converts one locale's value between the wire (what the API takes and answers) and the
form (what the widget edits: mostly text, as inputs hold it). ``from_form`` raises
:class:`FormValueError` for what a widget can't turn into a wire value (a number that is no
number); everything else is left to the API's validation, which the editor saves through.
"""

import json
import re
from datetime import UTC

from item_types.field_types.scalar import format_date_time, parse_date_time


class FormValueError(Exception):
    """A form value with no wire value; ``steps`` say where below the value it sits."""

    def __init__(self, message: str, *steps):
        super().__init__(message)
        self.message = message
        self.steps = steps


def _text(value):
    return value or ""


def _blank_is_null(text):
    if text is None:
        return None
    if not isinstance(text, str):
        raise FormValueError("Expected text.")
    return None if text == "" else text


def _number_text(value):
    return "" if value is None else json.dumps(value)


def _number(text, *steps, integer=False):
    text = (text or "").strip() if isinstance(text, str) else text
    if text in ("", None):
        return None
    try:
        number = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        number = None
    if isinstance(number, float) and integer and number.is_integer():
        number = int(number)
    wanted = int if integer else (int, float)
    if not isinstance(number, wanted) or isinstance(number, bool):
        raise FormValueError(
            "Expected a whole number." if integer else "Expected a number.", *steps
        )
    return number


def _date_time_form(value):
    """Shown in UTC as a datetime-local input holds it (milliseconds only when there)."""
    if not value:
        return ""
    moment = parse_date_time(value).astimezone(UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    return text + (f".{moment.microsecond // 1000:03d}" if moment.microsecond else "")


def _date_time_wire(text):
    text = _blank_is_null(text)
    if text is None:
        return None
    try:
        return format_date_time(parse_date_time(text).astimezone(UTC))
    except Exception:  # FieldValueError: the API's own message is the same
        raise FormValueError("Expected a date and time.") from None


HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def _color_form(value):
    if not value:
        return {"hex": "", "alpha": "255"}
    hex_ = "#" + "".join(f"{value[c]:02x}" for c in ("red", "green", "blue"))
    return {"hex": hex_, "alpha": str(value.get("alpha", 255))}


def _color_wire(form):
    form = form or {}
    hex_ = form.get("hex") or ""
    if not hex_:
        return None
    if not HEX.match(hex_):
        raise FormValueError("Expected a colour as #rrggbb.", "hex")
    alpha = _number(form.get("alpha") or "255", "alpha", integer=True)
    red, green, blue = (int(hex_[i : i + 2], 16) for i in (1, 3, 5))
    return {"red": red, "green": green, "blue": blue, "alpha": alpha}


def _lat_lon_form(value):
    value = value or {}
    return {key: _number_text(value.get(key)) for key in ("latitude", "longitude")}


def _lat_lon_wire(form):
    form = form or {}
    point = {key: _number(form.get(key), key) for key in ("latitude", "longitude")}
    return None if point == {"latitude": None, "longitude": None} else point


def _json_wire(text):
    text = _blank_is_null(text)
    if text is not None:
        try:
            json.loads(text)
        except ValueError:
            raise FormValueError("The text is not valid JSON.") from None
    return text


SEO_TEXT = ("title", "description", "image", "twitter_card")


def _seo_form(value):
    value = value or {}
    return {**{k: _text(value.get(k)) for k in SEO_TEXT}, "no_index": bool(value.get("no_index"))}


def _seo_wire(form):
    form = form or {}
    seo = {key: _blank_is_null(form.get(key)) for key in SEO_TEXT}
    seo["no_index"] = bool(form.get("no_index")) or None
    return None if not any(v is not None for v in seo.values()) else seo


VIDEO_TEXT = ("url", "provider", "provider_uid", "thumbnail_url", "title")


def _video_form(value):
    value = value or {}
    form = {key: _text(value.get(key)) for key in VIDEO_TEXT}
    return {
        **form,
        "width": _number_text(value.get("width")),
        "height": _number_text(value.get("height")),
    }


def _video_wire(form):
    form = form or {}
    video = {key: _blank_is_null(form.get(key)) for key in VIDEO_TEXT}
    for key in ("width", "height"):
        video[key] = _number(form.get(key), key, integer=True)
    return None if not any(v is not None for v in video.values()) else video


def _file_form(value):
    return dict(value) if value else None


def _file_wire(form):
    if not form:
        return None
    if not isinstance(form, dict) or not form.get("upload_id"):
        raise FormValueError("Choose an upload.")
    file_ = dict(form)
    for key in ("alt", "title"):
        file_[key] = _blank_is_null(file_.get(key))
    return file_


def _gallery_wire(form):
    files = []
    for index, file_ in enumerate(form or []):
        try:
            files.append(_file_wire(file_))
        except FormValueError as error:
            raise FormValueError(error.message, index, *error.steps) from None
    return files


class Widget:
    def __init__(self, name: str, to_form=None, from_form=None):
        self.name = name
        self._to_form = to_form or (lambda value: value)
        self._from_form = from_form or (lambda form: form)

    def to_form(self, value, blocks) -> object:
        """``blocks``: the record form's converter of block values (``record_form``)."""
        return self._to_form(value)

    def from_form(self, form, blocks) -> object:
        return self._from_form(form)


class BlocksWidget(Widget):
    """Modular content: a list of blocks, each edited with its model's widgets."""

    def to_form(self, value, blocks):
        return [blocks.to_form(block) for block in value or []]

    def from_form(self, form, blocks):
        if form is None:
            return []
        if not isinstance(form, list):
            raise FormValueError("Expected a list of blocks.")
        return [blocks.from_form(block, index) for index, block in enumerate(form)]


class SingleBlockWidget(Widget):
    def to_form(self, value, blocks):
        return blocks.to_form(value) if value else None

    def from_form(self, form, blocks):
        return blocks.from_form(form, None) if form else None


class StructuredTextWidget(Widget):
    def to_form(self, value, blocks):
        from items.admin_editor import dast_form

        return dast_form.to_form(value, blocks)

    def from_form(self, form, blocks):
        from items.admin_editor import dast_form

        return dast_form.from_form(form, blocks)


#: field type code -> its widget. tests/items/test_admin_editor_values.py checks that every
#: field type has one.
WIDGETS: dict[str, Widget] = {
    "string": Widget("text", _text, _blank_is_null),
    "text": Widget("textarea", _text, _blank_is_null),
    "slug": Widget("slug", _text, _blank_is_null),
    "boolean": Widget("checkbox", bool, bool),
    "integer": Widget("integer", _number_text, lambda t: _number(t, integer=True)),
    "float": Widget("float", _number_text, _number),
    "date": Widget("date", _text, _blank_is_null),
    "date_time": Widget("date_time", _date_time_form, _date_time_wire),
    "color": Widget("color", _color_form, _color_wire),
    "json": Widget("json", _text, _json_wire),
    "lat_lon": Widget("lat_lon", _lat_lon_form, _lat_lon_wire),
    "seo": Widget("seo", _seo_form, _seo_wire),
    "video": Widget("video", _video_form, _video_wire),
    "file": Widget("file", _file_form, _file_wire),
    "gallery": Widget("gallery", lambda value: [dict(f) for f in value or []], _gallery_wire),
    "link": Widget("link", _text, _blank_is_null),
    "links": Widget("links", lambda value: list(value or []), lambda form: list(form or [])),
    "rich_text": BlocksWidget("blocks"),
    "single_block": SingleBlockWidget("single_block"),
    "structured_text": StructuredTextWidget("structured_text"),
}
