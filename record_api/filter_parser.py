"""The record API's ``filter`` parameter: a safe subset of DreamFactory's SQL-like syntax,
parsed into a small tree. :mod:`record_api.filter_query` turns the tree into ``Q`` objects.

The filter text never reaches the database. A hand-written tokenizer and recursive-descent
parser (kept for its error messages, which name what was expected and where) turn it into
a small tree (:class:`Compare`, :class:`Like`, :class:`In`, :class:`IsNull`, :class:`Not`,
:class:`And`, :class:`Or`); anything outside the grammar (``;``, comments, sub-queries,
unknown operators, trailing words) is refused with its position.

Grammar (keywords are case-insensitive; field names are api_keys, exactly, and a name
between backticks is a field name even when it is a keyword: ```in` = 1``)::

    filter     := or
    or         := and ("OR" and)*
    and        := not ("AND" not)*
    not        := "NOT" not | "(" or ")" | comparison
    comparison := field ("=" | "!=" | "<>" | ">" | ">=" | "<" | "<=") value
                | field ("EQ" | "NE" | "GT" | "GTE" | "LT" | "LTE") value
                | field ["NOT"] "LIKE" 'pattern'
                | field ["NOT"] ("CONTAINS" | "STARTS WITH" | "ENDS WITH") 'text'
                | field ["NOT"] "IN" "(" value ("," value)* ")"
                | field "IS" ["NOT"] "NULL"
    value      := 'text' ('' inside is a quote) | number | TRUE | FALSE | NULL | :name

``field = null`` means ``field IS NULL`` and ``field != null`` ``field IS NOT NULL``;
null is refused anywhere else. ``LIKE`` is case-insensitive, with ``%`` (any run of
characters) and ``_`` (one character); a backslash makes the next character literal.
``CONTAINS``, ``STARTS WITH`` and ``ENDS WITH`` (DreamFactory's) are LIKE patterns built from
their text, every character of it literal. The word operators (DreamFactory's ``EQ``,
``NE``, ``GT``, ``GTE``, ``LT``, ``LTE``) are read only right after a field name, so a field
may still be called ``gt``. ``:name`` is a bound parameter: its value comes from the
``params`` given with the filter (never pasted into the text), and a missing one is refused.
"""

import math
import re
from dataclasses import dataclass

from cms import filter_tokens
from cms.filter_tokens import INT_RANGE, Cursor, Token, unquote

MAX_FILTER_LENGTH = 4000
MAX_DEPTH = 32
KEYWORDS = frozenset({"and", "or", "not", "like", "in", "is", "null", "true", "false"})
COMPARISONS = ("=", "!=", ">", ">=", "<", "<=")
WORD_COMPARISONS = {"eq": "=", "ne": "!=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}
#: DreamFactory's text operators: the LIKE pattern each makes of its (literal) text.
TEXT_OPERATORS = {"contains": "%{}%", "starts": "{}%", "ends": "%{}"}
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


TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | `(?P<quoted_name>[A-Za-z_][A-Za-z0-9_]*)`
  | :(?P<param>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op><>|!=|>=|<=|=|<|>)
  | (?P<punct>[(),])
  | (?P<string>'(?:[^']|'')*+')
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


def _unreadable(text: str, index: int) -> FilterError:
    two, one = text[index : index + 2], text[index]
    if one == "'":
        return FilterError("unterminated text value: a closing ' is missing", index)
    why = WHY_NOT.get(two) or WHY_NOT.get(one) or "not part of the filter syntax"
    return FilterError(f"unexpected character {one!r}: {why}", index)


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


def _token(kind: str, match: re.Match) -> Token:
    word, index = match.group(), match.start()
    if kind == "string":
        value = unquote(word)
        if "\x00" in value:
            raise FilterError("text values can't hold NUL characters", index)
        return Token("string", word, index, value)
    if kind == "number":
        follower = match.string[match.end() : match.end() + 1]
        if follower and (follower.isalnum() or follower in "_."):
            raise FilterError(f"invalid number starting {word!r}", index)
        return Token("number", word, index, _number(word, index))
    if kind == "name":
        is_keyword = word.lower() in KEYWORDS
        return Token("keyword" if is_keyword else "name", word, index, word.lower())
    if kind == "quoted_name":  # a field called like a keyword: `and` = 1
        name = match.group("quoted_name")
        return Token("name", name, index, name.lower())
    if kind == "param":  # a bound parameter, :name
        return Token("param", word, index, match.group("param"))
    if kind == "op":
        return Token("op", word, index, "!=" if word == "<>" else word)
    return Token(word, word, index)  # punctuation: its own kind


def tokenize(text: str) -> list[Token]:
    return filter_tokens.tokenize(text, TOKEN, _unreadable, _token)


