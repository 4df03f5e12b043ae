"""Writes to the menus. Each reads its whole menu once (menus are small), checks every
rule, collects every problem and either raises having written nothing or writes in one
transaction: the item, and the siblings whose positions shift (one UPDATE for them all).

Menu writes take the menus' tables first (PostgreSQL EXCLUSIVE: reads go on, other menu
writes wait), so two writes never compute positions from the same old menu. A model's
create and destroy (menus.model_hooks) take them after the record tables, as every schema
write does, and menu writes take nothing else: the order is the same everywhere.
"""

import functools

from django.db import connection, transaction

from cms.api.errors import ApiError
from cms.api.parsing import ResourceDocument
from item_types.services.common import raise_if
from menus.cleaning import KEEP, Checked, kind_conflict, not_found
from menus.kinds import MENU_MODELS, Menu
from menus.positions import Move, Row, Tree


def lock_menus(models: tuple[type, ...] = MENU_MODELS) -> None:
    """Inside a transaction: wait for menu writes in progress, hold back new ones."""
    if connection.vendor != "postgresql":
        return  # SQLite has one writer at a time already
    tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


def menu_write(function):
    """A menu service (its first argument the menu): one transaction whose first lock is
    on the menu's tables."""

    @functools.wraps(function)
    def locked(menu: Menu, *args, **kwargs):
        with transaction.atomic():
            lock_menus(menu.lock_models)
            return function(menu, *args, **kwargs)

    return locked


def load_tree(menu: Menu) -> Tree:
    return Tree.of(menu.model.objects.values_list(*menu.tree_columns))


@menu_write
def menu_create(menu: Menu, *, document: ResourceDocument):
    """A new item; last among its siblings unless ``position`` says where."""
    tree = load_tree(menu)
    checked = menu.clean(document, None)
    errors = checked.errors
    if document.id and document.id in tree:
        errors.append(id_taken())
    item = menu.model(**checked.values)
    if document.id:
        item.id = document.id
    parent = None if checked.parent is KEEP else checked.parent
    moves = [Move(item.id, parent, checked.position)]
    if parent is not None and parent not in tree:
        errors.append(not_found("parent", parent))
    elif menu.has_kinds and not errors:
        errors += kind_errors(tree, moves, {item.id: item.kind}, item.id)
    raise_if(errors)
    _place(menu, tree, moves, saved=item)
    return item


@menu_write
def menu_update(menu: Menu, *, item, document: ResourceDocument):
    """Attributes and relationships as sent; a new parent without a position puts the item
    last there. A schema menu item's ``children`` become exactly the ones listed, in that
    order; those left out move up to its parent, after its other children."""
    tree = load_tree(menu)
    item = menu.model.objects.select_related(*menu.related).filter(pk=item.pk).first()
    if item is None or item.id not in tree:
        raise ApiError("NOT_FOUND", 404, **{menu.type: getattr(item, "pk", None)})
    checked = menu.clean(document, item)
    errors = checked.errors
    moves = _own_move(tree, item, checked, errors)
    final_parent = moves[0].parent if moves else tree.rows[item.id].parent
    own = len(moves)
    if checked.children is not None:
        moves += _children_moves(tree, item.id, checked.children, final_parent, errors)
    if not errors:
        errors += cycle_errors(
            tree, moves, lambda index: {"field": "parent" if index < own else "children"}
        )
    if menu.has_kinds and not errors:
        kind = checked.values.get("kind", item.kind)
        errors += kind_errors(tree, moves, {item.id: kind}, item.id)
    raise_if(errors)
    for name, value in checked.values.items():
        setattr(item, name, value)
    _place(menu, tree, moves, saved=item)
    return item


def _own_move(tree: Tree, item, checked: Checked, errors: list[ApiError]) -> list[Move]:
    current = tree.rows[item.id]
    parent = current.parent if checked.parent is KEEP else checked.parent
    if parent is not None and parent not in tree:
        errors.append(not_found("parent", parent))
        return []
    if parent != current.parent or checked.position is not None:
        return [Move(item.id, parent, checked.position)]
    return []


