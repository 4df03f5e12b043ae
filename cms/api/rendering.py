"""Answers are always ``application/json; charset=utf-8``.

DatoCMS's client rejects any response whose content type lacks ``application/json``
(``application/vnd.api+json`` included), so JSON:API documents go out as plain JSON.
"""

from rest_framework import renderers
from rest_framework.negotiation import BaseContentNegotiation


class JSONRenderer(renderers.JSONRenderer):
    media_type = "application/json"
    format = "json"
    charset = "utf-8"


class AlwaysJSONNegotiation(BaseContentNegotiation):
    """There is one representation; an unusual ``Accept`` header still gets it."""

    def select_parser(self, request, parsers):
        for parser in parsers:
            if request.content_type.split(";")[0].strip().lower() == parser.media_type:
                return parser
        return None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type
