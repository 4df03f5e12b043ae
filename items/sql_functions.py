"""SQL functions SQLite lacks, for record filters: PostgreSQL computes the same in SQL.

- ``CMS_DAST_TEXT(json)``: a structured text's text (``dast.filter_text``), for
  ``matches`` on structured text;
- ``CMS_DISTANCE(lat1, lon1, lat2, lon2)``: metres between two points (``items.geo``),
  for ``near``.
"""

import json

from django.db.backends.signals import connection_created

from item_types.field_types.dast import filter_text
from items.geo import distance


def dast_text(value):
    if value is None:
        return None
    try:
        return filter_text(json.loads(value))
    except (TypeError, ValueError):
        return ""


def _install(sender, connection, **kwargs):
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("CMS_DAST_TEXT", 1, dast_text, deterministic=True)
        raw.create_function("CMS_DISTANCE", 4, distance, deterministic=True)


def install() -> None:
    connection_created.connect(_install, dispatch_uid="items.sql_functions")