def _children_moves(tree, item_id, children, final_parent, errors) -> list[Move]:
    unknown = [child for child in children if child not in tree]
    if unknown:
        errors += [not_found("children", child) for child in unknown]
        return []
    moves = [Move(child, item_id, index) for index, child in enumerate(children, start=1)]
    left = [child for child in tree.siblings(item_id) if child not in children]
    return moves + [Move(child, final_parent) for child in left]


def cycle_errors(tree: Tree, moves: list[Move], where) -> list[ApiError]:
    """A refusal for each move that would put an item under itself; ``where(index)``: the
    details naming what the move at ``index`` came from (``field``, ...)."""
    return [
        ApiError(
            "INVALID_RELATIONSHIP",
            422,
            code="VALIDATION_CYCLE",
            id=moves[index].id,
            message="An item can't be under itself or under one of its own children.",
            **where(index),
        )
        for index in tree.cycles(moves)
    ]


def kind_errors(tree: Tree, moves: list[Move], kinds: dict, item_id: str | None):
    """Each item touched sits under a parent of its kind; ``kinds`` overrides the stored
    ones (the item written, ``item_id``; None for a reorder). A refusal names what put the
    item there: ``parent`` (its own move, a reorder's), ``children`` (a schema menu item's
    new children) or ``kind`` (a parent's new kind under which its children stay)."""
    parent_of = {id_: row.parent for id_, row in tree.rows.items()}
    parent_of.update({move.id: move.parent for move in moves})
    kind_of = {id_: row.kind for id_, row in tree.rows.items()} | kinds
    moved = {move.id for move in moves}
    touched = moved | set(kinds) | {id_ for id_, parent in parent_of.items() if parent in kinds}
    errors = []
    for id_ in sorted(touched):
        parent = parent_of.get(id_)
        if parent is None or kind_of[parent] == kind_of[id_]:
            continue
        if id_ == item_id:
            name = "parent" if id_ in moved else "kind"
        elif id_ in moved:
            name = "parent" if item_id is None else "children"
        else:
            name = "kind"
        errors.append(kind_conflict(name, kind_of[id_], id=id_))
    return errors


def _place(menu: Menu, tree: Tree, moves: list[Move], *, saved=None, removed=()) -> None:
    """Save ``saved`` (where the moves put it) and shift the siblings the moves touch."""
    changed = tree.arrange(moves, removed)
    if saved is not None:
        row = changed.pop(saved.id, None)
        if row is not None:
            saved.parent_id, saved.position = row.parent, row.position
        saved.save()
    save_rows(menu, changed)


def save_rows(menu: Menu, changed: dict[str, Row]) -> None:
    rows = [
        menu.model(id=id_, parent_id=r.parent, position=r.position) for id_, r in changed.items()
    ]
    if rows:
        menu.model.objects.bulk_update(rows, ["parent_id", "position"])


@menu_write
def menu_destroy(menu: Menu, *, item) -> None:
    """Remove the item and everything under it (as DatoCMS does); later siblings move up."""
    tree = load_tree(menu)
    if item.id not in tree:
        raise ApiError("NOT_FOUND", 404, **{menu.type: item.id})
    removed = tree.subtree(item.id)
    changed = tree.arrange([], removed)
    menu.model.objects.filter(pk__in=removed).delete()
    save_rows(menu, changed)


def remove_keeping_children(menu: Menu, item_ids: list[str]) -> None:
    """Inside a menu write: remove ``item_ids``; each one's children take its place under
    its parent (a model's items go with the model, but the items under them stay)."""
    tree = original = load_tree(menu)
    removed = [id_ for id_ in original.in_order() if id_ in set(item_ids)]
    for id_ in removed:
        row = tree.rows[id_]
        moves = [
            Move(child, row.parent, row.position + offset)
            for offset, child in enumerate(tree.siblings(id_))
        ]
        tree = tree.updated(tree.arrange(moves, [id_]), [id_])
    moved = {
        id_: row
        for id_, row in tree.rows.items()
        if (row.parent, row.position) != (original.rows[id_].parent, original.rows[id_].position)
    }
    save_rows(menu, moved)  # first: deleting an item deletes what is still under it
    menu.model.objects.filter(pk__in=removed).delete()


def id_taken() -> ApiError:
    return ApiError(
        "INVALID_ENTITY_ID",
        422,
        field="id",
        code="VALIDATION_UNIQUENESS",
        message="The id is taken.",
    )