# The parser.


def _describe(token: Token) -> str:
    return "the end of the filter" if token.kind == "end" else repr(token.text)


def _literal(text: str) -> str:
    """``text`` as a LIKE pattern matching exactly it."""
    return re.sub(r"([\\%_])", r"\\\1", text)


def _bound(params: dict, name: str):
    """A bound parameter's value, named with or without its colon."""
    for key in (f":{name}", name):
        if key in params:
            return params[key]
    raise KeyError(name)


class _Parser(Cursor):
    def __init__(self, text: str, params: dict):
        super().__init__(tokenize(text))
        self.params = params

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
        return self._joined("or", self.and_, Or)

    def and_(self):
        return self._joined("and", self.not_, And)

    def _joined(self, keyword: str, operand, node):
        """``operand (keyword operand)*``: one operand alone, or ``node`` joining them."""
        operands = [operand()]
        while self.keyword(keyword):
            operands.append(operand())
        return operands[0] if len(operands) == 1 else node(tuple(operands))

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
        word = self._word()
        if self.token.kind == "op" or word in WORD_COMPARISONS:
            op_token = self.advance()
            if word in WORD_COMPARISONS:
                op_token = Token("op", op_token.text, op_token.position, WORD_COMPARISONS[word])
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
            node = Like(field, self.text_value("a quoted LIKE pattern"))
        elif (text_op := self._text_operator()) is not None:
            pattern = TEXT_OPERATORS[text_op].format(_literal(self.text_value("a quoted text")))
            node = Like(field, pattern)
        elif self.keyword("in"):
            node = In(field, self.value_list())
        elif negated:
            raise FilterError(
                f"expected LIKE or IN after NOT (or CONTAINS, STARTS WITH, ENDS WITH), "
                f"found {_describe(self.token)}",
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
                f"expected an operator (=, !=, <>, >, >=, <, <=, EQ, NE, GT, GTE, LT, LTE, "
                f"LIKE, IN, IS, CONTAINS, STARTS WITH, ENDS WITH) after {field!r}, "
                f"found {_describe(self.token)}",
                self.token.position,
            )
        return Not(node) if negated else node

    def _word(self) -> str | None:
        """The current token as an operator word (``gt``, ``contains``...), if a name."""
        return self.token.value if self.token.kind == "name" else None

    def _text_operator(self) -> str | None:
        """CONTAINS, STARTS WITH or ENDS WITH, read: its key in TEXT_OPERATORS."""
        word = self._word()
        if word == "contains":
            self.advance()
            return word
        if word in ("starts", "ends"):
            self.advance()
            after = self.token
            if after.kind != "name" or after.value != "with":
                raise FilterError(
                    f"expected WITH after {word.upper()}, found {_describe(after)}",
                    after.position,
                )
            self.advance()
            return word
        return None

    def text_value(self, what: str) -> str:
        """A quoted text, or a bound parameter holding one."""
        token = self.token
        value = self.value() if token.kind in ("string", "param") else None
        if not isinstance(value, str):
            raise FilterError(f"expected {what}, found {_describe(token)}", token.position)
        return value

    def value(self):
        token = self.token
        if token.kind in ("string", "number"):
            self.advance()
            return token.value
        if token.kind == "param":
            self.advance()
            return self.bound(token)
        if token.kind == "keyword" and token.value in ("true", "false", "null"):
            self.advance()
            return {"true": True, "false": False, "null": None}[token.value]
        raise FilterError(
            f"expected a value ('text', a number, true, false or null), found {_describe(token)}",
            token.position,
        )

    def bound(self, token: Token):
        try:
            value = _bound(self.params, token.value)
        except KeyError:
            raise FilterError(
                f"the bound parameter {token.text} is missing from params",
                token.position,
                parameter=token.text,
            ) from None
        is_number = isinstance(value, int | float) and not isinstance(value, bool)
        if is_number and not (
            math.isfinite(value)
            and (isinstance(value, float) or INT_RANGE[0] <= value <= INT_RANGE[1])
        ):
            raise FilterError(f"{token.text} is out of range", token.position)
        if not (value is None or is_number or isinstance(value, str | bool)):
            raise FilterError(
                f"{token.text} must be a text, a number, true, false or null",
                token.position,
                parameter=token.text,
            )
        if isinstance(value, str) and "\x00" in value:
            raise FilterError("text values can't hold NUL characters", token.position)
        return value

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


def parse(text: str, params: dict | None = None):
    """The filter's tree, ``:name`` bound from ``params``; :class:`FilterError` if it is
    not in the grammar."""
    if len(text) > MAX_FILTER_LENGTH:
        raise FilterError(f"the filter is longer than {MAX_FILTER_LENGTH} characters")
    return _Parser(text, params or {}).parse()
