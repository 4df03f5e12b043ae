"""What the bulk record operations share (``POST /items/bulk/publish|unpublish|destroy``,
SPEC-2 §4.2): the per-record outcome, and finding and locking the records named.

Each record named gets the rules of the single call; one that breaks one fails alone,
and the others go ahead. A failure names the record and says why with the single call's
error (its code and details), plus two of the bulk call's own: ``NOT_FOUND`` (no record
has the id) and ``ITEM_IS_A_BLOCK`` (a block goes with its record, never alone). Records
named together count together: a record may be published under a parent, or keep a
link, that the same call publishes (or unpublishes, or deletes), so the rules are settled
for the whole set until no failure makes another (a fixed point, in memory). Every step
reads or writes all the records at once: a constant number of queries per call.
"""

from dataclasses import dataclass, field

from django.db import connection

from cms.api.errors import ApiError
from items.content_model import ContentModel
from items.models import Item
from items.placement import is_placed
from items.services import placement as placing


@dataclass
class BulkOutcome:
    """The records named, in the request's order, and the problems of those that failed."""

    ids: list[str]
    failures: dict[str, list[ApiError]] = field(default_factory=dict)

    def fail(self, record_id: str, *errors: ApiError) -> None:
        """The first reason found is the one reported."""
        self.failures.setdefault(record_id, list(errors))

    def failed(self, record_id: str) -> bool:
        return record_id in self.failures

    @property
    def succeeded(self) -> list[str]:
        return [record_id for record_id in self.ids if record_id not in self.failures]

    def document(self) -> dict:
        """The job's payload: ``data`` empty, as DatoCMS's; ``meta`` the counts and, as the
        official client drops ``meta``, the failures for whoever reads the job raw."""
        failures = [
            {
                "item": record_id,
                "code": self.failures[record_id][0].code,
                "errors": [
                    {"code": error.code, "details": error.details}
                    for error in self.failures[record_id]
                ],
            }
            for record_id in self.ids
            if record_id in self.failures
        ]
        return {
            "data": [],
            "meta": {
                "successful": len(self.ids) - len(failures),
                "failed": len(failures),
                "failures": failures,
            },
        }


def lock_records(
    outcome: BulkOutcome, model: ContentModel, *, deleting: bool = False
) -> dict[str, Item]:
    """Inside the transaction: the records named, locked as the single call locks one
    (their models' placement locks first, then the rows, in one order); the ids that are
    no record's, or a block's, fail."""
    if connection.vendor == "postgresql":
        types = Item.objects.filter(pk__any_of=list(outcome.ids), root__isnull=True).values_list(
            "item_type_id", flat=True
        )
        placing.lock_models(
            item_type_id
            for item_type_id in set(types)
            if item_type_id in model.item_types and is_placed(model.item_types[item_type_id])
        )
    # FOR UPDATE when deleting, else FOR NO KEY UPDATE (see item_types.locking).
    rows = Item.objects.select_for_update(no_key=not deleting).filter(pk__any_of=list(outcome.ids))
    found = {item.id: item for item in rows.order_by("pk")}
    records = {}
    for record_id in outcome.ids:
        item = found.get(record_id)
        if item is None:
            outcome.fail(
                record_id, ApiError("NOT_FOUND", 404, item=record_id, message="No such record.")
            )
        elif item.root_id is not None:
            outcome.fail(
                record_id,
                ApiError(
                    "ITEM_IS_A_BLOCK",
                    422,
                    item=record_id,
                    message="A block is published, unpublished and deleted with its record.",
                ),
            )
        else:
            records[record_id] = item
    return records


def settle(outcome: BulkOutcome, records: dict[str, Item], check) -> None:
    """Run ``check(record, going)`` over the records not failed yet, where ``going`` is
    the set of those still going ahead, until a pass fails none: a failure may take away
    what another record counted on. ``check`` answers an error, or None."""
    while True:
        going = {record_id for record_id in records if not outcome.failed(record_id)}
        newly = False
        for record_id in sorted(going):
            error = check(records[record_id], going)
            if error is not None:
                outcome.fail(record_id, error)
                newly = True
        if not newly:
            return
