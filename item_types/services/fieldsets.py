"""Fieldsets: groups of a model's fields in its form, placed among its top-level fields."""

from cms.api.attributes import clean_attributes
from cms.api.errors import found
from cms.api.parsing import ResourceDocument
from item_types.locking import schema_write
from item_types.models import Fieldset, ItemType
from item_types.schema import FIELDSET_ATTRIBUTES
from item_types.services import positions
from item_types.services.common import raise_if, taken_id


@schema_write
def fieldset_create(*, item_type: ItemType, document: ResourceDocument) -> Fieldset:
    """A new fieldset, at ``position`` among the top-level fields and fieldsets (else at
    the end); not collapsible and without a hint unless told."""
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    cleaned, errors = clean_attributes(document.attributes, FIELDSET_ATTRIBUTES, creating=True)
    errors += taken_id(Fieldset, document.id)
    raise_if(errors)
    fieldset = Fieldset(item_type=item_type, **cleaned)
    if document.id:
        fieldset.id = document.id
    fieldset.position = positions.put_in(fieldset, item_type.pk, None, cleaned.get("position"))
    fieldset.save()
    return fieldset


@schema_write
def fieldset_update(*, fieldset: Fieldset, document: ResourceDocument) -> Fieldset:
    ItemType.objects.select_for_update().filter(pk=fieldset.item_type_id).first()
    fieldset = found(Fieldset.objects.filter(pk=fieldset.pk).first(), fieldset=fieldset.pk)
    cleaned, errors = clean_attributes(document.attributes, FIELDSET_ATTRIBUTES, creating=False)
    raise_if(errors)
    if "position" in cleaned:
        old, new = (None, fieldset.position), (None, cleaned.pop("position"))
        fieldset.position = positions.move(fieldset, fieldset.item_type_id, old, new)
    for name, value in cleaned.items():
        setattr(fieldset, name, value)
    fieldset.save()
    return fieldset


@schema_write
def fieldset_destroy(*, fieldset: Fieldset) -> None:
    """Delete a fieldset; its fields move to the top level, where it was, in their order."""
    ItemType.objects.select_for_update().filter(pk=fieldset.item_type_id).first()
    fieldset = found(Fieldset.objects.filter(pk=fieldset.pk).first(), fieldset=fieldset.pk)
    positions.dissolve(fieldset)
    fieldset.delete()
