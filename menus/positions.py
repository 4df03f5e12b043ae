"""A menu as a tree of ids, and the one rule every write follows for positions.

A position is the order among the items sharing a parent: dense and 1-based. A write says
which items go where (:class:`Move`: a parent, and a position or none for "last") and which
go away; :meth:`Tree.arrange` answers the parent and position of every item whose place
changes. Within each sibling group touched, the items that stay are closed up in their
order, then the moved ones are inserted at the positions asked for (a position past the
end is the end), lowest first. So inserting shifts the later siblings down, removing
shifts them up, and a reorder naming every item gets exactly the order it names.

A menu is small (tens of items), so a write reads all of it in one query and works here.
"""

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Move:
    id: str
    parent: str | None
    position: int | None = None  # None: after the last sibling


@dataclass(frozen=True)
class Row:
    parent: str | None
    position: int
    kind: str | None = None  # a schema menu item's kind; None for menu items


class Tree:
    def __init__(self, rows: dict[str, Row]):
        self.rows = rows

    @classmethod
    def of(cls, values: Iterable[tuple]) -> "Tree":
        """From ``(id, parent_id, position[, kind])`` tuples."""
        return cls({value[0]: Row(*value[1:]) for value in values})

    def __contains__(self, item_id) -> bool:
        return item_id in self.rows

    def siblings(self, parent: str | None) -> list[str]:
        """The items under ``parent`` (None: the top level), in order."""
        found = [(row.position, id_) for id_, row in self.rows.items() if row.parent == parent]
        return [id_ for _, id_ in sorted(found)]

    def children(self) -> dict[str | None, list[str]]:
        """Every parent's items, in order (the top level under None)."""
        groups: dict[str | None, list[tuple]] = {}
        for id_, row in self.rows.items():
            groups.setdefault(row.parent, []).append((row.position, id_))
        return {parent: [id_ for _, id_ in sorted(group)] for parent, group in groups.items()}

    def in_order(self) -> list[str]:
        """Every item, depth first: each parent before its children, siblings in order."""
        groups = self.children()
        ordered: list[str] = []
        pending = list(reversed(groups.get(None, [])))
        while pending:
            id_ = pending.pop()
            ordered.append(id_)
            pending.extend(reversed(groups.get(id_, [])))
        return ordered

    def subtree(self, item_id: str) -> list[str]:
        """``item_id`` and everything under it."""
        groups = self.children()
        found, pending = [], [item_id]
        while pending:
            id_ = pending.pop()
            found.append(id_)
            pending.extend(groups.get(id_, []))
        return found

    def cycles(self, moves: list[Move]) -> list[int]:
        """The indexes of the moves that would make an item its own ancestor."""
        parents = {id_: row.parent for id_, row in self.rows.items()}
        parents.update({move.id: move.parent for move in moves})
        looping = []
        for index, move in enumerate(moves):
            seen, current = {move.id}, move.parent
            while current is not None and current not in seen:
                seen.add(current)
                current = parents.get(current)
            if current is not None:
                looping.append(index)
        return looping

    def updated(self, changed: dict[str, Row], removed: Iterable[str] = ()) -> "Tree":
        """This tree with the rows :meth:`arrange` answered, and without ``removed``."""
        removed = set(removed)
        rows = {id_: row for id_, row in self.rows.items() if id_ not in removed}
        rows.update(changed)
        return Tree(rows)

    def arrange(self, moves: list[Move], removed: Iterable[str] = ()) -> dict[str, Row]:
        """The rows of every item whose parent or position changes (new items included)
        after ``moves``, with the items ``removed`` gone. The moves make no cycle
        (:meth:`cycles`) and name each item once."""
        removed, moved = set(removed), {move.id for move in moves}
        groups: dict[str | None, list[Move]] = {}
        for move in moves:
            groups.setdefault(move.parent, [])
        for id_ in moved | removed:
            if id_ in self.rows:
                groups.setdefault(self.rows[id_].parent, [])
        for move in moves:
            groups[move.parent].append(move)
        changed: dict[str, Row] = {}
        for parent, arriving in groups.items():
            order = [id_ for id_ in self.siblings(parent) if id_ not in moved | removed]
            last = [move for move in arriving if move.position is None]
            placed = sorted((m for m in arriving if m.position is not None), key=_position)
            for move in placed:
                order.insert(min(move.position - 1, len(order)), move.id)
            order += [move.id for move in last]
            for position, id_ in enumerate(order, start=1):
                before = self.rows.get(id_)
                if before is None or (before.parent, before.position) != (parent, position):
                    kind = before.kind if before else None
                    changed[id_] = Row(parent, position, kind)
        return changed


def _position(move: Move) -> int:
    return move.position
