"""The record API's operations (DreamFactory style), for each path form it is served
under. A form is its paths and the key its batches are wrapped in; both forms answer
DreamFactory's error object."""

from dataclasses import dataclass

from cms.openapi.operations import BOOL, STRING, Op


@dataclass(frozen=True)
class Form:
    service: str  # the path listing a service's tables
    table: str  # the path of a table's records
    wrapper: str  # {"<wrapper>": [...]} wraps a batch


#: Adding a path form is one line here (its paths as the URLconf spells them).
FORMS = (Form("/rest/{service}", "/rest/{service}/{table}", "record"),)

TAG = "Record API"
READ_QUERY = {
    "fields": (STRING, "`*` every field, `a,b` the id and those; absent: the id only."),
    "filter": (STRING, "DreamFactory's SQL-like filter (`name = 'Joe' and age > 3`)."),
    "limit": ({"type": "integer", "minimum": 1, "maximum": 1000}, "At most 1,000 (100)."),
    "offset": ({"type": "integer", "minimum": 0}, "Records to skip."),
    "order": (STRING, "`name ASC,other DESC`"),
    "ids": (STRING, "Record ids, comma-separated."),
    "include_count": (BOOL, "Add `meta.count`."),
}
WRITE_QUERY = {
    "fields": READ_QUERY["fields"],
    "rollback": (BOOL, "A batch keeps all or nothing."),
    "continue": (BOOL, "A batch keeps the good records and reports the bad ones."),
}
RECORD = {
    "type": "object",
    "description": "A record: `id` and the model's fields by api_key; their JSON Schema is "
    "`GET /item-types/{table}/schema.json`.",
    "properties": {"id": {"type": "string"}},
}


def _batch(wrapper: str) -> dict:
    return {
        "type": "object",
        "properties": {wrapper: {"type": "array", "items": RECORD}},
        "required": [wrapper],
    }


def operations() -> dict[str, Op]:
    found = {}
    for form in FORMS:
        batch = _batch(form.wrapper)
        found |= {
            f"GET {form.service}": Op(
                TAG,
                "List the service's tables (the models)",
                {200: {"type": "object", "properties": {"resource": {"type": "array"}}}},
            ),
            f"GET {form.table}": Op(TAG, "Read records", {200: batch}, query=READ_QUERY),
            f"POST {form.table}": Op(
                TAG,
                "Create one record or a batch",
                {200: {"anyOf": [batch, RECORD]}, 201: {"anyOf": [batch, RECORD]}},
                {"anyOf": [batch, RECORD, {"type": "array", "items": RECORD}]},
                query=WRITE_QUERY,
                description=f'A `{{"{form.wrapper}": [...]}}` wrapper or a bare array is '
                "a batch, answered in order; a bare object is one record, answered unwrapped.",
                idempotent=True,
            ),
        }
    return found
