"""What differs between the two kinds of schedule: the wire names, the record's column,
and the service that runs it (the same as ``PUT /items/:id/publish`` / ``unpublish``, so
whatever those do or announce, a scheduled run does too)."""

from collections.abc import Callable
from dataclasses import dataclass

from items import services
from items.models import Item


@dataclass(frozen=True)
class Kind:
    name: str  # Schedule.kind
    type: str  # the resource type on the wire
    at: str  # the time attribute, also the record's meta column
    selection: str  # the other attribute
    run: Callable  # (schedule) -> Item


def _publish(schedule) -> Item:
    selection = schedule.selection
    return services.item_publish(
        item_id=schedule.item_id,
        editor_id=schedule.creator_id,
        selection=services.Selection.parse(selection) if selection else None,
    )


def _unpublish(schedule) -> Item:
    return services.item_unpublish(item_id=schedule.item_id, editor_id=schedule.creator_id)


PUBLICATION = Kind(
    "publication",
    "scheduled_publication",
    "publication_scheduled_at",
    "selective_publication",
    _publish,
)
UNPUBLISHING = Kind(
    "unpublishing",
    "scheduled_unpublishing",
    "unpublishing_scheduled_at",
    "content_in_locales",
    _unpublish,
)
KINDS = {kind.name: kind for kind in (PUBLICATION, UNPUBLISHING)}
