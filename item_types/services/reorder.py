"""A model's whole form order at once (POST /item-types/:id/reorder-fields-and-fieldsets).

The body lists fields and fieldsets, each with its new ``position`` and, for a field,
optionally its new ``fieldset`` (``{"data": null}``: the top level). Entries not listed
keep their place; then each ordering (top level, each fieldset) is numbered 1..n again,
by the position asked for, a listed entry before an unlisted one at the same position.
"""

from django.utils.timezone import now

from cms.api.errors import ApiError, invalid_field
from item_types.locking import schema_write
from item_types.models import Field, Fieldset, ItemType
from item_types.selectors import form_order_key
from item_types.services.common import raise_if
from item_types.signals import bump_schema_version

KINDS = {"field": Field, "fieldset": Fieldset}


def entries_of(body) -> list:
    """The list of entries: ``{"data": [...]}`` as the client's types say, or the bare
    array DatoCMS's documentation sends."""
    if isinstance(body, dict) and isinstance(body.get("data"), list):
        return body["data"]
    if isinstance(body, list):
        return body
    raise ApiError(
        "INVALID_FORMAT",
        422,
        message='The body must be {"data": [...]} or an array of fields and fieldsets.',
    )


def _entry_errors(index: int, entry, known: dict, seen: set) -> tuple[dict | None, list]:
    """One entry, checked: (the placement it asks for, or None; its problems)."""

    def problem(field, code, **details):
        return invalid_field(field, code, index=index, **details)

    if not isinstance(entry, dict):
        return None, [problem("data", "VALIDATION_FORMAT", message="Each entry is an object.")]
    kind, entry_id = entry.get("type"), entry.get("id")
    if not isinstance(kind, str) or kind not in KINDS:
        return None, [problem("type", "VALIDATION_INCLUSION", allowed=list(KINDS))]
    if not isinstance(entry_id, str):
        return None, [problem("id", "VALIDATION_FORMAT", message="id must be a string.")]
    errors = []
    if entry_id not in known[kind]:
        errors.append(problem("id", "VALIDATION_NOT_IN_THIS_MODEL", id=entry_id, type=kind))
    elif (kind, entry_id) in seen:
        errors.append(problem("id", "VALIDATION_UNIQUENESS", id=entry_id))
    seen.add((kind, entry_id))
    attributes = entry.get("attributes")
    position = attributes.get("position") if isinstance(attributes, dict) else None
    if not isinstance(position, int) or isinstance(position, bool) or position < 1:
        errors.append(problem("position", "VALIDATION_FORMAT", expected="a whole number >= 1"))
    elif unknown := sorted(set(attributes) - {"position"}):
        errors.append(problem(unknown[0], "VALIDATION_UNKNOWN_ATTRIBUTE"))
    placement = {"type": kind, "id": entry_id, "position": position}
    relationships = entry.get("relationships") or {}
    if not isinstance(relationships, dict):
        errors.append(problem("relationships", "VALIDATION_FORMAT"))
    elif "fieldset" in relationships:
        relationship = relationships["fieldset"]
        data = relationship.get("data", ...) if isinstance(relationship, dict) else ...
        if data is not None and not (
            isinstance(data, dict)
            and data.get("type") == "fieldset"
            and isinstance(data.get("id"), str)
        ):
            errors.append(problem("fieldset", "VALIDATION_FORMAT"))
        elif kind == "fieldset" and data is not None:
            errors.append(problem("fieldset", "VALIDATION_NOT_ALLOWED"))  # no nesting
        elif data is not None and data["id"] not in known["fieldset"]:
            errors.append(problem("fieldset", "VALIDATION_NOT_IN_THIS_MODEL", id=data["id"]))
        else:
            placement["fieldset"] = None if data is None else data["id"]
    return (None if errors else placement), errors


def _placements(item_type: ItemType, body) -> list[dict]:
    """``{type, id, position, fieldset?}`` for each entry, every entry checked against
    the model's fields and fieldsets (all problems at once: 422 ``INVALID_FIELD``, each
    with the entry's ``index``)."""
    entries = entries_of(body)
    known = {
        "field": set(item_type.fields.values_list("id", flat=True)),
        "fieldset": set(item_type.fieldsets.values_list("id", flat=True)),
    }
    placements, errors, seen = [], [], set()
    for index, entry in enumerate(entries):
        placement, entry_errors = _entry_errors(index, entry, known, seen)
        errors += entry_errors
        if placement is not None:
            placements.append(placement)
    raise_if(errors)
    return placements


def clean_reorder(item_type: ItemType, body) -> list[dict]:
    """The body checked (see :func:`_placements`), as the entries to queue: JSON in the
    wire's shape, which the job checks again."""
    entries = []
    for placement in _placements(item_type, body):
        entry = {
            "type": placement["type"],
            "id": placement["id"],
            "attributes": {"position": placement["position"]},
        }
        if "fieldset" in placement:
            fieldset = placement["fieldset"]
            data = None if fieldset is None else {"type": "fieldset", "id": fieldset}
            entry["relationships"] = {"fieldset": {"data": data}}
        entries.append(entry)
    return entries


@schema_write
def reorder_fields_and_fieldsets(*, item_type: ItemType, body) -> list:
    """Apply the order ``body`` asks for (checked again: the model may have changed since
    it was queued); answers the model's fields and fieldsets in form order."""
    item_type = ItemType.objects.select_for_update().get(pk=item_type.pk)
    placements = _placements(item_type, body)
    fields = {f.pk: f for f in item_type.fields.all()}
    fieldsets = {f.pk: f for f in item_type.fieldsets.all()}
    asked = {(p["type"], p["id"]): p for p in placements}
    orderings: dict[str | None, list] = {}
    for entry in [*fields.values(), *fieldsets.values()]:
        kind = "field" if isinstance(entry, Field) else "fieldset"
        placement = asked.get((kind, entry.pk))
        old_fieldset = entry.fieldset_id if kind == "field" else None
        fieldset_id = (placement or {}).get("fieldset", old_fieldset)
        wanted = placement["position"] if placement else entry.position
        orderings.setdefault(fieldset_id, []).append(
            ((wanted, placement is None, entry.position, entry.pk), entry, fieldset_id)
        )
    changed = {Field: [], Fieldset: []}
    for ordering in orderings.values():
        for position, (_key, entry, fieldset_id) in enumerate(sorted(ordering), start=1):
            old_fieldset = getattr(entry, "fieldset_id", None)
            if (entry.position, old_fieldset) != (position, fieldset_id):
                entry.position, entry.updated_at = position, now()
                if isinstance(entry, Field):
                    entry.fieldset_id = fieldset_id
                changed[type(entry)].append(entry)
    Field.objects.bulk_update(changed[Field], ["position", "fieldset", "updated_at"])
    Fieldset.objects.bulk_update(changed[Fieldset], ["position", "updated_at"])
    if changed[Field] or changed[Fieldset]:
        bump_schema_version()
    for field in fields.values():
        field.fieldset = fieldsets.get(field.fieldset_id)
    return sorted([*fields.values(), *fieldsets.values()], key=form_order_key)
