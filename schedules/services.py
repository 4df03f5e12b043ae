"""Scheduling and cancelling (the API's writes). A record has at most one schedule of
each kind: a new one replaces the old (a failed one included). Each write touches the
schedule's row first, then the record's (the order the workers lock them in too)."""

from datetime import UTC, datetime

from django.db import transaction
from django.utils.timezone import now

from cms.api.errors import ApiError, ApiErrors, invalid_field
from cms.api.parsing import ResourceDocument
from item_types.field_types.base import FieldValueError
from item_types.field_types.scalar import parse_date_time
from items.content_model import ContentModel
from items.models import Item
from items.services import Selection, find_record
from schedules.kinds import Kind
from schedules.models import Schedule
from webhooks import records as webhook_records


def schedule_create(*, kind: Kind, item_id: str, document: ResourceDocument, creator_id):
    """Schedule ``kind`` for the record; (the schedule, the record as it now is)."""
    before = webhook_records.before_update(find_record(item_id))  # 404s
    scheduled_at, selection = _clean(kind, document.attributes)
    with transaction.atomic():
        Schedule.objects.filter(item_id=item_id, kind=kind.name).delete()
        schedule = Schedule.objects.create(
            item_id=item_id,
            kind=kind.name,
            scheduled_at=scheduled_at,
            selection=selection,
            creator_id=creator_id,
        )
        _set_column(kind, item_id, scheduled_at)
        item = _announced(item_id, before)
    return schedule, item


def schedule_destroy(*, kind: Kind, item_id: str) -> Item:
    """Cancel the record's schedule of ``kind`` (404 if it has none); the record."""
    before = webhook_records.before_update(find_record(item_id))
    with transaction.atomic():
        deleted, _ = Schedule.objects.filter(item_id=item_id, kind=kind.name).delete()
        if not deleted:
            raise ApiError("NOT_FOUND", 404, item=item_id, schedule=kind.type)
        _set_column(kind, item_id, None)
        return _announced(item_id, before)


def _announced(item_id: str, before: dict | None) -> Item:
    """The record as the schedule left it, and its ``update`` event (DatoCMS's webhook
    table: scheduling sends ``update``), in the write's transaction."""
    item = find_record(item_id)
    webhook_records.announce("update", [item], previous=before)
    return item


def _set_column(kind: Kind, item_id: str, value) -> None:
    if not Item.objects.filter(pk=item_id, root__isnull=True).update(**{kind.at: value}):
        raise ApiError("NOT_FOUND", 404, item=item_id)  # deleted meanwhile: undo


def _clean(kind: Kind, attributes: dict) -> tuple[datetime, dict | None]:
    """The time (in the future) and the selection; every problem at once."""
    errors, scheduled_at, selection = [], None, None
    for name in sorted(set(attributes) - {kind.at, kind.selection}):
        errors.append(
            ApiError(
                "INVALID_ATTRIBUTES",
                422,
                field=name,
                code="VALIDATION_UNKNOWN_ATTRIBUTE",
                message=f"Unknown attribute {name!r}.",
            )
        )
    try:
        scheduled_at = _future_time(kind, attributes.get(kind.at))
    except ApiError as error:
        errors.append(error)
    try:
        selection = _selection(kind, attributes.get(kind.selection))
    except ApiError as error:
        errors.append(error)
    if errors:
        raise ApiErrors(errors)
    return scheduled_at, selection


def _future_time(kind: Kind, value) -> datetime:
    if value is None:
        raise invalid_field(kind.at, "VALIDATION_REQUIRED", message="A date and time is needed.")
    try:
        moment = parse_date_time(value)
    except FieldValueError as error:
        raise invalid_field(kind.at, "VALIDATION_FORMAT", **error.details) from None
    if moment <= now():
        raise invalid_field(
            kind.at, "VALIDATION_IN_THE_PAST", message="The time must be in the future."
        )
    return moment.astimezone(UTC)  # as it reads back from the database


def _selection(kind: Kind, value) -> dict | None:
    """Publication: null (the whole record) or the part to publish, with locales the site
    has. Unpublishing: null only (``PUT /items/:id/unpublish`` can't unpublish a part)."""
    if value is None:
        return None
    if kind.name == "unpublishing":
        raise invalid_field(
            kind.selection,
            "VALIDATION_NOT_SUPPORTED",
            message="Unpublishing part of a record is not supported: send null.",
        )
    if not isinstance(value, dict):
        raise invalid_field(kind.selection, "VALIDATION_FORMAT", message="An object or null.")
    unknown_keys = sorted(set(value) - {"content_in_locales", "non_localized_content"})
    if unknown_keys:
        raise invalid_field(
            kind.selection, "VALIDATION_FORMAT", key=unknown_keys[0], message="Unknown key."
        )
    selection = Selection.parse(value, within=kind.selection)
    unknown = sorted(selection.locales - set(ContentModel.load().locales))
    if unknown:
        raise invalid_field(
            kind.selection, "INVALID_LOCALES", key="content_in_locales", unknown_locales=unknown
        )
    return selection.as_wire()
