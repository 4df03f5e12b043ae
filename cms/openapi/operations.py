"""What each operation of the Content Management API takes and answers, keyed by
``"METHOD /path"`` as the URLconf spells it (``{name}`` for a path parameter).

``cms.openapi.generation`` walks the URLconf (drf-spectacular's enumeration) and reads an
operation here for each route and method; tests/cms/test_openapi.py fails on a route left
out. The record API's operations are in ``cms.openapi.record_api``.
"""

from cms.openapi.components import ID
from cms.openapi.op_shapes import (
    BOOL,
    IDS,
    JOB,
    PAGES,
    STRING,
    Op,
    create,
    crud,
    free,
    many,
    one,
    update,
)

ITEM_BODY = free("item")
ITEM_DOC = (
    "`attributes` are the model's fields by api_key: their JSON Schema is "
    "`GET /item-types/{id}/schema.json`. `relationships.item_type` names the model."
)
BULK = (
    "At most 200 records: `{data: {type: '<operation>', relationships: {items: {data: "
    "[{type: 'item', id}]}}}}`."
)

CMA: dict[str, Op] = {
    # Site, models, fields (models' and fieldsets' CRUD: below).
    "GET /site": Op(
        "Schema",
        "The site: locales, time zone, settings",
        {200: one("site")},
        query={"include": (STRING, "`item_types`, `item_types.fields`")},
    ),
    "PUT /site": Op("Schema", "Update the site", {200: one("site")}, update("site")),
    "GET /item-types/{id_or_api_key}/schema.json": Op(
        "Schema",
        "The JSON Schema of the model's records",
        {200: {"type": "object", "description": "A JSON Schema (draft 2020-12)."}},
        description="Generated from the content model of the environment: one property per "
        "field (by api_key), localized fields as an object per locale, validators as far "
        "as JSON Schema says them; block models in `$defs`.",
    ),
    "POST /item-types/{id_or_api_key}/duplicate": Op(
        "Schema", "Copy a model", {201: one("item_type")}
    ),
    "GET /item-types/{id_or_api_key}/referencing": Op(
        "Schema", "Models that link to or embed this one", {200: many("item_type")}
    ),
    "GET /item-types/{id_or_api_key}/fields/referencing": Op(
        "Schema", "Fields that link to or embed this model", {200: many("field")}
    ),
    "GET /item-types/{id_or_api_key}/fields/related": Op(
        "Schema", "Link fields through which records may link here", {200: many("field")}
    ),
    "POST /item-types/{id_or_api_key}/reorder-fields-and-fieldsets": Op(
        "Schema",
        "Set the form's order (a job)",
        JOB,
        {
            "type": "object",
            "properties": {"data": {"type": "array", "items": {"type": "object"}}},
            "required": ["data"],
        },
    ),
    "GET /item-types/{id_or_api_key}/fields": Op(
        "Schema", "List a model's fields", {200: many("field")}
    ),
    "POST /item-types/{id_or_api_key}/fields": Op(
        "Schema", "Create a field", {201: one("field")}, create("field")
    ),
    "GET /fields/{id_or_api_key}": Op(
        "Schema", "Find a field (id or `model::field`)", {200: one("field")}
    ),
    "PUT /fields/{id_or_api_key}": Op(
        "Schema", "Update a field", {200: one("field")}, update("field")
    ),
    "DELETE /fields/{id_or_api_key}": Op("Schema", "Delete a field", {200: one("field")}),
    "POST /fields/{id_or_api_key}/duplicate": Op("Schema", "Copy a field (a job)", JOB),
    # Records.
    "GET /items": Op(
        "Records",
        "List records",
        {200: many("item")},
        query={
            **IDS,
            **PAGES,
            "filter[type]": (STRING, "Model api_keys or ids, comma-separated."),
            "filter[query]": (STRING, "Full-text search (at most 10 words)."),
            "filter[only_valid]": (BOOL, "Only valid records."),
            "order_by": (STRING, "`<field>_ASC` or `_DESC`, comma-separated."),
            "version": ({"enum": ["current", "published"]}, "Which version to read."),
            "locale": (STRING, "The locale localized filters read."),
            "nested": (BOOL, "Blocks as resources instead of ids."),
        },
        description="`filter[fields][<field>][<operator>]=<value>` filters by field (README).",
    ),
    "POST /items": Op(
        "Records",
        "Create a record",
        {201: one("item")},
        ITEM_BODY,
        description=ITEM_DOC,
        idempotent=True,
    ),
    "POST /items/validate": Op(
        "Records",
        "Validate a new record without writing it",
        {204: None},
        ITEM_BODY,
        description=ITEM_DOC,
    ),
    "GET /items/{item_id}": Op(
        "Records",
        "Find a record",
        {200: one("item")},
        query={
            "nested": (BOOL, "Blocks as resources."),
            "version": ({"enum": ["current", "published"]}, ""),
        },
    ),
    "PUT /items/{item_id}": Op(
        "Records", "Update a record", {200: one("item")}, ITEM_BODY, description=ITEM_DOC
    ),
    "DELETE /items/{item_id}": Op("Records", "Delete a record", {200: one("item")}),
    "POST /items/{item_id}/validate": Op(
        "Records", "Validate changes to a record without writing them", {204: None}, ITEM_BODY
    ),
    "PUT /items/{item_id}/publish": Op(
        "Publishing",
        "Publish a record",
        {200: one("item")},
        query={"recursive": (BOOL, "In a tree: its ancestors too.")},
    ),
    "PUT /items/{item_id}/unpublish": Op(
        "Publishing",
        "Unpublish a record",
        {200: one("item")},
        query={"recursive": (BOOL, "In a tree: its children too.")},
    ),
    "GET /items/{target_id}/references": Op(
        "Records", "Records that link to this one", {200: many("item")}
    ),
    "POST /items/{item_id}/duplicate": Op("Records", "Copy a record (a job)", JOB),
    "GET /items/{item_id}/current-vs-published-state": Op(
        "Publishing",
        "What publishing now would change",
        {200: one("item_current_vs_published_state")},
    ),
    "GET /items/{item_id}/versions": Op(
        "Versions", "A record's versions", {200: many("item_version")}, query=PAGES
    ),
    "GET /versions/{version_id}": Op("Versions", "Find a version", {200: one("item_version")}),
    "POST /versions/{version_id}/restore": Op(
        "Versions", "Restore a version", {200: {"type": "object"}}
    ),
    "PUT /versions/{version_id}/restore": Op(
        "Versions", "Restore a version", {200: {"type": "object"}}
    ),
    "POST /items/bulk/publish": Op(
        "Publishing",
        "Publish records (a job)",
        JOB,
        free("item_bulk_publish_operation"),
        description=BULK,
    ),
    "POST /items/bulk/unpublish": Op(
        "Publishing",
        "Unpublish records (a job)",
        JOB,
        free("item_bulk_unpublish_operation"),
        description=BULK,
    ),
    "POST /items/bulk/destroy": Op(
        "Records",
        "Delete records (a job)",
        JOB,
        free("item_bulk_destroy_operation"),
        description=BULK,
    ),
    "POST /items/bulk/move-to-stage": Op(
        "Records", "Refused: no workflows (422 WORKFLOWS_NOT_SUPPORTED)", {}
    ),
    "POST /items/{item_id}/scheduled-publication": Op(
        "Publishing",
        "Schedule a publication",
        {201: one("scheduled_publication")},
        free("scheduled_publication"),
    ),
    "DELETE /items/{item_id}/scheduled-publication": Op(
        "Publishing", "Cancel a scheduled publication", {200: one("item")}
    ),
    "POST /items/{item_id}/scheduled-unpublishing": Op(
        "Publishing",
        "Schedule an unpublishing",
        {201: one("scheduled_unpublishing")},
        free("scheduled_unpublishing"),
    ),
    "DELETE /items/{item_id}/scheduled-unpublishing": Op(
        "Publishing", "Cancel a scheduled unpublishing", {200: one("item")}
    ),
    # Uploads.
    "POST /upload-requests": Op(
        "Uploads",
        "Ask where to PUT a file's bytes",
        {201: one("upload_request")},
        free("upload_request"),
        description="Answers `attributes.url`: PUT the bytes there, then `POST /uploads` "
        "with `path` = the request's id.",
    ),
    "GET /uploads": Op(
        "Uploads",
        "List uploads",
        {200: many("upload")},
        query={**IDS, **PAGES, "filter[type]": (STRING, "image, video, ...")},
        description="`filter[fields][<attribute>][<operator>]`: see the README.",
    ),
    "POST /uploads": Op(
        "Uploads",
        "Create an upload (a JSON body with `path`, or multipart with `file`)",
        {201: one("upload")},
        create("upload"),
    ),
    "GET /uploads/{upload_id}": Op("Uploads", "Find an upload", {200: one("upload")}),
    "PUT /uploads/{upload_id}": Op(
        "Uploads",
        "Update an upload (a new `path` replaces the file)",
        {200: one("upload")},
        update("upload"),
        query={"replace_strategy": (STRING, "How a new file replaces the old one.")},
    ),
    "DELETE /uploads/{upload_id}": Op("Uploads", "Delete an upload", {200: one("upload")}),
    "GET /uploads/{target_id}/references": Op(
        "Uploads", "Records that use this upload", {200: many("item")}
    ),
    "POST /uploads/bulk/destroy": Op(
        "Uploads", "Delete uploads (a job)", JOB, free("upload_bulk_destroy_operation")
    ),
    "POST /uploads/bulk/tag": Op(
        "Uploads", "Tag uploads (a job)", JOB, free("upload_bulk_tag_operation")
    ),
    "POST /uploads/bulk/set-upload-collection": Op(
        "Uploads",
        "Move uploads to a collection (a job)",
        JOB,
        free("upload_bulk_set_upload_collection_operation"),
    ),
    "GET /upload-tags": Op("Uploads", "List upload tags", {200: many("upload_tag")}, query=PAGES),
    "POST /upload-tags": Op(
        "Uploads", "Create an upload tag", {201: one("upload_tag")}, free("upload_tag")
    ),
    "GET /upload-smart-tags": Op(
        "Uploads", "List smart tags", {200: many("upload_smart_tag")}, query=PAGES
    ),
    # Environments, maintenance mode, jobs.
    "GET /environments": Op("Environments", "List environments", {200: many("environment")}),
    "GET /environments/{name}": Op(
        "Environments", "Find an environment", {200: one("environment")}
    ),
    "DELETE /environments/{name}": Op("Environments", "Destroy a sandbox (a job)", JOB),
    "POST /environments/{name}/fork": Op(
        "Environments",
        "Fork an environment (a job)",
        {**JOB, 201: one("environment")},
        free("environment", with_id=True),
        query={name: (BOOL, "") for name in ("immediate_return", "fast", "force")},
    ),
    "PUT /environments/{name}/promote": Op(
        "Environments", "Make it the primary", {200: one("environment")}
    ),
    "PUT /environments/{name}/rename": Op(
        "Environments", "Rename it", {200: one("environment")}, free("environment", with_id=True)
    ),
    "GET /maintenance-mode": Op(
        "Environments", "Whether maintenance mode is on", {200: one("maintenance_mode")}
    ),
    "PUT /maintenance-mode/activate": Op(
        "Environments",
        "Turn maintenance mode on",
        {200: one("maintenance_mode")},
        query={"force": (BOOL, "")},
    ),
    "PUT /maintenance-mode/deactivate": Op(
        "Environments", "Turn maintenance mode off", {200: one("maintenance_mode")}
    ),
    "GET /job-results/{job_id}": Op(
        "Jobs",
        "A finished job's answer (404 until it is done)",
        {200: one("job_result")},
        description="`attributes.status` is the HTTP status the call would have answered "
        "and `payload` its body.",
    ),
    # Webhooks (and their CRUD, below).
    "GET /webhook_calls": Op(
        "Webhooks",
        "List webhook calls",
        {200: many("webhook_call")},
        query={**IDS, **PAGES, "order_by": (STRING, "")},
        description="`filter[fields][<attribute>][<operator>]`: see the README.",
    ),
    "GET /webhook_calls/{call_id}": Op(
        "Webhooks", "Find a webhook call", {200: one("webhook_call")}
    ),
    "POST /webhook_calls/{call_id}/resend_webhook": Op(
        "Webhooks", "Send a call again", {204: None}
    ),
}


