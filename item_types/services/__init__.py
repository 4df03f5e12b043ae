"""Writes to the content model. Each service checks everything, collects every problem,
and either raises :class:`ApiErrors` having written nothing or saves in one transaction,
which locks the record tables before any content-model row (see item_types.locking).
"""

from item_types.services.duplicates import field_duplicate, item_type_duplicate
from item_types.services.fields import field_create, field_destroy, field_update
from item_types.services.fieldsets import fieldset_create, fieldset_destroy, fieldset_update
from item_types.services.item_types import item_type_create, item_type_destroy, item_type_update
from item_types.services.reorder import clean_reorder, reorder_fields_and_fieldsets
from item_types.services.site import site_update

__all__ = [
    "clean_reorder",
    "field_create",
    "field_destroy",
    "field_duplicate",
    "field_update",
    "fieldset_create",
    "fieldset_destroy",
    "fieldset_update",
    "item_type_create",
    "item_type_destroy",
    "item_type_duplicate",
    "item_type_update",
    "reorder_fields_and_fieldsets",
    "site_update",
]
