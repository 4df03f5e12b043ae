"""What one record API read may ask for, so that none costs more than a bounded time.

Checked on the parsed filter (see :mod:`items.rest_filters`) before any query runs; a
refusal is a :class:`~items.rest_filters.FilterError`, answered 400 naming ``filter``.
The statement timeout (cms/db.py) bounds what is left.
"""

from items.rest_filters import And, FilterError, In, Like, Not, Or

#: Comparisons in one filter (each one is a condition on every candidate record).
MAX_FILTER_TERMS = 64
#: A LIKE pattern: its length and its ``%`` wildcards (each one a ``.*`` to match).
MAX_LIKE_LENGTH = 200
MAX_LIKE_WILDCARDS = 8
#: Values in one ``IN (...)`` list.
MAX_IN_VALUES = 1000
#: Rules in ``order``.
MAX_ORDER_RULES = 10


def _wildcards(pattern: str) -> int:
    """``%`` not made literal by a backslash."""
    count, escaped = 0, False
    for char in pattern:
        count += char == "%" and not escaped
        escaped = char == "\\" and not escaped
    return count


def _leaves(node):
    if isinstance(node, Not):
        yield from _leaves(node.operand)
    elif isinstance(node, And | Or):
        for operand in node.operands:
            yield from _leaves(operand)
    else:
        yield node


def check_filter(tree) -> None:
    """Refuse a filter over the limits above."""
    leaves = list(_leaves(tree))
    if len(leaves) > MAX_FILTER_TERMS:
        raise FilterError(
            f"a filter holds at most {MAX_FILTER_TERMS} comparisons", terms=len(leaves)
        )
    for leaf in leaves:
        if isinstance(leaf, Like):
            too_long = len(leaf.pattern) > MAX_LIKE_LENGTH
            if too_long or _wildcards(leaf.pattern) > MAX_LIKE_WILDCARDS:
                raise FilterError(
                    f"a LIKE pattern is at most {MAX_LIKE_LENGTH} characters with at most "
                    f"{MAX_LIKE_WILDCARDS} % wildcards",
                    field=leaf.field,
                )
        if isinstance(leaf, In) and len(leaf.values) > MAX_IN_VALUES:
            raise FilterError(f"an IN list holds at most {MAX_IN_VALUES} values", field=leaf.field)


def check_order(text: str) -> None:
    if text.count(",") >= MAX_ORDER_RULES:
        raise FilterError(f"order takes at most {MAX_ORDER_RULES} rules")
