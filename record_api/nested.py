"""Related records nested in a write (``POST``, ``PUT``, ``PATCH``), DreamFactory's way: a
record may carry, under a relation's name (record_api.related: ``<ref_table>_by_<field>``),

- for a ``belongs_to`` (a ``link`` field), one object: without ``id`` it is a new record
  of the relation's table, created and linked; with ``id`` alone it is linked; with
  ``id`` and other fields it is merged (as ``PATCH``) and linked; ``null`` unlinks;
- for a ``many_many`` (a ``links`` field), a list of such objects: the field becomes
  that list, in its order (a record left out is unlinked, as when the field is set).

The nested records are written in the parent's transaction, before it, and only for the
parents the batch mode keeps: a parent whose nested record fails fails whole (nothing of
it is written), its error naming the relation and the nested record's position. They
are checked as the write checks its own records: validation, links, unique values, the
role (``create`` or ``update`` on the related table), in one bulk pass for all parents
(a few statements per relation's table, whatever the number of records). Not here:
``has_many`` relations (the linking records are written through their own table), a
localized link field, more than one level of nesting.
"""

from dataclasses import dataclass, field

from django.utils.timezone import now

from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from items import services
from items.models import Item
from items.services import bulk_update
from record_api.related import relations


@dataclass
class _Nested:
    """One nested object: where it sits (parent slot, relation, position) and what to do."""

    slot: int
    relation: object
    position: int | None  # in a many_many list; None for a belongs_to
    record_id: str
    values: dict  # the fields sent (none: a link only)
    created: bool


@dataclass
class NestedWrites:
    """The nested records of one write, by the parent's slot."""

    entries: list[_Nested] = field(default_factory=list)
    failed: dict[int, list[ApiError]] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # new id -> its model, for links
    _creates: dict = field(default_factory=dict)  # entry index -> PendingRecord
    _updates: dict = field(default_factory=dict)  # entry index -> (Item, planned)
    _written: set = field(default_factory=set)

    def fail(self, entry: _Nested, errors: list[ApiError]) -> None:
        found = self.failed.setdefault(entry.slot, [])
        for error in errors:
            details = {**error.details, "related": entry.relation.name}
            if entry.position is not None:
                details["related_index"] = entry.position
            if not entry.created:
                details.setdefault("related_id", entry.record_id)
            found.append(ApiError(error.code, error.status, **details))

    #: The role's checks, set by the view (None: allowed): ``check_create(item_type_id,
    #: values)`` and ``check_update(item, values)``, raising ApiError.
    check_create = None
    check_update = None

    def prepare(self, model, parents=frozenset()) -> None:
        """Validate every nested record (and lock the ones merged or linked), in the write's
        transaction: a few queries for all of them. ``parents``: the ids of the records the
        write changes itself, which a nested record may link but not merge."""
        check_create, check_update = self.check_create, self.check_update
        named = {e.record_id for e in self.entries if not e.created}
        rows = {}
        if named:
            locked = Item.objects.select_for_update(no_key=True).filter(
                pk__in=named, root__isnull=True
            )
            rows = {item.id: item for item in locked.order_by("pk")}
        creates, updates, merged = [], [], set(parents)
        for index, entry in enumerate(self.entries):
            target = entry.relation.ref_table
            if entry.created:
                if check_create is not None:
                    check_create(target.id, entry.values)
                document = ResourceDocument(
                    type="item",
                    id=entry.record_id,
                    attributes=entry.values,
                    relationships={"item_type": {"data": {"type": "item_type", "id": target.id}}},
                )
                pending = services.walk_record(document, model, target)
                pending.id_chosen_by_client = False  # ours, new: no need to check it's free
                creates.append((index, pending))
                continue
            item = rows.get(entry.record_id)
            if item is None or item.item_type_id != target.id:
                self.fail(entry, [_not_found(entry)])
            elif entry.values:
                if entry.record_id in merged:  # one record merged twice in one write
                    self.fail(entry, [_twice(entry)])
                    continue
                merged.add(entry.record_id)
                if check_update is not None:
                    check_update(item, entry.values)
                updates.append((index, item))
        if creates:
            pendings = [pending for _, pending in creates]
            services.check_new_records(pendings)
            for index, pending in creates:
                if pending.all_errors:
                    self.fail(self.entries[index], pending.all_errors)
                else:
                    self._creates[index] = pending
                    self.known[pending.record_id] = pending.item_type.id
        if updates:
            planned = bulk_update.plan_updates(
                [item for _, item in updates],
                [self.entries[index].values for index, _ in updates],
                replace=False,
                model=model,
                known=self.known,
            )
            for (index, item), plan in zip(updates, planned, strict=True):
                if plan[2]:
                    self.fail(self.entries[index], plan[2])
                else:
                    self._updates[index] = (item, plan)
        # A parent that failed leaves its other nested records unwritten too.

    def write(self, slots, *, editor_id, model) -> None:
        """Write the nested records of the parents ``slots`` (those the mode keeps, and
        passed): creates first, one statement per table, then merges."""
        slots = set(slots)
        todo = [
            i
            for i, entry in enumerate(self.entries)
            if entry.slot in slots and entry.slot not in self.failed and i not in self._written
        ]
        self._written.update(todo)
        moment = now()
        new = [
            services.finish_record(self._creates[i], model, editor_id, moment)
            for i in todo
            if i in self._creates
        ]
        if new:
            services.place_new(new)
            services.write_new(new)
            model.ensure_current()
        merges = [self._updates[i] for i in todo if i in self._updates]
        if merges:
            bulk_update.save_updates(
                [item for item, _ in merges],
                [plan for _, plan in merges],
                editor_id=editor_id,
                model=model,
            )

    def forget(self, slots) -> None:
        """Parents whose write was undone (a savepoint rolled back): their nested records
        are to be written again with them."""
        slots = set(slots)
        self._written -= {i for i, e in enumerate(self.entries) if e.slot in slots}


