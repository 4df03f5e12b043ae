"""Related records nested in a write (``POST``, ``PUT``, ``PATCH``), DreamFactory's way:
what a record may carry and how it is taken out of it is record_api.nested_take's; here,
checking and writing them.

The nested records are written in the parent's transaction, and only for the parents the
batch mode keeps: what the parent links to before it, what links to it (``has_many``)
after it, deeper levels in their rank's order. A parent whose nested record fails, at any
depth, fails whole (nothing of it is written), its error naming the relation path and the
nested record's position. They are checked as the write checks its own records:
validation, links, unique values, the role (``create`` or ``update`` on the related
table), in one bulk pass for all parents (a few statements per relation's table and
level, whatever the number of records).
"""

from dataclasses import dataclass, field

from django.utils.timezone import now

from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from cms.ids import new_id
from items import services
from items.models import Item
from items.services import bulk_update
from record_api.nested_take import HasManyList, Nested, Owner, shape_error, take_one
from record_api.related import linking, relations


@dataclass
class NestedWrites:
    """The nested records of one write, by the parent's slot."""

    entries: list[Nested] = field(default_factory=list)
    failed: dict[int, list[ApiError]] = field(default_factory=dict)
    known: dict[str, str] = field(default_factory=dict)  # new id -> its model, for links
    lists: list[HasManyList] = field(default_factory=list)  # has_many sent on existing records
    new_parents: dict[str, str] = field(default_factory=dict)  # created slots' ids -> model
    new_parent_slots: dict[str, int] = field(default_factory=dict)  # those ids -> their slot
    _creates: dict = field(default_factory=dict)  # entry index -> PendingRecord
    _updates: dict = field(default_factory=dict)  # entry index -> (Item, planned)
    _written: set = field(default_factory=set)
    #: entry index -> (owner id, link field id) of the unlinks _unlinks plans
    _unlinking: dict = field(default_factory=dict)
    _new_slot_of: dict | None = None  # made by _new_slots

    def fail(self, entry: Nested, errors: list[ApiError]) -> None:
        found = self.failed.setdefault(entry.slot, [])
        for error in errors:
            details = {**error.details, "related": entry.path}
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
        self._unlinks(model)
        named = {e.record_id for e in self.entries if not e.created}
        rows = {}
        if named:
            locked = Item.objects.select_for_update(no_key=True).filter(
                pk__in=named, root__isnull=True
            )
            rows = {item.id: item for item in locked.order_by("pk")}
        skip = self._stale_unlinks(rows)
        # The records this write creates, which the nested ones may link to.
        self.known.update({e.record_id: e.relation.ref_table.id for e in self.entries if e.created})
        linkable = {**self.known, **self.new_parents}
        creates, updates, merged = [], [], set(parents)
        for index, entry in enumerate(self.entries):
            if index in skip:
                continue
            target = entry.relation.ref_table
            crossing = self.crossing(entry.slot, target.id, entry.values, model)
            if crossing:
                self.fail(entry, crossing)
                continue
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
            services.check_new_records(pendings, linkable)
            for index, pending in creates:
                if pending.all_errors:
                    self.fail(self.entries[index], pending.all_errors)
                else:
                    self._creates[index] = pending
        if updates:
            planned = bulk_update.plan_updates(
                [item for _, item in updates],
                [self.entries[index].values for index, _ in updates],
                replace=False,
                model=model,
                known=linkable,
            )
            for (index, item), plan in zip(updates, planned, strict=True):
                if plan[2]:
                    self.fail(self.entries[index], plan[2])
                else:
                    self._updates[index] = (item, plan)
        # A parent that failed leaves its other nested records unwritten too.

    def crossing(self, slot: int, item_type_id: str, values: dict, model) -> list[ApiError]:
        """Errors for the links ``values`` (of a record of ``slot``) make to records another
        slot creates: that slot may not be kept (a failed record, a mode that stops), and
        its records would be linked to while never written. Within a slot, links are fine."""
        new_slots = self._new_slots()
        errors = []
        for field_ in model.fields.get(item_type_id, []):
            if field_.field_type not in ("link", "links") or field_.api_key not in values:
                continue
            value = values[field_.api_key]
            parts = value.values() if isinstance(value, dict) else [value]
            for part in parts:
                for linked in part if isinstance(part, list) else [part]:
                    if isinstance(linked, str) and new_slots.get(linked, slot) != slot:
                        errors.append(_crossing(field_.api_key, linked))
        return errors

    def refuse_crossing(self, slot: int, item_type_id: str, values: dict, model) -> None:
        """A slot's own record (not a related one): its crossing links fail the slot."""
        errors = self.crossing(slot, item_type_id, values, model)
        if errors:
            self.failed.setdefault(slot, []).extend(errors)

    def _new_slots(self) -> dict[str, int]:
        """New record id -> the slot creating it. Made once (a batch asks per record):
        records created are all taken (record_api.nested_take) before any check."""
        if self._new_slot_of is None:
            self._new_slot_of = {e.record_id: e.slot for e in self.entries if e.created}
            self._new_slot_of.update(self.new_parent_slots)
        return self._new_slot_of

    def _stale_unlinks(self, rows: dict) -> set:
        """The planned unlinks whose record, now locked, is gone or no longer links to the
        owner (a concurrent write moved it since _unlinks read it): not ours to unlink."""
        stale = set()
        for index, (owner_id, field_id) in self._unlinking.items():
            item = rows.get(self.entries[index].record_id)
            if item is None or item.data.get(field_id) != owner_id:
                stale.add(index)
        return stale

    def _unlinks(self, model) -> None:
        """For each ``has_many`` list sent on a record that exists, the records linking to
        it and left out: unlinked (their link set to null), as merges. One query per
        relation, whatever the number of records."""
        by_relation = {}
        for sent in self.lists:
            by_relation.setdefault((sent.relation.ref_table.id, sent.relation.field.id), []).append(
                sent
            )
        for lists in by_relation.values():
            relation = lists[0].relation
            owners = {}
            for sent in lists:
                if not isinstance(sent.owner.record_id, str):
                    continue
                if sent.owner.record_id in owners:  # which list would win is unclear
                    message = "A record's has_many list is sent at most once in one write."
                    self.failed.setdefault(sent.owner.slot, []).append(
                        shape_error(sent.path, message)
                    )
                    continue
                owners[sent.owner.record_id] = sent
            kept = set().union(*(sent.named for sent in owners.values()))
            linked = linking(relation, list(owners), model).only("id", "data").order_by("pk")
            for child in linked:
                sent = owners.get(child.data.get(relation.field.id))
                if sent is None or child.id in kept:
                    continue
                self._unlinking[len(self.entries)] = (sent.owner.record_id, relation.field.id)
                self.entries.append(
                    Nested(
                        sent.owner.slot,
                        relation,
                        None,
                        child.id,
                        {relation.field.api_key: None},
                        False,
                        sent.path,
                        sent.owner.rank + 1,
                    )
                )

    def write(self, slots, *, editor_id, model, after=False) -> None:
        """Write the nested records of the parents ``slots`` (those the mode keeps, and
        passed): those written before the parents (rank <= 0), or ``after`` them, rank by
        rank, each rank's creates (one statement per table) then its merges."""
        slots = set(slots)
        todo = [
            i
            for i, entry in enumerate(self.entries)
            if entry.slot in slots
            and entry.slot not in self.failed
            and i not in self._written
            and (entry.rank > 0) == after
        ]
        self._written.update(todo)
        for rank in sorted({self.entries[i].rank for i in todo}):
            self._write_rank([i for i in todo if self.entries[i].rank == rank], editor_id, model)

    def _write_rank(self, todo, editor_id, model) -> None:
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