def _menu(prefix: str, type_: str, label: str, scope: str) -> dict[str, Op]:
    """A tree of menu-like items: CRUD, and a reorder job."""
    return crud(prefix, type_, scope, f"a {label[:-1]}", declared=True, list_query=IDS) | {
        f"POST /{prefix}/reorder": Op(
            scope,
            f"Reorder {label} (a job)",
            JOB,
            {"type": "object", "properties": {"data": {"type": "array"}}, "required": ["data"]},
        ),
    }


CMA |= crud(
    "item-types",
    "item_type",
    "Schema",
    "a model",
    param="id_or_api_key",
    declared=True,
    list_summary="List the models and block models",
)
CMA |= crud(
    "fieldsets",
    "fieldset",
    "Schema",
    "a fieldset",
    param="id_or_api_key",
    declared=True,
    list_summary="List a model's fieldsets",
    collection="item-types/{id_or_api_key}/fieldsets",
)
CMA |= crud(
    "webhooks",
    "webhook",
    "Webhooks",
    "a webhook",
    param="webhook_id",
    list_summary="List webhooks (admin tokens)",
)
CMA |= _menu("menu-items", "menu_item", "menu items", "Menus")
CMA |= _menu("schema-menu-items", "schema_menu_item", "schema menu items", "Menus")
CMA |= _menu("upload-collections", "upload_collection", "upload collections", "Uploads")

#: Path parameters, by name.
PATH_PARAMETERS = {
    "id_or_api_key": "An id, or an api_key (a field: `model_api_key::field_api_key`).",
    "name": "An environment's id (its name).",
}
DEFAULT_PATH_PARAMETER = ID["description"]