def _not_found(entry: _Nested) -> ApiError:
    return ApiError(
        "NOT_FOUND",
        404,
        item=entry.record_id,
        message=f"Record with identifier '{entry.record_id}' not found in "
        f"{entry.relation.ref_table.api_key}.",
    )


def _twice(entry: _Nested) -> ApiError:
    return ApiError(
        "INVALID_FORMAT",
        422,
        item=entry.record_id,
        message="A related record is changed at most once in one write.",
    )


def _shape_error(name: str, message: str, position=None) -> ApiError:
    details = {"related": name, "message": message}
    if position is not None:
        details["related_index"] = position
    return ApiError("INVALID_FORMAT", 422, **details)


def take(slots: list, item_type, model) -> NestedWrites | None:
    """Take the relations out of each slot's values (a list of dicts, or other things left
    as they are), putting in their place the link field's value (the ids); answer what is
    to be written, or None when no slot carries a relation. A slot's values are copied
    before they change (a write by ``ids`` shares one body between its slots)."""
    available = relations(item_type, model)
    if not available:
        return None
    names = set(available)
    nested = None
    for slot, values in enumerate(slots):
        if not isinstance(values, dict) or names.isdisjoint(values):
            continue
        nested = nested or NestedWrites()
        slots[slot] = _take_one(nested, slot, dict(values), available)
    return nested


def _take_one(nested: NestedWrites, slot: int, values: dict, available: dict) -> dict:
    problems = []
    for name in [key for key in values if key in available]:
        relation = available[name]
        raw = values.pop(name)
        field_ = relation.field
        if relation.type == "has_many":
            problems.append(
                _shape_error(
                    name,
                    f"{name} is a has_many relation: write those records through "
                    f"{relation.ref_table.api_key}, setting their {field_.api_key}.",
                )
            )
            continue
        if field_.localized:
            problems.append(
                _shape_error(name, f"{field_.api_key} is localized: set it per locale instead.")
            )
            continue
        if field_.api_key in values:
            problems.append(_shape_error(name, f"Send {name} or {field_.api_key}, not both."))
            continue
        if relation.type == "belongs_to":
            if raw is None:
                values[field_.api_key] = None
                continue
            if not isinstance(raw, dict):
                problems.append(_shape_error(name, f"{name} is a record (an object) or null."))
                continue
            entry = _entry(nested, slot, relation, None, raw, problems)
            values[field_.api_key] = entry.record_id if entry else None
            continue
        if not isinstance(raw, list):
            problems.append(_shape_error(name, f"{name} is a list of records (objects)."))
            continue
        ids = []
        for position, one in enumerate(raw):
            entry = _entry(nested, slot, relation, position, one, problems)
            if entry is not None:
                ids.append(entry.record_id)
        values[field_.api_key] = ids
    if problems:
        nested.failed.setdefault(slot, []).extend(problems)
    return values


def _entry(nested, slot, relation, position, raw, problems) -> _Nested | None:
    if not isinstance(raw, dict):
        problems.append(_shape_error(relation.name, "A related record is an object.", position))
        return None
    record_id = raw.get("id")
    values = {key: value for key, value in raw.items() if key != "id"}
    if "id" in raw and (not isinstance(record_id, str) or not record_id):
        problems.append(
            _shape_error(relation.name, "A related record's id is a record id.", position)
        )
        return None
    created = record_id is None
    entry = _Nested(slot, relation, position, new_id() if created else record_id, values, created)
    nested.entries.append(entry)
    return entry
