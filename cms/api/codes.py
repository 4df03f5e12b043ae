"""Every error code the API answers, with its HTTP status and what it means.

An error names up to two codes (cms/api/errors.py has the documents' shapes):

- ``code`` (``attributes.code``; under ``/rest/``, ``context.error[].error``) says what kind
  of refusal it is, and fixes the HTTP status: :data:`CODES`.
- ``details.code``, on the refusals about one field, attribute, relationship or value
  (``INVALID_FIELD`` and a few others), says which rule was broken: :data:`REASONS`.
  Each field validator answers ``VALIDATION_<NAME>`` (``item_types.validators``).

The record API's own refusals (an unknown service or table, a filter or order it can't
read, a body that is not records) carry DreamFactory's numeric ``code`` (the HTTP status)
and a message instead, and are not listed here.

Raise sites keep their literals (``ApiError("NOT_FOUND", 404)``): tests/cms/test_error_codes.py
reads the source and the registries, and fails on a code raised but not listed here, listed
but raised nowhere, or raised with another status. ``python -m cms.api.codes`` prints both
lists as Markdown tables.
"""

import sys
from typing import NamedTuple


class Code(NamedTuple):
    status: int
    meaning: str


CODES: dict[str, Code] = {
    # 400: the request can't be read.
    "BAD_REQUEST": Code(
        400, "The request can't be read as sent (or asks for both rollback and continue)."
    ),
    "BODY_TOO_DEEP": Code(400, "The JSON body nests arrays and objects too deep."),
    "INVALID_API_VERSION": Code(400, "`X-Api-Version` names a version other than 3."),
    "INVALID_CONTENT_LENGTH": Code(400, "An upload's `Content-Length` is not a number."),
    "INVALID_FORM_BODY": Code(400, "A multipart form field holds a NUL."),
    "INVALID_HEADER": Code(400, "A request header holds a NUL."),
    "INVALID_IDEMPOTENCY_KEY": Code(400, "The `Idempotency-Key` is not 1 to 255 characters."),
    "INVALID_JSON_BODY": Code(
        400, "The body is not UTF-8 JSON, or holds a NUL, a lone surrogate or a huge number."
    ),
    "INVALID_IMAGE_PARAMETER": Code(
        400,
        "An image transformation parameter (`details.parameter`: w, h, fit, crop, fm, q, dpr…) "
        "has a value it doesn't take; `details.code` says why.",
    ),
    "INVALID_PATH": Code(400, "The URL path holds a NUL (`%00`)."),
    "INVALID_ENVIRONMENT": Code(
        400, "`X-Environment` is not an environment id (lowercase letters, digits, dashes)."
    ),
    "INVALID_QUERY_STRING": Code(
        400, "The query string is not UTF-8, or a parameter has no name or holds a NUL."
    ),
    "TOO_MANY_FIELDS": Code(400, "A multipart form has more parts than the server reads."),
    # 401, 403: who is asking.
    "INVALID_AUTHORIZATION_HEADER": Code(401, "No bearer token, or one the server doesn't know."),
    "INSUFFICIENT_PERMISSIONS": Code(403, "The token's role may not do this."),
    "INVALID_UPLOAD_SIGNATURE": Code(403, "The signed upload URL's signature doesn't match."),
    "UPLOAD_URL_EXPIRED": Code(403, "The signed upload URL is past `CMS_UPLOAD_URL_MAX_AGE`."),
    "UPLOAD_URL_ALREADY_USED": Code(403, "The signed upload URL already received its file."),
    # 404 to 415: what is asked for, and how.
    "NOT_FOUND": Code(404, "Nothing at this path, or no resource with this id."),
    "ENVIRONMENT_NOT_FOUND": Code(
        404, "`X-Environment` (or a signed upload URL) names no environment: `details.environment`."
    ),
    "ITEM_TYPE_NOT_FOUND": Code(404, "The model named in `relationships.item_type` doesn't exist."),
    "METHOD_NOT_ALLOWED": Code(405, "The path doesn't take this HTTP method."),
    "INVALID_ACCEPT_HEADER": Code(406, "`Accept` asks for something other than JSON."),
    "ENVIRONMENT_NOT_READY": Code(
        409, "The environment is being created or destroyed (`details.status`): not yet usable."
    ),
    "IDEMPOTENCY_KEY_IN_PROGRESS": Code(
        409, "A request with this `Idempotency-Key` is still running: send again later."
    ),
    "SCHEMA_CHANGED": Code(409, "The content model changed while the record was written."),
    "UPLOAD_PATH_CONFLICT": Code(409, "The storage already holds a file at the upload's path."),
    "WRITE_CONFLICT": Code(
        409, "A concurrent write held what this one needed; nothing was written: send again."
    ),
    "LENGTH_REQUIRED": Code(411, "An upload `PUT` without `Content-Length` (chunked)."),
    "REQUEST_TOO_LARGE": Code(413, "The body is over this request's size limit."),
    "UPLOAD_TOO_LARGE": Code(413, "The file is over `CMS_MAX_UPLOAD_BYTES`."),
    "INVALID_CONTENT_TYPE_HEADER": Code(
        415, "The body's `Content-Type` is not one this path reads."
    ),
    # 422: understood, and refused; nothing was written.
    "DELETE_RESTRICTION": Code(422, "Something still uses what is being deleted."),
    "ITEM_IS_A_BLOCK": Code(
        422, "A bulk record call names a block: it goes with its record (a job's failure)."
    ),
    "WORKFLOWS_NOT_SUPPORTED": Code(
        422, "`/items/bulk/move-to-stage`: workflows and their stages don't exist here."
    ),
    "BUILD_TRIGGER_DISABLED": Code(422, "The build trigger is disabled: enable it to trigger it."),
    "DUPLICATE_SINGLETON": Code(422, "The singleton model already has its record."),
    "IDEMPOTENCY_KEY_REUSED": Code(422, "The `Idempotency-Key` was used for another request."),
    "IMAGE_TOO_LARGE": Code(
        422, "The image is over `CMS_IMAGE_TRANSFORM_MAX_INPUT_PIXELS`: it can't be transformed."
    ),
    "INVALID_ATTRIBUTES": Code(422, "An attribute (or record field) the resource doesn't have."),
    "INVALID_AUDIT_LOG_FILTER": Code(
        422,
        "The audit log query's `filter` can't be read: `details.code` says why, "
        "`details.position` and `details.token` say where.",
    ),
    "INVALID_ENTITY_ID": Code(422, "The id chosen by the client is malformed or taken."),
    "INVALID_FIELD": Code(
        422, "A field failed: `details.field` names it, `details.code` says why."
    ),
    "INVALID_FILTER_FIELDS_PARAM": Code(
        422, "A filter names an unknown field or operator, or a value it can't compare."
    ),
    "INVALID_FORMAT": Code(422, "The body is not what this path takes (one JSON:API resource)."),
    "INVALID_NEXT_TOKEN": Code(422, "`next_token` is not a `meta.next_token` the log gave."),
    "INVALID_ORDERING": Code(422, "`order_by` names an unknown column, or has too many rules."),
    "INVALID_PAGINATION": Code(422, "`page[offset]` or `page[limit]` is not a number in range."),
    "INVALID_QUERY_PARAMETERS": Code(422, "A query parameter is unknown, or not an allowed value."),
    "INVALID_RELATIONSHIP": Code(
        422, "A relationship is missing or names the wrong thing; `details.code` says which."
    ),
    "INVALID_TYPE": Code(422, "`data.type` is not the resource type this path takes."),
    "ROLE_IN_USE": Code(
        422,
        "The role can't be deleted: tokens have it (`details.tokens`), roles inherit from it "
        "(`details.inherited_by`), or it is built in (`details.builtin`).",
    ),
    "NON_EDITABLE_ACCESS_TOKEN": Code(
        422, "A factory token (`hardcoded_type`): delete or regenerate it, not edit it."
    ),
    "PRIMARY_ENVIRONMENT": Code(
        422, "The primary environment can't be destroyed: promote another one first."
    ),
    "STALE_ITEM_VERSION": Code(422, "The record changed since `meta.current_version`."),
    "UNPUBLISHED_LINK": Code(422, "Publishing a record that links to unpublished records."),
    "PUBLISHED_CHILDREN": Code(
        422, "Unpublishing a tree record with published records below it, without `recursive`."
    ),
    "UNPUBLISHED_PARENT": Code(
        422,
        "Publishing a tree record whose parent is unpublished, without `recursive`; or "
        "unpublishing a record that published records link to.",
    ),
    "UPLOAD_EMPTY": Code(422, "The upload `PUT` carried no bytes."),
    "TOO_MANY_VARIANTS": Code(
        422,
        "The file has `CMS_IMAGE_TRANSFORM_MAX_VARIANTS` transformed variants: no new one is made.",
    ),
    # 423: the environment takes no writes now; nothing was written.
    "ENVIRONMENT_READ_ONLY": Code(
        423, "The environment takes no writes for now (the source of a fast fork); reads go on."
    ),
    "MAINTENANCE_MODE_ACTIVE": Code(
        423, "Maintenance mode is on: the primary environment takes no writes; reads go on."
    ),
    # 429 and 5xx.
    "RATE_LIMIT_EXCEEDED": Code(429, "Too many requests or failed logins: `details.wait` seconds."),
    "INTERNAL_SERVER_ERROR": Code(500, "A bug: logged with its traceback."),
    # A background job's own (its /job-results status and payload).
    "JOB_ATTEMPTS_EXHAUSTED": Code(
        500, "The workers running the job stopped (killed, lost) `CMS_JOB_MAX_ATTEMPTS` times."
    ),
    "JOB_INTERRUPTED": Code(
        500, "The worker running the job stopped, and the job can't be run again safely."
    ),
    "UNKNOWN_JOB_KIND": Code(500, "No handler for the job's kind in the worker that took it."),
    "QUERY_TIMEOUT": Code(503, "The query ran past its time limit: narrow the filter or page."),
    "SERVICE_UNAVAILABLE": Code(503, "`/readyz`: `details.component` does not answer."),
}

