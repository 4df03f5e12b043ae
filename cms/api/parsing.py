"""Request bodies: JSON under either media type, and the JSON:API resource document."""

from dataclasses import dataclass, field

from rest_framework import parsers

from cms.api import json_body
from cms.api.errors import ApiError
from cms.ids import is_valid_id


class JSONParser(parsers.JSONParser):
    """UTF-8 JSON, checked by :mod:`cms.api.json_body` (what a body may hold). (A subclass
    of DRF's, which DRF reads through ``request.body``, so the body size limit applies.)"""

    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            text = stream.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise ApiError(
                "INVALID_JSON_BODY", 400, message=f"The body is not UTF-8 ({error.reason})."
            ) from None
        return json_body.loads(text)


class JSONAPIParser(JSONParser):
    media_type = "application/vnd.api+json"


class MultiPartParser(parsers.MultiPartParser):
    """Multipart forms (an upload with its file): no form field may hold a NUL, as in JSON
    bodies (PostgreSQL can't store one; the file's bytes may hold anything)."""

    def parse(self, stream, media_type=None, parser_context=None):
        parsed = super().parse(stream, media_type, parser_context)
        for name, values in parsed.data.lists():
            if any("\x00" in text for text in (name, *values)):
                raise ApiError(
                    "INVALID_FORM_BODY",
                    400,
                    field=json_body.printable(name),
                    message="A form field may not hold a NUL (U+0000).",
                )
        return parsed


@dataclass
class ResourceDocument:
    """``{"data": {"type", "id"?, "attributes", "relationships"?, "meta"?}}``, checked."""

    type: str
    id: str | None = None
    attributes: dict = field(default_factory=dict)
    relationships: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def relationship_id(self, name: str, expected_type: str) -> str | None:
        """The id of a to-one relationship ``{"data": {"type", "id"}}``, or None if absent."""
        if name not in self.relationships:
            return None
        rel = self.relationships[name]
        data = rel.get("data") if isinstance(rel, dict) else None
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ApiError("INVALID_RELATIONSHIP", 422, field=name, code="VALIDATION_FORMAT")
        if data.get("type") != expected_type:
            raise ApiError(
                "INVALID_RELATIONSHIP",
                422,
                field=name,
                code="INVALID_TYPE",
                expected=expected_type,
            )
        return data["id"]


def parse_resource(body, expected_type: str, *, allow_id: bool = False) -> ResourceDocument:
    """Check a request body is a JSON:API document holding one resource of ``expected_type``.

    ``allow_id`` lets a create carry a client-minted id, which must be well formed.
    A missing body on an update is treated as an empty resource.
    """
    if not isinstance(body, dict) or "data" not in body:
        raise ApiError(
            "INVALID_FORMAT",
            422,
            message='The body must be a JSON object with a top-level "data" member.',
        )
    data = body["data"]
    if not isinstance(data, dict):
        raise ApiError("INVALID_FORMAT", 422, message='"data" must be a resource object.')
    if data.get("type") != expected_type:
        raise ApiError(
            "INVALID_TYPE",
            422,
            field="type",
            expected=expected_type,
            got=data.get("type"),
        )
    for member in ("attributes", "relationships", "meta"):
        if data.get(member) is not None and not isinstance(data[member], dict):
            raise ApiError("INVALID_FORMAT", 422, message=f'"data.{member}" must be an object.')
    resource_id = data.get("id")
    if resource_id is not None and allow_id and not is_valid_id(resource_id):
        raise ApiError("INVALID_ENTITY_ID", 422, field="id", id=resource_id)
    return ResourceDocument(
        type=expected_type,
        id=resource_id if allow_id else None,
        attributes=data.get("attributes") or {},
        relationships=data.get("relationships") or {},
        meta=data.get("meta") or {},
    )
