"""What one record API read may ask for, so that none costs more than a bounded time.

Checked on the parsed filter (see :mod:`record_api.filter_parser`) before any query runs; a
refusal is a :class:`~record_api.filter_parser.FilterError`, answered 400 naming ``filter``.
The statement timeout (cms/db.py) bounds what is left.
"""

from cms.api.patterns import too_complex
from record_api.filter_parser import And, FilterError, In, Like, Not, Or
from record_api.filter_query import like_regex

#: Records in one answer (``limit``), and ids in ``ids``.
MAX_READ_LIMIT = 1000
#: Comparisons in one filter, each value of an ``IN`` list counted as one: each is a
#: condition on every candidate record (and SQLite parses at most 1000 nested ORs).
MAX_FILTER_TERMS = 500
#: LIKE comparisons in one filter, and each pattern's length and ``%`` wildcards (each
#: one a ``.*`` to match against the whole value).
MAX_LIKE_TERMS = 16
MAX_LIKE_LENGTH = 200
MAX_LIKE_WILDCARDS = 8
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
    terms = sum(len(leaf.values) if isinstance(leaf, In) else 1 for leaf in leaves)
    if terms > MAX_FILTER_TERMS:
        raise FilterError(
            f"a filter holds at most {MAX_FILTER_TERMS} comparisons (each IN value counts)",
            terms=terms,
        )
    likes = [leaf for leaf in leaves if isinstance(leaf, Like)]
    if len(likes) > MAX_LIKE_TERMS:
        raise FilterError(f"a filter holds at most {MAX_LIKE_TERMS} LIKE comparisons")
    for like in likes:
        too_long = len(like.pattern) > MAX_LIKE_LENGTH
        if too_long or _wildcards(like.pattern) > MAX_LIKE_WILDCARDS:
            raise FilterError(
                f"a LIKE pattern is at most {MAX_LIKE_LENGTH} characters with at most "
                f"{MAX_LIKE_WILDCARDS} % wildcards",
                field=like.field,
            )
        # As SQLite runs it (RE2, case-insensitive): a short time per byte of each value.
        why = too_complex("(?i)" + like_regex(like.pattern))
        if why:
            raise FilterError(f"the LIKE pattern can't be used: {why}", field=like.field)


def check_order(text: str) -> None:
    if text.count(",") >= MAX_ORDER_RULES:
        raise FilterError(f"order takes at most {MAX_ORDER_RULES} rules")
