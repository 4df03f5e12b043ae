"""Taking the related records out of a write's records (record_api.nested writes them).

A record may carry, under a relation's name (record_api.related: ``<ref_table>_by_<field>``):

- for a ``belongs_to`` (a ``link`` field), one object: without ``id`` it is a new record
  of the relation's table, created and linked; with ``id`` alone it is linked; with
  ``id`` and other fields it is merged (as ``PATCH``) and linked; ``null`` unlinks;
- for a ``many_many`` (a ``links`` field), a list of such objects: the field becomes
  that list, in its order (a record left out is unlinked, as when the field is set);
- for a ``has_many`` (another table's ``link`` field naming this one), a list of such
  objects, each with its link set to the record: created, linked, or merged and linked.
  On a record that exists, the ones linking to it and left out of the list are unlinked
  (record_api.nested.NestedWrites.prepare).

A related record may carry its own related records, to ``MAX_DEPTH`` levels. Each one
gets a rank, its place in the write's order relative to the record (0): what a record
links to is written before it (rank - 1), what links to it after it (rank + 1).
"""

from dataclasses import dataclass

from cms.api.errors import ApiError
from cms.ids import new_id
from record_api.related import relations

#: Levels of related records below a record; deeper is refused (422 naming the path).
MAX_DEPTH = 5


@dataclass
class Nested:
    """One related object: where it sits (parent slot, relation path, position), what to do."""

    slot: int
    relation: object
    position: int | None  # in a list; None for a belongs_to
    record_id: str
    values: dict  # the fields sent (none: a link only)
    created: bool
    path: str  # the relations leading to it, "author_by_author" or "a_by_x[0].b_by_y"
    rank: int  # written before the slot's record (<= 0) or after it (> 0), in rank order


@dataclass
class Owner:
    """A record whose related records are being taken: its id, and whether it exists."""

    slot: int
    record_id: str | None
    exists: bool
    path: str = ""  # its own path ("" for the slot's record), with its position
    rank: int = 0
    depth: int = 0


@dataclass
class HasManyList:
    """A ``has_many`` list sent for a record that exists: the others linking to it are unlinked."""

    relation: object
    owner: Owner
    path: str
    named: set


def shape_error(path: str, message: str, position=None) -> ApiError:
    details = {"related": path, "message": message}
    if position is not None:
        details["related_index"] = position
    return ApiError("INVALID_FORMAT", 422, **details)


def take_one(nested, owner: Owner, values: dict, available: dict, model) -> dict:
    """``values`` without its relations, the link fields set in their place; the related
    records added to ``nested`` (entries, has_many lists), problems to ``nested.failed``."""
    problems = []
    for name in [key for key in values if key in available]:
        relation = available[name]
        raw = values.pop(name)
        field_ = relation.field
        path = f"{owner.path}.{name}" if owner.path else name
        if owner.depth >= MAX_DEPTH:
            message = f"Related records nest at most {MAX_DEPTH} levels deep."
            problems.append(shape_error(path, message))
            continue
        if field_.localized:
            problems.append(
                shape_error(path, f"{field_.api_key} is localized: set it per locale instead.")
            )
            continue
        if relation.type == "has_many":
            _has_many(nested, owner, relation, path, raw, problems, model)
            continue
        if field_.api_key in values:
            problems.append(shape_error(path, f"Send {name} or {field_.api_key}, not both."))
            continue
        if relation.type == "belongs_to":
            if raw is None:
                values[field_.api_key] = None
                continue
            if not isinstance(raw, dict):
                problems.append(shape_error(path, f"{name} is a record (an object) or null."))
                continue
            entry = _entry(nested, owner, relation, path, None, raw, problems, model)
            values[field_.api_key] = entry.record_id if entry else None
            continue
        if not isinstance(raw, list):
            problems.append(shape_error(path, f"{name} is a list of records (objects)."))
            continue
        ids = []
        for position, one in enumerate(raw):
            entry = _entry(nested, owner, relation, path, position, one, problems, model)
            if entry is not None:
                ids.append(entry.record_id)
        values[field_.api_key] = ids
    if problems:
        nested.failed.setdefault(owner.slot, []).extend(problems)
    return values


def _has_many(nested, owner: Owner, relation, path, raw, problems, model) -> None:
    field_ = relation.field
    if field_.field_type != "link":  # a links field's reverse: its order is the other side's
        problems.append(
            shape_error(
                path,
                f"{path} comes from {relation.ref_table.api_key}.{field_.api_key}, a list of "
                "links: write those records through their own table.",
            )
        )
        return
    if not isinstance(raw, list):
        problems.append(shape_error(path, f"{path} is a list of records (objects)."))
        return
    named = set()
    for position, one in enumerate(raw):
        if isinstance(one, dict) and field_.api_key in one:
            message = f"{field_.api_key} is set by {path}: leave it out."
            problems.append(shape_error(path, message, position))
            continue
        entry = _entry(nested, owner, relation, path, position, one, problems, model)
        if entry is not None:
            entry.values[field_.api_key] = owner.record_id
            named.add(entry.record_id)
    if owner.exists:
        nested.lists.append(HasManyList(relation, owner, path, named))


def _entry(nested, owner, relation, path, position, raw, problems, model) -> Nested | None:
    if not isinstance(raw, dict):
        problems.append(shape_error(path, "A related record is an object.", position))
        return None
    record_id = raw.get("id")
    values = {key: value for key, value in raw.items() if key != "id"}
    if "id" in raw and (not isinstance(record_id, str) or not record_id):
        problems.append(shape_error(path, "A related record's id is a record id.", position))
        return None
    created = record_id is None
    rank = owner.rank + (1 if relation.type == "has_many" else -1)
    record_id = new_id() if created else record_id
    entry = Nested(owner.slot, relation, position, record_id, values, created, path, rank)
    nested.entries.append(entry)
    available = relations(relation.ref_table, model)
    if available.keys() & values.keys():  # its own related records, one level down
        here = f"{path}[{position}]" if position is not None else path
        inner = Owner(owner.slot, record_id, not created, here, rank, owner.depth + 1)
        entry.values = take_one(nested, inner, values, available, model)
    return entry
