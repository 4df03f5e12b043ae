"""Answers are always ``application/json; charset=utf-8``.

DatoCMS's client rejects any response whose content type lacks ``application/json``
(``application/vnd.api+json`` included), so JSON:API documents go out as plain JSON.

The bytes are DRF's JSON renderer's exactly (compact, UTF-8 unescaped, keys in insertion
order, ``\\u2028``/``\\u2029`` escaped, dates as DRF's encoder writes them), made by orjson,
about 15 times faster than the standard library on a page of records. Where orjson would
write something else, the standard library writes it: a float in exponent notation (orjson
writes ``1e-7`` and ``0.00001`` where Python writes ``1e-07`` and ``1e-05``), an integer
past 64 bits, a key that is not text, nesting deeper than orjson's limit.
"""

import re

import orjson
from rest_framework import renderers
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.utils.encoders import JSONEncoder

# Dates, times, dataclasses go to DRF's encoder (orjson's own formats differ from it).
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
_default = JSONEncoder().default
# A number token that may be a float Python writes otherwise (exponent, or 0.0000...).
# Text holding the same characters only sends the document the slow way. The token's start
# (after ``:``, ``,`` or ``[``, or the document's) is two patterns: one alternative with
# ``^`` made the search test every byte, four times slower on a page of records.
_OTHER_FLOAT = rb"-?(?:\d+(?:\.\d+)?e|0\.0000)"
_MAYBE_OTHER_FLOAT = re.compile(rb"[:,\[]" + _OTHER_FLOAT)
_OTHER_FLOAT_FIRST = re.compile(_OTHER_FLOAT)
_LINE_SEPARATORS = (b"\xe2\x80\xa8", b"\xe2\x80\xa9")  # U+2028, U+2029 in UTF-8


def fast_json(data) -> bytes | None:
    """``data`` as DRF's compact JSON, or None when only the standard library writes it
    exactly."""
    try:
        encoded = orjson.dumps(data, default=_default, option=OPTIONS)
    except orjson.JSONEncodeError:
        return None  # (and the standard library raises what it raises today)
    if _MAYBE_OTHER_FLOAT.search(encoded) or _OTHER_FLOAT_FIRST.match(encoded):
        return None
    if _LINE_SEPARATORS[0] in encoded or _LINE_SEPARATORS[1] in encoded:
        # DRF escapes both, so that the JSON is also a JavaScript literal.
        encoded = encoded.replace(_LINE_SEPARATORS[0], b"\\u2028")
        encoded = encoded.replace(_LINE_SEPARATORS[1], b"\\u2029")
    return encoded


#: A Response's ``(data, bytes)`` when its body was rendered before DRF renders it (the audit
#: log stores a write's answer in the write's own statement, audit_log/folding.py): the same
#: bytes go out, not rendered twice.
RENDERED_AHEAD = "cms_rendered_ahead"


def render_ahead(response) -> bytes:
    """``response``'s body, rendered now and kept for DRF's own rendering of it."""
    body = JSONRenderer().render(response.data)
    setattr(response, RENDERED_AHEAD, (response.data, body))
    return body


class JSONRenderer(renderers.JSONRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        context = renderer_context or {}
        rendered = getattr(context.get("response"), RENDERED_AHEAD, None)
        if rendered is not None and rendered[0] is data:
            return rendered[1]
        if data is not None and context.get("indent") is None:
            # (AlwaysJSONNegotiation accepts no indent= parameter in the media type.)
            encoded = fast_json(data)
            if encoded is not None:
                return encoded
        return super().render(data, accepted_media_type, renderer_context)


class AlwaysJSONNegotiation(BaseContentNegotiation):
    """There is one representation; an unusual ``Accept`` header still gets it."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
