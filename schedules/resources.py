"""How a schedule looks on the wire (SPEC-2 §5)."""

from cms.api.wire import timestamp
from schedules.kinds import KINDS
from schedules.models import Schedule


def schedule_resource(schedule: Schedule) -> dict:
    kind = KINDS[schedule.kind]
    return {
        "type": kind.type,
        "id": str(schedule.pk),
        "attributes": {
            kind.at: timestamp(schedule.scheduled_at),
            kind.selection: schedule.selection,
        },
        "relationships": {"item": {"data": {"type": "item", "id": schedule.item_id}}},
    }


def schedule_link(schedule: Schedule | None) -> dict:
    """A relationship to it (``current-vs-published-state``'s)."""
    if schedule is None:
        return {"data": None}
    return {"data": {"type": KINDS[schedule.kind].type, "id": str(schedule.pk)}}


def schedules_of(item) -> dict[str, Schedule]:
    """The record's schedules by kind (one query)."""
    return {schedule.kind: schedule for schedule in Schedule.objects.filter(item_id=item.id)}
