"""Where a record of a sortable or tree model sits: its ``position`` among its siblings and,
in a tree, its ``parent_id``. This module reads them from a payload and from the database;
``items.services.placement`` writes them.

Siblings are a model's records with the same parent (null for a sortable model's records
and a tree's roots). Their positions are 1, 2, 3... with no gap: placing a record shifts
the siblings after it, and taking one out closes its gap. Positions and parents are not
values: they are live at once, have no draft, and are no part of a record's versions.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Q

from cms.api.errors import ApiError, invalid_field
from cms.api.filters import COMPARISON, FilterColumn
from cms.ids import is_valid_id
from item_types.models import ItemType
from items.models import Item

POSITION, PARENT = "position", "parent_id"
#: The deepest tree walked up or down (a guard: a tree can't hold a cycle).
MAX_DEPTH = 10_000


def is_placed(item_type: ItemType) -> bool:
    """Its records have positions (a sortable or a tree model)."""
    return item_type.sortable or item_type.tree


@dataclass(frozen=True, slots=True)
class Placement:
    """What a write asks for. ``position`` None: last on a create, unchanged on an update
    (unless the parent changes: then last among the new siblings). ``parent_given``: the
    write names a parent (``parent_id`` None then makes a root)."""

    position: int | None = None
    parent_id: str | None = None
    parent_given: bool = False


def take_placement(
    item_type: ItemType, attributes: dict
) -> tuple[Placement | None, dict, list[ApiError]]:
    """Split ``position`` (sortable and tree models) and ``parent_id`` (tree models) from
    the record's field values. Other models' attributes come back as they are (the
    validation then refuses those names: no field may be called so)."""
    if not (item_type.sortable or item_type.tree):
        return None, attributes, []
    names = (POSITION, PARENT) if item_type.tree else (POSITION,)
    if not any(name in attributes for name in names):
        return Placement(), attributes, []
    errors: list[ApiError] = []
    position = attributes.get(POSITION)
    if POSITION in attributes and position is not None:
        if not isinstance(position, int) or isinstance(position, bool):
            errors.append(
                invalid_field(POSITION, "VALIDATION_FORMAT", message="A whole number from 1.")
            )
        elif position < 1:
            errors.append(
                invalid_field(
                    POSITION, "VALIDATION_NUMBER_RANGE", min=1, message="Positions start at 1."
                )
            )
    parent_id = attributes.get(PARENT)
    if parent_id is not None and not is_valid_id(parent_id):
        errors.append(invalid_field(PARENT, "VALIDATION_FORMAT", message="A record id or null."))
    values = {name: value for name, value in attributes.items() if name not in names}
    placement = Placement(position, parent_id, PARENT in attributes)
    return (None if errors else placement), values, errors


# --- Reading the tree ---------------------------------------------------------------------


def _walk(join: str, start: str) -> list[tuple]:
    """(id, parent id, published version id) of the records reached from ``start`` (not
    included) by joining a record ``i`` to one reached (``walk``) on ``join``, nearest
    first. One recursive query, the same SQL on both databases (the table unqualified:
    the environment's is found)."""
    table = connection.ops.quote_name(Item._meta.db_table)
    columns = "i.id, i.tree_parent_id, i.published_version_id"
    sql = (
        f"WITH RECURSIVE walk(id, parent, published, depth) AS ("
        f" SELECT {columns}, 0 FROM {table} i WHERE i.id = %s"
        f" UNION ALL SELECT {columns}, walk.depth + 1 FROM {table} i JOIN walk ON {join}"
        f" WHERE walk.depth < {MAX_DEPTH})"
        f" SELECT id, parent, published FROM walk WHERE depth > 0 ORDER BY depth, id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [start])
        return cursor.fetchall()


def ancestors(record_id: str) -> list[tuple]:
    """The record's ancestors, its parent first: (id, parent id, published version id)."""
    return _walk("i.id = walk.parent", record_id)


def descendants(record_id: str) -> list[tuple]:
    """The record's descendants, its children first: (id, parent id, published version)."""
    return _walk("i.tree_parent_id = walk.id", record_id)


def published_below(record_ids: list[str]) -> dict[str, list[str]]:
    """For many records at once (one recursive query): the published records below each,
    by the record's id (records with none are left out)."""
    if not record_ids:
        return {}
    table = connection.ops.quote_name(Item._meta.db_table)
    starts = ", ".join(["%s"] * len(record_ids))
    sql = (
        f"WITH RECURSIVE walk(start, id, published, depth) AS ("
        f" SELECT i.id, i.id, i.published_version_id, 0 FROM {table} i WHERE i.id IN ({starts})"
        f" UNION ALL SELECT walk.start, i.id, i.published_version_id, walk.depth + 1"
        f" FROM {table} i JOIN walk ON i.tree_parent_id = walk.id WHERE walk.depth < {MAX_DEPTH})"
        f" SELECT start, id FROM walk WHERE depth > 0 AND published IS NOT NULL"
        f" ORDER BY start, depth, id"
    )
    below: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, list(record_ids))
        for start, record_id in cursor.fetchall():
            below.setdefault(start, []).append(record_id)
    return below


def mark_has_children(records, model) -> None:
    """Set ``has_children`` on the records of tree models (one query for them all); the
    others' stays unset (null on the wire)."""
    tree_records = [r for r in records if model.item_types[r.item_type_id].tree]
    if not tree_records:
        return
    parents = set(
        Item.objects.filter(tree_parent_id__in=[r.id for r in tree_records])
        .values_list("tree_parent_id", flat=True)
        .distinct()
    )
    for record in tree_records:
        record.has_children = record.id in parents


def has_children(item: Item, model) -> bool | None:
    """``meta.has_children``: for a record of a tree model, whether any record sits under
    it (read now unless a list marked it already); null for other models and blocks."""
    item_type = model.item_types.get(item.item_type_id)
    if item_type is None or not item_type.tree:
        return None
    if not hasattr(item, "has_children"):
        mark_has_children([item], model)
    return item.has_children


def wire_attributes(item: Item, item_type: ItemType) -> dict:
    """``position`` (and ``parent_id``) as the record's attributes show them."""
    return placement_values(item_type, item.position, item.tree_parent_id)


def placement_values(item_type: ItemType, position: int | None, parent_id: str | None) -> dict:
    if item_type.tree:
        return {POSITION: position, PARENT: parent_id}
    if item_type.sortable:
        return {POSITION: position}
    return {}


# --- Lists: filters and ordering ----------------------------------------------------------


def _children_of(op: str, value) -> Q:
    return Q(tree_parent_id=value)


def list_columns(item_type: ItemType) -> tuple[dict[str, FilterColumn], dict[str, str]]:
    """``filter[fields]`` columns and ``order_by`` columns a model's placement adds:
    ``position`` (``gt``... ``neq``), and in a tree ``parent_id`` (also spelled ``parent``:
    ``eq`` a record's id for its children, ``exists=false`` for the roots)."""
    if not is_placed(item_type):
        return {}, {}
    filters = {POSITION: FilterColumn("position", kind="number", ops=COMPARISON)}
    if item_type.tree:
        parent = FilterColumn("tree_parent_id", ops=frozenset({"eq", "exists"}), build=_children_of)
        filters.update({PARENT: parent, "parent": parent})
    return filters, {POSITION: "position"}


def siblings_order(order: list[str], item_type: ItemType) -> tuple[Q, list[str]]:
    """A list ordered by position first, as the siblings' indexes (``items_roots``,
    ``items_children``) hand it over, with no sort: the condition says what is always true
    of the records (they have positions; a sortable model's have no parent, being all one
    set of siblings), and the id that breaks ties runs the position's way (siblings never
    tie, so only records of different parents can, and their order is the id's either
    way)."""
    first = order[0] if order else None
    if not (isinstance(first, str) and first.lstrip("-") == "position" and is_placed(item_type)):
        return Q(), order
    if order[-1] == "id" and order[0].startswith("-"):
        order = [*order[:-1], "-id"]
    if item_type.sortable:
        return Q(tree_parent__isnull=True, position__isnull=False), order
    return Q(position__isnull=False), order