REASONS: dict[str, str] = {
    # The audit log's filter (INVALID_AUDIT_LOG_FILTER).
    "FILTER_TOO_DEEP": "The filter nests NOT or parentheses deeper than 32.",
    "FILTER_TOO_LONG": "The filter is over 4,000 characters.",
    "INVALID_NUMBER": "A number is out of range.",
    "TYPE_MISMATCH": "A field compared with a value of another kind, or an operator it lacks.",
    "UNEXPECTED_CHARACTER": "A character the filter language doesn't use (`\"`, `[`, `;`...).",
    "UNEXPECTED_END": "The filter ends where more was expected.",
    "UNEXPECTED_TOKEN": "A word or symbol where the grammar expects another.",
    "UNKNOWN_FIELD": "A field the audit log events don't have.",
    "UNKNOWN_FUNCTION": "A function other than begins_with, contains and min_ulid.",
    "UNTERMINATED_STRING": "A quoted text without its closing quote.",
    # What a value, attribute or relationship broke (details.code).
    "INVALID_ENTITY_ID": "A block's client-chosen id is malformed or taken.",
    "INVALID_FORMAT": "The value is not of the form its field type takes (`details.message`).",
    "INVALID_LOCALES": "A localized value is not keyed by exactly the site's locales.",
    "INVALID_TYPE": "A relationship's `data.type` is not the expected resource type.",
    "RANGE": "A filter's number or date is outside what can be compared.",
    "TOO_LONG": "A filter's list holds more values than allowed.",
    "VALIDATION_BLOCK_DEPTH": "Blocks nest deeper than allowed.",
    "VALIDATION_BLOCK_MODEL": "Blocks are created inside the records that hold them.",
    "VALIDATION_BLOCK_NOT_FOUND": "No block of this record has this id, or a block is used twice.",
    "VALIDATION_BLOCK_TYPE_CHANGED": "An existing block was given another model.",
    "VALIDATION_CONFLICT": "Two settings that exclude each other.",
    "VALIDATION_CYCLE": "A menu item would be under itself (its parent is itself or its child).",
    "VALIDATION_FIELD_TYPE": "The relationship names a field of a type it can't use.",
    "VALIDATION_FORMAT": "The value is of the wrong type or form (or breaks the format validator).",
    "VALIDATION_IMMUTABLE": "A setting that can't change once made.",
    "VALIDATION_INCLUSION": "The value is not one of `details.allowed`.",
    "VALIDATION_IN_THE_PAST": "A schedule's time is not in the future.",
    "VALIDATION_TEMPLATE": "A webhook's `custom_payload` is not a valid Mustache template.",
    "VALIDATION_URL": (
        "A webhook's `url` (or a build trigger's `trigger_url`, `frontend_url`) is not an "
        "http(s) URL it can send to."
    ),
    # Why a webhook's request failed (a webhook call's `response_payload` starts with it).
    "CONNECTION": "A webhook's receiver could not be reached (refused, reset, unresolvable).",
    "FORBIDDEN_ADDRESS": "A webhook's URL resolves to an address not allowed (private, loopback).",
    "INVALID_URL": "A webhook's URL can't be sent to (scheme, host or credentials in it).",
    "TIMEOUT": "A webhook's receiver took longer than the outbound timeouts.",
    "FILE_SHARED_WITH_ANOTHER_ENVIRONMENT": (
        "`replace_strategy=keep_url`: another environment's upload uses the same file."
    ),
    "NOT_FOUND": "A bulk job's id names nothing (a failure in the job's result).",
    "UPLOAD_IN_USE": "A bulk destroy's upload is used by records (`details.references`).",
    "VALIDATION_INVALID": "Django's model validation refused the value.",
    "VALIDATION_INVALID_PARAMETERS": "A validator's parameters are invalid.",
    "VALIDATION_IN_USE": "The model uses this field (as its title, preview or order).",
    "VALIDATION_LENGTH": "The text's length is outside the length validator's or attribute's.",
    "VALIDATION_LINKED_RECORD_NOT_FOUND": "A link names a record that doesn't exist.",
    "VALIDATION_MISSING_VALIDATOR": "The field type needs a validator that is missing.",
    "VALIDATION_NOT_ALLOWED": "The field type doesn't take this setting.",
    "VALIDATION_NOT_ALLOWED_FOR_BLOCKS": "A block model can't have this setting.",
    "VALIDATION_NOT_A_FIELD_OF_THIS_MODEL": "The relationship names a field of another model.",
    "VALIDATION_NOT_FOUND": "The relationship (or a reorder's `id`) names nothing that exists.",
    "VALIDATION_NOT_IN_THIS_MODEL": (
        "No field or fieldset of this model has the id (a field's fieldset, a reorder entry)."
    ),
    "VALIDATION_NOT_LOCALIZABLE": "A block model's fields can't be localized.",
    "VALIDATION_PARENT_MODEL": "`parent_id` names a record of another model.",
    "VALIDATION_PARENT_NOT_FOUND": "`parent_id` names no record (or one that failed in the batch).",
    "VALIDATION_NOT_SUPPORTED": (
        "A form of the value not supported here (a part to unpublish; a build trigger's "
        "adapter other than custom)."
    ),
    "VALIDATION_NOT_UPLOADED": "No file was uploaded to this path.",
    "VALIDATION_RECORDS_HOLD_VALUES": "Records hold values the field change would lose.",
    "VALIDATION_REQUIRED": "A required value is missing, null or blank.",
    "VALIDATION_RESERVED": "The api_key is a reserved word.",
    "VALIDATION_STRUCTURED_TEXT_MARK": "A structured-text mark the field doesn't allow.",
    "VALIDATION_STRUCTURED_TEXT_NODE": "A structured-text node (or heading level) not allowed.",
    "VALIDATION_TREE_CYCLE": "`parent_id` names the record itself or a record below it.",
    "VALIDATION_READ_ONLY": "The attribute is the server's to write (a build's status).",
    "VALIDATION_UNIQUENESS": "The value (api_key, locale, id, unique value, file, token) is taken.",
    "VALIDATION_UNKNOWN_ATTRIBUTE": "The resource type has no such attribute.",
    "VALIDATION_UNKNOWN_FIELD": "The record's model has no field with this api_key.",
    "VALIDATION_UNKNOWN_VALIDATOR": "No validator has this name.",
    "VALIDATION_UPLOAD_NOT_FOUND": "A file field names an upload that doesn't exist.",
    "VALIDATION_VALIDATOR_NOT_ALLOWED": "The field type doesn't take this validator.",
    # The field validators' own (VALIDATION_<NAME>; required, length and format are above).
    "VALIDATION_DATE_RANGE": "A date outside `date_range`.",
    "VALIDATION_DATE_TIME_RANGE": "A date and time outside `date_time_range`.",
    "VALIDATION_DESCRIPTION_LENGTH": "An SEO description's length outside `description_length`.",
    "VALIDATION_ENUM": "A text that is not one of `enum`'s values.",
    "VALIDATION_EXTENSION": "A file whose extension `extension` doesn't allow.",
    "VALIDATION_FILE_SIZE": "A file's size outside `file_size`.",
    "VALIDATION_IMAGE_ASPECT_RATIO": "An image's aspect ratio outside `image_aspect_ratio`.",
    "VALIDATION_IMAGE_DIMENSIONS": "An image's width or height outside `image_dimensions`.",
    "VALIDATION_ITEMS_ITEM_TYPE": "A link to a record of a model `items_item_type` doesn't allow.",
    "VALIDATION_ITEM_ITEM_TYPE": "A link to a record of a model `item_item_type` doesn't allow.",
    "VALIDATION_NUMBER_RANGE": (
        "A number outside `number_range` (or an attribute's range, such as a `position` below 1)."
    ),
    "VALIDATION_REQUIRED_ALT_TITLE": "A file without the alt or title `required_alt_title` needs.",
    "VALIDATION_REQUIRED_SEO_FIELDS": "SEO without the parts `required_seo_fields` needs.",
    "VALIDATION_RICH_TEXT_BLOCKS": "A block of a model `rich_text_blocks` doesn't allow.",
    "VALIDATION_SANITIZED_HTML": "HTML that `sanitized_html` refuses.",
    "VALIDATION_SINGLE_BLOCK_BLOCKS": "A block of a model `single_block_blocks` doesn't allow.",
    "VALIDATION_SIZE": "A list with more or fewer items than `size` allows.",
    "VALIDATION_SLUG_FORMAT": "A slug that doesn't match `slug_format`.",
    "VALIDATION_STRUCTURED_TEXT_BLOCKS": "A block `structured_text_blocks` doesn't allow.",
    "VALIDATION_STRUCTURED_TEXT_INLINE_BLOCKS": (
        "An inline block `structured_text_inline_blocks` doesn't allow."
    ),
    "VALIDATION_STRUCTURED_TEXT_LINKS": "A link `structured_text_links` doesn't allow.",
    "VALIDATION_TITLE_LENGTH": "An SEO title's length outside `title_length`.",
}


def markdown() -> str:
    """Both lists as Markdown tables: codes by status, then reasons by name."""
    lines = ["| Status | `code` | Meaning |", "|---|---|---|"]
    for code, (status, meaning) in sorted(
        CODES.items(), key=lambda item: (item[1].status, item[0])
    ):
        lines.append(f"| {status} | `{code}` | {meaning} |")
    lines += ["", "| `details.code` | Meaning |", "|---|---|"]
    lines += [f"| `{code}` | {meaning} |" for code, meaning in sorted(REASONS.items())]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown())
