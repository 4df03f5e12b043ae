"""Schema writes and record writes take their locks in one order: the record tables first,
then content-model rows.

A record write locks records (its row, new rows) and only at its commit checks its
foreign keys, which share-locks the rows of its model, fields and links. A schema write
that locked its model's row first and then needed the records (an index to build, values
to convert or drop) would wait for writers that wait for it: a deadlock. So every schema
write begins by locking the record tables (PostgreSQL's EXCLUSIVE mode: reads go on,
record writes wait), which waits for the writes in progress to commit and holds new ones
back until the schema write commits; only then does it touch content-model rows.

Record writes among themselves: an update locks its record FOR NO KEY UPDATE (a delete
FOR UPDATE), which leaves free the share lock another write linking to that record takes at
its commit, so two records updated to link each other can't deadlock either
(``items.services.find_record``). A deadlock the database breaks anyway is a 409 the client
retries (``cms.api.transient``), never a 500.

SQLite has one writer at a time already (transactions begin IMMEDIATE: see settings).
"""

import functools

from django.apps import apps
from django.db import connection, transaction

#: The tables record writes lock, in the order they lock them (records first).
RECORD_MODELS = ("items.Item", "items.ItemVersion", "items.UniqueValue", "items.Reference")


def lock_record_tables() -> None:
    """Inside a transaction: wait for record writes in progress, hold back new ones."""
    if connection.vendor != "postgresql":
        return
    tables = ", ".join(
        connection.ops.quote_name(apps.get_model(name)._meta.db_table) for name in RECORD_MODELS
    )
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def schema_write(function):
    """A schema service: one transaction whose first lock is on the record tables."""

    @functools.wraps(function)
    def locked(*args, **kwargs):
        with transaction.atomic():
            lock_record_tables()
            return function(*args, **kwargs)

    return locked
