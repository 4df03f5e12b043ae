"""The pieces the operation catalogs (``cms.openapi.operations``, ``project_operations``,
``record_api``) are written with: :class:`Op`, the documents a resource's operations take
and answer, and :func:`crud` for a resource's list/create/find/update/delete."""

from dataclasses import dataclass, field

from cms.openapi.components import attributes_of, document, ref, resource, write_document
from item_types.schema import (
    FIELD_ATTRIBUTES,
    FIELDSET_ATTRIBUTES,
    ITEM_TYPE_ATTRIBUTES,
    SITE_ATTRIBUTES,
)
from menus.cleaning import MENU_ITEM_ATTRIBUTES, SCHEMA_MENU_ITEM_ATTRIBUTES
from uploads.collections import ATTRIBUTES as UPLOAD_COLLECTION_ATTRIBUTES
from uploads.services import UPLOAD_ATTRIBUTES


@dataclass(frozen=True)
class Op:
    tag: str
    summary: str
    #: status -> the answer's schema (None: no body).
    answers: dict = field(default_factory=dict)
    body: dict | None = None
    #: query parameters: name -> (schema, description)
    query: dict = field(default_factory=dict)
    description: str = ""
    idempotent: bool = False  # takes Idempotency-Key
    security: list | None = None  # None: the API's credentials


def _specs() -> dict[str, tuple[dict, list[str]]]:
    return {
        "site": attributes_of(SITE_ATTRIBUTES),
        "item_type": attributes_of(ITEM_TYPE_ATTRIBUTES),
        "field": attributes_of(FIELD_ATTRIBUTES),
        "fieldset": attributes_of(FIELDSET_ATTRIBUTES),
        "upload": attributes_of(UPLOAD_ATTRIBUTES),
        "upload_collection": attributes_of(UPLOAD_COLLECTION_ATTRIBUTES),
        "menu_item": attributes_of(MENU_ITEM_ATTRIBUTES),
        "schema_menu_item": attributes_of(SCHEMA_MENU_ITEM_ATTRIBUTES),
    }


SPECS = _specs()


def one(type_: str) -> dict:
    return document(resource(type_, SPECS.get(type_, ({}, []))[0]))


def many(type_: str) -> dict:
    return document(resource(type_, SPECS.get(type_, ({}, []))[0]), many=True)


def create(type_: str) -> dict:
    properties, required = SPECS[type_]
    return write_document(type_, _writable(properties), required=required)


def update(type_: str) -> dict:
    return write_document(type_, _writable(SPECS[type_][0]))


def _writable(properties: dict) -> dict:
    return {name: schema for name, schema in properties.items() if not schema.get("readOnly")}


def free(type_: str, **kw) -> dict:
    return write_document(type_, None, **kw)


JOB = {202: ref("Job")}
STRING = {"type": "string"}
BOOL = {"type": "string", "enum": ["true", "false"]}
PAGES = {
    "page[offset]": ({"type": "integer", "minimum": 0}, "Records to skip."),
    "page[limit]": ({"type": "integer", "minimum": 1, "maximum": 500}, "Records per page."),
}
IDS = {"filter[ids]": (STRING, "Ids, comma-separated.")}


def crud(
    prefix: str,
    type_: str,
    tag: str,
    noun: str,
    *,
    param: str = "item_id",
    declared: bool = False,
    list_summary: str | None = None,
    list_query: dict | None = None,
    collection: str | None = None,
) -> dict[str, Op]:
    """List, create, find, update and delete under ``/{prefix}`` (list and create under
    ``/{collection}`` if given). ``noun`` names one with its article ("a role"); the bodies
    are the type's declared attributes, or free."""
    plural, listed = noun.split(" ", 1)[1] + "s", collection or prefix
    bodies = (create(type_), update(type_)) if declared else (free(type_), free(type_))
    return {
        f"GET /{listed}": Op(
            tag, list_summary or f"List {plural}", {200: many(type_)}, query=list_query or {}
        ),
        f"POST /{listed}": Op(tag, f"Create {noun}", {201: one(type_)}, bodies[0]),
        f"GET /{prefix}/{{{param}}}": Op(tag, f"Find {noun}", {200: one(type_)}),
        f"PUT /{prefix}/{{{param}}}": Op(tag, f"Update {noun}", {200: one(type_)}, bodies[1]),
        f"DELETE /{prefix}/{{{param}}}": Op(tag, f"Delete {noun}", {200: one(type_)}),
    }
