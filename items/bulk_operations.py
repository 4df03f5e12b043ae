"""``POST /items/bulk/publish``, ``/unpublish`` and ``/destroy`` (SPEC-2 §4.2): the body
checked in the request (a refusal is a 4xx and queues nothing), the work done by a job
(items/tasks.py, items/services/bulk*.py) whose result is ``{data: [], meta:
{successful, failed, failures}}``.

``/items/bulk/move-to-stage`` is refused: workflows (and their stages) don't exist here.
"""

from cms.api.errors import ApiError
from cms.api.parsing import parse_resource
from cms.ids import MAX_ID_LENGTH
from items.services.bulk_destroy import bulk_destroy
from items.services.bulk_publishing import bulk_publish, bulk_unpublish

MAX_RECORDS = 200  # as DatoCMS

#: action -> (the body's resource type, the job's kind, the service)
OPERATIONS = {
    "publish": ("item_bulk_publish_operation", "items.bulk_publish", bulk_publish),
    "unpublish": ("item_bulk_unpublish_operation", "items.bulk_unpublish", bulk_unpublish),
    "destroy": ("item_bulk_destroy_operation", "items.bulk_destroy", bulk_destroy),
}


def _invalid_items(code: str, message: str, **details) -> ApiError:
    return ApiError("INVALID_FIELD", 422, field="items", code=code, message=message, **details)


def record_ids(action: str, body) -> list[str]:
    """The ids the body names, each once, in its order; else 422 naming the problem."""
    resource_type = OPERATIONS[action][0]
    document = parse_resource(body, resource_type)
    relationship = document.relationships.get("items")
    entries = relationship.get("data") if isinstance(relationship, dict) else None
    if not isinstance(entries, list):
        raise _invalid_items(
            "VALIDATION_REQUIRED",
            'relationships.items.data must be a list of {"type": "item", "id"}.',
        )
    if not entries:
        raise _invalid_items("VALIDATION_REQUIRED", "Name at least one record.")
    if len(entries) > MAX_RECORDS:
        raise _invalid_items(
            "VALIDATION_LENGTH",
            f"At most {MAX_RECORDS} records a call.",
            max=MAX_RECORDS,
            given=len(entries),
        )
    for index, entry in enumerate(entries):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("id"), str)
            or len(entry["id"]) > MAX_ID_LENGTH
        ):
            raise _invalid_items(
                "VALIDATION_FORMAT", 'Each entry is {"type": "item", "id"}.', index=index
            )
        if entry.get("type") != "item":
            raise _invalid_items(
                "INVALID_TYPE",
                'Each entry\'s type is "item".',
                index=index,
                expected="item",
                got=entry.get("type"),
            )
    return list(dict.fromkeys(entry["id"] for entry in entries))


def refuse_move_to_stage() -> None:
    raise ApiError(
        "WORKFLOWS_NOT_SUPPORTED",
        422,
        message="Workflows and their stages are not supported: records have no stage to move to.",
    )
