"""``POST /menu-items/reorder`` and ``/schema-menu-items/reorder`` (SPEC-2 §3): a job.

The request checks the body against the menu as it is and refuses a bad one (422, no job);
the job (menus/tasks.py) checks it again against the menu as it is then, and applies it.
Body: ``{"data": [{"type", "id", "attributes": {"position"}, "relationships": {"parent":
{"data": null | {"type", "id"}}}}, ...]}`` (a bare array is taken too). Each entry puts an
item at a position under a parent (its own parent when ``parent`` is left out); the items
not named keep their order around them (menus.positions).
"""

from cms.api.errors import ApiError
from cms.api.parsing import parse_resource
from item_types.services.common import raise_if
from menus.cleaning import KEEP, check_position, is_whole_number, not_found, to_one
from menus.kinds import Menu
from menus.positions import Move, Tree
from menus.services import cycle_errors, kind_errors, load_tree, menu_write, save_rows


def entries(body) -> list:
    """The body's list of entries; 422 if it has none."""
    data = body.get("data") if isinstance(body, dict) else body
    if not isinstance(data, list):
        raise ApiError(
            "INVALID_FORMAT",
            422,
            message='The body must be {"data": [...]}: the items to move, with their '
            "position and parent.",
        )
    return data


def reorder_moves(menu: Menu, tree: Tree, data: list) -> list[Move]:
    """The moves the entries ask for, checked against ``tree``; every problem raised at
    once, each naming its entry's ``index``."""
    errors: list[ApiError] = []
    moves: list[Move] = []
    seen: set[str] = set()
    for index, entry in enumerate(data):
        found: list[ApiError] = []
        move = _move(menu, tree, entry, seen, found)
        for error in found:
            error.details["index"] = index
        errors += found
        if move is not None:
            moves.append(move)
    # Every entry made a move (else there are errors already): a move's index is its entry's.
    if not errors:
        errors += cycle_errors(tree, moves, lambda index: {"field": "parent", "index": index})
    if menu.has_kinds and not errors:
        indexes = {move.id: index for index, move in enumerate(moves)}
        errors += kind_errors(tree, moves, {}, None)
        for error in errors:
            error.details["index"] = indexes.get(error.details["id"])
    raise_if(errors)
    return moves


def _move(menu: Menu, tree: Tree, entry, seen: set[str], errors: list[ApiError]):
    try:
        document = parse_resource({"data": entry}, menu.type, allow_id=True)
    except ApiError as error:
        errors.append(error)
        return None
    item_id = document.id
    if item_id is None or item_id not in tree:
        reason = "VALIDATION_REQUIRED" if item_id is None else "VALIDATION_NOT_FOUND"
        errors.append(ApiError("INVALID_FIELD", 422, field="id", code=reason))
        return None
    if item_id in seen:
        errors.append(ApiError("INVALID_FIELD", 422, field="id", code="VALIDATION_UNIQUENESS"))
        return None
    seen.add(item_id)
    position = document.attributes.get("position")
    if set(document.attributes) - {"position"}:
        unknown = sorted(set(document.attributes) - {"position"})
        errors.append(
            ApiError(
                "INVALID_ATTRIBUTES", 422, field=unknown[0], code="VALIDATION_UNKNOWN_ATTRIBUTE"
            )
        )
    if position is None:
        errors.append(ApiError("INVALID_FIELD", 422, field="position", code="VALIDATION_REQUIRED"))
    elif not is_whole_number(position):
        errors.append(ApiError("INVALID_FIELD", 422, field="position", code="VALIDATION_FORMAT"))
    else:
        position = check_position(position, errors)
    parent = to_one(document, "parent", menu.type, errors)
    if parent is KEEP:
        parent = tree.rows[item_id].parent
    elif parent is not None and parent not in tree:
        errors.append(not_found("parent", parent))
    if errors:
        return None
    return Move(item_id, parent, position)


def check_reorder(menu: Menu, body) -> list:
    """The entries of a reorder the menu takes now (else 422): what the job is given."""
    data = entries(body)
    reorder_moves(menu, load_tree(menu), data)
    return data


@menu_write
def reorder(menu: Menu, *, data: list) -> list[str]:
    """Apply a reorder (checked again: the menu may have changed since the request);
    the ids it names, in its order."""
    tree = load_tree(menu)
    moves = reorder_moves(menu, tree, data)
    save_rows(menu, tree.arrange(moves))
    return [move.id for move in moves]
