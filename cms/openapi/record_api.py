"""The record API's operations (DreamFactory style), for each path form it is served
under. A form is its paths and the key its batches are wrapped in; both forms answer
DreamFactory's error object."""

from dataclasses import dataclass

from cms.openapi.op_shapes import BOOL, STRING, Op


@dataclass(frozen=True)
class Form:
    service: str  # the path listing a service's tables
    table: str  # the path of a table's records
    wrapper: str  # {"<wrapper>": [...]} wraps a batch

    @property
    def record(self) -> str:
        return self.table + "/{record_id}"


#: Adding a path form is one line here (its paths as the URLconf spells them).
FORMS = (
    Form("/rest/{service}", "/rest/{service}/{table}", "record"),
    Form("/api/v2/{service}/_table", "/api/v2/{service}/_table/{table}", "resource"),
)
SCHEMA = "/api/v2/{service}/_schema"
SCHEMA_PATHS = {
    SCHEMA: "The tables",
    SCHEMA + "/{table}": "A table, as DreamFactory describes one",
    SCHEMA + "/{table}/_field": "A table's fields",
    SCHEMA + "/{table}/_related": "A table's relations (the names `related=` takes)",
    SCHEMA + "/{table}/_related/{relation}": "One relation of a table",
    SCHEMA + "/{table}/_field/{field}": "One field of a table",
    SCHEMA + "/{table}/{field}": "One field of a table",
}
#: _schema writes (record_api/schema_views.py): models and fields, needing can_edit_schema.
DF_FIELD = {
    "type": "object",
    "description": "DreamFactory's field description: `name`, `type` (string, text, integer, "
    "float, double, decimal, boolean, date, datetime, timestamp, json, reference with "
    "`ref_table`), `label`, `description`, `default`, `required`, `is_unique`, `length` or "
    "`max_length`, `picklist`, `allow_null` (false: `required`, unless `required` is sent); "
    "`native.field_type` names our field type directly.",
    "properties": {"name": {"type": "string"}, "type": {"type": "string"}},
}
DF_TABLE = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "label": {"type": "string"},
        "field": {"type": "array", "items": DF_FIELD},
    },
}
NAMES = {
    "type": "object",
    "properties": {"resource": {"type": "array", "items": {"type": "object"}}},
}
NAME = {"type": "object", "properties": {"name": {"type": "string"}}}
RETURN_SCHEMA = {"return_schema": (BOOL, "Answer the table's description, not its name.")}
ALL_OR_NOTHING = (
    "All or nothing: a refusal (DreamFactory's error naming the table and field) "
    "writes nothing. Needs the role's `can_edit_schema`."
)


def _resources(item: dict) -> dict:
    return {"anyOf": [item, {"type": "array", "items": item}, {"type": "object"}]}


def _schema_writes() -> dict[str, Op]:
    table, field_paths = (
        SCHEMA + "/{table}",
        (SCHEMA + "/{table}/_field/{field}", SCHEMA + "/{table}/{field}"),
    )
    ops = {
        f"POST {SCHEMA}": Op(
            TAG,
            "Create tables (models) with their fields",
            {201: NAMES},
            _resources(DF_TABLE),
            query=RETURN_SCHEMA,
            description=ALL_OR_NOTHING,
        ),
        f"POST {table}": Op(
            TAG,
            "Create the table the path names",
            {201: NAME},
            DF_TABLE,
            query=RETURN_SCHEMA,
            description=ALL_OR_NOTHING,
        ),
        f"DELETE {table}": Op(TAG, "Delete a table (model) and its records", {200: NAME}),
        f"DELETE {SCHEMA}": Op(
            TAG,
            "Delete the tables the body names, and their records",
            {200: NAMES},
            _resources(NAME),
            description="In the order named. " + ALL_OR_NOTHING,
        ),
        f"POST {table}/_field": Op(
            TAG,
            "Add fields to a table",
            {201: NAMES},
            _resources(DF_FIELD),
            description=ALL_OR_NOTHING,
        ),
    }
    for verb in ("PUT", "PATCH"):
        ops[f"{verb} {SCHEMA}"] = Op(
            TAG,
            "Change tables: each one's label, fields added or changed",
            {200: NAMES},
            _resources(DF_TABLE),
            query=RETURN_SCHEMA,
            description="Each table named must exist; fields not listed are kept. "
            + ALL_OR_NOTHING,
        )
        ops[f"{verb} {table}"] = Op(
            TAG,
            "Change a table's label and add or change its fields",
            {200: NAME},
            DF_TABLE,
            query=RETURN_SCHEMA,
            description="Fields the table has are changed, others added; fields not listed "
            "are kept. " + ALL_OR_NOTHING,
        )
        for path in field_paths:
            ops[f"{verb} {path}"] = Op(
                TAG,
                "Change a field (what the description says)",
                {200: NAME},
                DF_FIELD,
                query=RETURN_SCHEMA,
                description=ALL_OR_NOTHING,
            )
    for path in field_paths:
        ops[f"DELETE {path}"] = Op(TAG, "Delete a field and its values", {200: NAME})
    return ops


