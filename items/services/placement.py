"""Writing positions and parents (see :mod:`items.placement`): placing new records, moving
one, taking one out when it is deleted, and numbering a model's records when it becomes
sortable or a tree.

Every write that changes a model's positions holds that model's placement lock until it
commits (PostgreSQL: a transaction-level advisory lock; SQLite has one writer already),
taken before any record's row: two writes can't hand out the same position, and two moves
can't each pass the cycle check and make a loop together. Each write costs a constant
number of statements, whatever the number of records or siblings it shifts.
"""

from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, F, Max, PositiveIntegerField, Q, When

from cms.api.errors import ApiError, ApiErrors, invalid_field
from item_types.models import ItemType
from items.models import Item
from items.placement import PARENT, Placement, ancestors, is_placed


def lock_models(item_type_ids: Iterable[str]) -> None:
    """Inside a transaction: hold these models' placement locks until it ends."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for item_type_id in sorted(set(item_type_ids)):  # one order: no deadlock
            cursor.execute(
                "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))",
                [f"placement:{item_type_id}"],
            )


def lock_for_record(item_id: str, model) -> None:
    """Before a write locks a record's row: its model's placement lock, if the model has
    positions (looked up first: the lock comes before any row's, see above)."""
    if connection.vendor != "postgresql":
        return
    item_type_id = (
        Item.objects.filter(pk=item_id, root__isnull=True)
        .values_list("item_type_id", flat=True)
        .first()
    )
    item_type = model.item_types.get(item_type_id)
    if item_type is not None and is_placed(item_type):
        lock_models([item_type_id])


def _parent_not_found(parent_id: str) -> ApiError:
    return invalid_field(
        PARENT,
        "VALIDATION_PARENT_NOT_FOUND",
        parent_id=parent_id,
        message="No record of this model has this id.",
    )


def _parent_of_other_model(parent_id: str) -> ApiError:
    return invalid_field(
        PARENT,
        "VALIDATION_PARENT_MODEL",
        parent_id=parent_id,
        message="The parent must be a record of the same model.",
    )


def _cycle(parent_id: str) -> ApiError:
    return invalid_field(
        PARENT,
        "VALIDATION_TREE_CYCLE",
        parent_id=parent_id,
        message="A record can't sit under itself or under a record below it.",
    )


# --- Creates ------------------------------------------------------------------------------


def check_new_parents(records) -> None:
    """The bulk pass of a create (one query for a whole batch): each new record's parent
    is a record of its model, already there or earlier in the batch and valid. Problems
    land on the record (``errors``)."""
    wanted = {r.placement.parent_id for r in records if r.placement and r.placement.parent_id}
    if not wanted:
        return
    found = dict(
        Item.objects.filter(pk__in=wanted, root__isnull=True).values_list("id", "item_type_id")
    )
    earlier: dict[str, str] = {}  # the batch's valid records so far: id -> model id
    for record in records:
        parent_id = record.placement.parent_id if record.placement else None
        if parent_id is not None:
            model_id = earlier.get(parent_id) or found.get(parent_id)
            if parent_id == record.record_id:
                record.errors.append(_cycle(parent_id))
            elif model_id is None:
                record.errors.append(_parent_not_found(parent_id))
            elif model_id != record.item_type.id:
                record.errors.append(_parent_of_other_model(parent_id))
        if not record.all_errors:
            earlier[record.record_id] = record.item_type.id


def _group(item_type_id: str, parent_id: str | None) -> Q:
    """A set of siblings: a model's records under one parent (or none)."""
    if parent_id is None:
        return Q(item_type_id=item_type_id, tree_parent__isnull=True, position__isnull=False)
    return Q(item_type_id=item_type_id, tree_parent_id=parent_id, position__isnull=False)


def _sizes(groups: set[tuple[str, str | None]]) -> dict[tuple, int]:
    """How many siblings each group has (one query; positions are dense: the last one)."""
    if not groups:
        return {}
    condition = Q()
    for item_type_id, parent_id in groups:
        condition |= _group(item_type_id, parent_id)
    last = (
        Item.objects.filter(condition)
        .values_list("item_type_id", "tree_parent_id")
        .annotate(last=Max("position"))
        .order_by()
    )
    return {(item_type_id, parent_id): n for item_type_id, parent_id, n in last}


def place_new(records) -> None:
    """Inside the create's transaction, before its rows are written: lock the models, and
    give each new record of a sortable or tree model its position (last, or the one asked
    for, shifting the siblings from there on). A batch is placed record by record, in its
    order; the siblings already there are shifted by one statement for all the groups."""
    placed = [r for r in records if r.placement is not None]
    if not placed:
        return
    lock_models(r.item_type.id for r in placed)
    new_ids = {r.id for r in records}
    outside = {r.placement.parent_id for r in placed} - new_ids - {None}
    if outside:  # still there now that the lock is held (a delete may have come between)
        gone = outside - set(Item.objects.filter(pk__in=outside).values_list("id", flat=True))
        if gone:
            raise ApiErrors([_parent_not_found(parent_id) for parent_id in sorted(gone)])
    keys = {(r.item_type.id, r.placement.parent_id) for r in placed}
    sizes = _sizes({key for key in keys if key[1] not in new_ids})
    # Each group's order, made only once a record is put before its end: the siblings
    # there before as their old positions (ints), the new records as themselves.
    orders: dict[tuple, list] = {}
    counts = {key: sizes.get(key, 0) for key in keys}
    appended: dict[tuple, list] = {key: [] for key in keys}  # before any insert, in order
    for record in placed:
        key = (record.item_type.id, record.placement.parent_id)
        wanted = record.placement.position
        counts[key] += 1
        order = orders.get(key)
        if wanted is None or wanted >= counts[key]:
            record.position = counts[key]
            (appended[key] if order is None else order).append(record)
            continue
        if order is None:
            order = orders[key] = [*range(1, sizes.get(key, 0) + 1), *appended[key]]
        order.insert(wanted - 1, record)
    whens = []
    for key, order in orders.items():
        for index, member in enumerate(order, start=1):
            if not isinstance(member, int):
                member.position = index
        whens += _shift_steps(key, order)
    if whens:
        Item.objects.filter(_scope(whens)).update(
            position=Case(
                *(when for when, _ in whens),
                default=F("position"),
                output_field=PositiveIntegerField(),
            )
        )


def _shift_steps(key: tuple, order: list) -> list[tuple[When, Q]]:
    """The siblings there before move down by the number of new records placed before
    them: one step per distinct shift, highest positions first (a CASE takes the first
    that holds)."""
    steps = []  # (first old position, shift)
    shift = 0
    for member in order:
        if not isinstance(member, int):
            shift += 1
        elif shift and (not steps or steps[-1][1] != shift):
            steps.append((member, shift))
    group = _group(*key)
    return [
        (When(group & Q(position__gte=start), then=F("position") + shift), group)
        for start, shift in reversed(steps)
    ]


def _scope(whens) -> Q:
    """The rows some step moves."""
    scope = Q()
    for when, group in whens:
        scope |= group & when.condition
    return scope


# --- Updates ------------------------------------------------------------------------------


def move_errors(item: Item, item_type: ItemType, placement: Placement) -> list[ApiError]:
    """What refuses moving ``item`` under ``placement``'s parent: an unknown record, one
    of another model, or the record itself or one below it (a loop)."""
    parent_id = placement.parent_id
    if not placement.parent_given or parent_id is None or parent_id == item.tree_parent_id:
        return []
    if parent_id == item.id:
        return [_cycle(parent_id)]
    parent_model = (
        Item.objects.filter(pk=parent_id, root__isnull=True)
        .values_list("item_type_id", flat=True)
        .first()
    )
    if parent_model is None:
        return [_parent_not_found(parent_id)]
    if parent_model != item_type.id:
        return [_parent_of_other_model(parent_id)]
    if any(ancestor_id == item.id for ancestor_id, _, _ in ancestors(parent_id)):
        return [_cycle(parent_id)]
    return []


def move(item: Item, item_type: ItemType, placement: Placement) -> None:
    """Put ``item`` where ``placement`` says (the model's lock held, the placement
    checked): its old siblings close the gap, its new ones make room. Live at once: no
    version, no change of status."""
    parent_id = placement.parent_id if placement.parent_given else item.tree_parent_id
    old_key = (item_type.id, item.tree_parent_id)
    new_key = (item_type.id, parent_id)
    old = item.position
    if old_key == new_key and old is not None:
        size = _sizes({new_key}).get(new_key, 0)
        target = min(placement.position or old, size)
        if target < old:
            _shift(new_key, target, old - 1, +1)
        elif target > old:
            _shift(new_key, old + 1, target, -1)
    else:
        if old is not None:
            _shift(old_key, old + 1, None, -1)
        size = _sizes({new_key}).get(new_key, 0)
        target = min(placement.position or size + 1, size + 1)
        _shift(new_key, target, None, +1)
    if (item.tree_parent_id, old) != (parent_id, target):
        Item.objects.filter(pk=item.pk).update(tree_parent_id=parent_id, position=target)
    item.tree_parent_id, item.position = parent_id, target


def _shift(key: tuple, first: int, last: int | None, by: int) -> None:
    """Siblings from ``first`` to ``last`` (or the end) move ``by``."""
    if last is not None and last < first:
        return
    scope = _group(*key) & Q(position__gte=first)
    if last is not None:
        scope &= Q(position__lte=last)
    Item.objects.filter(scope).update(position=F("position") + by)


# --- Deletes ------------------------------------------------------------------------------


def take_out(item: Item, item_type: ItemType) -> None:
    """Before ``item`` is deleted (the model's lock held): its children, with what is
    below them, move up into its place among its siblings, in their order; the siblings
    after it make room for them or close its gap."""
    if not is_placed(item_type) or item.position is None:
        return
    key = (item_type.id, item.tree_parent_id)
    children = _sizes({(item_type.id, item.id)}).get((item_type.id, item.id), 0)
    if children != 1:
        _shift(key, item.position + 1, None, children - 1)
    if children:
        Item.objects.filter(_group(item_type.id, item.id)).update(
            tree_parent_id=item.tree_parent_id, position=F("position") + item.position - 1
        )


# --- Schema changes -------------------------------------------------------------------


def renumber_model(item_type: ItemType) -> None:
    """After a model's settings are saved: records of a sortable or tree model all have a
    position (those without get one, last, in creation order; a model that stops being a
    tree is flattened in creation order), and other models' records have none."""
    records = Item.objects.filter(item_type_id=item_type.id, root__isnull=True)
    if not is_placed(item_type):
        records.filter(position__isnull=False).update(position=None, tree_parent=None)
        return
    if item_type.tree:
        if not records.filter(position__isnull=True).exists():
            return
        unplaced = records.filter(position__isnull=True)
        start = _sizes({(item_type.id, None)}).get((item_type.id, None), 0)
    else:
        if not records.filter(Q(position__isnull=True) | Q(tree_parent__isnull=False)).exists():
            return
        unplaced, start = records, 0
    ids = list(unplaced.order_by("created_at", "id").values_list("id", flat=True))
    Item.objects.bulk_update(
        [Item(id=id_, position=start + n, tree_parent_id=None) for n, id_ in enumerate(ids, 1)],
        ["position", "tree_parent"],
        batch_size=1000,
    )
