"""Record validation: the one entry point every way of writing records goes through.

:class:`RecordValidation` checks a whole payload (every field, every locale, blocks at any
depth), collects every problem, and hands back the values to store. It works in two
passes so that the number of queries never grows with the payload:

1. a walk over the values (``record``): each field type parses its value and hands
   references (uploads, linked records) and blocks back (the field types' ``collect``;
   blocks in ``blocks``); validators that need only the value run here; the locales a
   record has come from ``locales``;
2. one query per kind for the whole payload, or a whole batch
   (``bulk_pass.check_against_database``): uploads, linked records and taken ids, and
   unique values; the checks that need them run on the results.

Every problem names where its value sits (``locations``).
"""

from items.validation.blocks import NewBlock
from items.validation.bulk_pass import check_against_database, value_hash
from items.validation.locations import Location
from items.validation.meta import parse_meta_time
from items.validation.record import RecordValidation

__all__ = [
    "Location",
    "NewBlock",
    "RecordValidation",
    "check_against_database",
    "parse_meta_time",
    "value_hash",
]
