"""Writing records. Every way in (the JSON:API, the record API, the admin) calls these.

Each write validates through :class:`items.validation.RecordValidation`, then writes the
record, its blocks, its unique values, its references and a new version in one
transaction, with a number of queries that doesn't grow with the payload.

- ``create``: new records, one or a batch (a walk over the values, then one bulk pass);
- ``update``: changing a record, and restoring an old version;
- ``publishing``: publish, unpublish and delete, with the link fields' strategies
  (``links``: those strategies, and taking links out of records);
- ``bulk``, ``bulk_publishing``, ``bulk_destroy``: the same for up to 200 records in one
  call (a job), record by record, in a constant number of queries;
- ``rows``: the rows a write makes, and inserting new ones in bulk (COPY on PostgreSQL);
- ``records``: what they share (finding the record, the write's result, a lost race).
"""

from items.services.create import (
    NewRecord,
    PendingRecord,
    build_record,
    check_new_records,
    finish_record,
    item_create,
    walk_record,
)
from items.services.placement import place_new
from items.services.publishing import (
    Selection,
    item_destroy,
    item_publish,
    item_unpublish,
)
from items.services.records import RecordWrite, concurrent_write_errors, find_record
from items.services.rows import write_new
from items.services.update import build_update, item_update, update_locked, version_restore

__all__ = [
    "NewRecord",
    "PendingRecord",
    "RecordWrite",
    "Selection",
    "build_record",
    "build_update",
    "check_new_records",
    "concurrent_write_errors",
    "find_record",
    "finish_record",
    "item_create",
    "item_destroy",
    "item_publish",
    "item_unpublish",
    "item_update",
    "place_new",
    "update_locked",
    "version_restore",
    "walk_record",
    "write_new",
]