TAG = "Record API"
#: DreamFactory's user session, in both path forms (record_api/session_views.py).
SESSION_PATHS = ("/api/v2/user/session", "/rest/user/session")
SESSION = {
    "type": "object",
    "description": "DreamFactory's session object; `session_token` is null where the "
    "request didn't send it.",
    "properties": {
        "session_token": {"type": ["string", "null"]},
        "session_id": {"type": ["string", "null"]},
        "id": {"type": "integer"},
        "name": {"type": "string"},
        "first_name": {"type": "string"},
        "last_name": {"type": "string"},
        "email": {"type": "string"},
        "is_sys_admin": {"type": "boolean"},
        "last_login_date": {"type": ["string", "null"]},
        "host": {"type": ["string", "null"]},
        "role": {"type": ["string", "null"]},
        "role_id": {"type": ["string", "null"]},
        "token_expiry_date": {"type": "string"},
    },
}
LOGIN = {
    "type": "object",
    "properties": {
        "email": {"type": "string"},
        "password": {"type": "string"},
        "remember_me": {
            "type": "boolean",
            "description": "Accepted; sessions last `CMS_SESSION_LIFETIME` seconds either way.",
        },
    },
    "required": ["email", "password"],
}
SESSION_ONLY = [{"dreamfactorySession": []}, {"dreamfactorySessionQuery": []}]
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
CHOOSE = {
    **WRITE_QUERY,
    "ids": READ_QUERY["ids"],
    "filter": READ_QUERY["filter"],
    "force": (BOOL, "A DELETE naming no records empties the table only with this."),
}
NESTED = (
    "A record may carry related records under a relation's name (`<ref_table>_by_<field>`, "
    "as `related=` names them): an object for a link field, a list for a links field or a "
    "has_many (records linking to it; on an update, those left out are unlinked); each is "
    "created (no `id`), linked (`id` alone) or merged and linked (`id` and fields), and may "
    "carry its own, 5 levels deep, in the same transaction; a failed one fails its record."
)
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
                "a batch, answered in order; a bare object is one record, answered unwrapped. "
                + NESTED,
                idempotent=True,
            ),
            f"GET {form.record}": Op(TAG, "Read one record", {200: RECORD}, query=READ_QUERY),
        }
        for path in (form.table, form.record):
            by = "records chosen by `ids`, `filter` or the body" if path == form.table else "it"
            found |= {
                f"PUT {path}": Op(
                    TAG,
                    f"Replace {by}",
                    {200: batch},
                    RECORD,
                    query=CHOOSE,
                    description=NESTED,
                    idempotent=True,
                ),
                f"PATCH {path}": Op(
                    TAG,
                    f"Merge into {by}",
                    {200: batch},
                    RECORD,
                    query=CHOOSE,
                    description=NESTED,
                    idempotent=True,
                ),
                f"DELETE {path}": Op(
                    TAG, f"Delete {by}", {200: batch}, query=CHOOSE, idempotent=True
                ),
            }
    for path, summary in SCHEMA_PATHS.items():
        found[f"GET {path}"] = Op(TAG, summary, {200: {"type": "object"}})
    found |= _schema_writes()
    for path in SESSION_PATHS:
        found |= {
            f"POST {path}": Op(
                TAG,
                "Log in: a Django user's email and password, answered with a session_token",
                {200: SESSION},
                LOGIN,
                description="The session acts with the user's bound role (a superuser "
                "without one: Admin) on the record API, until `CMS_SESSION_LIFETIME` "
                "seconds pass or a logout. A bad email or password: 401.",
                security=[],
            ),
            f"GET {path}": Op(TAG, "The current session", {200: SESSION}, security=SESSION_ONLY),
            f"DELETE {path}": Op(
                TAG,
                "Log out: the session token stops working at once",
                {200: {"type": "object", "properties": {"success": {"type": "boolean"}}}},
                security=SESSION_ONLY,
            ),
        }
    return found
