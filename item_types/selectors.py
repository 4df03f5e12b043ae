"""Reads of the content model that more than one view or service needs: fields in form
order, and the fields and models that name a model in their validators."""

from django.db.models import F, QuerySet
from django.db.models.functions import Coalesce

from item_types.models import Field, ItemType
from item_types.validators import LINK_VALIDATORS


def in_form_order(fields: QuerySet) -> QuerySet:
    """Fields as the form shows them: top-level fields and fieldsets by position, each
    fieldset's fields in its place, by their own position."""
    return fields.order_by(
        Coalesce("fieldset__position", "position"),
        F("fieldset__position").asc(nulls_first=True),
        "position",
        "id",
    )


def form_order_key(entry) -> tuple:
    """The same order for fields and fieldsets already read (a fieldset comes just before
    its fields); a field's ``fieldset`` must be loaded."""
    fieldset = getattr(entry, "fieldset", None) if isinstance(entry, Field) else None
    if fieldset is not None:
        return (fieldset.position, 1, entry.position, entry.pk)
    return (entry.position, 0, 0, entry.pk)


def _names(field: Field, item_type_id: str, validator_names=None) -> bool:
    for name, params in (field.validators or {}).items():
        if validator_names is not None and name not in validator_names:
            continue
        if isinstance(params, dict) and item_type_id in (params.get("item_types") or []):
            return True
    return False


def fields_naming(item_type_id: str, *, outside: ItemType | None = None) -> list[Field]:
    """Fields (of any model, this one's included) whose validators name the model: links to
    its records, or its blocks. In model order, then form order. One query."""
    candidates = Field.objects.exclude(validators={}).select_related("item_type", "fieldset")
    if outside is not None:
        candidates = candidates.exclude(item_type=outside)
    named = [field for field in candidates if _names(field, item_type_id)]
    return sorted(named, key=lambda f: (f.item_type.created_at, f.item_type_id, form_order_key(f)))


def fields_linking_to(item_type_id: str) -> list[Field]:
    """Fields whose values may link to the model's records (``link``, ``links``, and
    structured text's ``structured_text_links``): the model's inverse relationships."""
    return [f for f in fields_naming(item_type_id) if _names(f, item_type_id, LINK_VALIDATORS)]


def models_of(fields: list[Field]) -> list[str]:
    """The ids of the fields' models, each once, in the fields' order."""
    return list(dict.fromkeys(field.item_type_id for field in fields))
