"""Where fields and fieldsets sit in their model's form.

A model's form has one ordering shared by its top-level fields (no fieldset) and its
fieldsets, and one ordering per fieldset for the fields inside it. In each, positions run
1..n without gaps: every write below keeps them so, shifting the siblings it passes.
Callers run inside a schema write (item_types.locking), having locked the model's row.
"""

from django.db.models import F, Max, QuerySet

from item_types.models import Field, Fieldset


def siblings(item_type_id: str, fieldset_id: str | None, *, leaving=None) -> list[QuerySet]:
    """What shares an ordering: a fieldset's fields, or the top-level fields and the
    fieldsets. ``leaving``: a field or fieldset left out (the one being moved)."""
    sets = [Field.objects.filter(item_type_id=item_type_id, fieldset_id=fieldset_id)]
    if fieldset_id is None:
        sets.append(Fieldset.objects.filter(item_type_id=item_type_id))
    if leaving is not None:
        sets = [qs.exclude(pk=leaving.pk) if qs.model is type(leaving) else qs for qs in sets]
    return sets


def take_out(instance, item_type_id: str, fieldset_id: str | None, position: int) -> None:
    """Close the gap ``instance`` leaves at ``position`` (it is moving, or going)."""
    for qs in siblings(item_type_id, fieldset_id, leaving=instance):
        qs.filter(position__gt=position).update(position=F("position") - 1)


def put_in(instance, item_type_id: str, fieldset_id: str | None, wanted: int | None) -> int:
    """Make room for ``instance`` at ``wanted`` (None, or past the end: at the end) and
    answer its position; the caller sets it and saves."""
    sets = siblings(item_type_id, fieldset_id, leaving=instance)
    last = max((qs.aggregate(last=Max("position"))["last"] or 0) for qs in sets) + 1
    position = last if wanted is None else min(wanted, last)
    for qs in sets:
        qs.filter(position__gte=position).update(position=F("position") + 1)
    return position


def move(instance, item_type_id: str, old: tuple, new: tuple[str | None, int | None]) -> int:
    """Move ``instance`` from ``(fieldset_id, position)`` ``old`` to ``new`` (a position
    of None: the end of that ordering); answers its new position."""
    take_out(instance, item_type_id, *old)
    return put_in(instance, item_type_id, *new)


def dissolve(fieldset: Fieldset) -> None:
    """Move a fieldset's fields to the top level, in its place and in their order."""
    inside = Field.objects.filter(fieldset=fieldset)
    count = inside.count()
    for qs in siblings(fieldset.item_type_id, None, leaving=fieldset):
        qs.filter(position__gt=fieldset.position).update(position=F("position") + count - 1)
    inside.update(fieldset=None, position=F("position") + fieldset.position - 1)
