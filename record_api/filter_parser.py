"""The record API's ``filter`` and ``order`` parameters: a safe subset of DreamFactory's
SQL-like syntax, parsed, checked against the model, and turned into ``Q`` objects.

The filter text never reaches the database. A hand-written tokenizer and recursive-descent
parser turn it into a small tree (:class:`Compare`, :class:`Like`, :class:`In`,
:class:`IsNull`, :class:`Not`, :class:`And`, :class:`Or`); anything outside the grammar
(``;``, comments, sub-queries, unknown operators, trailing words) is refused with its
position. The tree is then checked against the model's fields and built into ``Q`` objects
over the same per-field expressions ``GET /items`` filters on, so every value is a query
parameter.

Grammar (keywords are case-insensitive; field names are api_keys, exactly, and a name
between backticks is a field name even when it is a keyword: ```in` = 1``)::

    filter     := or
    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | "(" or ")" | comparison
    comparison := field ("=" | "!=" | "<>" | ">" | ">=" | "<" | "<=") value
                | field ["NOT"] "LIKE" 'pattern'
                | field ["NOT"] "IN" "(" value ("," value)* ")"
                | field "IS" ["NOT"] "NULL"
    value      := 'text' ('' inside is a quote) | number | TRUE | FALSE | NULL

``field = null`` means ``field IS NULL`` and ``field != null`` ``field IS NOT NULL``;
null is refused anywhere else. ``LIKE`` is case-insensitive, with ``%`` (any run of
characters) and ``_`` (one character); a backslash makes the next character literal.

Semantics are SQL's: a record without a value (null, or an empty list for links and
files) matches no comparison, negated or not: ``name != 'x'`` and ``NOT (name = 'x')``
both leave it out; only ``IS NULL`` finds it. (The tree is put in negation normal form
before it becomes ``Q`` objects, so that holds on every database and for JSON values.)
"""

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time

from django.db.models import Q

from item_types.field_types import FieldValueError
from item_types.field_types.scalar import (
    DATE_PATTERN,
    format_date_time,
    parse_date,
    parse_date_time,
)
from items.selectors import field_columns

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 32
KEYWORDS = frozenset({"and", "or", "not", "like", "in", "is", "null", "true", "false"})
COMPARISONS = ("=", "!=", ">", ">=", "<", "<=")
NEGATED = {"=": "!=", "!=": "=", ">": "<=", ">=": "<", "<": ">=", "<=": ">"}
LOOKUPS = {"=": "", ">": "__gt", ">=": "__gte", "<": "__lt", "<=": "__lte"}
INT_RANGE = (-(2**63), 2**63 - 1)
QUOTED_NAME = re.compile(r"`[A-Za-z_][A-Za-z0-9_]*`")


class FilterError(ValueError):
    """A filter (or order) that can't be used; ``position`` is where in the text, if known."""

    def __init__(self, message: str, position: int | None = None, **details):
        super().__init__(message)
        self.message, self.position, self.details = message, position, details


# The tree.


@dataclass(frozen=True)
class Compare:
    field: str
    op: str  # one of COMPARISONS ("<>" is read as "!=")
    value: object  # str, int, float or bool


@dataclass(frozen=True)
class Like:
    field: str
    pattern: str


@dataclass(frozen=True)
class In:
    field: str
    values: tuple


@dataclass(frozen=True)
class IsNull:
    field: str


@dataclass(frozen=True)
class Not:
    operand: object


@dataclass(frozen=True)
class And:
    operands: tuple


@dataclass(frozen=True)
class Or:
    operands: tuple


# Tokens.


@dataclass(frozen=True)
class Token:
    kind: str  # name | keyword | string | number | op | ( | ) | , | end
    text: str
    position: int
    value: object = None


TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | `(?P<quoted_name>[A-Za-z_][A-Za-z0-9_]*)`
  | (?P<op><>|!=|>=|<=|=|<|>)
  | (?P<punct>[(),])
  | (?P<quote>')
    """,
    re.VERBOSE | re.ASCII,
)
WHY_NOT = {
    ";": "statement separators are not allowed",
    "--": "comments are not allowed",
    "/*": "comments are not allowed",
    "#": "comments are not allowed",
    '"': "quote text values with single quotes",
    "`": "a quoted field name is a name between backticks (`and`)",
}


def _string(text: str, start: int) -> tuple[str, int]:
    """The single-quoted string opening at ``start``: (its value, the index after it)."""
    parts, index = [], start + 1
    while True:
        end = text.find("'", index)
        if end < 0:
            raise FilterError("unterminated text value: a closing ' is missing", start)
        parts.append(text[index:end])
        if text.startswith("''", end):
            parts.append("'")
            index = end + 2
            continue
        value = "".join(parts)
        if "\x00" in value:
            raise FilterError("text values can't hold NUL characters", start)
        return value, end + 1


def _number(text: str, position: int):
    if "." in text or "e" in text.lower():
        value = float(text)
        if not math.isfinite(value):
            raise FilterError(f"{text} is not a finite number", position)
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    value = int(text)
    if not INT_RANGE[0] <= value <= INT_RANGE[1]:
        raise FilterError(f"{text} is out of range", position)
    return value


def tokenize(text: str) -> list[Token]:
    tokens, index = [], 0
    while index < len(text):
        match = TOKEN.match(text, index)
        if match is None:
            two, one = text[index : index + 2], text[index]
            why = WHY_NOT.get(two) or WHY_NOT.get(one) or "not part of the filter syntax"
            raise FilterError(f"unexpected character {one!r}: {why}", index)
        kind = match.lastgroup
        if kind == "quote":
            value, end = _string(text, index)
            tokens.append(Token("string", text[index:end], index, value))
            index = end
            continue
        word = match.group()
        if kind == "number":
            follower = text[match.end() : match.end() + 1]
            if follower and (follower.isalnum() or follower in "_."):
                raise FilterError(f"invalid number starting {word!r}", index)
            tokens.append(Token("number", word, index, _number(word, index)))
        elif kind == "name":
            is_keyword = word.lower() in KEYWORDS
            tokens.append(Token("keyword" if is_keyword else "name", word, index, word.lower()))
        elif kind == "quoted_name":  # a field called like a keyword: `and` = 1
            name = match.group("quoted_name")
            tokens.append(Token("name", name, index, name.lower()))
        elif kind == "op":
            tokens.append(Token("op", word, index, "!=" if word == "<>" else word))
        elif kind == "punct":
            tokens.append(Token(word, word, index))
        index = match.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


# The parser.


def _describe(token: Token) -> str:
    return "the end of the filter" if token.kind == "end" else repr(token.text)


class _Parser:
    def __init__(self, text: str):
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    @property
    def token(self) -> Token:
        return self.tokens[self.index]

    def advance(self) -> Token:
        token = self.token
        self.index += 1
        return token

    def keyword(self, *words: str) -> bool:
        if self.token.kind == "keyword" and self.token.value in words:
            self.index += 1
            return True
        return False

    def expect(self, kind: str, what: str) -> Token:
        if self.token.kind != kind:
            raise FilterError(
                f"expected {what}, found {_describe(self.token)}", self.token.position
            )
        return self.advance()

    def nest(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(f"nested more than {MAX_DEPTH} levels deep", self.token.position)

    def parse(self):
        if self.token.kind == "end":
            raise FilterError("the filter is empty", 0)
        node = self.or_()
        if self.token.kind != "end":
            raise FilterError(
                f"expected AND, OR or the end of the filter, found {_describe(self.token)}",
                self.token.position,
            )
        return node

    def or_(self):
        operands = [self.and_()]
        while self.keyword("or"):
            operands.append(self.and_())
        return operands[0] if len(operands) == 1 else Or(tuple(operands))

    def and_(self):
        operands = [self.not_()]
        while self.keyword("and"):
            operands.append(self.not_())
        return operands[0] if len(operands) == 1 else And(tuple(operands))

    def not_(self):
        if self.keyword("not"):
            self.nest()
            node = Not(self.not_())
            self.depth -= 1
            return node
        if self.token.kind == "(":
            self.advance()
            self.nest()
            node = self.or_()
            self.expect(")", "')'")
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self):
        token = self.token
        if token.kind != "name":
            raise FilterError(f"expected a field name, found {_describe(token)}", token.position)
        field = self.advance().text
        if self.token.kind == "op":
            op_token = self.advance()
            value_token = self.token
            value = self.value()
            if value is None:
                if op_token.value == "=":
                    return IsNull(field)
                if op_token.value == "!=":
                    return Not(IsNull(field))
                raise FilterError(
                    f"null can't be compared with {op_token.text}: use IS NULL or IS NOT NULL",
                    value_token.position,
                )
            return Compare(field, op_token.value, value)
        negated = self.keyword("not")
        if self.keyword("like"):
            pattern = self.expect("string", "a quoted LIKE pattern").value
            node = Like(field, pattern)
        elif self.keyword("in"):
            node = In(field, self.value_list())
        elif negated:
            raise FilterError(
                f"expected LIKE or IN after NOT, found {_describe(self.token)}",
                self.token.position,
            )
        elif self.keyword("is"):
            negated = self.keyword("not")
            if not self.keyword("null"):
                raise FilterError(
                    f"expected NULL after IS, found {_describe(self.token)}", self.token.position
                )
            node = IsNull(field)
        else:
            raise FilterError(
                f"expected an operator (=, !=, <>, >, >=, <, <=, LIKE, IN, IS) after {field!r}, "
                f"found {_describe(self.token)}",
                self.token.position,
            )
        return Not(node) if negated else node

    def value(self):
        token = self.token
        if token.kind in ("string", "number"):
            self.advance()
            return token.value
        if token.kind == "keyword" and token.value in ("true", "false", "null"):
            self.advance()
            return {"true": True, "false": False, "null": None}[token.value]
        raise FilterError(
            f"expected a value ('text', a number, true, false or null), found {_describe(token)}",
            token.position,
        )

    def value_list(self) -> tuple:
        self.expect("(", "'(' after IN")
        values = []
        while True:
            token = self.token
            value = self.value()
            if value is None:
                raise FilterError("null can't be in an IN list: use IS NULL", token.position)
            values.append(value)
            if self.token.kind == ")":
                self.advance()
                return tuple(values)
            self.expect(",", "',' or ')' in the IN list")


def parse(text: str):
    """The filter's tree; :class:`FilterError` if it is not in the grammar."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"the filter is longer than {MAX_FILTER_LENGTH} characters")
    return _Parser(text).parse()


# Columns: what each name filters and orders on.


@dataclass(frozen=True)
class Column:
    """A filterable name: the ORM expression (a field or an alias) and how it compares.

    ``kind``: text (also id) | date | date_time (stored as text) | datetime (a real column)
    | number | boolean | reference (links and uploads, through ``build``) | opaque (IS NULL
    only).
    """

    expression: str
    kind: str
    blank_values: tuple = ()
    build: Callable[[str, object], Q] | None = None
    nullable: bool = True


KIND_OF_FIELD_TYPE = {
    "string": "text",
    "text": "text",
    "slug": "text",
    "date": "date",
    "date_time": "date_time",
    "integer": "number",
    "float": "number",
    "boolean": "boolean",
    "link": "reference",
    "links": "reference",
    "file": "reference",
    "gallery": "reference",
}
KIND_OPS = {
    "text": frozenset({*COMPARISONS, "like", "in", "null"}),
    "date": frozenset({*COMPARISONS, "like", "in", "null"}),
    "date_time": frozenset({*COMPARISONS, "like", "in", "null"}),
    "datetime": frozenset({*COMPARISONS, "in", "null"}),
    "number": frozenset({*COMPARISONS, "in", "null"}),
    "boolean": frozenset({"=", "!=", "null"}),
    "reference": frozenset({"=", "!=", "in", "null"}),
    "opaque": frozenset({"null"}),
}
SHOWN = {"like": "LIKE", "in": "IN", "null": "IS NULL"}
META_COLUMNS = {
    "id": Column("id", "text", nullable=False),
    "created_at": Column("created_at", "datetime", nullable=False),
    "updated_at": Column("updated_at", "datetime", nullable=False),
}


def record_columns(fields, locale: str) -> tuple[list[dict], dict[str, Column], dict[str, str]]:
    """(alias steps to apply in order, filter columns by name, order expressions by name)
    for one model's records, localized fields read in ``locale``."""
    filters, order, aliases = field_columns(fields, "data", locale)
    columns = dict(META_COLUMNS)
    for field in fields:
        spec = filters[field.api_key]
        kind = KIND_OF_FIELD_TYPE.get(field.field_type, "opaque")
        # IS NULL matches what the record answers as null or [], not an empty string.
        blanks = tuple(blank for blank in spec.blank_values if blank != "")
        columns[field.api_key] = Column(spec.column, kind, blanks, spec.build)
    ordering = {name: column.expression for name, column in META_COLUMNS.items()}
    ordering.update(order)
    return aliases, columns, ordering


# The tree as Q objects.


def _bad_value(field: str, kind: str, value) -> FilterError:
    wanted = {
        "text": "a 'quoted' text value",
        "date": "a 'YYYY-MM-DD' date",
        "date_time": "a quoted ISO 8601 date and time",
        "datetime": "a quoted ISO 8601 date and time",
        "number": "a number",
        "boolean": "true or false",
        "reference": "a quoted id",
    }[kind]
    return FilterError(f"{field!r} compares with {wanted}, not {_written(value)}", field=field)


def _written(value) -> str:
    """A value as the filter writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return repr(value)


def _moment(value: str) -> datetime:
    """An ISO 8601 date and time, or a date (its midnight, UTC)."""
    if DATE_PATTERN.match(value):
        return datetime.combine(parse_date(value), time(), tzinfo=UTC)
    return parse_date_time(value)


def _convert(field: str, column: Column, value):
    kind = column.kind
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _bad_value(field, kind, value)
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            raise _bad_value(field, kind, value)
        return value
    if not isinstance(value, str):
        raise _bad_value(field, kind, value)
    try:
        if kind == "date":
            return parse_date(value).isoformat()
        if kind == "date_time":  # as stored (UTC, milliseconds), so that text compares
            return format_date_time(_moment(value).astimezone(UTC))
        if kind == "datetime":
            return _moment(value).astimezone(UTC)
    except (FieldValueError, OverflowError):  # overflow: an offset past year 1 or 9999
        raise _bad_value(field, kind, value) from None
    return value


SPECIAL = frozenset("\\.^$|?*+()[]{}-#&~")


def like_regex(pattern: str) -> str:
    """A LIKE pattern as a regular expression both databases read the same way: ``%`` any
    run of characters, ``_`` one, ``\\x`` a literal x; everything else literal."""
    parts, escaped = ["(?s)^"], False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
            continue
        elif char == "%":
            parts.append(".*")
            continue
        elif char == "_":
            parts.append(".")
            continue
        parts.append("\\" + char if char in SPECIAL else char)
    if escaped:
        parts.append("\\\\")
    parts.append("$")
    return "".join(parts)


def _absent(column: Column) -> Q:
    """No value: no key, null (JSON or SQL), or a blank value (an empty list)."""
    name = column.expression
    if not column.nullable:
        return Q(pk__in=[])
    condition = Q(**{f"{name}__isnull": True}) | Q(**{name: None})
    for blank in column.blank_values:
        condition |= Q(**{name: blank})
    return condition


def _with_value(column: Column, condition: Q) -> Q:
    """``condition``, and never true for a record without a value (SQL's rule)."""
    return condition & ~_absent(column) if column.nullable else condition


def _leaf(node, columns: dict[str, Column], negated: bool) -> Q:
    field = node.field
    column = columns.get(field)
    if column is None:
        raise FilterError(
            f"unknown field {field!r}", field=field, allowed=sorted(columns, key=str.lower)
        )
    op = {Compare: None, Like: "like", In: "in", IsNull: "null"}[type(node)] or node.op
    if op not in KIND_OPS[column.kind]:
        allowed = sorted(SHOWN.get(o, o) for o in KIND_OPS[column.kind])
        raise FilterError(
            f"{SHOWN.get(op, op)} can't be used on {field!r}; it takes {', '.join(allowed)}",
            field=field,
            operator=SHOWN.get(op, op),
        )
    name = column.expression
    if op == "null":
        absent = _absent(column)
        return ~absent if negated else absent
    if op == "like":
        condition = Q(**{f"{name}__iregex": like_regex(node.pattern)})
        return _with_value(column, ~condition if negated else condition)
    if op == "in":
        values = [_convert(field, column, value) for value in node.values]
        if column.build:
            condition = column.build("in", values)
        elif column.kind in ("number", "boolean"):
            # JSON values: an equality each, as GET /items compares them.
            condition = Q(pk__in=[])
            for value in values:
                condition |= Q(**{name: value})
        else:
            condition = Q(**{f"{name}__in": values})
        return _with_value(column, ~condition if negated else condition)
    value = _convert(field, column, node.value)
    op = NEGATED[op] if negated else op
    if column.build:
        condition = column.build("eq" if op == "=" else "neq", value)
    elif op == "!=":
        condition = ~Q(**{name: value})
    else:
        condition = Q(**{f"{name}{LOOKUPS[op]}": value})
    return _with_value(column, condition)


def to_q(node, columns: dict[str, Column], negated: bool = False) -> Q:
    """The tree as one ``Q``, negations pushed down to the comparisons (De Morgan)."""
    if isinstance(node, Not):
        return to_q(node.operand, columns, not negated)
    if isinstance(node, And | Or):
        conjunction = isinstance(node, And) != negated
        parts = [to_q(operand, columns, negated) for operand in node.operands]
        result = parts[0]
        for part in parts[1:]:
            result = result & part if conjunction else result | part
        return result
    return _leaf(node, columns, negated)


# Order.


def parse_order(text: str, ordering: dict[str, str]) -> list[str]:
    """``name ASC, other DESC`` (direction optional, ASC by default) as ORM ordering; a
    name may be quoted in backticks, as in filters."""
    result = []
    for rule in text.split(","):
        words = rule.split()
        if words and QUOTED_NAME.fullmatch(words[0]):
            words[0] = words[0][1:-1]
        if not words:
            raise FilterError("an empty order rule", rule=rule)
        direction = words[1].upper() if len(words) == 2 else "ASC"
        if len(words) > 2 or direction not in ("ASC", "DESC"):
            raise FilterError(
                f"order takes 'name ASC' or 'name DESC', not {rule.strip()!r}", rule=rule.strip()
            )
        expression = ordering.get(words[0])
        if expression is None:
            raise FilterError(
                f"can't order by {words[0]!r}", field=words[0], allowed=sorted(ordering)
            )
        result.append(("-" if direction == "DESC" else "") + expression)
    return result