def _not_found(entry: Nested) -> ApiError:
    return ApiError(
        "NOT_FOUND",
        404,
        item=entry.record_id,
        message=f"Record with identifier '{entry.record_id}' not found in "
        f"{entry.relation.ref_table.api_key}.",
    )


def _crossing(api_key: str, linked: str) -> ApiError:
    return ApiError(
        "INVALID_FORMAT",
        422,
        field=api_key,
        item=linked,
        message="A record links only to the new records of its own slot of the write "
        "(another slot's may not be written): link it in a later call.",
    )


def _twice(entry: Nested) -> ApiError:
    return ApiError(
        "INVALID_FORMAT",
        422,
        item=entry.record_id,
        message="A related record is changed at most once in one write.",
    )


def take(slots: list, item_type, model, ids=None) -> NestedWrites | None:
    """Take the relations out of each slot's values (a list of dicts, or other things left
    as they are), putting in their place the link field's value (the ids); answer what is
    to be written, or None when no slot carries a relation. ``ids``: the records the slots
    update (None: the slots are new records; one that carries a ``has_many`` gets its id
    here, for its related records to link to). A slot's values are copied before they
    change (a write by ``ids`` shares one body between its slots)."""
    available = relations(item_type, model)
    if not available:
        return None
    names = set(available)
    nested = None
    for slot, values in enumerate(slots):
        if not isinstance(values, dict) or names.isdisjoint(values):
            continue
        nested = nested or NestedWrites()
        values = dict(values)
        if ids is not None:
            owner = Owner(slot, ids[slot], exists=True)
        else:
            has_many = any(available[n].type == "has_many" for n in names & values.keys())
            if has_many and values.get("id") is None:  # its related records link to it
                values["id"] = new_id()
            record_id = values.get("id")
            owner = Owner(slot, record_id, exists=False)
            if isinstance(record_id, str):
                nested.new_parents[record_id] = item_type.id
                nested.new_parent_slots[record_id] = slot
        slots[slot] = take_one(nested, owner, values, available, model)
    return nested
